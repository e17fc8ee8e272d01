/* cmd_play.c: `ludus play ID`: play a world in a terminal, or watch a
 * trained agent play it (--policy). Keys are bound by action name, per
 * family, so the same loop serves every world; the picture comes from
 * ludus_env_render_ansi. On a terminal the keyboard is read raw (arrows
 * work); from a pipe every byte is a key and every frame is printed in
 * turn, which is how the tests drive it. An agent acts through
 * ludus_agent_act, one world at a time.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ludus/learn.h"

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
    if (c == '\r' || c == '\n') return LUDUS_KEY_ENTER;
    if (c != 27) return c;
    if (!tty_raw) return 27;
    unsigned char seq[2];
    if (read(STDIN_FILENO, &seq[0], 1) != 1) return 27;
    if (seq[0] != '[') return 27;
    if (read(STDIN_FILENO, &seq[1], 1) != 1) return 27;
    switch (seq[1]) {
    case 'A': return LUDUS_KEY_UP;
    case 'B': return LUDUS_KEY_DOWN;
    case 'C': return LUDUS_KEY_RIGHT;
    case 'D': return LUDUS_KEY_LEFT;
    default: return 0;
    }
}

/* The world's own key table (ludus_env_info.keys); keys for actions
 * beyond the world's action space are ignored. */
static int key_to_action(const ludus_env_info *in, int key)
{
    for (const ludus_key_binding *k = in->keys; k && k->key; k++)
        if (k->key == key && k->action < in->num_actions) return k->action;
    return -1;
}

static void print_help(const ludus_env_info *in, const char *policy, int greedy)
{
    if (policy) {
        printf("agent: %s (%s actions), q or Ctrl-C to quit\n", policy, greedy ? "greedy" : "sampled");
        return;
    }
    if (!in->keys) { /* worlds without keys are played in words */
        printf("type an action in words and press Enter; N new level, q quit\n");
        return;
    }
    printf("keys:");
    for (const ludus_key_binding *k = in->keys; k && k->key; k++)
        if (k->label && k->action < in->num_actions) printf(" %s %s,", k->label, in->action_names[k->action]);
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
    char last_name[256];
    double last_reward;
    /* --policy */
    const char *policy;
    ludus_agent *agent;
    ludus_rng rng;
    uint8_t *obs;
    int greedy, starting;
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
    print_help(p->in, p->policy, p->greedy);
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
    p->starting = 1;
    /* each level gets its own action stream, so a replay is exact */
    ludus_rng_seed(&p->rng, p->seed);
    return 0;
}

/* The agent's action (info.action_dims components, under the world's
 * mask) for the current state into a; -1 after an error. */
static int agent_action(play *p, int32_t *a)
{
    const char *mission = ludus_env_mission(p->env, p->state);
    uint8_t start = (uint8_t)p->starting, mask[LUDUS_MAX_MASK_SIZE];
    const ludus_agent_input in = {.n = 1, .greedy = p->greedy, .obs_size = p->in->obs_size, .obs = p->obs,
                                  .missions = &mission, .starts = &start, .rngs = &p->rng,
                                  .action_dims = p->in->action_dims, .action_sizes = p->in->action_nvec,
                                  .action_mask = p->in->mask_size ? mask : NULL};
    if (ludus_env_observe(p->env, p->state, p->obs) != LUDUS_OK ||
        ludus_env_action_mask(p->env, p->state, mask) != LUDUS_OK || ludus_agent_act(p->agent, &in, a) != LUDUS_OK) {
        cli_fail("agent");
        return -1;
    }
    p->starting = 0;
    return 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (ms > 0 && nanosleep(&ts, &ts) != 0) {
    }
}

int cmd_play(int argc, char **argv)
{
    const char *id = NULL, *options = NULL;
    play p = {0};
    long delay = -1;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (strcmp(argv[i], "--seed") == 0) {
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_u64("--seed", v, &p.seed)) return CLI_USAGE_ERROR;
        } else if (strcmp(argv[i], "--policy") == 0) {
            if (!(p.policy = cli_value(argc, argv, &i))) return CLI_USAGE_ERROR;
        } else if (strcmp(argv[i], "--greedy") == 0) {
            p.greedy = 1;
        } else if (strcmp(argv[i], "--delay") == 0) {
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_int("--delay", v, 0, 600000, &delay)) return CLI_USAGE_ERROR;
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
    if (!p.policy && (p.greedy || delay >= 0))
        return cli_error("play: --greedy and --delay go with --policy CHECKPOINT");
    if (p.policy) {
        /* The world defaults to the one the agent was trained on. */
        if (ludus_agent_load(p.policy, id, 1, &p.agent) != LUDUS_OK) return cli_fail("play --policy");
        if (!id) id = ludus_agent_env_id(p.agent);
    }
    if (!id) {
        cli_usage(stderr, "play");
        return cli_error("play: which world? (`ludus list` shows them)");
    }
    int rc = 0;
    if (cli_make_env(id, options, &p.env)) {
        rc = 1;
        goto done;
    }
    p.in = ludus_env_get_info(p.env);
    /* the sizes of the world the agent was loaded for, before binding it to this one */
    size_t agent_obs = ludus_agent_obs_size(p.agent);
    int agent_actions = ludus_agent_num_actions(p.agent);
    if (p.agent && ludus_agent_bind(p.agent, p.env, 1) != LUDUS_OK) {
        rc = cli_error("play: %s was trained on observations of %zu bytes and %d actions; %s%s%s has %zu and %d",
                       p.policy, agent_obs, agent_actions, id,
                       options ? " with " : "", options ? options : "", p.in->obs_size, p.in->num_actions);
        goto done;
    }
    p.state = ludus_env_state_new(p.env);
    p.obs = malloc(p.in->obs_size);
    rc = p.state && p.obs ? new_episode(&p) : cli_error("out of memory");
    if (rc) goto done;
    /* A world without keys is played by typed commands, parsed by the
     * world itself (ludus_env_parse_action), one line at a time. */
    const int typed = !p.agent && !p.in->keys;
    if (!typed) tty_make_raw();
    if (delay < 0) delay = tty_raw ? 150 : 0;
    if ((rc = draw(&p))) goto done;
    for (;;) {
        int32_t a[LUDUS_MAX_ACTION_DIMS];
        if (p.agent && !p.done) {
            sleep_ms(delay);
            if (agent_action(&p, a) < 0) {
                rc = 1;
                break;
            }
        } else if (typed) {
            char line[1024];
            if (!fgets(line, sizeof line, stdin)) break;
            line[strcspn(line, "\r\n")] = 0;
            if (strcmp(line, "q") == 0 || strcmp(line, "quit") == 0) break;
            if (strcmp(line, "N") == 0) {
                p.seed++;
                if ((rc = new_episode(&p)) || (rc = draw(&p))) break;
                continue;
            }
            if (p.done || !line[0]) continue;
            if (ludus_env_parse_action(p.env, line, a) != LUDUS_OK) {
                printf("%s\n", ludus_errmsg());
                fflush(stdout);
                continue;
            }
        } else {
            int key = read_key();
            if (key < 0 || key == 'q' || key == 'Q' || key == 27 || key == 3) break;
            if (key == 'N') {
                p.seed++;
                if ((rc = new_episode(&p)) || (rc = draw(&p))) break;
                continue;
            }
            if (p.done) continue;
            /* keys play one-component worlds only */
            if (p.in->action_dims != 1 || (a[0] = key_to_action(p.in, key)) < 0) continue;
        }
        ludus_step_out out;
        int src = ludus_env_step_vec(p.env, p.state, a, NULL, &out);
        if (src == LUDUS_EINVAL && typed) { /* an action the mask forbids: say so, play on */
            printf("%s\n", ludus_errmsg());
            fflush(stdout);
            continue;
        }
        if (src != LUDUS_OK) {
            rc = cli_fail("step");
            break;
        }
        p.last = cli_action_name(p.in, a, p.last_name, sizeof p.last_name);
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
    free(p.obs);
    free(p.state);
    ludus_env_destroy(p.env);
    ludus_agent_destroy(p.agent);
    return rc;
}
