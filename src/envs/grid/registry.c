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
    MG("MiniGrid-MultiRoom-N2-S4-v0", "Traverse 2 rooms of side at most 4 through doors to the goal", grid_world_multiroom, 25, 25, 40, 0, 2, 2, 4),
    MG("MiniGrid-MultiRoom-N4-S5-v0", "Traverse rooms of side at most 5 to the goal (legacy: 6 rooms)", grid_world_multiroom, 25, 25, 120, 0, 6, 6, 5),
    MG("MiniGrid-MultiRoom-N4-S5-v1", "Traverse 4 rooms of side at most 5 through doors to the goal", grid_world_multiroom, 25, 25, 80, 0, 4, 4, 5),
    MG("MiniGrid-MultiRoom-N6-v0", "Traverse 6 rooms of side at most 10 through doors to the goal", grid_world_multiroom, 25, 25, 120, 0, 6, 6, 10),
    MG("MiniGrid-LockedRoom-v0", "Fetch the key the mission names, unlock the locked room, reach its goal", grid_world_lockedroom, 19, 19, 190, 0, 0),
    MG("MiniGrid-Playground-v0", "Nine rooms with doors and 12 objects; no mission", grid_world_playground, 19, 19, 100, 0, 0),
    MG("MiniGrid-RedBlueDoors-6x6-v0", "Open the red door, then the blue door (12x6)", grid_world_redbluedoors, 12, 6, 720, 0, 0),
    MG("MiniGrid-RedBlueDoors-8x8-v0", "Open the red door, then the blue door (16x8)", grid_world_redbluedoors, 16, 8, 1280, 0, 0),
    MG("MiniGrid-Fetch-5x5-N2-v0", "Pick up the named object among 2 (5x5)", grid_world_fetch, 5, 5, 125, 1, 2),
    MG("MiniGrid-Fetch-6x6-N2-v0", "Pick up the named object among 2 (6x6)", grid_world_fetch, 6, 6, 180, 1, 2),
    MG("MiniGrid-Fetch-8x8-N3-v0", "Pick up the named object among 3 (8x8)", grid_world_fetch, 8, 8, 320, 1, 3),
    MG("MiniGrid-GoToDoor-5x5-v0", "Stand next to the named door and say done (5x5)", grid_world_gotodoor, 5, 5, 100, 1, 0),
    MG("MiniGrid-GoToDoor-6x6-v0", "Stand next to the named door and say done (6x6)", grid_world_gotodoor, 6, 6, 144, 1, 0),
    MG("MiniGrid-GoToDoor-8x8-v0", "Stand next to the named door and say done (8x8)", grid_world_gotodoor, 8, 8, 256, 1, 0),
    MG("MiniGrid-GoToObject-6x6-N2-v0", "Stand next to the named object among 2 and say done (6x6)", grid_world_gotoobject, 6, 6, 180, 1, 2),
    MG("MiniGrid-GoToObject-8x8-N2-v0", "Stand next to the named object among 2 and say done (8x8)", grid_world_gotoobject, 8, 8, 320, 1, 2),
    MG("MiniGrid-PutNear-6x6-N2-v0", "Put the named object next to the other (6x6, 2 objects)", grid_world_putnear, 6, 6, 30, 1, 2),
    MG("MiniGrid-PutNear-8x8-N3-v0", "Put the named object next to another (8x8, 3 objects)", grid_world_putnear, 8, 8, 40, 1, 3),
    MG("MiniGrid-MemoryS7-v0", "Remember the start object; stop beside its twin past the hallway (7x7)", grid_world_memory, 7, 7, 245, 0, 0),
    MG("MiniGrid-MemoryS9-v0", "Remember the start object; stop beside its twin past the hallway (9x9)", grid_world_memory, 9, 9, 405, 0, 0),
    MG("MiniGrid-MemoryS11-v0", "Remember the start object; stop beside its twin past the hallway (11x11)", grid_world_memory, 11, 11, 605, 0, 0),
    MG("MiniGrid-MemoryS13-v0", "Remember the start object; stop beside its twin past the hallway (13x13)", grid_world_memory, 13, 13, 845, 0, 0),
    MG("MiniGrid-MemoryS13Random-v0", "Memory with a hallway of random length (13x13)", grid_world_memory, 13, 13, 845, 0, 1),
    MG("MiniGrid-MemoryS17Random-v0", "Memory with a hallway of random length (17x17)", grid_world_memory, 17, 17, 1445, 0, 1),
};

const int grid_entry_count = (int)(sizeof grid_entries / sizeof grid_entries[0]);
