/* registry.c: the registered MiniGrid and BabyAI ids with the reference's
 * parameters (spec/minigrid-ids.md): size, step limit, see-through-walls
 * and each world's own parameters (p[]).
 */
#include "worlds.h"

#define MG(id, desc, world, w, h, max_steps, stw, ...)                                      \
    {id, desc, grid_make,                                                                   \
     &(const grid_params){&(world), "minigrid", w, h, max_steps, stw, {__VA_ARGS__}}}

const env_entry grid_entries[] = {
    MG("MiniGrid-Empty-5x5-v0", "Empty room, goal in the far corner (5x5)", grid_world_empty, 5, 5, 100, 1, 0),
    MG("MiniGrid-Empty-Random-5x5-v0", "Empty room, random start (5x5)", grid_world_empty, 5, 5, 100, 1, 1),
    MG("MiniGrid-Empty-6x6-v0", "Empty room, goal in the far corner (6x6)", grid_world_empty, 6, 6, 144, 1, 0),
    MG("MiniGrid-Empty-Random-6x6-v0", "Empty room, random start (6x6)", grid_world_empty, 6, 6, 144, 1, 1),
    MG("MiniGrid-Empty-8x8-v0", "Empty room, goal in the far corner (8x8)", grid_world_empty, 8, 8, 256, 1, 0),
    MG("MiniGrid-Empty-16x16-v0", "Empty room, goal in the far corner (16x16)", grid_world_empty, 16, 16, 1024, 1, 0),
    MG("MiniGrid-FourRooms-v0", "Four rooms joined by gaps; reach the goal", grid_world_fourrooms, 19, 19, 100, 0, 0),
    MG("MiniGrid-DoorKey-5x5-v0", "Pick up the key, unlock the door, reach the goal (5x5)", grid_world_doorkey, 5, 5, 250, 0, 0),
    MG("MiniGrid-DoorKey-6x6-v0", "Pick up the key, unlock the door, reach the goal (6x6)", grid_world_doorkey, 6, 6, 360, 0, 0),
    MG("MiniGrid-DoorKey-8x8-v0", "Pick up the key, unlock the door, reach the goal (8x8)", grid_world_doorkey, 8, 8, 640, 0, 0),
    MG("MiniGrid-DoorKey-16x16-v0", "Pick up the key, unlock the door, reach the goal (16x16)", grid_world_doorkey, 16, 16, 2560, 0, 0),
    MG("MiniGrid-LavaGapS5-v0", "Cross a lava column through its one gap (5x5)", grid_world_lavagap, 5, 5, 100, 0, 0),
    MG("MiniGrid-LavaGapS6-v0", "Cross a lava column through its one gap (6x6)", grid_world_lavagap, 6, 6, 144, 0, 0),
    MG("MiniGrid-LavaGapS7-v0", "Cross a lava column through its one gap (7x7)", grid_world_lavagap, 7, 7, 196, 0, 0),
    MG("MiniGrid-LavaCrossingS9N1-v0", "Cross 1 lava river to the goal (9x9)", grid_world_crossing, 9, 9, 324, 0, 1, 1),
    MG("MiniGrid-LavaCrossingS9N2-v0", "Cross 2 lava rivers to the goal (9x9)", grid_world_crossing, 9, 9, 324, 0, 2, 1),
    MG("MiniGrid-LavaCrossingS9N3-v0", "Cross 3 lava rivers to the goal (9x9)", grid_world_crossing, 9, 9, 324, 0, 3, 1),
    MG("MiniGrid-LavaCrossingS11N5-v0", "Cross 5 lava rivers to the goal (11x11)", grid_world_crossing, 11, 11, 484, 0, 5, 1),
    MG("MiniGrid-SimpleCrossingS9N1-v0", "Find the opening in 1 wall to the goal (9x9)", grid_world_crossing, 9, 9, 324, 0, 1, 0),
    MG("MiniGrid-SimpleCrossingS9N2-v0", "Find the openings in 2 walls to the goal (9x9)", grid_world_crossing, 9, 9, 324, 0, 2, 0),
    MG("MiniGrid-SimpleCrossingS9N3-v0", "Find the openings in 3 walls to the goal (9x9)", grid_world_crossing, 9, 9, 324, 0, 3, 0),
    MG("MiniGrid-SimpleCrossingS11N5-v0", "Find the openings in 5 walls to the goal (11x11)", grid_world_crossing, 11, 11, 484, 0, 5, 0),
    MG("MiniGrid-DistShift1-v0", "Walk past lava strips to the goal (strip in row 2)", grid_world_distshift, 9, 7, 252, 1, 2),
    MG("MiniGrid-DistShift2-v0", "Walk past lava strips to the goal (strip in row 5)", grid_world_distshift, 9, 7, 252, 1, 5),
    MG("MiniGrid-Dynamic-Obstacles-5x5-v0", "Reach the goal past 2 moving balls (5x5)", grid_world_dynobs, 5, 5, 100, 1, 0, 2),
    MG("MiniGrid-Dynamic-Obstacles-Random-5x5-v0", "Reach the goal past 2 moving balls, random start (5x5)", grid_world_dynobs, 5, 5, 100, 1, 1, 2),
    MG("MiniGrid-Dynamic-Obstacles-6x6-v0", "Reach the goal past 3 moving balls (6x6)", grid_world_dynobs, 6, 6, 144, 1, 0, 3),
    MG("MiniGrid-Dynamic-Obstacles-Random-6x6-v0", "Reach the goal past 3 moving balls, random start (6x6)", grid_world_dynobs, 6, 6, 144, 1, 1, 3),
    MG("MiniGrid-Dynamic-Obstacles-8x8-v0", "Reach the goal past 4 moving balls (8x8)", grid_world_dynobs, 8, 8, 256, 1, 0, 4),
    MG("MiniGrid-Dynamic-Obstacles-16x16-v0", "Reach the goal past 8 moving balls (16x16)", grid_world_dynobs, 16, 16, 1024, 1, 0, 8),
    /* RoomGrid worlds: p = {room size, rows, columns, ...} */
    MG("MiniGrid-KeyCorridorS3R1-v0", "Fetch a ball behind a locked door; the key is in a side room (3x1 rooms of size 3)", grid_world_keycorridor, 7, 3, 270, 0, 3, 1, 3),
    MG("MiniGrid-KeyCorridorS3R2-v0", "Fetch a ball behind a locked door; the key is in a side room (3x2 rooms of size 3)", grid_world_keycorridor, 7, 5, 270, 0, 3, 2, 3),
    MG("MiniGrid-KeyCorridorS3R3-v0", "Fetch a ball behind a locked door; the key is in a side room (3x3 rooms of size 3)", grid_world_keycorridor, 7, 7, 270, 0, 3, 3, 3),
    MG("MiniGrid-KeyCorridorS4R3-v0", "Fetch a ball behind a locked door; the key is in a side room (3x3 rooms of size 4)", grid_world_keycorridor, 10, 10, 480, 0, 4, 3, 3),
    MG("MiniGrid-KeyCorridorS5R3-v0", "Fetch a ball behind a locked door; the key is in a side room (3x3 rooms of size 5)", grid_world_keycorridor, 13, 13, 750, 0, 5, 3, 3),
    MG("MiniGrid-KeyCorridorS6R3-v0", "Fetch a ball behind a locked door; the key is in a side room (3x3 rooms of size 6)", grid_world_keycorridor, 16, 16, 1080, 0, 6, 3, 3),
    MG("MiniGrid-Unlock-v0", "Pick up the key and open the locked door", grid_world_unlock, 11, 6, 288, 0, 6, 1, 2),
    MG("MiniGrid-UnlockPickup-v0", "Unlock the door and pick up the box behind it", grid_world_unlockpickup, 11, 6, 288, 0, 6, 1, 2, 0),
    MG("MiniGrid-BlockedUnlockPickup-v0", "Move the ball blocking the door, unlock it, pick up the box", grid_world_unlockpickup, 11, 6, 576, 0, 6, 1, 2, 1),
    /* ObstructedMaze: p[3] key in box, p[4] blocked, p[5] quarters (0: 1x2 rooms), p[6] agent room i*3+j, p[7] v1 */
    MG("MiniGrid-ObstructedMaze-1Dl-v0", "Unlock a door (key on the floor) to reach the blue ball", grid_world_obstructed, 11, 6, 288, 0, 6, 1, 2, 0, 0, 0, 0, 0),
    MG("MiniGrid-ObstructedMaze-1Dlh-v0", "Unlock a door (key hidden in a box) to reach the blue ball", grid_world_obstructed, 11, 6, 288, 0, 6, 1, 2, 1, 0, 0, 0, 0),
    MG("MiniGrid-ObstructedMaze-1Dlhb-v0", "Unblock and unlock a door (key in a box) to reach the blue ball", grid_world_obstructed, 11, 6, 288, 0, 6, 1, 2, 1, 1, 0, 0, 0),
    MG("MiniGrid-ObstructedMaze-2Dl-v0", "Unlock two doors (keys on the floor); the blue ball is in a corner room", grid_world_obstructed, 16, 16, 576, 0, 6, 3, 3, 0, 0, 1, 7, 0),
    MG("MiniGrid-ObstructedMaze-2Dlh-v0", "Unlock two doors (keys in boxes); the blue ball is in a corner room", grid_world_obstructed, 16, 16, 576, 0, 6, 3, 3, 1, 0, 1, 7, 0),
    MG("MiniGrid-ObstructedMaze-2Dlhb-v0", "Unblock and unlock two doors (keys in boxes) to a corner room", grid_world_obstructed, 16, 16, 576, 0, 6, 3, 3, 1, 1, 1, 7, 0),
    MG("MiniGrid-ObstructedMaze-2Dlhb-v1", "Unblock and unlock two doors (keys in boxes) to a corner room (v1 key order)", grid_world_obstructed, 16, 16, 576, 0, 6, 3, 3, 1, 1, 1, 7, 1),
    MG("MiniGrid-ObstructedMaze-1Q-v0", "Obstructed maze, one quarter, starting in the middle room", grid_world_obstructed, 16, 16, 720, 0, 6, 3, 3, 1, 1, 1, 4, 0),
    MG("MiniGrid-ObstructedMaze-1Q-v1", "Obstructed maze, one quarter, starting in the middle room (v1 key order)", grid_world_obstructed, 16, 16, 720, 0, 6, 3, 3, 1, 1, 1, 4, 1),
    MG("MiniGrid-ObstructedMaze-2Q-v0", "Obstructed maze, two quarters", grid_world_obstructed, 16, 16, 1584, 0, 6, 3, 3, 1, 1, 2, 7, 0),
    MG("MiniGrid-ObstructedMaze-2Q-v1", "Obstructed maze, two quarters (v1 key order)", grid_world_obstructed, 16, 16, 1584, 0, 6, 3, 3, 1, 1, 2, 7, 1),
    MG("MiniGrid-ObstructedMaze-Full-v0", "Obstructed maze, all four quarters", grid_world_obstructed, 16, 16, 3600, 0, 6, 3, 3, 1, 1, 4, 4, 0),
    MG("MiniGrid-ObstructedMaze-Full-v1", "Obstructed maze, all four quarters (v1 key order)", grid_world_obstructed, 16, 16, 3600, 0, 6, 3, 3, 1, 1, 4, 4, 1),
};

const int grid_entry_count = (int)(sizeof grid_entries / sizeof grid_entries[0]);
