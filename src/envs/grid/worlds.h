/* worlds.h: every grid world class, for the registry. One line per class. */
#ifndef LUDUS_GRID_WORLDS_H
#define LUDUS_GRID_WORLDS_H

#include "grid.h"

extern const grid_world ludus_grid_world_empty;
extern const grid_world ludus_grid_world_fourrooms;
extern const grid_world ludus_grid_world_doorkey;
extern const grid_world ludus_grid_world_lavagap;
extern const grid_world ludus_grid_world_crossing;
extern const grid_world ludus_grid_world_distshift;
extern const grid_world ludus_grid_world_dynobs;
extern const grid_world ludus_grid_world_multiroom;
extern const grid_world ludus_grid_world_lockedroom;
extern const grid_world ludus_grid_world_playground;
extern const grid_world ludus_grid_world_redbluedoors;
extern const grid_world ludus_grid_world_fetch;
extern const grid_world ludus_grid_world_gotodoor;
extern const grid_world ludus_grid_world_gotoobject;
extern const grid_world ludus_grid_world_putnear;
extern const grid_world ludus_grid_world_memory;
/* RoomGrid worlds (minigrid_roomgrid.c) */
extern const grid_world ludus_grid_world_keycorridor;
extern const grid_world ludus_grid_world_unlock;
extern const grid_world ludus_grid_world_unlockpickup;
extern const grid_world ludus_grid_world_obstructed;
/* BabyAI levels (babyai_levels.c, babyai_levelgen.c) */
extern const grid_world ludus_grid_world_babyai_actionobjdoor;
extern const grid_world ludus_grid_world_babyai_blockedunlockpickup;
extern const grid_world ludus_grid_world_babyai_findobj;
extern const grid_world ludus_grid_world_babyai_goto;
extern const grid_world ludus_grid_world_babyai_gotodoor;
extern const grid_world ludus_grid_world_babyai_gotoimpunlock;
extern const grid_world ludus_grid_world_babyai_gotolocal;
extern const grid_world ludus_grid_world_babyai_gotoobj;
extern const grid_world ludus_grid_world_babyai_gotoobjdoor;
extern const grid_world ludus_grid_world_babyai_gotoredball;
extern const grid_world ludus_grid_world_babyai_gotoredblueball;
extern const grid_world ludus_grid_world_babyai_keycorridor;
extern const grid_world ludus_grid_world_babyai_keyinbox;
extern const grid_world ludus_grid_world_babyai_levelgen;
extern const grid_world ludus_grid_world_babyai_mixedtrainlocal;
extern const grid_world ludus_grid_world_babyai_movetwoacross;
extern const grid_world ludus_grid_world_babyai_oneroom;
extern const grid_world ludus_grid_world_babyai_open;
extern const grid_world ludus_grid_world_babyai_opendoor;
extern const grid_world ludus_grid_world_babyai_opendoorsorder;
extern const grid_world ludus_grid_world_babyai_openreddoor;
extern const grid_world ludus_grid_world_babyai_opentwodoors;
extern const grid_world ludus_grid_world_babyai_pickup;
extern const grid_world ludus_grid_world_babyai_pickupabove;
extern const grid_world ludus_grid_world_babyai_pickupdist;
extern const grid_world ludus_grid_world_babyai_putnext;
extern const grid_world ludus_grid_world_babyai_putnextlocal;
extern const grid_world ludus_grid_world_babyai_unlock;
extern const grid_world ludus_grid_world_babyai_unlocklocal;
extern const grid_world ludus_grid_world_babyai_unlockpickup;
extern const grid_world ludus_grid_world_babyai_unlocktounlock;

#endif
