/* test_maze.c: the maze worlds (spec/maze.md). The held-out layouts are
 * written below as the spec's pictures, independently of the source's
 * tables, and checked cell by cell (walls, agent pose, every goal
 * candidate) with the first observation computed here from the picture;
 * the perfect mazes must be spanning trees of their open cells; Maze-v0's
 * generator is held to the spec's rules and statistics; then the step
 * rules, text, frames, traces, the checks of damaged states, bad options,
 * and levels as blocks with ACCEL's edit operator.
 */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "envs/maze/maze.h"

/* ---- the spec's pictures ------------------------------------------------ */

typedef struct picture {
    const char *id;
    int size, walls, ax, ay, dir, goals; /* the header line of the spec */
    const char *rows[19];
} picture;

static const picture pictures[] = {
    {"Maze-SixteenRooms-v0", 13, 46, 1, 1, 0, 1,
     {"...#..#..#...", ".>.......#...", "...#..#......", "#.###.##.###.", "...#.........", "......#..#...",
      "##.#.##.###.#", "...#.....#...", "...#..#......", ".####.##.#.##", "...#..#..#...", "......#....G.",
      "...#.....#..."}},
    {"Maze-SixteenRooms2-v0", 13, 53, 1, 1, 0, 1,
     {"...#.....#...", ".>....#..#...", "...#..#..#...", "####.##.###.#", "...#..#......", "......#..#...",
      "#.#####.#####", "...#..#..#...", "...#.........", "##.##.##.####", "...#..#..#...", "......#....G.",
      "...#..#..#..."}},
    {"Maze-Labyrinth-v0", 13, 72, 0, 12, 0, 1,
     {".............", ".###########.", ".#.........#.", ".#.#######.#.", ".#.#.....#.#.", ".#.#.###.#.#.",
      ".#.#.#G#.#.#.", ".#.#.#.#.#.#.", ".#...#...#.#.", ".#########.#.", ".....#.....#.", "####.#.#####.",
      ">....#......."}},
    {"Maze-LabyrinthFlipped-v0", 13, 72, 12, 12, 2, 1,
     {".............", ".###########.", ".#.........#.", ".#.#######.#.", ".#.#.....#.#.", ".#.#.###.#.#.",
      ".#.#.#G#.#.#.", ".#.#.#.#.#.#.", ".#.#...#...#.", ".#.#########.", ".#.....#.....", ".#####.#.####",
      ".......#....<"}},
    {"Maze-Labyrinth2-v0", 13, 72, 0, 0, 0, 1,
     {">#...........", ".#.#########.", ".#.#.......#.", ".#.#.#####.#.", ".#.#.#...#.#.", "...#.#.#.#.#.",
      "####.#G#.#.#.", "...#.###.#.#.", ".#.#.....#.#.", ".#.#######.#.", ".#.........#.", ".###########.",
      "............."}},
    {"Maze-StandardMaze-v0", 13, 73, 6, 0, 0, 1,
     {".....#>...#..", ".###.####.##.", ".#...........", ".########.###", "........#....", "######.#####.",
      "....#..#.....", ".##...##.####", "..#.#..#...#.", "#.#.##.###.#.", "#.#..#...#...", "#.##.###.###.",
      "...#..G#.#..."}},
    {"Maze-StandardMaze2-v0", 13, 72, 0, 6, 0, 1,
     {"...#.#....#..", ".#.#.####...#", ".#........#..", ".########.###", "...#..#.#.#.G", "##.#.##.#.#..",
      ">#.#....#.##.", ".#.##.###..#.", ".#..#..###.#.", ".##.##.#.#.#.", ".#...#.#.#.#.", ".#.#.#.#.#.#.",
      "...#...#....."}},
    {"Maze-StandardMaze3-v0", 13, 71, 3, 0, 0, 1,
     {"...>#.#......", ".####.#.####.", ".#....#.#....", "...####.#.#.#", "##.#....#.#..", "...#.##.#.##.",
      ".#.#.#..#..#G", ".#.#.#.###.##", ".#...#.#.#...", ".###.#.#.###.", ".#...#.#...#.", ".#.###.#.#.#.",
      ".#...#...#..."}},
    {"Maze-SmallCorridor-v0", 13, 71, 0, 6, 0, 10,
     {".............", ".#.#.#.#.#.#.", ".#.#.#.#.#.#.", ".#.#.#.#.#.#.", ".#.#.#.#.#.#.", ".#G#G#G#G#G#.",
      ">###########.", ".#G#G#G#G#G#.", ".#.#.#.#.#.#.", ".#.#.#.#.#.#.", ".#.#.#.#.#.#.", ".#.#.#.#.#.#.",
      "............."}},
    {"Maze-LargeCorridor-v0", 19, 161, 0, 9, 0, 16,
     {"...................", ".#.#.#.#.#.#.#.#.#.", ".#.#.#.#.#.#.#.#.#.", ".#.#.#.#.#.#.#.#.#.",
      ".#.#.#.#.#.#.#.#.#.", ".#.#.#.#.#.#.#.#.#.", ".#.#.#.#.#.#.#.#.#.", ".#.#.#.#.#.#.#.#.#.",
      ".#G#G#G#G#G#G#G#G#.", ">#################.", ".#G#G#G#G#G#G#G#G#.", ".#.#.#.#.#.#.#.#.#.",
      ".#.#.#.#.#.#.#.#.#.", ".#.#.#.#.#.#.#.#.#.", ".#.#.#.#.#.#.#.#.#.", ".#.#.#.#.#.#.#.#.#.",
      ".#.#.#.#.#.#.#.#.#.", ".#.#.#.#.#.#.#.#.#.", "..................."}},
};
#define NUM_PICTURES ((int)(sizeof pictures / sizeof pictures[0]))

/* A decoded level block (ludus.h's layout), interior coordinates. */
typedef struct level {
    int w, h, ax, ay, dir, gx, gy;
    uint8_t wall[101 * 101];
} level;

static void decode(const uint8_t *lv, level *out)
{
    out->w = lv[0];
    out->h = lv[1];
    out->ax = lv[2];
    out->ay = lv[3];
    out->dir = lv[4];
    out->gx = lv[5];
    out->gy = lv[6];
    for (int i = 0; i < out->w * out->h; i++) out->wall[i] = (lv[8 + i / 8] >> (i % 8)) & 1;
}

static int level_of(const ludus_env *env, const void *st, level *out)
{
    uint8_t buf[2048];
    memset(out, 0, sizeof *out);
    size_t n = ludus_env_level_size(env);
    if (n == 0 || n > sizeof buf) return -1;
    int rc = ludus_env_level_of(env, st, buf, n);
    if (rc == LUDUS_OK) decode(buf, out);
    return rc;
}

/* The 5x5 view of a picture, computed here: cell (vx, vy) is forward
 * 4 - vy and right vx - 2 of the agent; beyond the interior is wall. */
static void picture_view(const picture *p, int gx, int gy, uint8_t *img)
{
    static const int fwd[4][2] = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};
    int fx = fwd[p->dir][0], fy = fwd[p->dir][1];
    for (int vx = 0; vx < 5; vx++)
        for (int vy = 0; vy < 5; vy++) {
            int f = 4 - vy, r = vx - 2;
            int x = p->ax + fx * f - fy * r, y = p->ay + fy * f + fx * r;
            uint8_t *o = img + (vx * 5 + vy) * 3;
            char c = x < 0 || y < 0 || x >= p->size || y >= p->size ? '#' : p->rows[y][x];
            if (c == 'G') c = x == gx && y == gy ? 'G' : '.';
            if (vx == 2 && vy == 4) c = '.';
            o[0] = c == '#' ? 2 : c == 'G' ? 8 : 1;
            o[1] = c == '#' ? 5 : c == 'G' ? 1 : 0;
            o[2] = 0;
        }
}

/* The pictures above are the spec's, character for character (when the
 * shared folder is here to read it). */
static void test_pictures_match_spec(void)
{
    const char *shared = check_shared_dir();
    if (!shared) return;
    char path[1024];
    snprintf(path, sizeof path, "%s/spec/maze.md", shared);
    FILE *f = fopen(path, "r");
    CHECK_MSG(f != NULL, "cannot read %s", path);
    if (!f) return;
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    for (int k = 0; k < NUM_PICTURES; k++) {
        const picture *p = &pictures[k];
        char head[160], block[19 * 21 + 1] = "";
        snprintf(head, sizeof head, "%s  size %dx%d  walls %d  agent (%d,%d) dir %d  goals %d\n", p->id, p->size,
                 p->size, p->walls, p->ax, p->ay, p->dir, p->goals);
        for (int y = 0; y < p->size; y++) {
            strcat(block, p->rows[y]);
            strcat(block, "\n");
        }
        const char *at = strstr(text, head);
        CHECK_MSG(at != NULL, "the spec has no header '%s'", head);
        if (at) CHECK_MSG(strncmp(at + strlen(head), block, strlen(block)) == 0, "%s: picture differs", p->id);
    }
}

static void test_fixed_layouts(void)
{
    for (int k = 0; k < NUM_PICTURES; k++) {
        const picture *p = &pictures[k];
        ludus_env *env;
        CHECK_OK(ludus_env_make(p->id, NULL, &env));
        if (!env) continue;
        const ludus_env_info *info = ludus_env_get_info(env);
        CHECK_EQ(info->width, p->size + 2);
        CHECK_EQ(info->height, p->size + 2);
        CHECK_EQ(info->max_steps, 2u * (p->size + 2) * (p->size + 2)); /* 450 or 882 */
        CHECK_STR(info->family, "maze");
        void *st = ludus_env_state_new(env);
        /* the picture's own counts */
        int walls = 0, goals = 0, seen_goal[19 * 19] = {0}, distinct = 0;
        for (int y = 0; y < p->size; y++)
            for (int x = 0; x < p->size; x++) {
                walls += p->rows[y][x] == '#';
                goals += p->rows[y][x] == 'G';
            }
        CHECK_EQ(walls, p->walls);
        CHECK_EQ(goals, p->goals);
        for (uint64_t seed = 0; seed < 200; seed++) {
            uint8_t obs[76], want[75];
            CHECK_OK(ludus_env_reset(env, st, seed, obs));
            static level lv;
            CHECK_OK(level_of(env, st, &lv));
            int bad = 0;
            for (int y = 0; y < p->size; y++)
                for (int x = 0; x < p->size; x++) bad += lv.wall[y * p->size + x] != (p->rows[y][x] == '#');
            CHECK_MSG(bad == 0, "%s seed %llu: %d cells differ from the spec", p->id, (unsigned long long)seed, bad);
            CHECK_EQ(lv.ax, p->ax);
            CHECK_EQ(lv.ay, p->ay);
            CHECK_EQ(lv.dir, p->dir);
            CHECK_MSG(p->rows[lv.gy][lv.gx] == 'G', "%s: goal at (%d, %d) is not a G", p->id, lv.gx, lv.gy);
            if (!seen_goal[lv.gy * p->size + lv.gx]++) distinct++;
            picture_view(p, lv.gx, lv.gy, want);
            CHECK_MSG(memcmp(obs, want, 75) == 0, "%s seed %llu: first view differs", p->id, (unsigned long long)seed);
            CHECK_EQ(obs[75], p->dir);
        }
        CHECK_MSG(distinct == p->goals, "%s: %d of %d goal candidates drawn in 200 resets", p->id, distinct, p->goals);
        ludus_free(st);
        ludus_env_destroy(env);
    }
}

/* ---- perfect mazes ------------------------------------------------------ */

static void test_perfect_mazes(void)
{
    static const struct {
        const char *id;
        int n, seeds;
    } cases[] = {{"Maze-PerfectMazeMedium-v0", 19, 40}, {"Maze-PerfectMazeLarge-v0", 51, 10},
                 {"Maze-PerfectMazeXL-v0", 101, 3}};
    static level lv;
    static int queue[101 * 101], dist[101 * 101];
    for (int c = 0; c < 3; c++) {
        ludus_env *env;
        CHECK_OK(ludus_env_make(cases[c].id, NULL, &env));
        if (!env) continue;
        const int n = cases[c].n, half = (n + 1) / 2;
        CHECK_EQ(ludus_env_get_info(env)->max_steps, 2u * (n + 2) * (n + 2));
        void *st = ludus_env_state_new(env);
        uint64_t first_hash = 0;
        int differ = 0;
        for (int seed = 0; seed < cases[c].seeds; seed++) {
            CHECK_OK(ludus_env_reset(env, st, (uint64_t)seed, NULL));
            CHECK_OK(level_of(env, st, &lv));
            CHECK_EQ(lv.w, n);
            int open = 0, edges = 0, layout_ok = 1;
            uint64_t h = 1469598103934665603ull;
            for (int y = 0; y < n; y++)
                for (int x = 0; x < n; x++) {
                    int free = !lv.wall[y * n + x];
                    h = (h ^ (uint64_t)free) * 1099511628211ull;
                    open += free;
                    if (x % 2 == 0 && y % 2 == 0 && !free) layout_ok = 0; /* cells at even (x, y) */
                    if (x % 2 == 1 && y % 2 == 1 && free) layout_ok = 0;  /* never a pillar */
                    if (free && x + 1 < n && !lv.wall[y * n + x + 1]) edges++;
                    if (free && y + 1 < n && !lv.wall[(y + 1) * n + x]) edges++;
                }
            CHECK_MSG(layout_ok, "%s seed %d: open cells are not the even ones plus passages", cases[c].id, seed);
            /* every cell joined (half^2 cells, half^2 - 1 passages) */
            CHECK_EQ(open, 2 * half * half - 1);
            /* a tree: connected, and edges == vertices - 1 (no cycle) */
            CHECK_EQ(edges, open - 1);
            for (int i = 0; i < n * n; i++) dist[i] = -1;
            int head = 0, tail = 0, reached = 1;
            queue[tail++] = 0;
            dist[0] = 0;
            while (head < tail) {
                int i = queue[head++], x = i % n, y = i / n;
                int nb[4][2] = {{x + 1, y}, {x - 1, y}, {x, y + 1}, {x, y - 1}};
                for (int d = 0; d < 4; d++) {
                    int u = nb[d][0], v = nb[d][1];
                    if (u < 0 || v < 0 || u >= n || v >= n || lv.wall[v * n + u] || dist[v * n + u] >= 0) continue;
                    dist[v * n + u] = dist[i] + 1;
                    queue[tail++] = v * n + u;
                    reached++;
                }
            }
            CHECK_EQ(reached, open);
            CHECK(!lv.wall[lv.ay * n + lv.ax]);
            CHECK(!lv.wall[lv.gy * n + lv.gx]);
            CHECK(lv.ax != lv.gx || lv.ay != lv.gy);
            CHECK(lv.dir >= 0 && lv.dir <= 3);
            if (seed == 0) first_hash = h;
            else differ += h != first_hash;
        }
        CHECK_MSG(differ == cases[c].seeds - 1, "%s: seeds gave the same maze", cases[c].id);
        ludus_free(st);
        ludus_env_destroy(env);
    }
}

/* ---- the training distribution ------------------------------------------ */

static int count_walls(const level *lv)
{
    int n = 0;
    for (int i = 0; i < lv->w * lv->h; i++) n += lv->wall[i];
    return n;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_random_mazes(void)
{
    ludus_env *env, *env2;
    CHECK_OK(ludus_env_make("Maze-v0", NULL, &env));
    CHECK_OK(ludus_env_make("Maze-v0", "", &env2));
    CHECK_EQ(ludus_env_get_info(env)->max_steps, 250);
    CHECK_EQ(ludus_env_get_info(env)->width, 15);
    void *a = ludus_env_state_new(env), *b = ludus_env_state_new(env2);
    static level lv;
    /* 60 draws with replacement from 169 cells: 169 * (1 - (168/169)^60)
     * = 50.63 distinct walls on average, never more than 60 */
    const int N = 2000;
    double sum = 0;
    int maxw = 0, dirs[4] = {0}, same = 0;
    static uint64_t hashes[2000];
    for (int seed = 0; seed < N; seed++) {
        CHECK_OK(ludus_env_reset(env, a, (uint64_t)seed, NULL));
        CHECK_OK(ludus_env_reset(env2, b, (uint64_t)seed, NULL));
        CHECK_MSG(memcmp(a, b, ludus_env_get_info(env)->state_size) == 0, "seed %d is not deterministic", seed);
        CHECK_OK(level_of(env, a, &lv));
        int w = count_walls(&lv);
        sum += w;
        if (w > maxw) maxw = w;
        dirs[lv.dir]++;
        CHECK(!lv.wall[lv.ay * 13 + lv.ax] && !lv.wall[lv.gy * 13 + lv.gx]);
        CHECK(lv.ax != lv.gx || lv.ay != lv.gy);
        uint64_t h = 1469598103934665603ull;
        for (int i = 0; i < 169; i++) h = (h ^ lv.wall[i]) * 1099511628211ull;
        h = (h ^ (uint64_t)(lv.ax * 13 + lv.ay)) * 1099511628211ull;
        hashes[seed] = h;
    }
    qsort(hashes, (size_t)N, sizeof hashes[0], cmp_u64);
    for (int i = 1; i < N; i++) same += hashes[i] == hashes[i - 1];
    double mean = sum / N, expect = 169.0 * (1.0 - pow(168.0 / 169.0, 60));
    CHECK_MSG(fabs(mean - expect) < 0.3, "mean walls %.3f, want %.3f", mean, expect);
    CHECK(maxw <= 60);
    CHECK_EQ(same, 0); /* 2000 seeds, 2000 distinct levels */
    for (int d = 0; d < 4; d++) CHECK_MSG(abs(dirs[d] - N / 4) < 100, "direction %d drawn %d times of %d", d, dirs[d], N);
    /* reset_continue draws the next level from the same stream */
    CHECK_OK(ludus_env_reset(env, a, 5, NULL));
    CHECK_OK(ludus_env_reset(env2, b, 5, NULL));
    CHECK_OK(ludus_env_reset_continue(env, a, NULL));
    CHECK_OK(ludus_env_reset_continue(env2, b, NULL));
    CHECK(memcmp(a, b, ludus_env_get_info(env)->state_size) == 0);
    level l5;
    CHECK_OK(ludus_env_reset(env2, b, 5, NULL));
    CHECK_OK(level_of(env2, b, &l5));
    CHECK_OK(level_of(env, a, &lv));
    CHECK(memcmp(l5.wall, lv.wall, 169) != 0);
    ludus_free(a);
    ludus_free(b);
    ludus_env_destroy(env);
    ludus_env_destroy(env2);

    /* walls=0: an empty maze; agent and goal uniform over all 169 cells */
    CHECK_OK(ludus_env_make("Maze-v0", "walls=0", &env));
    a = ludus_env_state_new(env);
    int agent_at[169] = {0}, goal_at[169] = {0};
    for (int seed = 0; seed < 6000; seed++) {
        CHECK_OK(ludus_env_reset(env, a, (uint64_t)seed, NULL));
        CHECK_OK(level_of(env, a, &lv));
        CHECK_EQ(count_walls(&lv), 0);
        agent_at[lv.ay * 13 + lv.ax]++;
        goal_at[lv.gy * 13 + lv.gx]++;
    }
    int amin = 1 << 30, amax = 0, gmin = 1 << 30, gmax = 0;
    for (int i = 0; i < 169; i++) {
        if (agent_at[i] < amin) amin = agent_at[i];
        if (agent_at[i] > amax) amax = agent_at[i];
        if (goal_at[i] < gmin) gmin = goal_at[i];
        if (goal_at[i] > gmax) gmax = goal_at[i];
    }
    /* 35.5 per cell on average: a uniform draw keeps every cell in [10, 70] */
    CHECK_MSG(amin >= 10 && amax <= 70, "agent cells drawn %d..%d times", amin, amax);
    CHECK_MSG(gmin >= 10 && gmax <= 70, "goal cells drawn %d..%d times", gmin, gmax);
    ludus_free(a);
    ludus_env_destroy(env);

    /* sample_walls=1: the count is uniform in [0, 60) first; the mean of
     * 169 * (1 - (168/169)^n) over n = 0..59 is 26.39 */
    CHECK_OK(ludus_env_make("Maze-v0", "sample_walls=1", &env));
    a = ludus_env_state_new(env);
    sum = 0;
    maxw = 0;
    int minw = 1 << 30;
    for (int seed = 0; seed < N; seed++) {
        CHECK_OK(ludus_env_reset(env, a, (uint64_t)seed, NULL));
        CHECK_OK(level_of(env, a, &lv));
        int w = count_walls(&lv);
        sum += w;
        if (w > maxw) maxw = w;
        if (w < minw) minw = w;
    }
    expect = 0;
    for (int n = 0; n < 60; n++) expect += 169.0 * (1.0 - pow(168.0 / 169.0, n)) / 60;
    CHECK_MSG(fabs(sum / N - expect) < 1.0, "sample_walls: mean walls %.3f, want %.3f", sum / N, expect);
    CHECK(maxw <= 59);
    CHECK_EQ(minw, 0);
    ludus_free(a);
    ludus_env_destroy(env);

    /* walls=25 (the PLR paper's setting) and another size */
    CHECK_OK(ludus_env_make("Maze-v0", "walls=25,width=7,height=9,max_steps=40", &env));
    CHECK_EQ(ludus_env_get_info(env)->width, 9);
    CHECK_EQ(ludus_env_get_info(env)->height, 11);
    CHECK_EQ(ludus_env_get_info(env)->max_steps, 40);
    a = ludus_env_state_new(env);
    for (int seed = 0; seed < 100; seed++) {
        CHECK_OK(ludus_env_reset(env, a, (uint64_t)seed, NULL));
        CHECK_OK(level_of(env, a, &lv));
        CHECK(lv.w == 7 && lv.h == 9 && count_walls(&lv) <= 25);
    }
    ludus_free(a);
    ludus_env_destroy(env);

    /* goal_dist=0 is the default's generator, draw for draw; goal_dist=N
     * puts the goal on a free cell within N (Manhattan) of the agent
     * whenever there is one, uniformly among those cells */
    ludus_env *g0, *gd, *g1;
    CHECK_OK(ludus_env_make("Maze-v0", "goal_dist=0", &g0));
    CHECK_OK(ludus_env_make("Maze-v0", "walls=30,goal_dist=3", &gd));
    CHECK_OK(ludus_env_make("Maze-v0", "walls=0,goal_dist=1", &g1));
    CHECK_OK(ludus_env_make("Maze-v0", NULL, &env));
    a = ludus_env_state_new(env);
    void *c = ludus_env_state_new(env);
    static level la;
    int far = 0, offs[4] = {0}, inner = 0;
    for (int seed = 0; seed < 1000; seed++) {
        CHECK_OK(ludus_env_reset(env, a, (uint64_t)seed, NULL));
        CHECK_OK(ludus_env_reset(g0, c, (uint64_t)seed, NULL));
        CHECK_OK(level_of(env, a, &lv));
        CHECK_OK(level_of(g0, c, &la));
        CHECK(memcmp(&lv, &la, sizeof lv) == 0);
        CHECK_OK(ludus_env_reset(gd, c, (uint64_t)seed, NULL));
        CHECK_OK(level_of(gd, c, &lv));
        int near = 0;
        for (int y = 0; y < 13; y++)
            for (int x = 0; x < 13; x++)
                near += !lv.wall[y * 13 + x] && !(x == lv.ax && y == lv.ay) && abs(x - lv.ax) + abs(y - lv.ay) <= 3;
        int d = abs(lv.gx - lv.ax) + abs(lv.gy - lv.ay);
        CHECK(!lv.wall[lv.gy * 13 + lv.gx] && d >= 1);
        if (near) CHECK_MSG(d <= 3, "seed %d: the goal is %d away with %d free cells within 3", seed, d, near);
        far += d > 3;
        CHECK_OK(ludus_env_reset(g1, c, (uint64_t)seed, NULL));
        CHECK_OK(level_of(g1, c, &lv));
        CHECK_EQ(abs(lv.gx - lv.ax) + abs(lv.gy - lv.ay), 1);
        if (lv.ax > 0 && lv.ay > 0 && lv.ax < 12 && lv.ay < 12) {
            inner++;
            offs[(lv.gx - lv.ax == 1) + 2 * (lv.gy - lv.ay == 1) + 3 * (lv.gy - lv.ay == -1)]++;
        }
    }
    CHECK(far < 5); /* a boxed-in agent is rare with 30 walls */
    for (int i = 0; i < 4; i++) CHECK_MSG(fabs(offs[i] / (double)inner - 0.25) < 0.05, "goal_dist=1: side %d %.3f", i,
                                          offs[i] / (double)inner);
    ludus_free(a);
    ludus_free(c);
    ludus_env_destroy(env);
    ludus_env_destroy(g0);
    ludus_env_destroy(gd);
    ludus_env_destroy(g1);
}

/* ---- rules ---------------------------------------------------------------- */

/* A level block from a picture of interior rows (> v < ^ the agent). */
static void make_level(uint8_t *lv, size_t size, int w, int h, const char *const *rows)
{
    memset(lv, 0, size);
    lv[0] = (uint8_t)w;
    lv[1] = (uint8_t)h;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            char c = rows[y][x];
            const char *d = strchr(">v<^", c);
            if (c == '#') lv[8 + (y * w + x) / 8] |= (uint8_t)(1u << ((y * w + x) % 8));
            else if (c == 'G') {
                lv[5] = (uint8_t)x;
                lv[6] = (uint8_t)y;
            } else if (c != '.' && d) {
                lv[2] = (uint8_t)x;
                lv[3] = (uint8_t)y;
                lv[4] = (uint8_t)(d - ">v<^");
            }
        }
}

static const char *const small_rows[] = {"......G", ".#.....", "..>....", ".......", ".......", ".......", "......."};

static void test_step_rules(void)
{
    ludus_env *env;
    CHECK_OK(ludus_env_make("Maze-v0", "width=7,height=7,walls=0", &env));
    const ludus_env_info *info = ludus_env_get_info(env);
    CHECK_EQ(info->num_actions, 7);
    CHECK_EQ(ludus_env_level_size(env), 8 + 7);
    uint8_t lv[15], obs[76];
    make_level(lv, sizeof lv, 7, 7, small_rows);
    void *st = ludus_env_state_new(env);
    level d;
    ludus_step_out out;
    CHECK_OK(ludus_env_reset_level(env, st, lv, sizeof lv, obs));
    /* the view: the wall at interior (1, 1) is forward 0, left 1... the
     * agent at (2, 2) faces east: forward +x, right +y */
    CHECK_EQ(obs[75], 0);
    /* actions 3..6 do nothing but count */
    for (int a = 3; a < 7; a++) {
        CHECK_OK(ludus_env_step(env, st, a, NULL, &out));
        CHECK(out.reward == 0 && !out.terminated && !out.truncated);
    }
    CHECK_OK(level_of(env, st, &d));
    CHECK(d.ax == 2 && d.ay == 2 && d.dir == 0);
    CHECK_EQ(ludus_env_step_count(env, st), 4);
    /* turn left (north), forward to (2, 1), turn left (west): the wall at (1, 1) blocks */
    CHECK_OK(ludus_env_step(env, st, 0, NULL, &out));
    CHECK_OK(ludus_env_step(env, st, 2, NULL, &out));
    CHECK_OK(ludus_env_step(env, st, 0, NULL, &out));
    CHECK_OK(ludus_env_step(env, st, 2, NULL, &out));
    CHECK_OK(level_of(env, st, &d));
    CHECK(d.ax == 2 && d.ay == 1 && d.dir == 2);
    /* turn right twice (east), forward to (5, 1), turn left (north): the border blocks at y = 0 after one */
    CHECK_OK(ludus_env_step(env, st, 1, NULL, &out));
    CHECK_OK(ludus_env_step(env, st, 1, NULL, &out));
    for (int k = 0; k < 3; k++) CHECK_OK(ludus_env_step(env, st, 2, NULL, &out));
    CHECK_OK(ludus_env_step(env, st, 0, NULL, &out));
    CHECK_OK(ludus_env_step(env, st, 2, NULL, &out));
    CHECK_OK(ludus_env_step(env, st, 2, NULL, &out)); /* into the border: stays */
    CHECK_OK(level_of(env, st, &d));
    CHECK(d.ax == 5 && d.ay == 0 && d.dir == 3);
    /* turn right (east): the goal at (6, 0) is in front; forward ends the
     * episode without moving, reward 1 - 0.9 * t / T with t counted after the step */
    CHECK_OK(ludus_env_step(env, st, 1, NULL, &out));
    uint32_t t = ludus_env_step_count(env, st) + 1;
    CHECK_OK(ludus_env_step(env, st, 2, obs, &out));
    CHECK(out.terminated && !out.truncated && out.success);
    CHECK(out.reward == 1.0 - 0.9 * ((double)t / 250.0));
    CHECK_OK(level_of(env, st, &d));
    CHECK(d.ax == 5 && d.ay == 0);
    /* the goal straight ahead in the view: (vx 2, vy 3) */
    CHECK(obs[(2 * 5 + 3) * 3] == 8 && obs[(2 * 5 + 3) * 3 + 1] == 1);
    /* the agent's own cell reads empty; beyond the border reads wall */
    CHECK(obs[(2 * 5 + 4) * 3] == 1);
    CHECK(obs[(0 * 5 + 4) * 3] == 2); /* two cells left of an agent on row 0 facing east: outside */
    /* truncation at the step limit: 250 turns */
    CHECK_OK(ludus_env_reset_level(env, st, lv, sizeof lv, NULL));
    int trunc_at = 0;
    for (int k = 1; k <= 250 && !trunc_at; k++) {
        CHECK_OK(ludus_env_step(env, st, 1, NULL, &out));
        if (out.truncated) trunc_at = k;
        CHECK(!out.terminated && out.reward == 0);
    }
    CHECK_EQ(trunc_at, 250);
    /* the last step's reward at the limit: 1 - 0.9 = 0.1 (as doubles give it) */
    /* actions in words, as for the grid worlds */
    int32_t act = -1;
    CHECK_OK(ludus_env_parse_action(env, "Action: go forward", &act));
    CHECK_EQ(act, 2);
    CHECK_OK(ludus_env_parse_action(env, "turn left", &act));
    CHECK_EQ(act, 0);
    CHECK_ERR(ludus_env_parse_action(env, "jump", &act), LUDUS_EINVAL);
    CHECK_ERR(ludus_env_step(env, st, 7, NULL, &out), LUDUS_EINVAL);
    CHECK_ERR(ludus_env_step(env, st, -1, NULL, &out), LUDUS_EINVAL);
    ludus_free(st);
    ludus_env_destroy(env);

    /* a held-out maze's limit: 450 steps */
    CHECK_OK(ludus_env_make("Maze-SixteenRooms-v0", NULL, &env));
    st = ludus_env_state_new(env);
    CHECK_OK(ludus_env_reset(env, st, 0, NULL));
    CHECK_EQ(ludus_env_max_steps(env, st), 450);
    CHECK_STR(ludus_env_mission(env, st), "get to the green goal square");
    ludus_free(st);
    ludus_env_destroy(env);
}

/* ---- text, frames, traces ------------------------------------------------ */

static void test_text_render_trace(void)
{
    ludus_env *env;
    CHECK_OK(ludus_env_make("Maze-v0", "width=7,height=7,walls=0", &env));
    const ludus_env_info *info = ludus_env_get_info(env);
    void *st = ludus_env_state_new(env), *prev = ludus_env_state_new(env);
    uint8_t lv[15];
    /* agent at (4, 2) facing north: the goal is 2 right and 2 forward; the
     * border 3 forward, and the wall (2, 2) 2 left */
    static const char *const rows[] = {"......G", ".......", "..#.^..", ".......", ".......", ".......", "......."};
    make_level(lv, sizeof lv, 7, 7, rows);
    CHECK_OK(ludus_env_reset_level(env, st, lv, sizeof lv, NULL));
    char *text = malloc(info->text_capacity);
    int n = ludus_env_text(env, st, LUDUS_TEXT_FULL, text, info->text_capacity);
    CHECK(n > 0);
    CHECK_STR(text, "Mission: get to the green goal square\n"
                    "a wall 3 steps forward\n"
                    "a wall 2 steps left\n"
                    "a green goal 2 steps right and 2 steps forward\n"
                    "Actions: turn left, turn right, go forward, pick up, drop, toggle, done");
    n = ludus_env_text(env, st, LUDUS_TEXT_BALROG, text, info->text_capacity);
    CHECK_STR(text, "a wall 3 steps forward\na wall 2 steps left\na green goal 2 steps right and 2 steps forward");
    free(text);

    /* frames: 9x9 cells of 32 pixels; the goal's tile is green, a wall's grey */
    int w, h;
    CHECK_OK(ludus_env_render_size(env, NULL, &w, &h));
    CHECK(w == 9 * 32 && h == 9 * 32);
    uint8_t *rgb = malloc((size_t)w * h * 3);
    ludus_render_opts plain = {0, 0, 0};
    CHECK_OK(ludus_env_render(env, st, &plain, rgb, (size_t)w * h * 3));
    const uint8_t *goal = rgb + ((size_t)(1 * 32 + 16) * w + (7 * 32 + 16)) * 3; /* full-grid (7, 1) */
    CHECK(goal[0] == 0 && goal[1] == 255 && goal[2] == 0);
    const uint8_t *wall = rgb + ((size_t)(0 * 32 + 16) * w + (0 * 32 + 16)) * 3;
    CHECK(wall[0] == 100 && wall[1] == 100 && wall[2] == 100);
    const uint8_t *agent = rgb + ((size_t)(3 * 32 + 16) * w + (5 * 32 + 16)) * 3;
    CHECK(agent[0] > 200 && agent[1] < 60);
    ludus_render_opts o = {16, 1, 0};
    CHECK_OK(ludus_env_render_size(env, &o, &w, &h));
    CHECK(w == 80 && h == 80);
    CHECK_OK(ludus_env_render(env, st, &o, rgb, (size_t)w * h * 3));
    ludus_render_opts bad = {300, 0, 0};
    CHECK_ERR(ludus_env_render_size(env, &bad, &w, &h), LUDUS_EINVAL);
    free(rgb);

    /* the terminal picture: 9 rows of cells, the agent's arrow */
    char pic[8192];
    n = ludus_env_render_ansi(env, st, pic, sizeof pic);
    CHECK(n > 0 && n < (int)sizeof pic);
    CHECK(strstr(pic, "\xe2\x96\xb2") != NULL); /* facing north */
    int lines = 0;
    for (char *p = pic; *p; p++) lines += *p == '\n';
    CHECK_EQ(lines, 9);

    /* traces: the grid worlds' format */
    char line[16384];
    n = ludus_env_trace_header(env, 7, line, sizeof line);
    CHECK(n > 0 && n < (int)sizeof line);
    CHECK(strstr(line, "\"format\":\"ludus-trace/1\"") && strstr(line, "\"agent_view_size\":5") &&
          strstr(line, "\"max_steps\":250") && strstr(line, "\"width\":9"));
    n = ludus_env_trace_reset(env, st, 7, line, sizeof line);
    CHECK(n > 0 && n < (int)sizeof line);
    CHECK(strstr(line, "\"agent_pos\":[5,3],\"agent_dir\":3") != NULL);
    /* column x = 0 of the grid is all border */
    CHECK(strstr(line, "\"grid\":[[[2,5,0],[2,5,0],[2,5,0],[2,5,0],[2,5,0],[2,5,0],[2,5,0],[2,5,0],[2,5,0]],") != NULL);
    /* column x = 7 holds the goal at y = 1 */
    CHECK(strstr(line, "[[2,5,0],[8,1,0],[1,0,0]") != NULL);
    memcpy(prev, st, info->state_size);
    ludus_step_out out;
    CHECK_OK(ludus_env_step(env, st, 2, NULL, &out));
    n = ludus_env_trace_step(env, prev, st, 0, 2, &out, line, sizeof line);
    CHECK(n > 0 && n < (int)sizeof line);
    CHECK(strstr(line, "\"reward\":0.0,\"terminated\":false,\"truncated\":false,\"agent_pos\":[5,2]") != NULL);
    CHECK(strstr(line, "\"grid_diff\":[]}") != NULL);
    ludus_free(st);
    ludus_free(prev);
    ludus_env_destroy(env);
}

/* ---- damaged states and bad input ----------------------------------------- */

static void test_validate(void)
{
    ludus_env *env;
    CHECK_OK(ludus_env_make("Maze-v0", NULL, &env));
    size_t size = ludus_env_get_info(env)->state_size;
    maze_state *st = ludus_env_state_new(env), *bad = ludus_env_state_new(env), *dst = ludus_env_state_new(env);
    CHECK_OK(ludus_env_reset(env, st, 3, NULL));
    CHECK_OK(ludus_env_state_load(env, dst, st, size));
    const int W = 15;
    int wall_cell = -1, empty_cell = -1;
    for (int i = W + 1; i < W * W - W - 1; i++) {
        int x = i % W;
        if (x == 0 || x == W - 1) continue;
        uint8_t c = maze_cells(st)[i];
        if (c == MZ_WALL && wall_cell < 0) wall_cell = i;
        if (c == MZ_EMPTY && empty_cell < 0 && (i % W != st->agent_x || i / W != st->agent_y)) empty_cell = i;
    }
    CHECK(wall_cell >= 0 && empty_cell >= 0);
#define DAMAGE(stmt, what)                                                                        \
    do {                                                                                          \
        memcpy(bad, st, size);                                                                    \
        stmt;                                                                                     \
        CHECK_ERR(ludus_env_state_load(env, dst, bad, size), LUDUS_EFORMAT);                      \
        CHECK_MSG(strstr(ludus_errmsg(), what) != NULL, "message '%s' lacks '%s'", ludus_errmsg(), what); \
    } while (0)
    DAMAGE(maze_cells(bad)[empty_cell] = 7, "holds 7");
    DAMAGE(maze_cells(bad)[3] = MZ_EMPTY, "border cell (3, 0)");
    DAMAGE(maze_cells(bad)[empty_cell] = MZ_GOAL, "2 goals");
    DAMAGE(maze_cells(bad)[bad->goal_y * W + bad->goal_x] = MZ_EMPTY, "0 goals");
    DAMAGE(bad->goal_x = (int16_t)(bad->goal_x == 1 ? 2 : 1), "goal's position");
    DAMAGE((bad->agent_x = (int16_t)(wall_cell % W), bad->agent_y = (int16_t)(wall_cell / W)), "on a wall");
    DAMAGE((bad->agent_x = (int16_t)bad->goal_x, bad->agent_y = (int16_t)bad->goal_y), "on a goal");
    DAMAGE(bad->agent_x = 0, "outside");
    DAMAGE(bad->agent_y = 300, "outside");
    DAMAGE(bad->agent_dir = 4, "direction 4");
    CHECK_ERR(ludus_env_state_load(env, dst, st, size - 1), LUDUS_EFORMAT);
#undef DAMAGE
    ludus_free(st);
    ludus_free(bad);
    ludus_free(dst);
    ludus_env_destroy(env);
}

static void test_bad_options(void)
{
    static const struct {
        const char *id, *opts, *says;
    } cases[] = {
        {"Maze-v0", "wall=3", "unknown option 'wall'"},
        {"Maze-v0", "walls=-1", "walls=-1"},
        {"Maze-v0", "walls=x", "walls=x"},
        {"Maze-v0", "walls=168", "at most 167 walls"},
        {"Maze-v0", "width=3,height=3", "at most 7 walls"},
        {"Maze-v0", "sample_walls=2", "sample_walls=2"},
        {"Maze-v0", "goal_dist=-1", "goal_dist=-1"},
        {"Maze-v0", "sample_walls=1,walls=0", "walls >= 1"},
        {"Maze-v0", "width=2", "width=2"},
        {"Maze-v0", "height=102", "height=102"},
        {"Maze-v0", "max_steps=0", "max_steps=0"},
        {"Maze-v0", "walls", "malformed option"},
        {"Maze-SixteenRooms-v0", "walls=3", "only max_steps"},
        {"Maze-PerfectMazeMedium-v0", "width=5", "only max_steps"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ludus_env *env = (ludus_env *)1;
        CHECK_ERR(ludus_env_make(cases[i].id, cases[i].opts, &env), LUDUS_EINVAL);
        CHECK(env == NULL);
        CHECK_MSG(strstr(ludus_errmsg(), cases[i].says) != NULL, "%s %s: '%s' lacks '%s'", cases[i].id,
                  cases[i].opts, ludus_errmsg(), cases[i].says);
    }
    ludus_env *env;
    CHECK_ERR(ludus_env_make("Maze-Labyrinth3-v0", NULL, &env), LUDUS_ENOTFOUND);
    CHECK(strstr(ludus_errmsg(), "Maze-Labyrinth") != NULL);
    CHECK_OK(ludus_env_make("Maze-Labyrinth-v0", "max_steps=100", &env));
    CHECK_EQ(ludus_env_get_info(env)->max_steps, 100);
    ludus_env_destroy(env);
}

/* ---- levels as blocks ------------------------------------------------------ */

static void test_levels(void)
{
    ludus_env *env, *held, *grid;
    CHECK_OK(ludus_env_make("Maze-v0", NULL, &env));
    CHECK_OK(ludus_env_make("Maze-SixteenRooms-v0", NULL, &held));
    CHECK_OK(ludus_env_make("MiniGrid-Empty-5x5-v0", NULL, &grid));
    const size_t L = ludus_env_level_size(env);
    CHECK_EQ(L, 8 + 22); /* 169 bits */
    CHECK_EQ(ludus_env_level_size(held), L);
    CHECK_EQ(ludus_env_level_size(grid), 0);
    CHECK_EQ(ludus_env_level_size(NULL), 0);
    size_t size = ludus_env_get_info(env)->state_size;
    void *a = ludus_env_state_new(env), *b = ludus_env_state_new(env), *g = ludus_env_state_new(grid);
    uint8_t lv[64], lv2[64];
    CHECK_OK(ludus_env_reset(grid, g, 0, NULL));
    CHECK_ERR(ludus_env_level_of(grid, g, lv, 8), LUDUS_EUNSUPPORTED);
    CHECK_ERR(ludus_env_reset_level(grid, g, lv, 8, NULL), LUDUS_EUNSUPPORTED);

    /* round trip: a level resets to the same maze and first observation */
    for (int seed = 0; seed < 50; seed++) {
        uint8_t o1[76], o2[76];
        CHECK_OK(ludus_env_reset(env, a, (uint64_t)seed, o1));
        CHECK_OK(ludus_env_level_of(env, a, lv, L));
        CHECK_OK(ludus_env_reset_level(env, b, lv, L, o2));
        CHECK(memcmp(o1, o2, 76) == 0);
        CHECK(memcmp((char *)a + sizeof(maze_state), (char *)b + sizeof(maze_state), size - sizeof(maze_state)) == 0);
        CHECK_OK(ludus_env_level_of(env, b, lv2, L));
        CHECK(memcmp(lv, lv2, L) == 0);
        CHECK_OK(ludus_env_state_check(env, b));
    }
    /* a held-out maze's level plays in Maze-v0 (the same size) */
    void *h = ludus_env_state_new(held);
    CHECK_OK(ludus_env_reset(held, h, 0, NULL));
    CHECK_OK(ludus_env_level_of(held, h, lv, L));
    CHECK_OK(ludus_env_reset_level(env, a, lv, L, NULL));
    CHECK_EQ(ludus_env_max_steps(env, a), 250);
    ludus_free(h);
    /* same level, same stream: reset_continue after it is deterministic */
    CHECK_OK(ludus_env_reset_level(env, b, lv, L, NULL));
    CHECK_OK(ludus_env_reset_continue(env, a, NULL));
    CHECK_OK(ludus_env_reset_continue(env, b, NULL));
    CHECK(memcmp(a, b, size) == 0);

    /* bad levels */
    CHECK_OK(ludus_env_reset(env, a, 1, NULL));
    CHECK_OK(ludus_env_level_of(env, a, lv, L));
    level d;
    decode(lv, &d);
#define BADLEVEL(stmt, what)                                                                          \
    do {                                                                                              \
        memcpy(lv2, lv, L);                                                                           \
        stmt;                                                                                         \
        CHECK_ERR(ludus_env_reset_level(env, b, lv2, L, NULL), LUDUS_EINVAL);                         \
        CHECK_MSG(strstr(ludus_errmsg(), what) != NULL, "message '%s' lacks '%s'", ludus_errmsg(), what); \
        CHECK_ERR(ludus_env_step(env, b, 0, NULL, NULL), LUDUS_ESTATE);                               \
        CHECK_OK(ludus_env_reset(env, b, 0, NULL));                                                   \
    } while (0)
    BADLEVEL(lv2[0] = 12, "12x13");
    BADLEVEL(lv2[2] = 13, "outside");
    BADLEVEL(lv2[6] = 200, "outside");
    BADLEVEL(lv2[4] = 4, "direction 4");
    BADLEVEL((lv2[5] = lv2[2], lv2[6] = lv2[3]), "share cell");
    BADLEVEL(lv2[7] = 1, "byte 7");
    BADLEVEL(lv2[8 + (d.ay * 13 + d.ax) / 8] |= (uint8_t)(1u << ((d.ay * 13 + d.ax) % 8)), "agent's cell");
    BADLEVEL(lv2[8 + (d.gy * 13 + d.gx) / 8] |= (uint8_t)(1u << ((d.gy * 13 + d.gx) % 8)), "goal's cell");
    BADLEVEL(lv2[L - 1] |= 0x80, "stray bit");
#undef BADLEVEL
    CHECK_ERR(ludus_env_reset_level(env, b, lv, L - 1, NULL), LUDUS_EINVAL);
    CHECK_ERR(ludus_env_reset_level(env, b, NULL, L, NULL), LUDUS_EINVAL);
    CHECK_ERR(ludus_env_level_of(env, a, lv, L + 1), LUDUS_EINVAL);

    /* mutations: minimax's operator */
    ludus_rng rng;
    ludus_rng_seed(&rng, 11);
    CHECK_ERR(ludus_env_level_mutate(env, lv, L, -1, &rng), LUDUS_EINVAL);
    CHECK_ERR(ludus_env_level_mutate(env, lv, L, 1, NULL), LUDUS_EINVAL);
    memcpy(lv2, lv, L);
    CHECK_OK(ludus_env_level_mutate(env, lv2, L, 0, &rng));
    CHECK(memcmp(lv, lv2, L) == 0);
    int kinds[3] = {0};
    static level before, after;
    for (int k = 0; k < 3000; k++) {
        CHECK_OK(ludus_env_reset(env, a, (uint64_t)k, NULL));
        CHECK_OK(ludus_env_level_of(env, a, lv, L));
        memcpy(lv2, lv, L);
        CHECK_OK(ludus_env_level_mutate(env, lv2, L, 1, &rng));
        decode(lv, &before);
        decode(lv2, &after);
        CHECK(after.ax == before.ax && after.ay == before.ay && after.dir == before.dir);
        int flipped = 0, flip_at = -1;
        for (int i = 0; i < 169; i++)
            if (before.wall[i] != after.wall[i]) {
                flipped++;
                flip_at = i;
            }
        int moved = after.gx != before.gx || after.gy != before.gy;
        CHECK(flipped + moved <= 1);
        if (flipped) {
            CHECK(flip_at != before.ay * 13 + before.ax && flip_at != before.gy * 13 + before.gx);
            kinds[1]++;
        } else if (moved) {
            CHECK(!after.wall[after.gy * 13 + after.gx]);
            CHECK(after.gx != after.ax || after.gy != after.ay);
            kinds[2]++;
        } else {
            kinds[0]++;
        }
        /* the child is a valid level */
        CHECK_OK(ludus_env_reset_level(env, b, lv2, L, NULL));
    }
    for (int k = 0; k < 3; k++) CHECK_MSG(abs(kinds[k] - 1000) < 100, "edit kind %d drawn %d of 3000 times", k, kinds[k]);
    /* 20 edits from an empty maze (ACCEL's start): walls grow, the level stays valid */
    ludus_env *empty;
    CHECK_OK(ludus_env_make("Maze-v0", "walls=0", &empty));
    CHECK_OK(ludus_env_reset(empty, a, 0, NULL));
    CHECK_OK(ludus_env_level_of(empty, a, lv, L));
    for (int gen = 0; gen < 20; gen++) {
        CHECK_OK(ludus_env_level_mutate(empty, lv, L, 20, &rng));
        CHECK_OK(ludus_env_reset_level(empty, a, lv, L, NULL));
    }
    decode(lv, &d);
    CHECK(count_walls(&d) > 20);
    ludus_env_destroy(empty);
    /* a damaged level is refused before any edit */
    lv[4] = 9;
    memcpy(lv2, lv, L);
    CHECK_ERR(ludus_env_level_mutate(env, lv, L, 5, &rng), LUDUS_EINVAL);
    CHECK(memcmp(lv, lv2, L) == 0);
    ludus_free(a);
    ludus_free(b);
    ludus_free(g);
    ludus_env_destroy(env);
    ludus_env_destroy(held);
    ludus_env_destroy(grid);
}

static void test_registry(void)
{
    static const char *const ids[] = {
        "Maze-v0", "Maze-SixteenRooms-v0", "Maze-SixteenRooms2-v0", "Maze-Labyrinth-v0", "Maze-LabyrinthFlipped-v0",
        "Maze-Labyrinth2-v0", "Maze-StandardMaze-v0", "Maze-StandardMaze2-v0", "Maze-StandardMaze3-v0",
        "Maze-SmallCorridor-v0", "Maze-LargeCorridor-v0", "Maze-PerfectMazeMedium-v0", "Maze-PerfectMazeLarge-v0",
        "Maze-PerfectMazeXL-v0"};
    int n = 0;
    for (int i = 0; i < ludus_env_count(); i++) n += strncmp(ludus_env_id(i), "Maze-", 5) == 0;
    CHECK_EQ(n, 14);
    for (int k = 0; k < 14; k++) {
        ludus_env *env;
        CHECK_OK(ludus_env_make(ids[k], NULL, &env));
        if (!env) continue;
        const ludus_env_info *info = ludus_env_get_info(env);
        CHECK_EQ(info->num_obs_fields, 2);
        CHECK_EQ(info->obs_fields[0].kind, LUDUS_OBS_GRID_CELLS);
        CHECK(info->obs_fields[0].shape[0] == 5 && info->obs_fields[0].shape[1] == 5);
        CHECK_EQ(info->obs_fields[1].kind, LUDUS_OBS_DIRECTION);
        CHECK_EQ(info->obs_size, 76);
        CHECK(info->keys != NULL);
        ludus_env_destroy(env);
    }
}

int main(void)
{
    test_registry();
    test_pictures_match_spec();
    test_fixed_layouts();
    test_perfect_mazes();
    test_random_mazes();
    test_step_rules();
    test_text_render_trace();
    test_validate();
    test_bad_options();
    test_levels();
    return check_finish("test_maze");
}
