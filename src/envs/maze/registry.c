/* registry.c: the maze ids. The held-out layouts are the spec's pictures
 * (spec/maze.md, identical in DCD, minimax and jaxued): `#` wall, `.`
 * empty, `G` a goal candidate (one is drawn at each reset), `>v<^` the
 * agent facing east, south, west, north. Interior cells only; the border
 * is added around them.
 */
#include "maze.h"

static const char *const rows_sixteenrooms[] = {
    "...#..#..#...",
    ".>.......#...",
    "...#..#......",
    "#.###.##.###.",
    "...#.........",
    "......#..#...",
    "##.#.##.###.#",
    "...#.....#...",
    "...#..#......",
    ".####.##.#.##",
    "...#..#..#...",
    "......#....G.",
    "...#.....#...",
};
static const maze_layout layout_sixteenrooms = {13, 13, rows_sixteenrooms};

static const char *const rows_sixteenrooms2[] = {
    "...#.....#...",
    ".>....#..#...",
    "...#..#..#...",
    "####.##.###.#",
    "...#..#......",
    "......#..#...",
    "#.#####.#####",
    "...#..#..#...",
    "...#.........",
    "##.##.##.####",
    "...#..#..#...",
    "......#....G.",
    "...#..#..#...",
};
static const maze_layout layout_sixteenrooms2 = {13, 13, rows_sixteenrooms2};

static const char *const rows_labyrinth[] = {
    ".............",
    ".###########.",
    ".#.........#.",
    ".#.#######.#.",
    ".#.#.....#.#.",
    ".#.#.###.#.#.",
    ".#.#.#G#.#.#.",
    ".#.#.#.#.#.#.",
    ".#...#...#.#.",
    ".#########.#.",
    ".....#.....#.",
    "####.#.#####.",
    ">....#.......",
};
static const maze_layout layout_labyrinth = {13, 13, rows_labyrinth};

static const char *const rows_labyrinthflipped[] = {
    ".............",
    ".###########.",
    ".#.........#.",
    ".#.#######.#.",
    ".#.#.....#.#.",
    ".#.#.###.#.#.",
    ".#.#.#G#.#.#.",
    ".#.#.#.#.#.#.",
    ".#.#...#...#.",
    ".#.#########.",
    ".#.....#.....",
    ".#####.#.####",
    ".......#....<",
};
static const maze_layout layout_labyrinthflipped = {13, 13, rows_labyrinthflipped};

static const char *const rows_labyrinth2[] = {
    ">#...........",
    ".#.#########.",
    ".#.#.......#.",
    ".#.#.#####.#.",
    ".#.#.#...#.#.",
    "...#.#.#.#.#.",
    "####.#G#.#.#.",
    "...#.###.#.#.",
    ".#.#.....#.#.",
    ".#.#######.#.",
    ".#.........#.",
    ".###########.",
    ".............",
};
static const maze_layout layout_labyrinth2 = {13, 13, rows_labyrinth2};

static const char *const rows_standardmaze[] = {
    ".....#>...#..",
    ".###.####.##.",
    ".#...........",
    ".########.###",
    "........#....",
    "######.#####.",
    "....#..#.....",
    ".##...##.####",
    "..#.#..#...#.",
    "#.#.##.###.#.",
    "#.#..#...#...",
    "#.##.###.###.",
    "...#..G#.#...",
};
static const maze_layout layout_standardmaze = {13, 13, rows_standardmaze};

static const char *const rows_standardmaze2[] = {
    "...#.#....#..",
    ".#.#.####...#",
    ".#........#..",
    ".########.###",
    "...#..#.#.#.G",
    "##.#.##.#.#..",
    ">#.#....#.##.",
    ".#.##.###..#.",
    ".#..#..###.#.",
    ".##.##.#.#.#.",
    ".#...#.#.#.#.",
    ".#.#.#.#.#.#.",
    "...#...#.....",
};
static const maze_layout layout_standardmaze2 = {13, 13, rows_standardmaze2};

static const char *const rows_standardmaze3[] = {
    "...>#.#......",
    ".####.#.####.",
    ".#....#.#....",
    "...####.#.#.#",
    "##.#....#.#..",
    "...#.##.#.##.",
    ".#.#.#..#..#G",
    ".#.#.#.###.##",
    ".#...#.#.#...",
    ".###.#.#.###.",
    ".#...#.#...#.",
    ".#.###.#.#.#.",
    ".#...#...#...",
};
static const maze_layout layout_standardmaze3 = {13, 13, rows_standardmaze3};

static const char *const rows_smallcorridor[] = {
    ".............",
    ".#.#.#.#.#.#.",
    ".#.#.#.#.#.#.",
    ".#.#.#.#.#.#.",
    ".#.#.#.#.#.#.",
    ".#G#G#G#G#G#.",
    ">###########.",
    ".#G#G#G#G#G#.",
    ".#.#.#.#.#.#.",
    ".#.#.#.#.#.#.",
    ".#.#.#.#.#.#.",
    ".#.#.#.#.#.#.",
    ".............",
};
static const maze_layout layout_smallcorridor = {13, 13, rows_smallcorridor};

static const char *const rows_largecorridor[] = {
    "...................",
    ".#.#.#.#.#.#.#.#.#.",
    ".#.#.#.#.#.#.#.#.#.",
    ".#.#.#.#.#.#.#.#.#.",
    ".#.#.#.#.#.#.#.#.#.",
    ".#.#.#.#.#.#.#.#.#.",
    ".#.#.#.#.#.#.#.#.#.",
    ".#.#.#.#.#.#.#.#.#.",
    ".#G#G#G#G#G#G#G#G#.",
    ">#################.",
    ".#G#G#G#G#G#G#G#G#.",
    ".#.#.#.#.#.#.#.#.#.",
    ".#.#.#.#.#.#.#.#.#.",
    ".#.#.#.#.#.#.#.#.#.",
    ".#.#.#.#.#.#.#.#.#.",
    ".#.#.#.#.#.#.#.#.#.",
    ".#.#.#.#.#.#.#.#.#.",
    ".#.#.#.#.#.#.#.#.#.",
    "...................",
};
static const maze_layout layout_largecorridor = {19, 19, rows_largecorridor};

#define FIXED(id, desc, lay) {id, desc, ludus_maze_make, &(const maze_params){MAZE_FIXED, 0, 0, &(lay)}}
#define PERFECT(id, desc, n) {id, desc, ludus_maze_make, &(const maze_params){MAZE_PERFECT, n, n, NULL}}

const env_entry ludus_maze_entries[] = {
    {"Maze-v0", "Random 13x13 maze: 60 walls scattered, random start and goal (the training distribution)",
     ludus_maze_make, &(const maze_params){MAZE_RANDOM, 13, 13, NULL}},
    FIXED("Maze-SixteenRooms-v0", "Held-out maze: sixteen rooms joined by doors (13x13)", layout_sixteenrooms),
    FIXED("Maze-SixteenRooms2-v0", "Held-out maze: sixteen rooms with fewer doors (13x13)", layout_sixteenrooms2),
    FIXED("Maze-Labyrinth-v0", "Held-out maze: a spiral labyrinth to its centre (13x13)", layout_labyrinth),
    FIXED("Maze-LabyrinthFlipped-v0", "Held-out maze: the labyrinth mirrored (13x13)", layout_labyrinthflipped),
    FIXED("Maze-Labyrinth2-v0", "Held-out maze: a second spiral labyrinth (13x13)", layout_labyrinth2),
    FIXED("Maze-StandardMaze-v0", "Held-out maze: a hand-drawn maze (13x13)", layout_standardmaze),
    FIXED("Maze-StandardMaze2-v0", "Held-out maze: a second hand-drawn maze (13x13)", layout_standardmaze2),
    FIXED("Maze-StandardMaze3-v0", "Held-out maze: a third hand-drawn maze (13x13)", layout_standardmaze3),
    FIXED("Maze-SmallCorridor-v0", "Held-out maze: a corridor with 10 side pockets, goal in one (13x13)",
          layout_smallcorridor),
    FIXED("Maze-LargeCorridor-v0", "Held-out maze: a corridor with 16 side pockets, goal in one (19x19)",
          layout_largecorridor),
    PERFECT("Maze-PerfectMazeMedium-v0", "Held-out maze: a perfect maze carved per seed (19x19)", 19),
    PERFECT("Maze-PerfectMazeLarge-v0", "Held-out maze: a perfect maze carved per seed (51x51)", 51),
    PERFECT("Maze-PerfectMazeXL-v0", "Held-out maze: a perfect maze carved per seed (101x101)", 101),
};
const int ludus_maze_entry_count = (int)(sizeof ludus_maze_entries / sizeof ludus_maze_entries[0]);
