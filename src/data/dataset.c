/* dataset.c: Minari datasets (data.h) written and read with the HDF5 C
 * library. The layout is minari/dataset/_storages/hdf5_storage.py's at
 * v0.5.3: /episode_{i} groups with attributes id, seed, total_steps
 * (int64); observations (T + 1 rows; a group of one dataset per field
 * and the mission for dict spaces), actions, rewards (float64),
 * terminations and truncations (h5py's bool: an enum of int8, FALSE 0 and
 * TRUE 1), an empty infos group; chunked, growable along the first axis,
 * uncompressed; the root group tracks creation order. Strings are
 * variable-length UTF-8; frames under Minari's image rule variable-length
 * uint8 JPEG bytes.
 *
 * Reading trusts nothing: metadata.json is checked key by key, the HDF5
 * file's SHA-256 against the one metadata.json records (so a flipped or
 * truncated byte is caught before libhdf5 parses anything), and then every
 * group, type, shape and value against the world. HDF5's own error
 * printing is switched off around every call (the library never prints).
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <hdf5.h>

#include "core/core.h"
#include "core/digest.h"
#include "core/file.h"
#include "data/data_internal.h"
#include "ludus/learn.h"

#define MINARI_VERSION "0.5.3"
#define PATH_CAP 4096
#define MAX_METADATA_BYTES ((size_t)16 << 20)
#define MAX_EPISODE_STEPS (1 << 26)

/* ---- HDF5 without its error printing ---- */

static pthread_once_t hdf5_once = PTHREAD_ONCE_INIT;

static void hdf5_init(void)
{
    H5dont_atexit();
}

void ludus_data_hdf5_init(void)
{
    pthread_once(&hdf5_once, hdf5_init);
}

void ludus_data_quiet_on(ludus_data_quiet *q)
{
    H5Eget_auto2(H5E_DEFAULT, &q->fn, &q->data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

void ludus_data_quiet_off(const ludus_data_quiet *q)
{
    H5Eset_auto2(H5E_DEFAULT, q->fn, q->data);
}

void ludus_dataset_episode_free(ludus_dataset_episode *ep)
{
    if (!ep) return;
    free(ep->obs);
    free(ep->missions);
    free(ep->actions);
    free(ep->rewards);
    free(ep->terminations);
    free(ep->truncations);
    free(ep->action_masks);
    memset(ep, 0, sizeof *ep);
}

/* (namespace/)name-vN, parts of [A-Za-z0-9_.:-]. */
static int valid_dataset_id(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n >= 256 || id[0] == '/' || id[n - 1] == '/' || strstr(id, "//") || strstr(id, "..")) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
              c == ':' || c == '-' || c == '/'))
            return 0;
    }
    const char *v = strrchr(id, '-');
    const char *slash = strrchr(id, '/');
    if (!v || (slash && v < slash) || v[1] != 'v' || !v[2]) return 0;
    for (const char *p = v + 2; *p; p++)
        if (*p < '0' || *p > '9') return 0;
    return v > (slash ? slash + 1 : id);
}

static int sha256_file(const char *path, char hex[2 * SHA256_BYTES + 1])
{
    FILE *f = fopen(path, "rb");
    if (!f) return ludus_err_set(LUDUS_EIO, "cannot read %s: %s", path, strerror(errno));
    sha256_ctx c;
    ludus_sha256_init(&c);
    static const char digits[] = "0123456789abcdef";
    uint8_t buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) ludus_sha256_update(&c, buf, n);
    int err = ferror(f);
    fclose(f);
    if (err) return ludus_err_set(LUDUS_EIO, "cannot read %s", path);
    uint8_t d[SHA256_BYTES];
    ludus_sha256_final(&c, d);
    for (int i = 0; i < SHA256_BYTES; i++) hex[2 * i] = digits[d[i] >> 4], hex[2 * i + 1] = digits[d[i] & 15];
    hex[2 * SHA256_BYTES] = 0;
    return LUDUS_OK;
}

/* ------------------------------------------------------------------------
 * Writing
 * ---------------------------------------------------------------------- */

struct ludus_dataset_writer {
    const ludus_env *env;
    const ludus_env_info *info;
    data_layout l;
    ludus_dataset_meta meta;
    char dir[PATH_CAP], data[PATH_CAP], part[PATH_CAP], file[PATH_CAP], json[PATH_CAP];
    hid_t fid, t_bool, t_str, t_bytes;
    int64_t episodes, steps;
    int finished;
    uint8_t *scratch;
    size_t scratch_cap;
};

static void *scratch(ludus_dataset_writer *w, size_t n)
{
    if (n <= w->scratch_cap) return w->scratch;
    void *p = realloc(w->scratch, n);
    if (!p) return NULL;
    w->scratch = p;
    w->scratch_cap = n;
    return p;
}

void ludus_dataset_writer_destroy(ludus_dataset_writer *w)
{
    if (!w) return;
    ludus_data_quiet q;
    ludus_data_quiet_on(&q);
    if (w->fid >= 0) H5Fclose(w->fid);
    if (w->t_bool >= 0) H5Tclose(w->t_bool);
    if (w->t_str >= 0) H5Tclose(w->t_str);
    if (w->t_bytes >= 0) H5Tclose(w->t_bytes);
    ludus_data_quiet_off(&q);
    if (!w->finished && w->part[0]) unlink(w->part);
    free(w->scratch);
    free(w);
}

int ludus_dataset_writer_open(const char *dir, const ludus_env *env, const ludus_dataset_meta *meta,
                              ludus_dataset_writer **out)
{
    if (!out) return ludus_err_set(LUDUS_EINVAL, "dataset: NULL argument");
    *out = NULL;
    if (!dir || !*dir || !env || !meta) return ludus_err_set(LUDUS_EINVAL, "dataset: NULL argument");
    if (!valid_dataset_id(meta->dataset_id))
        return ludus_err_set(LUDUS_EINVAL, "dataset: id \"%.80s\" is not (namespace/)name-vN of [A-Za-z0-9_.:-]",
                             meta->dataset_id);
    ludus_data_hdf5_init();
    ludus_dataset_writer *w = calloc(1, sizeof *w);
    if (!w) return ludus_err_set(LUDUS_ENOMEM, "dataset: out of memory");
    w->fid = w->t_bool = w->t_str = w->t_bytes = -1;
    w->env = env;
    w->info = ludus_env_get_info(env);
    w->meta = *meta;
    ludus_data_layout_of(w->info, &w->l);
    int rc = LUDUS_OK;
    if (meta->action_masks != 0 && (meta->action_masks != 1 || w->l.mask_size == 0)) {
        rc = ludus_err_set(LUDUS_EINVAL, "dataset: action_masks %d for world %s, which %s", meta->action_masks,
                           w->info->id, w->l.mask_size ? "takes 0 or 1" : "has no legal-action mask");
        goto fail;
    }
    if ((size_t)snprintf(w->dir, PATH_CAP, "%s", dir) >= PATH_CAP ||
        (size_t)snprintf(w->data, PATH_CAP, "%s/data", dir) >= PATH_CAP ||
        (size_t)snprintf(w->part, PATH_CAP, "%s/data/main_data.hdf5.part", dir) >= PATH_CAP ||
        (size_t)snprintf(w->file, PATH_CAP, "%s/data/main_data.hdf5", dir) >= PATH_CAP ||
        (size_t)snprintf(w->json, PATH_CAP, "%s/data/metadata.json", dir) >= PATH_CAP) {
        w->part[0] = 0;
        rc = ludus_err_set(LUDUS_EINVAL, "dataset: the path %.200s is too long", dir);
        goto fail;
    }
    struct stat sb;
    if (stat(w->json, &sb) == 0 || stat(w->file, &sb) == 0) {
        w->part[0] = 0;
        rc = ludus_err_set(LUDUS_EINVAL, "dataset: %s already holds a dataset (remove it or choose another name)", dir);
        goto fail;
    }
    if ((rc = ludus_file_mkdirs(w->data))) {
        w->part[0] = 0;
        goto fail;
    }
    ludus_data_quiet q;
    ludus_data_quiet_on(&q);
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    if (fcpl >= 0) {
        H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
        H5Pset_attr_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
        /* an episode's dataset is one chunk or a few: small chunk-index
         * B-tree nodes (the default, 32, sizes each node for 64 chunks) */
        H5Pset_istore_k(fcpl, 2);
        w->fid = H5Fcreate(w->part, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
        H5Pclose(fcpl);
    }
    int8_t v0 = 0, v1 = 1;
    if ((w->t_bool = H5Tenum_create(H5T_NATIVE_INT8)) >= 0) {
        H5Tenum_insert(w->t_bool, "FALSE", &v0);
        H5Tenum_insert(w->t_bool, "TRUE", &v1);
    }
    if ((w->t_str = H5Tcopy(H5T_C_S1)) >= 0) {
        H5Tset_size(w->t_str, H5T_VARIABLE);
        H5Tset_cset(w->t_str, H5T_CSET_UTF8);
    }
    w->t_bytes = H5Tvlen_create(H5T_NATIVE_UINT8);
    ludus_data_quiet_off(&q);
    if (w->fid < 0 || w->t_bool < 0 || w->t_str < 0 || w->t_bytes < 0) {
        rc = ludus_err_set(LUDUS_EIO, "dataset: cannot create %s (HDF5)", w->part);
        goto fail;
    }
    *out = w;
    return LUDUS_OK;
fail:
    ludus_dataset_writer_destroy(w);
    return rc;
}

/* A chunked dataset of `rows` rows of the given trailing dims, growable
 * along the first axis (h5py's chunks=True, maxshape=(None, ...)). */
static int write_ds(hid_t group, const char *name, hid_t ftype, hid_t mtype, int rank, const hsize_t *dims,
                    size_t row_bytes, int growable, const void *data)
{
    hsize_t maxd[4], chunk[4];
    for (int i = 0; i < rank; i++) maxd[i] = dims[i], chunk[i] = dims[i];
    if (growable) maxd[0] = H5S_UNLIMITED;
    hsize_t rows = row_bytes ? (hsize_t)((65536 + row_bytes - 1) / row_bytes) : dims[0];
    chunk[0] = dims[0] < rows ? dims[0] : rows;
    if (chunk[0] < 1) chunk[0] = 1;
    hid_t space = H5Screate_simple(rank, dims, maxd), dcpl = H5Pcreate(H5P_DATASET_CREATE), ds = -1;
    int ok = space >= 0 && dcpl >= 0 && H5Pset_chunk(dcpl, rank, chunk) >= 0;
    if (ok) ok = (ds = H5Dcreate2(group, name, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT)) >= 0;
    if (ok) ok = H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0;
    if (ds >= 0) H5Dclose(ds);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (space >= 0) H5Sclose(space);
    return ok ? 0 : -1;
}

static int attr_i64(hid_t obj, const char *name, int64_t v)
{
    hid_t sp = H5Screate(H5S_SCALAR), a = -1;
    int ok = sp >= 0 && (a = H5Acreate2(obj, name, H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
             H5Awrite(a, H5T_NATIVE_INT64, &v) >= 0;
    if (a >= 0) H5Aclose(a);
    if (sp >= 0) H5Sclose(sp);
    return ok ? 0 : -1;
}

/* One field's column (T1 rows) of the observations. */
static int write_field(ludus_dataset_writer *w, hid_t grp, const char *name, const data_field *f,
                       const uint8_t *obs, int T1)
{
    const size_t D = w->l.obs_size;
    if (f->scalar) {
        int64_t *v = scratch(w, (size_t)T1 * sizeof *v);
        if (!v) return ludus_err_set(LUDUS_ENOMEM, "dataset: out of memory");
        for (int t = 0; t < T1; t++) v[t] = obs[(size_t)t * D + f->offset];
        hsize_t dims[1] = {(hsize_t)T1};
        if (write_ds(grp, name, H5T_STD_I64LE, H5T_NATIVE_INT64, 1, dims, 8, 1, v))
            return ludus_err_set(LUDUS_EIO, "dataset: writing %s/%s failed (HDF5)", w->part, name);
        return LUDUS_OK;
    }
    if (f->image) {
        const int c = f->ndim == 3 ? f->shape[2] : 1;
        hvl_t *vl = calloc((size_t)T1, sizeof *vl);
        int rc = vl ? LUDUS_OK : ludus_err_set(LUDUS_ENOMEM, "dataset: out of memory");
        for (int t = 0; t < T1 && !rc; t++) {
            uint8_t *jpg;
            size_t len;
            rc = ludus_data_jpeg_encode(obs + (size_t)t * D + f->offset, f->shape[0], f->shape[1], c,
                                        w->meta.jpeg_quality, &jpg, &len);
            if (!rc) vl[t].p = jpg, vl[t].len = len;
        }
        hsize_t dims[1] = {(hsize_t)T1};
        if (!rc && write_ds(grp, name, w->t_bytes, w->t_bytes, 1, dims, 16, 0, vl))
            rc = ludus_err_set(LUDUS_EIO, "dataset: writing %s/%s failed (HDF5)", w->part, name);
        for (int t = 0; vl && t < T1; t++) free(vl[t].p);
        free(vl);
        return rc;
    }
    uint8_t *v = scratch(w, (size_t)T1 * f->size);
    if (!v) return ludus_err_set(LUDUS_ENOMEM, "dataset: out of memory");
    for (int t = 0; t < T1; t++) memcpy(v + (size_t)t * f->size, obs + (size_t)t * D + f->offset, f->size);
    hsize_t dims[4] = {(hsize_t)T1};
    for (int d = 0; d < f->ndim; d++) dims[d + 1] = (hsize_t)f->shape[d];
    if (write_ds(grp, name, H5T_STD_U8LE, H5T_NATIVE_UINT8, f->ndim + 1, dims, f->size, 1, v))
        return ludus_err_set(LUDUS_EIO, "dataset: writing %s/%s failed (HDF5)", w->part, name);
    return LUDUS_OK;
}

static int check_episode(const ludus_dataset_writer *w, const ludus_dataset_episode *ep)
{
    const data_layout *l = &w->l;
    if (ep->steps < 1 || ep->steps > MAX_EPISODE_STEPS)
        return ludus_err_set(LUDUS_EINVAL, "dataset: an episode of %d steps (1..%d)", ep->steps, MAX_EPISODE_STEPS);
    if (!ep->obs || !ep->actions || !ep->rewards || !ep->terminations || !ep->truncations || (l->mission && !ep->missions))
        return ludus_err_set(LUDUS_EINVAL, "dataset: an episode with a NULL array");
    for (int t = 0; t < ep->steps; t++) {
        for (int d = 0; d < l->dims; d++) {
            int32_t a = ep->actions[(size_t)t * l->dims + d];
            if (a < 0 || a >= l->nvec[d])
                return ludus_err_set(LUDUS_EINVAL, "dataset: step %d: action %d outside 0..%d", t, a, l->nvec[d] - 1);
        }
        if (ep->terminations[t] > 1 || ep->truncations[t] > 1 || !isfinite(ep->rewards[t]))
            return ludus_err_set(LUDUS_EINVAL, "dataset: step %d: a flag that is not 0 or 1, or a reward not finite", t);
    }
    if (w->meta.action_masks) {
        int step;
        const char *what;
        if (!ep->action_masks)
            return ludus_err_set(LUDUS_EINVAL, "dataset: an episode without its action masks (the dataset records them)");
        if (ludus_data_masks_check(l, ep->action_masks, ep->actions, ep->steps, &step, &what))
            return ludus_err_set(LUDUS_EINVAL, "dataset: step %d: %s", step, what);
    }
    return LUDUS_OK;
}

int ludus_dataset_writer_add(ludus_dataset_writer *w, const ludus_dataset_episode *ep)
{
    if (!w || !ep) return ludus_err_set(LUDUS_EINVAL, "dataset: NULL argument");
    if (w->finished || w->fid < 0) return ludus_err_set(LUDUS_ESTATE, "dataset: the writer is finished");
    int rc = check_episode(w, ep);
    if (rc) return rc;
    const data_layout *l = &w->l;
    const int T = ep->steps, T1 = T + 1;
    char name[48];
    snprintf(name, sizeof name, "episode_%lld", (long long)w->episodes);
    ludus_data_quiet q;
    ludus_data_quiet_on(&q);
    hid_t g = H5Gcreate2(w->fid, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), og = -1, ig = -1;
    int ok = g >= 0 && !attr_i64(g, "id", w->episodes) && !attr_i64(g, "seed", (int64_t)ep->seed) &&
             !attr_i64(g, "total_steps", T);
    if (!ok) rc = ludus_err_set(LUDUS_EIO, "dataset: writing %s/%s failed (HDF5)", w->part, name);
    if (!rc && l->bare) {
        rc = write_field(w, g, "observations", &l->f[0], ep->obs, T1);
    } else if (!rc) {
        og = H5Gcreate2(g, "observations", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (og < 0) rc = ludus_err_set(LUDUS_EIO, "dataset: writing %s/%s failed (HDF5)", w->part, name);
        for (int k = 0; k < l->n && !rc; k++) rc = write_field(w, og, l->f[k].name, &l->f[k], ep->obs, T1);
        if (!rc && l->mission) {
            const char **s = scratch(w, (size_t)T1 * sizeof *s);
            if (!s) rc = ludus_err_set(LUDUS_ENOMEM, "dataset: out of memory");
            for (int t = 0; !rc && t < T1; t++) {
                s[t] = ep->missions + (size_t)t * l->mission_cap;
                if (memchr(s[t], 0, l->mission_cap) == NULL)
                    rc = ludus_err_set(LUDUS_EINVAL, "dataset: step %d: a mission without its NUL", t);
            }
            hsize_t dims[1] = {(hsize_t)T1};
            if (!rc && write_ds(og, "mission", w->t_str, w->t_str, 1, dims, 16, 1, s))
                rc = ludus_err_set(LUDUS_EIO, "dataset: writing %s/%s/mission failed (HDF5)", w->part, name);
        }
    }
    if (!rc) {
        int64_t *a = scratch(w, (size_t)T * l->dims * sizeof *a);
        if (!a) rc = ludus_err_set(LUDUS_ENOMEM, "dataset: out of memory");
        for (size_t i = 0; !rc && i < (size_t)T * l->dims; i++) a[i] = ep->actions[i];
        hsize_t dims[2] = {(hsize_t)T, (hsize_t)l->dims};
        if (!rc && write_ds(g, "actions", H5T_STD_I64LE, H5T_NATIVE_INT64, l->dims == 1 ? 1 : 2, dims,
                            8 * (size_t)l->dims, 1, a))
            rc = ludus_err_set(LUDUS_EIO, "dataset: writing %s/%s/actions failed (HDF5)", w->part, name);
    }
    hsize_t dT[1] = {(hsize_t)T};
    if (!rc && (write_ds(g, "rewards", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, dT, 8, 1, ep->rewards) ||
                write_ds(g, "terminations", w->t_bool, w->t_bool, 1, dT, 1, 1, ep->terminations) ||
                write_ds(g, "truncations", w->t_bool, w->t_bool, 1, dT, 1, 1, ep->truncations) ||
                (ig = H5Gcreate2(g, "infos", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0))
        rc = ludus_err_set(LUDUS_EIO, "dataset: writing %s/%s failed (HDF5)", w->part, name);
    /* the masks as Minari's collector keeps info["action_mask"]: one row per
     * observation (the reset's info, then each step's), int8 as Gymnasium's
     * spaces take a mask */
    hsize_t dM[2] = {(hsize_t)T1, (hsize_t)l->mask_size};
    if (!rc && w->meta.action_masks &&
        write_ds(ig, "action_mask", H5T_STD_I8LE, H5T_NATIVE_UINT8, 2, dM, (size_t)l->mask_size, 1, ep->action_masks))
        rc = ludus_err_set(LUDUS_EIO, "dataset: writing %s/%s/infos/action_mask failed (HDF5)", w->part, name);
    if (ig >= 0) H5Gclose(ig);
    if (og >= 0) H5Gclose(og);
    if (g >= 0) H5Gclose(g);
    ludus_data_quiet_off(&q);
    if (rc) return rc;
    w->episodes++;
    w->steps += T;
    return LUDUS_OK;
}

static char *metadata_json(const ludus_dataset_writer *w, const char *sha)
{
    char *obs = ludus_data_obs_space_json(&w->l), *act = ludus_data_action_space_json(&w->l), *s = NULL;
    const ludus_dataset_meta *m = &w->meta;
    cJSON *o = cJSON_CreateObject(), *lu = cJSON_CreateObject();
    char num[32];
    int ok = obs && act && o && lu;
    ok = ok && cJSON_AddNumberToObject(o, "total_episodes", (double)w->episodes) &&
         cJSON_AddNumberToObject(o, "total_steps", (double)w->steps) && cJSON_AddStringToObject(o, "data_format", "hdf5") &&
         cJSON_AddStringToObject(o, "observation_space", obs) && cJSON_AddStringToObject(o, "action_space", act) &&
         cJSON_AddStringToObject(o, "dataset_id", m->dataset_id) &&
         cJSON_AddStringToObject(o, "minari_version", MINARI_VERSION) &&
         cJSON_AddStringToObject(o, "algorithm_name", m->agent) &&
         cJSON_AddStringToObject(o, "description", "episodes recorded by `ludus collect`");
    /* what ludus needs to replay the episodes; numbers above 2^53 as strings */
    ok = ok && cJSON_AddStringToObject(lu, "format", "ludus-dataset/1") && cJSON_AddStringToObject(lu, "env_id", m->env_id) &&
         cJSON_AddStringToObject(lu, "env_options", m->env_options) && cJSON_AddStringToObject(lu, "agent", m->agent) &&
         cJSON_AddStringToObject(lu, "checkpoint", m->checkpoint) && cJSON_AddStringToObject(lu, "levels", m->levels);
    snprintf(num, sizeof num, "%llu", (unsigned long long)m->level_start);
    ok = ok && cJSON_AddStringToObject(lu, "level_start", num);
    snprintf(num, sizeof num, "%llu", (unsigned long long)m->level_count);
    ok = ok && cJSON_AddStringToObject(lu, "level_count", num);
    snprintf(num, sizeof num, "%llu", (unsigned long long)m->seed);
    ok = ok && cJSON_AddStringToObject(lu, "seed", num) && cJSON_AddNumberToObject(lu, "greedy", m->greedy) &&
         cJSON_AddNumberToObject(lu, "jpeg_quality", m->jpeg_quality) &&
         cJSON_AddNumberToObject(lu, "action_masks", m->action_masks) &&
         cJSON_AddStringToObject(lu, "ludus_version", ludus_version()) &&
         cJSON_AddStringToObject(lu, "main_data_sha256", sha);
    if (ok && cJSON_AddItemToObject(o, "ludus", lu)) {
        lu = NULL;
        s = cJSON_Print(o);
    }
    cJSON_Delete(lu);
    cJSON_Delete(o);
    free(obs);
    free(act);
    return s;
}

int ludus_dataset_writer_finish(ludus_dataset_writer *w)
{
    if (!w) return ludus_err_set(LUDUS_EINVAL, "dataset: NULL writer");
    if (w->finished || w->fid < 0) return ludus_err_set(LUDUS_ESTATE, "dataset: the writer is finished");
    if (w->episodes < 1) return ludus_err_set(LUDUS_EINVAL, "dataset: no episodes to write");
    ludus_data_quiet q;
    ludus_data_quiet_on(&q);
    herr_t e = H5Fclose(w->fid);
    ludus_data_quiet_off(&q);
    w->fid = -1;
    if (e < 0) return ludus_err_set(LUDUS_EIO, "dataset: closing %s failed (HDF5)", w->part);
    char sha[2 * SHA256_BYTES + 1];
    int rc = sha256_file(w->part, sha);
    if (rc) return rc;
    char *json = metadata_json(w, sha);
    if (!json) return ludus_err_set(LUDUS_ENOMEM, "dataset: out of memory");
    if (rename(w->part, w->file) != 0) {
        free(json);
        return ludus_err_set(LUDUS_EIO, "dataset: renaming %s failed: %s", w->part, strerror(errno));
    }
    w->part[0] = 0;
    rc = ludus_file_write_atomic(w->json, json, strlen(json));
    free(json);
    if (rc) {
        unlink(w->file);
        return rc;
    }
    w->finished = 1;
    return LUDUS_OK;
}
