/* worlds.h: every grid world class, for the registry. One line per class. */
#ifndef LUDUS_GRID_WORLDS_H
#define LUDUS_GRID_WORLDS_H

#include "grid.h"

extern const grid_world grid_world_empty;
extern const grid_world grid_world_fourrooms;
extern const grid_world grid_world_doorkey;
extern const grid_world grid_world_lavagap;
extern const grid_world grid_world_crossing;
extern const grid_world grid_world_distshift;
extern const grid_world grid_world_dynobs;
/* RoomGrid worlds (minigrid_roomgrid.c) */
extern const grid_world grid_world_keycorridor;
extern const grid_world grid_world_unlock;
extern const grid_world grid_world_unlockpickup;
extern const grid_world grid_world_obstructed;

#endif
