/* reader.c: reading a dataset back (data.h), trusting nothing. Order of
 * checks: the folder, metadata.json (size-capped, parsed, every key's type
 * and range), the world it names (made with its options) and that
 * world's spaces against the recorded ones, the SHA-256 of
 * main_data.hdf5 against the recorded one (before libhdf5 sees the file),
 * then in HDF5 the episode groups (names episode_0..N-1, attributes id,
 * total_steps, seed), their sum against total_steps; and when an episode
 * is read, each dataset's class, size, sign and shape, and each value's
 * range. Every failure is one line naming the file and the field.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <hdf5.h>

#include "core/core.h"
#include "core/digest.h"
#include "core/file.h"
#include "data/data_internal.h"
#include "ludus/learn.h"

#define PATH_CAP 4096
#define MAX_METADATA_BYTES ((size_t)16 << 20)
#define MAX_EPISODE_STEPS (1 << 26)
#define MAX_EPISODES ((int64_t)1 << 31)

struct ludus_dataset {
    ludus_dataset_meta meta;
    ludus_env *env;
    const ludus_env_info *info;
    data_layout l;
    char file[PATH_CAP];
    hid_t fid, t_str;
    int64_t *steps;     /* (total_episodes) each episode's T */
    uint64_t *seeds;    /* (total_episodes) */
};

void ludus_dataset_close(ludus_dataset *ds)
{
    if (!ds) return;
    ludus_data_quiet q;
    ludus_data_quiet_on(&q);
    if (ds->fid >= 0) H5Fclose(ds->fid);
    if (ds->t_str >= 0) H5Tclose(ds->t_str);
    ludus_data_quiet_off(&q);
    ludus_env_destroy(ds->env);
    free(ds->steps);
    free(ds->seeds);
    free(ds);
}

const ludus_dataset_meta *ludus_dataset_get_meta(const ludus_dataset *ds)
{
    return ds ? &ds->meta : NULL;
}

const ludus_env *ludus_dataset_env(const ludus_dataset *ds)
{
    return ds ? ds->env : NULL;
}

/* ---- metadata.json ---- */

static int get_str(const cJSON *o, const char *key, const char *where, char *dst, size_t cap, int required)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v && !required) {
        dst[0] = 0;
        return LUDUS_OK;
    }
    if (!cJSON_IsString(v)) return ludus_err_set(LUDUS_EFORMAT, "%s: \"%s\" is missing or not a string", where, key);
    if (strlen(v->valuestring) >= cap)
        return ludus_err_set(LUDUS_EFORMAT, "%s: \"%s\" is longer than %zu bytes", where, key, cap - 1);
    memcpy(dst, v->valuestring, strlen(v->valuestring) + 1);
    return LUDUS_OK;
}

static int get_int(const cJSON *o, const char *key, const char *where, double lo, double hi, int64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < lo || v->valuedouble > hi)
        return ludus_err_set(LUDUS_EFORMAT, "%s: \"%s\" is missing or not an integer in [%.0f, %.0f]", where, key, lo, hi);
    *out = (int64_t)v->valuedouble;
    return LUDUS_OK;
}

static int get_u64s(const cJSON *o, const char *key, const char *where, uint64_t *out)
{
    char buf[32], *end;
    int rc = get_str(o, key, where, buf, sizeof buf, 1);
    if (rc) return rc;
    errno = 0;
    unsigned long long v = strtoull(buf, &end, 10);
    if (!buf[0] || *end || errno || buf[0] == '-')
        return ludus_err_set(LUDUS_EFORMAT, "%s: \"%s\" is not a number written as a string: \"%s\"", where, key, buf);
    *out = v;
    return LUDUS_OK;
}

/* The recorded space (a JSON string) against the world's. */
static int same_space(const cJSON *o, const char *key, const char *where, const char *mine, const char *world)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsString(v)) return ludus_err_set(LUDUS_EFORMAT, "%s: \"%s\" is missing or not a string", where, key);
    cJSON *a = cJSON_Parse(v->valuestring), *b = mine ? cJSON_Parse(mine) : NULL;
    int same = a && b && cJSON_Compare(a, b, 1);
    cJSON_Delete(a);
    cJSON_Delete(b);
    if (!mine) return ludus_err_set(LUDUS_ENOMEM, "dataset: out of memory");
    if (!same)
        return ludus_err_set(LUDUS_EFORMAT, "%s: \"%s\" is not the %s of world %s as ludus writes it", where, key,
                             key, world);
    return LUDUS_OK;
}

static int read_metadata(ludus_dataset *ds, const char *path)
{
    char *text = NULL;
    size_t len = 0;
    int rc = ludus_file_read(path, MAX_METADATA_BYTES, &text, &len);
    if (rc) return rc;
    cJSON *j = memchr(text, 0, len) ? NULL : cJSON_ParseWithLength(text, len);
    free(text);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return ludus_err_set(LUDUS_EFORMAT, "%s: not a JSON object", path);
    }
    ludus_dataset_meta *m = &ds->meta;
    const cJSON *lu = cJSON_GetObjectItemCaseSensitive(j, "ludus");
    char fmt[64], where[PATH_CAP + 16], version[32], data_format[16];
    int64_t greedy = 0, q = 0;
    snprintf(where, sizeof where, "%s", path);
    rc = get_str(j, "data_format", where, data_format, sizeof data_format, 1);
    if (!rc && strcmp(data_format, "hdf5") != 0)
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: data_format \"%s\": ludus reads the hdf5 format only", path, data_format);
    if (!rc) rc = get_str(j, "dataset_id", where, m->dataset_id, sizeof m->dataset_id, 1);
    if (!rc) rc = get_str(j, "minari_version", where, version, sizeof version, 1);
    if (!rc) rc = get_int(j, "total_episodes", where, 1, (double)MAX_EPISODES, &m->total_episodes);
    if (!rc) rc = get_int(j, "total_steps", where, 1, 9007199254740992.0, &m->total_steps);
    if (!rc && !cJSON_IsObject(lu))
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: no \"ludus\" object: not a dataset written by `ludus collect`", path);
    snprintf(where, sizeof where, "%s: ludus", path);
    if (!rc) rc = get_str(lu, "format", where, fmt, sizeof fmt, 1);
    if (!rc && strcmp(fmt, "ludus-dataset/1") != 0)
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: format \"%s\" (this ludus reads ludus-dataset/1)", where, fmt);
    if (!rc) rc = get_str(lu, "env_id", where, m->env_id, sizeof m->env_id, 1);
    if (!rc) rc = get_str(lu, "env_options", where, m->env_options, sizeof m->env_options, 1);
    if (!rc) rc = get_str(lu, "agent", where, m->agent, sizeof m->agent, 1);
    if (!rc) rc = get_str(lu, "checkpoint", where, m->checkpoint, sizeof m->checkpoint, 0);
    if (!rc) rc = get_str(lu, "levels", where, m->levels, sizeof m->levels, 1);
    if (!rc && strcmp(m->levels, "train") != 0 && strcmp(m->levels, "heldout") != 0)
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: levels \"%s\" is neither train nor heldout", where, m->levels);
    if (!rc) rc = get_u64s(lu, "level_start", where, &m->level_start);
    if (!rc) rc = get_u64s(lu, "level_count", where, &m->level_count);
    if (!rc) rc = get_u64s(lu, "seed", where, &m->seed);
    if (!rc) rc = get_int(lu, "greedy", where, 0, 1, &greedy);
    if (!rc) rc = get_int(lu, "jpeg_quality", where, 0, 100, &q);
    int64_t masks = 0; /* datasets written before masks were recorded have no key */
    if (!rc && cJSON_GetObjectItemCaseSensitive(lu, "action_masks"))
        rc = get_int(lu, "action_masks", where, 0, 1, &masks);
    m->greedy = (int)greedy;
    m->jpeg_quality = (int)q;
    m->action_masks = (int)masks;
    char sha[2 * SHA256_BYTES + 1];
    if (!rc) rc = get_str(lu, "main_data_sha256", where, sha, sizeof sha, 1);
    if (!rc && strlen(sha) != 2 * SHA256_BYTES)
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: main_data_sha256 is not 64 hex digits", where);
    if (!rc && (rc = ludus_env_make(m->env_id, m->env_options, &ds->env)))
        rc = ludus_err_wrap(rc, "%s: its world", path);
    if (!rc) {
        ds->info = ludus_env_get_info(ds->env);
        ludus_data_layout_of(ds->info, &ds->l);
        if (m->action_masks && ds->l.mask_size == 0)
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: action_masks 1, but world %s (options \"%s\") has no legal-action mask",
                               where, m->env_id, m->env_options);
    }
    if (!rc) {
        char *obs = ludus_data_obs_space_json(&ds->l), *act = ludus_data_action_space_json(&ds->l);
        rc = same_space(j, "observation_space", path, obs, m->env_id);
        if (!rc) rc = same_space(j, "action_space", path, act, m->env_id);
        free(obs);
        free(act);
    }
    if (!rc) {
        /* the file's digest, before the HDF5 library reads it */
        FILE *f = fopen(ds->file, "rb");
        if (!f) rc = ludus_err_set(LUDUS_EFORMAT, "%s: cannot read it: %s", ds->file, strerror(errno));
        sha256_ctx c;
        ludus_sha256_init(&c);
        uint8_t buf[1 << 16];
        size_t n;
        while (f && (n = fread(buf, 1, sizeof buf, f)) > 0) ludus_sha256_update(&c, buf, n);
        if (f && ferror(f)) rc = ludus_err_set(LUDUS_EIO, "%s: a read failed", ds->file);
        if (f) fclose(f);
        uint8_t d[SHA256_BYTES];
        ludus_sha256_final(&c, d);
        static const char digits[] = "0123456789abcdef";
        char hex[2 * SHA256_BYTES + 1];
        for (int i = 0; i < SHA256_BYTES; i++) hex[2 * i] = digits[d[i] >> 4], hex[2 * i + 1] = digits[d[i] & 15];
        hex[2 * SHA256_BYTES] = 0;
        if (!rc && strcmp(hex, sha) != 0)
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: its SHA-256 is not the one metadata.json records: the file was "
                                              "changed or truncated after it was written", ds->file);
    }
    cJSON_Delete(j);
    return rc;
}

/* ---- HDF5 ---- */

static int attr_i64(hid_t obj, const char *name, int64_t *v)
{
    if (H5Aexists(obj, name) <= 0) return -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT), t = -1, sp = -1;
    int ok = a >= 0 && (t = H5Aget_type(a)) >= 0 && H5Tget_class(t) == H5T_INTEGER && H5Tget_size(t) <= 8 &&
             (sp = H5Aget_space(a)) >= 0 && H5Sget_simple_extent_type(sp) == H5S_SCALAR &&
             H5Aread(a, H5T_NATIVE_INT64, v) >= 0;
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
    return ok ? 0 : -1;
}

static int open_inner(const char *dir, ludus_dataset **out)
{
    *out = NULL;
    ludus_data_hdf5_init();
    if (!dir || !*dir) return ludus_err_set(LUDUS_EINVAL, "dataset: NULL or empty folder");
    ludus_dataset *ds = calloc(1, sizeof *ds);
    if (!ds) return ludus_err_set(LUDUS_ENOMEM, "dataset: out of memory");
    ds->fid = ds->t_str = -1;
    char meta[PATH_CAP];
    struct stat sb;
    int rc = LUDUS_OK;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        rc = ludus_err_set(LUDUS_ENOTFOUND, "%s is not a folder", dir);
        goto fail;
    }
    /* the <name>-vN folder, or its data/ folder */
    const char *sub[2] = {"/data", ""};
    int found = 0;
    for (int i = 0; i < 2 && !found; i++) {
        if ((size_t)snprintf(meta, sizeof meta, "%s%s/metadata.json", dir, sub[i]) >= sizeof meta ||
            (size_t)snprintf(ds->file, sizeof ds->file, "%s%s/main_data.hdf5", dir, sub[i]) >= sizeof ds->file) {
            rc = ludus_err_set(LUDUS_EINVAL, "dataset: the path %.200s is too long", dir);
            goto fail;
        }
        found = stat(meta, &sb) == 0;
    }
    if (!found) {
        rc = ludus_err_set(LUDUS_ENOTFOUND, "%s is not a dataset: no data/metadata.json (make one with `ludus collect`)",
                           dir);
        goto fail;
    }
    if (stat(ds->file, &sb) != 0) {
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: metadata.json without main_data.hdf5", dir);
        goto fail;
    }
    if ((rc = read_metadata(ds, meta))) goto fail;
    const int64_t E = ds->meta.total_episodes;
    if (!(ds->steps = calloc((size_t)E, sizeof *ds->steps)) || !(ds->seeds = calloc((size_t)E, sizeof *ds->seeds))) {
        rc = ludus_err_set(LUDUS_ENOMEM, "dataset: out of memory for %lld episodes", (long long)E);
        goto fail;
    }
    ludus_data_quiet q;
    ludus_data_quiet_on(&q);
    /* closing the file closes whatever a damaged file left open */
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0) H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
    if (fapl >= 0 && H5Fis_hdf5(ds->file) > 0) ds->fid = H5Fopen(ds->file, H5F_ACC_RDONLY, fapl);
    if (fapl >= 0) H5Pclose(fapl);
    if (ds->fid < 0) {
        ludus_data_quiet_off(&q);
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: not an HDF5 file", ds->file);
        goto fail;
    }
    if ((ds->t_str = H5Tcopy(H5T_C_S1)) >= 0) {
        H5Tset_size(ds->t_str, H5T_VARIABLE);
        H5Tset_cset(ds->t_str, H5T_CSET_UTF8);
    }
    H5G_info_t gi;
    if (ds->t_str < 0 || H5Gget_info(ds->fid, &gi) < 0) {
        ludus_data_quiet_off(&q);
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: its root group cannot be read", ds->file);
        goto fail;
    }
    if ((int64_t)gi.nlinks != E) {
        ludus_data_quiet_off(&q);
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: %llu episode groups, but metadata.json says %lld", ds->file,
                           (unsigned long long)gi.nlinks, (long long)E);
        goto fail;
    }
    int64_t total = 0;
    for (int64_t i = 0; i < E && !rc; i++) {
        char name[48];
        snprintf(name, sizeof name, "episode_%lld", (long long)i);
        int64_t id = -1, T = -1, seed = -1;
        hid_t g = -1;
        H5O_info_t oi;
        if (H5Lexists(ds->fid, name, H5P_DEFAULT) <= 0 ||
            H5Oget_info_by_name(ds->fid, name, &oi, H5P_DEFAULT) < 0 || oi.type != H5O_TYPE_GROUP ||
            (g = H5Gopen2(ds->fid, name, H5P_DEFAULT)) < 0)
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: no group %s", ds->file, name);
        else if (attr_i64(g, "id", &id) || attr_i64(g, "total_steps", &T) || attr_i64(g, "seed", &seed))
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: %s lacks an int64 attribute id, total_steps or seed", ds->file, name);
        else if (id != i || T < 1 || T > MAX_EPISODE_STEPS || seed < 0)
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: %s has id %lld, total_steps %lld, seed %lld", ds->file, name,
                               (long long)id, (long long)T, (long long)seed);
        if (g >= 0) H5Gclose(g);
        if (!rc) {
            ds->steps[i] = T;
            ds->seeds[i] = (uint64_t)seed;
            total += T;
        }
    }
    ludus_data_quiet_off(&q);
    if (rc) goto fail;
    if (total != ds->meta.total_steps) {
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: the episodes hold %lld steps, but metadata.json says %lld", ds->file,
                           (long long)total, (long long)ds->meta.total_steps);
        goto fail;
    }
    *out = ds;
    return LUDUS_OK;
fail:
    ludus_dataset_close(ds);
    return rc;
}

static int read_episode(ludus_dataset *ds, int64_t i, ludus_dataset_episode *ep);

/* libhdf5 (1.10.8, Debian 12) can crash on a crafted file: some damaged
 * object headers make it copy out of bounds. So a file is first opened and
 * every episode read in a child process; a child killed by a signal means
 * a file libhdf5 cannot read safely (LUDUS_EFORMAT), and only a file the
 * child got through is read here. The digest check (above) already
 * catches accidental damage; this catches files whose digest was
 * recomputed over damaged bytes. */
int ludus_dataset_open(const char *dir, ludus_dataset **out)
{
    if (!out) return ludus_err_set(LUDUS_EINVAL, "dataset: NULL argument");
    *out = NULL;
    if (!dir || !*dir) return ludus_err_set(LUDUS_EINVAL, "dataset: NULL or empty folder");
    int fds[2];
    const int piped = pipe(fds) == 0;
    pid_t pid = piped ? fork() : -1;
    if (pid == 0) {
        /* the child: glibc's reports of a heap libhdf5 broke go nowhere */
        close(fds[0]);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) dup2(null, 2);
        ludus_dataset *ds = NULL;
        int rc = open_inner(dir, &ds);
        for (int64_t e = 0; !rc && e < ds->meta.total_episodes; e++) {
            ludus_dataset_episode ep;
            memset(&ep, 0, sizeof ep);
            ludus_data_quiet q;
            ludus_data_quiet_on(&q);
            rc = read_episode(ds, e, &ep);
            ludus_data_quiet_off(&q);
            ludus_dataset_episode_free(&ep);
        }
        char msg[1100];
        int n = snprintf(msg, sizeof msg, "%d %s", rc, rc ? ludus_errmsg() : "");
        if (n > (int)sizeof msg - 1) n = (int)sizeof msg - 1;
        ssize_t wr = write(fds[1], msg, (size_t)n);
        (void)wr;
        _exit(0);
    }
    if (pid > 0) {
        close(fds[1]);
        char msg[1100];
        size_t got = 0;
        ssize_t r;
        while (got < sizeof msg - 1 && ((r = read(fds[0], msg + got, sizeof msg - 1 - got)) > 0 || (r < 0 && errno == EINTR)))
            if (r > 0) got += (size_t)r;
        msg[got] = 0;
        close(fds[0]);
        int status = 0;
        pid_t w;
        while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
        }
        if (w == pid && WIFSIGNALED(status))
            return ludus_err_set(LUDUS_EFORMAT, "%s: its main_data.hdf5 is damaged: the HDF5 library crashed reading it "
                                                "(signal %d, in a child process)", dir, WTERMSIG(status));
        char *sp = strchr(msg, ' ');
        int rc = sp ? atoi(msg) : LUDUS_EINTERNAL;
        if (!sp || rc > 0 || rc < LUDUS_EINTERNAL)
            return ludus_err_set(LUDUS_EINTERNAL, "%s: the child process that checks the file ended without a verdict", dir);
        /* a file the child refused is never parsed here: a damaged file
         * may corrupt libhdf5's heap without crashing it */
        if (rc) return ludus_err_set(rc, "%s", sp + 1);
    } else if (piped) { /* no process to spare: read it here, unguarded */
        close(fds[0]);
        close(fds[1]);
    }
    return open_inner(dir, out);
}

/* Open dataset `name` of group g and check it: class (H5T_INTEGER,
 * H5T_FLOAT, H5T_ENUM, H5T_STRING or H5T_VLEN), element size (0: any),
 * sign for integers (-1: any), rank and dims (dims[0] the rows). */
static hid_t open_ds(const ludus_dataset *ds, hid_t g, const char *ep, const char *name, H5T_class_t cls,
                     size_t size, int sign, int rank, const hsize_t *dims)
{
    H5O_info_t oi;
    if (H5Lexists(g, name, H5P_DEFAULT) <= 0 || H5Oget_info_by_name(g, name, &oi, H5P_DEFAULT) < 0 ||
        oi.type != H5O_TYPE_DATASET) {
        ludus_err_set(LUDUS_EFORMAT, "%s: %s has no dataset %s", ds->file, ep, name);
        return -1;
    }
    hid_t d = H5Dopen2(g, name, H5P_DEFAULT), t = d >= 0 ? H5Dget_type(d) : -1, sp = d >= 0 ? H5Dget_space(d) : -1;
    int ok = d >= 0 && t >= 0 && sp >= 0 && H5Tget_class(t) == cls && (!size || H5Tget_size(t) == size);
    if (ok && cls == H5T_INTEGER && sign >= 0) ok = H5Tget_sign(t) == (sign ? H5T_SGN_2 : H5T_SGN_NONE);
    if (ok && cls == H5T_ENUM) {
        /* h5py's bool: int8 with FALSE 0 and TRUE 1 */
        hid_t base = H5Tget_super(t);
        int8_t v0 = -1, v1 = -1;
        ok = base >= 0 && H5Tget_class(base) == H5T_INTEGER && H5Tget_size(base) == 1 && H5Tget_nmembers(t) == 2 &&
             H5Tenum_valueof(t, "FALSE", &v0) >= 0 && H5Tenum_valueof(t, "TRUE", &v1) >= 0 && v0 == 0 && v1 == 1;
        if (base >= 0) H5Tclose(base);
    }
    if (ok && cls == H5T_STRING) ok = H5Tis_variable_str(t) > 0;
    if (ok && cls == H5T_VLEN) {
        hid_t base = H5Tget_super(t);
        ok = base >= 0 && H5Tget_class(base) == H5T_INTEGER && H5Tget_size(base) == 1;
        if (base >= 0) H5Tclose(base);
    }
    const char *what = ok ? NULL : "type";
    hsize_t got[8];
    if (ok && (H5Sget_simple_extent_ndims(sp) != rank || H5Sget_simple_extent_dims(sp, got, NULL) != rank)) ok = 0, what = "rank";
    for (int i = 0; ok && i < rank; i++)
        if (got[i] != dims[i]) ok = 0, what = "shape";
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
    if (!ok) {
        if (d >= 0) H5Dclose(d);
        ludus_err_set(LUDUS_EFORMAT, "%s: %s/%s has the wrong %s for world %s", ds->file, ep, name, what,
                      ds->meta.env_id);
        return -1;
    }
    return d;
}

static int read_field(const ludus_dataset *ds, hid_t g, const char *ep, const char *name, const data_field *f,
                      int T1, uint8_t *obs)
{
    const size_t D = ds->l.obs_size;
    hsize_t dims[4] = {(hsize_t)T1};
    int rc = LUDUS_OK;
    if (f->scalar) {
        hid_t d = open_ds(ds, g, ep, name, H5T_INTEGER, 0, -1, 1, dims);
        if (d < 0) return LUDUS_EFORMAT;
        int64_t *v = malloc((size_t)T1 * sizeof *v);
        if (!v) rc = ludus_err_set(LUDUS_ENOMEM, "dataset: out of memory");
        else if (H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0)
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: %s/%s cannot be read", ds->file, ep, name);
        for (int t = 0; !rc && t < T1; t++) {
            if (v[t] < f->low || v[t] > f->high)
                rc = ludus_err_set(LUDUS_EFORMAT, "%s: %s/%s[%d] = %lld is outside %d..%d", ds->file, ep, name, t,
                                   (long long)v[t], f->low, f->high);
            else obs[(size_t)t * D + f->offset] = (uint8_t)v[t];
        }
        free(v);
        H5Dclose(d);
        return rc;
    }
    if (f->image) {
        hid_t d = open_ds(ds, g, ep, name, H5T_VLEN, 0, -1, 1, dims);
        if (d < 0) return LUDUS_EFORMAT;
        hid_t mt = H5Tvlen_create(H5T_NATIVE_UINT8), sp = H5Dget_space(d);
        hvl_t *vl = calloc((size_t)T1, sizeof *vl);
        int read = 0;
        if (!vl || mt < 0 || sp < 0) rc = ludus_err_set(LUDUS_ENOMEM, "dataset: out of memory");
        else if (H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, vl) < 0)
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: %s/%s cannot be read", ds->file, ep, name);
        else read = 1;
        const int c = f->ndim == 3 ? f->shape[2] : 1;
        for (int t = 0; !rc && t < T1; t++)
            if ((rc = ludus_data_jpeg_decode(vl[t].p, vl[t].len, f->shape[0], f->shape[1], c,
                                             obs + (size_t)t * D + f->offset)))
                rc = ludus_err_wrap(rc, "%s: %s/%s[%d]", ds->file, ep, name, t);
        if (read) H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, vl);
        free(vl);
        if (sp >= 0) H5Sclose(sp);
        if (mt >= 0) H5Tclose(mt);
        H5Dclose(d);
        return rc;
    }
    for (int k = 0; k < f->ndim; k++) dims[k + 1] = (hsize_t)f->shape[k];
    hid_t d = open_ds(ds, g, ep, name, H5T_INTEGER, 1, 0, f->ndim + 1, dims);
    if (d < 0) return LUDUS_EFORMAT;
    uint8_t *v = malloc((size_t)T1 * f->size);
    if (!v) rc = ludus_err_set(LUDUS_ENOMEM, "dataset: out of memory");
    else if (H5Dread(d, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0)
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: %s/%s cannot be read", ds->file, ep, name);
    for (int t = 0; !rc && t < T1; t++) {
        const uint8_t *row = v + (size_t)t * f->size;
        for (size_t k = 0; !rc && k < f->size; k++)
            if (row[k] < f->low || row[k] > f->high)
                rc = ludus_err_set(LUDUS_EFORMAT, "%s: %s/%s[%d] holds %d, outside %d..%d", ds->file, ep, name, t,
                                   row[k], f->low, f->high);
        if (!rc) memcpy(obs + (size_t)t * D + f->offset, row, f->size);
    }
    free(v);
    H5Dclose(d);
    return rc;
}

static int read_missions(const ludus_dataset *ds, hid_t g, const char *ep, int T1, char *missions)
{
    hsize_t dims[1] = {(hsize_t)T1};
    hid_t d = open_ds(ds, g, ep, "mission", H5T_STRING, 0, -1, 1, dims);
    if (d < 0) return LUDUS_EFORMAT;
    char **s = calloc((size_t)T1, sizeof *s);
    hid_t sp = H5Dget_space(d);
    int rc = LUDUS_OK, read = 0;
    if (!s || sp < 0) rc = ludus_err_set(LUDUS_ENOMEM, "dataset: out of memory");
    else if (H5Dread(d, ds->t_str, H5S_ALL, H5S_ALL, H5P_DEFAULT, s) < 0)
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: %s/mission cannot be read", ds->file, ep);
    else read = 1;
    const size_t cap = ds->l.mission_cap;
    for (int t = 0; !rc && t < T1; t++) {
        size_t n = s[t] ? strlen(s[t]) : 0;
        if (n >= cap)
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: %s/mission[%d] is longer than the world's %zu bytes", ds->file, ep, t,
                               cap - 1);
        else memcpy(missions + (size_t)t * cap, s[t] ? s[t] : "", n + 1);
    }
    if (read) H5Dvlen_reclaim(ds->t_str, sp, H5P_DEFAULT, s);
    free(s);
    if (sp >= 0) H5Sclose(sp);
    H5Dclose(d);
    return rc;
}

/* infos/action_mask: (T + 1, mask_size) integers of 1 byte, each 0 or 1,
 * every recorded action legal under its step's row (the actions are read
 * first). */
static int read_masks(const ludus_dataset *ds, hid_t g, const char *ep_name, int T, ludus_dataset_episode *ep)
{
    const size_t M = (size_t)ds->l.mask_size;
    char path[96];
    snprintf(path, sizeof path, "%s/infos", ep_name);
    H5O_info_t oi;
    hid_t ig = -1, d = -1;
    if (H5Lexists(g, "infos", H5P_DEFAULT) <= 0 || H5Oget_info_by_name(g, "infos", &oi, H5P_DEFAULT) < 0 ||
        oi.type != H5O_TYPE_GROUP || (ig = H5Gopen2(g, "infos", H5P_DEFAULT)) < 0)
        return ludus_err_set(LUDUS_EFORMAT, "%s: %s has no group infos (metadata.json says it records action masks)",
                             ds->file, ep_name);
    hsize_t dims[2] = {(hsize_t)T + 1, (hsize_t)M};
    int rc = LUDUS_OK;
    if (!(ep->action_masks = malloc(((size_t)T + 1) * M))) rc = ludus_err_set(LUDUS_ENOMEM, "dataset: out of memory");
    else if ((d = open_ds(ds, ig, path, "action_mask", H5T_INTEGER, 1, -1, 2, dims)) < 0) rc = LUDUS_EFORMAT;
    /* read as int8 into bytes: a -1 comes back as 255, a uint8 above 127
     * as 127, both refused below */
    else if (H5Dread(d, H5T_NATIVE_INT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, ep->action_masks) < 0)
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: %s/action_mask cannot be read", ds->file, path);
    int step;
    const char *what;
    if (!rc && ludus_data_masks_check(&ds->l, ep->action_masks, ep->actions, T, &step, &what))
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: %s/action_mask[%d]: %s", ds->file, path, step, what);
    if (d >= 0) H5Dclose(d);
    H5Gclose(ig);
    return rc;
}

static int read_episode(ludus_dataset *ds, int64_t i, ludus_dataset_episode *ep)
{
    const data_layout *l = &ds->l;
    const int T = (int)ds->steps[i], T1 = T + 1;
    char name[48];
    snprintf(name, sizeof name, "episode_%lld", (long long)i);
    ep->id = i;
    ep->seed = ds->seeds[i];
    ep->steps = T;
    ep->obs = calloc((size_t)T1, l->obs_size);
    ep->missions = l->mission ? calloc((size_t)T1, l->mission_cap) : NULL;
    ep->actions = malloc((size_t)T * l->dims * sizeof(int32_t));
    ep->rewards = malloc((size_t)T * sizeof(double));
    ep->terminations = malloc((size_t)T);
    ep->truncations = malloc((size_t)T);
    int64_t *a = malloc((size_t)T * l->dims * sizeof *a);
    if (!ep->obs || (l->mission && !ep->missions) || !ep->actions || !ep->rewards || !ep->terminations ||
        !ep->truncations || !a) {
        free(a);
        return ludus_err_set(LUDUS_ENOMEM, "dataset: out of memory for an episode of %d steps", T);
    }
    int rc = LUDUS_OK;
    hid_t g = H5Gopen2(ds->fid, name, H5P_DEFAULT), og = -1, d;
    if (g < 0) rc = ludus_err_set(LUDUS_EFORMAT, "%s: no group %s", ds->file, name);
    if (!rc && l->bare) {
        rc = read_field(ds, g, name, "observations", &l->f[0], T1, ep->obs);
    } else if (!rc) {
        H5O_info_t oi;
        if (H5Lexists(g, "observations", H5P_DEFAULT) <= 0 ||
            H5Oget_info_by_name(g, "observations", &oi, H5P_DEFAULT) < 0 || oi.type != H5O_TYPE_GROUP ||
            (og = H5Gopen2(g, "observations", H5P_DEFAULT)) < 0)
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: %s has no group observations", ds->file, name);
        char path[96];
        snprintf(path, sizeof path, "%s/observations", name);
        for (int k = 0; !rc && k < l->n; k++) rc = read_field(ds, og, path, l->f[k].name, &l->f[k], T1, ep->obs);
        if (!rc && l->mission) rc = read_missions(ds, og, path, T1, ep->missions);
    }
    hsize_t dims[2] = {(hsize_t)T, (hsize_t)l->dims};
    if (!rc) {
        if ((d = open_ds(ds, g, name, "actions", H5T_INTEGER, 0, -1, l->dims == 1 ? 1 : 2, dims)) < 0) rc = LUDUS_EFORMAT;
        else if (H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, a) < 0)
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: %s/actions cannot be read", ds->file, name);
        if (d >= 0) H5Dclose(d);
        for (size_t k = 0; !rc && k < (size_t)T * l->dims; k++) {
            int c = (int)(k % (size_t)l->dims);
            if (a[k] < 0 || a[k] >= l->nvec[c])
                rc = ludus_err_set(LUDUS_EFORMAT, "%s: %s/actions[%zu] = %lld is outside 0..%d", ds->file, name,
                                   k / (size_t)l->dims, (long long)a[k], l->nvec[c] - 1);
            else ep->actions[k] = (int32_t)a[k];
        }
    }
    if (!rc) {
        if ((d = open_ds(ds, g, name, "rewards", H5T_FLOAT, 0, -1, 1, dims)) < 0) rc = LUDUS_EFORMAT;
        else if (H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, ep->rewards) < 0)
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: %s/rewards cannot be read", ds->file, name);
        if (d >= 0) H5Dclose(d);
        for (int t = 0; !rc && t < T; t++)
            if (!isfinite(ep->rewards[t]))
                rc = ludus_err_set(LUDUS_EFORMAT, "%s: %s/rewards[%d] is not finite", ds->file, name, t);
    }
    const char *flags[2] = {"terminations", "truncations"};
    uint8_t *dst[2] = {ep->terminations, ep->truncations};
    for (int k = 0; k < 2 && !rc; k++) {
        if ((d = open_ds(ds, g, name, flags[k], H5T_ENUM, 1, -1, 1, dims)) < 0) rc = LUDUS_EFORMAT;
        else if (H5Dread(d, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, dst[k]) < 0)
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: %s/%s cannot be read", ds->file, name, flags[k]);
        if (d >= 0) H5Dclose(d);
        for (int t = 0; !rc && t < T; t++)
            if (dst[k][t] > 1) rc = ludus_err_set(LUDUS_EFORMAT, "%s: %s/%s[%d] is not a bool", ds->file, name, flags[k], t);
    }
    if (!rc && ds->meta.action_masks) rc = read_masks(ds, g, name, T, ep);
    /* an episode ends at its last step, and only there */
    for (int t = 0; !rc && t < T; t++) {
        int end = ep->terminations[t] || ep->truncations[t];
        if (end != (t == T - 1))
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: %s %s at step %d of %d", ds->file, name,
                               end ? "ends" : "does not end", t, T);
    }
    if (og >= 0) H5Gclose(og);
    if (g >= 0) H5Gclose(g);
    free(a);
    return rc;
}

int ludus_dataset_read(ludus_dataset *ds, int64_t i, ludus_dataset_episode *ep)
{
    if (!ds || !ep) return ludus_err_set(LUDUS_EINVAL, "dataset: NULL argument");
    memset(ep, 0, sizeof *ep);
    if (i < 0 || i >= ds->meta.total_episodes)
        return ludus_err_set(LUDUS_EINVAL, "dataset: episode %lld outside 0..%lld", (long long)i,
                             (long long)ds->meta.total_episodes - 1);
    ludus_data_quiet q;
    ludus_data_quiet_on(&q);
    int rc = read_episode(ds, i, ep);
    ludus_data_quiet_off(&q);
    if (rc) ludus_dataset_episode_free(ep);
    return rc;
}

int ludus_dataset_check_world(const ludus_dataset *ds, const char *env_id, const char *options)
{
    if (!ds || !env_id) return ludus_err_set(LUDUS_EINVAL, "dataset: NULL argument");
    if (strcmp(env_id, ds->meta.env_id) != 0)
        return ludus_err_set(LUDUS_EINVAL, "dataset %s was recorded in world %s, not %s", ds->meta.dataset_id,
                             ds->meta.env_id, env_id);
    ludus_env *env = NULL;
    int rc = ludus_env_make(env_id, options, &env);
    if (rc) return rc;
    data_layout l;
    ludus_data_layout_of(ludus_env_get_info(env), &l);
    char *a = ludus_data_obs_space_json(&l), *b = ludus_data_obs_space_json(&ds->l);
    char *c = ludus_data_action_space_json(&l), *d = ludus_data_action_space_json(&ds->l);
    if (!a || !b || !c || !d) rc = ludus_err_set(LUDUS_ENOMEM, "dataset: out of memory");
    else if (strcmp(a, b) != 0 || l.obs_size != ds->l.obs_size)
        rc = ludus_err_set(LUDUS_EINVAL, "dataset %s: its observations (%zu bytes, options \"%s\") differ from world "
                                         "%s's with options \"%s\" (%zu bytes)", ds->meta.dataset_id, ds->l.obs_size,
                           ds->meta.env_options, env_id, options ? options : "", l.obs_size);
    else if (strcmp(c, d) != 0)
        rc = ludus_err_set(LUDUS_EINVAL, "dataset %s: its actions differ from world %s's", ds->meta.dataset_id, env_id);
    else if (l.mask_size && !ds->meta.action_masks)
        rc = ludus_err_set(LUDUS_EINVAL, "dataset %s records no action masks, and world %s (options \"%s\") has a "
                                         "legal-action mask: record it again with `ludus collect`, which keeps the masks",
                           ds->meta.dataset_id, env_id, options ? options : "");
    free(a);
    free(b);
    free(c);
    free(d);
    ludus_env_destroy(env);
    return rc;
}
