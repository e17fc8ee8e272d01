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
extern const grid_world grid_world_multiroom;
extern const grid_world grid_world_lockedroom;
extern const grid_world grid_world_playground;
extern const grid_world grid_world_redbluedoors;
extern const grid_world grid_world_fetch;
extern const grid_world grid_world_gotodoor;
extern const grid_world grid_world_gotoobject;
extern const grid_world grid_world_putnear;
extern const grid_world grid_world_memory;

#endif
