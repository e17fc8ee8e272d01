/* data_internal.h: what the dataset writer, reader and collector share:
 * the observation layout as Minari's spaces see it, and the JPEG codec of
 * Minari's image rule.
 */
#ifndef LUDUS_DATA_INTERNAL_H
#define LUDUS_DATA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "ludus/data.h"
#include "ludus/ludus.h"

/* One part of the observation as the dataset stores it. */
typedef struct data_field {
    const char *name;
    size_t offset, size;      /* in the observation; size = product of shape */
    int ndim, shape[3];
    int scalar;               /* a one-value field: Discrete int64 */
    int image;                /* Minari's image rule: uint8 (H >= 32, W >= 32[, C]) with bounds 0..255: JPEG */
    uint8_t low, high;        /* the values taken */
    uint8_t space_low, space_high;
} data_field;

typedef struct data_layout {
    int n;
    data_field f[LUDUS_MAX_OBS_FIELDS];
    int mission;              /* 1: a mission string beside the fields */
    size_t mission_cap;       /* bytes with the NUL */
    int bare;                 /* one array, no mission: observations is a dataset, not a group */
    int dims;                 /* action components */
    int nvec[LUDUS_MAX_ACTION_DIMS];
    int mask_size;            /* bytes of the legal-action mask (0: the world has none) */
    size_t obs_size;
} data_layout;

/* An episode's legal-action masks (T + 1 rows of l->mask_size bytes)
 * against its actions: every byte 0 or 1, and every recorded action legal
 * under its step's row (the last row, after the last action, is checked
 * for 0/1 only). 0, or -1 with the first defect's step in *step and what
 * it is in *what. */
int ludus_data_masks_check(const data_layout *l, const uint8_t *masks, const int32_t *actions, int T, int *step,
                           const char **what);

void ludus_data_layout_of(const ludus_env_info *info, data_layout *l);
/* Minari's serialization of the observation and action spaces (JSON
 * text, malloc'd; NULL when out of memory). */
char *ludus_data_obs_space_json(const data_layout *l);
char *ludus_data_action_space_json(const data_layout *l);

/* JPEG (libjpeg, as PIL writes it: 4:2:0, the given quality) of an
 * (h, w, c) frame, c 1 or 3, into *out (malloc'd, *len bytes). */
int ludus_data_jpeg_encode(const uint8_t *pix, int h, int w, int c, int quality, uint8_t **out, size_t *len);
/* Decode JPEG bytes into pix (h, w, c); LUDUS_EFORMAT for bytes that are
 * not a JPEG of that size and channels. */
int ludus_data_jpeg_decode(const uint8_t *jpg, size_t len, int h, int w, int c, uint8_t *pix);

/* Once per process, before the first HDF5 call: keep libhdf5 from
 * installing its exit handler, which prints ("infinite loop closing
 * library") when a damaged file left its internal state unclosable; the
 * library never prints. Harmless when HDF5 was started already (h5py). */
void ludus_data_hdf5_init(void);

/* libhdf5's error printing off (on) around calls whose failures ludus
 * reports itself; off restores what on found. */
typedef struct ludus_data_quiet {
    H5E_auto2_t fn;
    void *data;
} ludus_data_quiet;
void ludus_data_quiet_on(ludus_data_quiet *q);
void ludus_data_quiet_off(const ludus_data_quiet *q);

#endif
