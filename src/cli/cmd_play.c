/* cmd_play.c: `ludus play ID`: play a world in a terminal. Keys are bound
 * by action name, per family, so the same loop serves every world; the
 * picture comes from ludus_env_render_ansi. On a terminal the keyboard is
 * read raw (arrows work); from a pipe every byte is a key, which is how
 * the tests drive it.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

enum { KEY_UP = 256, KEY_DOWN, KEY_RIGHT, KEY_LEFT, KEY_ENTER };

typedef struct key_binding {
    int key;
    const char *action; /* an action name of the world */
    const char *label;
} key_binding;

/* MiniGrid and BabyAI; names as in grid's action_names. */
static const key_binding grid_keys[] = {
    {KEY_LEFT, "turn left", "\xe2\x86\x90/a"}, {'a', "turn left", NULL},
    {KEY_RIGHT, "turn right", "\xe2\x86\x92/d"}, {'d', "turn right", NULL},
    {KEY_UP, "go forward", "\xe2\x86\x91/w"}, {'w', "go forward", NULL},
    {'p', "pick up", "p"}, {'x', "drop", "x"},
    {' ', "toggle", "space"}, {'t', "toggle", NULL},
    {KEY_ENTER, "done", "enter"},
    {0, NULL, NULL}};

/* Crafter, as its own human-play keymap binds them. */
static const key_binding crafter_keys[] = {
    {'a', "move_left", "a"}, {KEY_LEFT, "move_left", NULL},
    {'d', "move_right", "d"}, {KEY_RIGHT, "move_right", NULL},
    {'w', "move_up", "w"}, {KEY_UP, "move_up", NULL},
    {'s', "move_down", "s"}, {KEY_DOWN, "move_down", NULL},
    {' ', "do", "space"}, {'\t', "sleep", "tab"},
    {'r', "place_stone", "r"}, {'t', "place_table", "t"}, {'f', "place_furnace", "f"}, {'p', "place_plant", "p"},
    {'1', "make_wood_pickaxe", "1"}, {'2', "make_stone_pickaxe", "2"}, {'3', "make_iron_pickaxe", "3"},
    {'4', "make_wood_sword", "4"}, {'5', "make_stone_sword", "5"}, {'6', "make_iron_sword", "6"},
    {'.', "noop", "."},
    {0, NULL, NULL}};

static struct termios saved_tty;
static int tty_raw;

static void tty_restore(void)
{
    if (tty_raw) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
        fputs("\x1b[?25h", stdout); /* show the cursor again */
        fflush(stdout);
        tty_raw = 0;
    }
}

static void on_signal(int sig)
{
    tty_restore();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void tty_make_raw(void)
{
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty) != 0) return;
    struct termios raw = saved_tty;
    raw.c_lflag &= (tcflag_t) ~(ICANON | ECHO);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) != 0) return;
    tty_raw = 1;
    atexit(tty_restore);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    fputs("\x1b[?25l", stdout);
}

/* One key: arrows arrive as ESC [ A..D. Returns -1 at end of input. */
static int read_key(void)
{
    unsigned char c;
    if (read(STDIN_FILENO, &c, 1) != 1) return -1;
    if (c == '\r' || c == '\n') return KEY_ENTER;
    if (c != 27) return c;
    if (!tty_raw) return 27;
    unsigned char seq[2];
    if (read(STDIN_FILENO, &seq[0], 1) != 1) return 27;
    if (seq[0] != '[') return 27;
    if (read(STDIN_FILENO, &seq[1], 1) != 1) return 27;
    switch (seq[1]) {
    case 'A': return KEY_UP;
    case 'B': return KEY_DOWN;
    case 'C': return KEY_RIGHT;
    case 'D': return KEY_LEFT;
    default: return 0;
    }
}

static int action_by_name(const ludus_env_info *in, const char *name)
{
    for (int a = 0; a < in->num_actions; a++)
        if (strcmp(in->action_names[a], name) == 0) return a;
    return -1;
}

static const key_binding *keys_for(const ludus_env_info *in)
{
    return strcmp(in->family, "crafter") == 0 ? crafter_keys : grid_keys;
}

static int key_to_action(const ludus_env_info *in, int key)
{
    for (const key_binding *k = keys_for(in); k->action; k++)
        if (k->key == key) return action_by_name(in, k->action);
    if (key >= '0' && key <= '9' && key - '0' < in->num_actions && keys_for(in) == grid_keys) return key - '0';
    return -1;
}

static void print_help(const ludus_env_info *in)
{
    printf("keys:");
    for (const key_binding *k = keys_for(in); k->action; k++)
        if (k->label && action_by_name(in, k->action) >= 0) printf(" %s %s,", k->label, k->action);
    printf(" N new level, q quit\n");
}

typedef struct play {
    ludus_env *env;
    const ludus_env_info *in;
    void *state;
    char *pic;
    size_t pic_cap;
    uint64_t seed;
    double ep_return;
    int done;
    const char *last;
    double last_reward;
} play;

static int draw(play *p)
{
    int n;
    while ((n = ludus_env_render_ansi(p->env, p->state, p->pic, p->pic_cap)) >= 0 && (size_t)n >= p->pic_cap) {
        char *b = realloc(p->pic, (size_t)n + 1);
        if (!b) return cli_error("out of memory");
        p->pic = b;
        p->pic_cap = (size_t)n + 1;
    }
    if (n < 0) return cli_fail("play");
    if (tty_raw) fputs("\x1b[H\x1b[2J", stdout);
    else puts("----");
    printf("%s  level %llu\n", p->in->id, (unsigned long long)p->seed);
    const char *mission = ludus_env_mission(p->env, p->state);
    if (*mission) printf("mission: %s\n", mission);
    fputs(p->pic, stdout);
    printf("step %u/%u  last: %s  reward %.4g  return %.4g\n", ludus_env_step_count(p->env, p->state),
           ludus_env_max_steps(p->env, p->state), p->last ? p->last : "-", p->last_reward, p->ep_return);
    if (p->done) printf("episode over: press N for the next level, q to quit\n");
    print_help(p->in);
    fflush(stdout);
    return 0;
}

static int new_episode(play *p)
{
    if (ludus_env_reset(p->env, p->state, p->seed, NULL) != LUDUS_OK) return cli_fail("reset");
    p->ep_return = 0;
    p->done = 0;
    p->last = NULL;
    p->last_reward = 0;
    return 0;
}

int cmd_play(int argc, char **argv)
{
    const char *id = NULL, *options = NULL;
    play p = {0};
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (strcmp(argv[i], "--seed") == 0) {
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_u64("--seed", v, &p.seed)) return CLI_USAGE_ERROR;
        } else if (strcmp(argv[i], "--options") == 0) {
            if (!(options = cli_value(argc, argv, &i))) return CLI_USAGE_ERROR;
        } else if (argv[i][0] == '-') {
            return cli_error("play: unknown flag '%s'", argv[i]);
        } else if (!id) {
            id = argv[i];
        } else {
            return cli_error("play: unexpected argument '%s'", argv[i]);
        }
    }
    if (!id) {
        cli_usage(stderr, "play");
        return cli_error("play: which world? (`ludus list` shows them)");
    }
    if (cli_make_env(id, options, &p.env)) return 1;
    p.in = ludus_env_get_info(p.env);
    p.state = ludus_env_state_new(p.env);
    int rc = p.state ? new_episode(&p) : cli_error("out of memory");
    if (rc) goto done;
    tty_make_raw();
    if ((rc = draw(&p))) goto done;
    for (;;) {
        int key = read_key();
        if (key < 0 || key == 'q' || key == 'Q' || key == 27 || key == 3) break;
        if (key == 'N') {
            p.seed++;
            if ((rc = new_episode(&p)) || (rc = draw(&p))) break;
            continue;
        }
        if (p.done) continue;
        int a = key_to_action(p.in, key);
        if (a < 0) continue;
        ludus_step_out out;
        if (ludus_env_step(p.env, p.state, a, NULL, &out) != LUDUS_OK) {
            rc = cli_fail("step");
            break;
        }
        p.last = p.in->action_names[a];
        p.last_reward = out.reward;
        p.ep_return += out.reward;
        p.done = out.terminated || out.truncated;
        if ((rc = draw(&p))) break;
        if (p.done)
            printf("%s after %u steps, return %.4g\n", out.success ? "success" : out.truncated ? "out of time" : "failure",
                   ludus_env_step_count(p.env, p.state), p.ep_return);
    }
done:
    tty_restore();
    free(p.pic);
    free(p.state);
    ludus_env_destroy(p.env);
    return rc;
}
