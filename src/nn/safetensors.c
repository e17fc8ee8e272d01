/* safetensors.c: checkpoints in the safetensors format, readable by the
 * reference Python library and so by PyTorch. Loading trusts nothing: the
 * whole file (a regular file, of bounded size) is read, and every length,
 * offset, dtype and shape is checked against the file before a byte of
 * tensor data is used. A SHA-256 kept in the metadata covers the whole
 * file (length prefix, header and data, hashed with the digest's own 64
 * characters as zeros), so a flipped bit anywhere is refused; files of
 * older ludus versions carry a CRC-32 of the data instead. Non-finite
 * values are refused when tensors are read. Writes are atomic.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/digest.h"
#include "core/file.h"
#include "nn/nn_internal.h"

#define ST_MAX_HEADER (100u << 20) /* the reference library's own limit */
#define ST_CRC_KEY "ludus.crc32"
#define ST_SHA_KEY "ludus.sha256"
/* How the digest appears in the unformatted header cJSON writes. */
#define ST_SHA_FIELD "\"" ST_SHA_KEY "\":\""
#define ST_SHA_HEX (2 * SHA256_BYTES)

struct ludus_nn_file {
    char *path;
    unsigned char *buf;     /* the whole file */
    size_t size;
    const unsigned char *data;
    size_t data_len;
    ludus_nn_tensor *tensors;
    int count;
    char **meta;            /* key, value, key, value, ... */
    int meta_count;
};

static int little_endian(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

static uint32_t data_crc(const unsigned char *data, size_t len)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    while (len) {
        uInt chunk = len > (1u << 30) ? (1u << 30) : (uInt)len;
        crc = crc32(crc, data, chunk);
        data += chunk;
        len -= chunk;
    }
    return (uint32_t)crc;
}

/* ---- writing ---- */

int ludus_nn_save(const char *path, const ludus_nn_params *p, const char *const *meta)
{
    if (!path || !p || !p->data) return ludus_err_set(LUDUS_EINVAL, "save: no parameters to save");
    if (!little_endian()) return ludus_err_set(LUDUS_EUNSUPPORTED, "save: big-endian hosts are not supported");
    size_t data_len = 0;
    for (int i = 0; i < p->count; i++) data_len += p->tensors[i].numel * sizeof(float);
    unsigned char *data = malloc(data_len ? data_len : 1);
    cJSON *root = cJSON_CreateObject(), *md = cJSON_CreateObject();
    char *header = NULL, *tmp = NULL;
    FILE *f = NULL;
    int rc = LUDUS_ENOMEM;
    if (!data || !root || !md) goto fail;
    size_t off = 0;
    for (int i = 0; i < p->count; i++) {
        const ludus_nn_tensor *t = &p->tensors[i];
        size_t n = t->numel * sizeof(float);
        memcpy(data + off, p->data + t->offset, n);
        cJSON *e = cJSON_CreateObject(), *shape = cJSON_CreateArray(), *offs = cJSON_CreateArray();
        if (!e || !shape || !offs) {
            cJSON_Delete(e);
            cJSON_Delete(shape);
            cJSON_Delete(offs);
            goto fail;
        }
        for (int d = 0; d < t->ndim; d++) cJSON_AddItemToArray(shape, cJSON_CreateNumber(t->shape[d]));
        cJSON_AddItemToArray(offs, cJSON_CreateNumber((double)off));
        cJSON_AddItemToArray(offs, cJSON_CreateNumber((double)(off + n)));
        cJSON_AddStringToObject(e, "dtype", "F32");
        cJSON_AddItemToObject(e, "shape", shape);
        cJSON_AddItemToObject(e, "data_offsets", offs);
        cJSON_AddItemToObject(root, t->name, e);
        off += n;
    }
    for (int i = 0; meta && meta[i]; i += 2) {
        if (!meta[i + 1]) {
            rc = ludus_err_set(LUDUS_EINVAL, "save: metadata key '%s' has no value", meta[i]);
            goto fail;
        }
        if (strcmp(meta[i], ST_CRC_KEY) == 0 || strcmp(meta[i], ST_SHA_KEY) == 0) continue;
        cJSON_AddStringToObject(md, meta[i], meta[i + 1]);
    }
    char zeros[ST_SHA_HEX + 1];
    memset(zeros, '0', ST_SHA_HEX);
    zeros[ST_SHA_HEX] = 0;
    cJSON_AddStringToObject(md, ST_SHA_KEY, zeros);
    cJSON_AddItemToObject(root, "__metadata__", md);
    md = NULL;
    header = cJSON_PrintUnformatted(root);
    if (!header) goto fail;
    size_t hlen = strlen(header), padded = (hlen + 7) & ~(size_t)7;
    char *hp = realloc(header, padded + 1);
    if (!hp) goto fail;
    header = hp;
    memset(header + hlen, ' ', padded - hlen);
    header[padded] = 0;
    unsigned char len8[8];
    for (int i = 0; i < 8; i++) len8[i] = (unsigned char)((uint64_t)padded >> (8 * i));
    char *at = strstr(header, ST_SHA_FIELD);
    if (!at) {
        rc = ludus_err_set(LUDUS_EINTERNAL, "save: the digest field is missing from the header");
        goto fail;
    }
    at += strlen(ST_SHA_FIELD);
    sha256_ctx sc;
    uint8_t dg[SHA256_BYTES];
    ludus_sha256_init(&sc);
    ludus_sha256_update(&sc, len8, 8);
    ludus_sha256_update(&sc, header, padded);
    ludus_sha256_update(&sc, data, data_len);
    ludus_sha256_final(&sc, dg);
    for (int i = 0; i < SHA256_BYTES; i++) {
        static const char hx[] = "0123456789abcdef";
        at[2 * i] = hx[dg[i] >> 4];
        at[2 * i + 1] = hx[dg[i] & 15];
    }
    tmp = malloc(strlen(path) + 5);
    if (!tmp) goto fail;
    sprintf(tmp, "%s.tmp", path);
    f = fopen(tmp, "wb");
    if (!f) {
        rc = ludus_err_set(LUDUS_EIO, "save: cannot write %s: %s", tmp, strerror(errno));
        goto fail;
    }
    int ok = fwrite(len8, 1, 8, f) == 8 && fwrite(header, 1, padded, f) == padded;
    ok = ok && fwrite(data, 1, data_len, f) == data_len;
    ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = (fclose(f) == 0) && ok;
    f = NULL;
    if (!ok || rename(tmp, path) != 0) {
        rc = ludus_err_set(LUDUS_EIO, "save: writing %s failed: %s", path, strerror(errno));
        remove(tmp);
        goto fail;
    }
    rc = ludus_file_sync_dir_of(path);
fail:
    if (rc == LUDUS_ENOMEM) ludus_err_set(rc, "save: out of memory");
    if (f) fclose(f);
    free(tmp);
    cJSON_free(header);
    cJSON_Delete(md);
    cJSON_Delete(root);
    free(data);
    return rc;
}

/* ---- reading ---- */

void ludus_nn_file_close(ludus_nn_file *f)
{
    if (!f) return;
    for (int i = 0; i < 2 * f->meta_count; i++) free(f->meta[i]);
    free(f->meta);
    free(f->tensors);
    free(f->buf);
    free(f->path);
    free(f);
}

static int read_all(const char *path, unsigned char **buf, size_t *size)
{
    char *b;
    int rc = ludus_file_read(path, LUDUS_MAX_CHECKPOINT_BYTES, &b, size);
    *buf = (unsigned char *)b;
    return rc;
}

/* A JSON number that is a non-negative integer below 2^53. */
static int json_uint(const cJSON *j, uint64_t *out)
{
    if (!cJSON_IsNumber(j)) return 0;
    double v = j->valuedouble;
    if (!(v >= 0.0 && v <= 9007199254740992.0) || v != (double)(uint64_t)v) return 0;
    *out = (uint64_t)v;
    return 1;
}

static int cmp_begin(const void *a, const void *b)
{
    size_t x = ((const ludus_nn_tensor *)a)->offset, y = ((const ludus_nn_tensor *)b)->offset;
    return x < y ? -1 : x > y;
}

static int parse_header(ludus_nn_file *f, const char *json, size_t len)
{
    const char *P = f->path;
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return ludus_err_set(LUDUS_EFORMAT, "%s: the header is not a JSON object (truncated or not a safetensors file?)", P);
    }
    int n = cJSON_GetArraySize(root), rc = LUDUS_OK;
    f->tensors = calloc((size_t)(n ? n : 1), sizeof *f->tensors);
    if (!f->tensors) {
        cJSON_Delete(root);
        return ludus_err_set(LUDUS_ENOMEM, "%s: out of memory", P);
    }
    for (cJSON *e = root->child; e; e = e->next) {
        if (strcmp(e->string, "__metadata__") == 0) {
            if (!cJSON_IsObject(e)) {
                rc = ludus_err_set(LUDUS_EFORMAT, "%s: __metadata__ is not an object", P);
                goto done;
            }
            if (f->meta) {
                rc = ludus_err_set(LUDUS_EFORMAT, "%s: the header has two __metadata__ entries", P);
                goto done;
            }
            int m = cJSON_GetArraySize(e);
            f->meta = calloc((size_t)(2 * m + 1), sizeof *f->meta);
            if (!f->meta) {
                rc = ludus_err_set(LUDUS_ENOMEM, "%s: out of memory", P);
                goto done;
            }
            for (cJSON *kv = e->child; kv; kv = kv->next) {
                if (!cJSON_IsString(kv)) {
                    rc = ludus_err_set(LUDUS_EFORMAT, "%s: metadata '%s' is not a string", P, kv->string);
                    goto done;
                }
                f->meta[2 * f->meta_count] = strdup(kv->string);
                f->meta[2 * f->meta_count + 1] = strdup(kv->valuestring);
                f->meta_count++;
                if (!f->meta[2 * f->meta_count - 2] || !f->meta[2 * f->meta_count - 1]) {
                    rc = ludus_err_set(LUDUS_ENOMEM, "%s: out of memory", P);
                    goto done;
                }
            }
            continue;
        }
        const char *name = e->string;
        if (strlen(name) == 0 || strlen(name) >= LUDUS_NN_NAME_CAP) {
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: tensor name '%.80s' is empty or too long", P, name);
            goto done;
        }
        for (int i = 0; i < f->count; i++)
            if (strcmp(f->tensors[i].name, name) == 0) {
                rc = ludus_err_set(LUDUS_EFORMAT, "%s: tensor '%s' appears twice in the header", P, name);
                goto done;
            }
        const cJSON *dt = cJSON_GetObjectItemCaseSensitive(e, "dtype");
        const cJSON *sh = cJSON_GetObjectItemCaseSensitive(e, "shape");
        const cJSON *of = cJSON_GetObjectItemCaseSensitive(e, "data_offsets");
        if (!cJSON_IsObject(e) || !cJSON_IsString(dt) || !cJSON_IsArray(sh) || !cJSON_IsArray(of)) {
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: tensor '%s' lacks dtype, shape or data_offsets", P, name);
            goto done;
        }
        if (strcmp(dt->valuestring, "F32") != 0) {
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: tensor '%s' has dtype %s; ludus reads F32 only", P, name,
                         dt->valuestring);
            goto done;
        }
        ludus_nn_tensor *t = &f->tensors[f->count];
        snprintf(t->name, sizeof t->name, "%s", name);
        t->ndim = cJSON_GetArraySize(sh);
        if (t->ndim > LUDUS_NN_MAX_DIMS) {
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: tensor '%s' has %d dims (at most %d)", P, name, t->ndim,
                         LUDUS_NN_MAX_DIMS);
            goto done;
        }
        uint64_t numel = 1, v;
        int d = 0;
        for (const cJSON *x = sh->child; x; x = x->next, d++) {
            if (!json_uint(x, &v) || v > (1u << 30)) {
                rc = ludus_err_set(LUDUS_EFORMAT, "%s: tensor '%s' has a bad shape", P, name);
                goto done;
            }
            t->shape[d] = (int)v;
            numel *= v;
            if (numel > ((uint64_t)1 << 40)) {
                rc = ludus_err_set(LUDUS_EFORMAT, "%s: tensor '%s' is impossibly large", P, name);
                goto done;
            }
        }
        uint64_t b0, b1;
        if (cJSON_GetArraySize(of) != 2 || !json_uint(of->child, &b0) || !json_uint(of->child->next, &b1) ||
            b1 < b0) {
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: tensor '%s' has bad data_offsets", P, name);
            goto done;
        }
        if (b1 > f->data_len) {
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: tensor '%s' ends at byte %llu but the file holds %zu data bytes (truncated?)",
                         P, name, (unsigned long long)b1, f->data_len);
            goto done;
        }
        if (b1 - b0 != numel * sizeof(float)) {
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: tensor '%s' spans %llu bytes but its shape needs %llu", P, name,
                         (unsigned long long)(b1 - b0), (unsigned long long)(numel * sizeof(float)));
            goto done;
        }
        if (b0 % sizeof(float)) {
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: tensor '%s' is not 4-byte aligned", P, name);
            goto done;
        }
        t->offset = (size_t)(b0 / sizeof(float));
        t->numel = (size_t)numel;
        f->count++;
    }
    /* The data must be covered exactly, without gaps or overlaps. */
    ludus_nn_tensor *sorted = malloc((size_t)(f->count ? f->count : 1) * sizeof *sorted);
    if (!sorted) {
        rc = ludus_err_set(LUDUS_ENOMEM, "%s: out of memory", P);
        goto done;
    }
    memcpy(sorted, f->tensors, (size_t)f->count * sizeof *sorted);
    qsort(sorted, (size_t)f->count, sizeof *sorted, cmp_begin);
    size_t at = 0;
    for (int i = 0; i < f->count && rc == LUDUS_OK; i++) {
        if (sorted[i].offset * sizeof(float) != at)
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: tensor '%s' %s another tensor's data", P, sorted[i].name,
                         sorted[i].offset * sizeof(float) < at ? "overlaps" : "leaves a gap before");
        at = (sorted[i].offset + sorted[i].numel) * sizeof(float);
    }
    if (rc == LUDUS_OK && at != f->data_len)
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: %zu bytes of data follow the last tensor", P, f->data_len - at);
    free(sorted);
done:
    cJSON_Delete(root);
    return rc;
}

/* The SHA-256 of the file with the digest's characters as zeros, against
 * the digest the header holds; *found 0 when it holds none (a foreign or
 * older file). */
static int check_digest(ludus_nn_file *f, size_t hlen, int *found)
{
    const char *h = (const char *)f->buf + 8, *at = NULL;
    const size_t fl = strlen(ST_SHA_FIELD);
    for (size_t i = 0; i + fl + ST_SHA_HEX + 1 <= hlen; i++)
        if (h[i] == '"' && memcmp(h + i, ST_SHA_FIELD, fl) == 0) {
            if (at) return ludus_err_set(LUDUS_EFORMAT, "%s: two %s entries in the header", f->path, ST_SHA_KEY);
            at = h + i + fl;
        }
    *found = at != NULL;
    if (!at) return LUDUS_OK;
    char stored[ST_SHA_HEX + 1], want[ST_SHA_HEX + 1];
    memcpy(stored, at, ST_SHA_HEX);
    stored[ST_SHA_HEX] = 0;
    const size_t off = (size_t)(at - h);
    static const char zeros[ST_SHA_HEX] = "0000000000000000000000000000000000000000000000000000000000000000";
    sha256_ctx sc;
    uint8_t dg[SHA256_BYTES];
    ludus_sha256_init(&sc);
    ludus_sha256_update(&sc, f->buf, 8);
    ludus_sha256_update(&sc, h, off);
    ludus_sha256_update(&sc, zeros, ST_SHA_HEX);
    ludus_sha256_update(&sc, h + off + ST_SHA_HEX, hlen - off - ST_SHA_HEX);
    ludus_sha256_update(&sc, f->data, f->data_len);
    ludus_sha256_final(&sc, dg);
    for (int i = 0; i < SHA256_BYTES; i++) snprintf(want + 2 * i, 3, "%02x", dg[i]);
    if (memcmp(stored, want, ST_SHA_HEX) != 0)
        return ludus_err_set(LUDUS_EFORMAT, "%s: checksum mismatch (stored %.16s..., computed %.16s...): the file is corrupted",
                             f->path, stored, want);
    return LUDUS_OK;
}

int ludus_nn_file_open(const char *path, ludus_nn_file **out)
{
    if (!path || !out) return ludus_err_set(LUDUS_EINVAL, "open: NULL argument");
    *out = NULL;
    if (!little_endian()) return ludus_err_set(LUDUS_EUNSUPPORTED, "open: big-endian hosts are not supported");
    ludus_nn_file *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(path))) {
        free(f);
        return ludus_err_set(LUDUS_ENOMEM, "open: out of memory");
    }
    int rc = read_all(path, &f->buf, &f->size);
    if (rc) goto fail;
    if (f->size < 8) {
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: %zu bytes is too short for a safetensors file", path, f->size);
        goto fail;
    }
    uint64_t hlen = 0;
    for (int i = 0; i < 8; i++) hlen |= (uint64_t)f->buf[i] << (8 * i);
    if (hlen == 0 || hlen > ST_MAX_HEADER || hlen > f->size - 8) {
        rc = ludus_err_set(LUDUS_EFORMAT, "%s: header length %llu does not fit the file's %zu bytes (truncated or not a safetensors file?)",
                     path, (unsigned long long)hlen, f->size);
        goto fail;
    }
    f->data = f->buf + 8 + hlen;
    f->data_len = f->size - 8 - (size_t)hlen;
    int digest = 0;
    if ((rc = parse_header(f, (const char *)f->buf + 8, (size_t)hlen))) {
        /* say so when the header no longer matches its digest */
        char why[1024];
        snprintf(why, sizeof why, "%s", ludus_errmsg());
        if (check_digest(f, (size_t)hlen, &digest) != LUDUS_OK)
            ludus_err_set(rc, "%s (checksum mismatch: the file is corrupted)", why);
        else
            ludus_err_set(rc, "%s", why);
        goto fail;
    }
    if ((rc = check_digest(f, (size_t)hlen, &digest))) goto fail;
    const char *crc = ludus_nn_file_meta(f, ST_CRC_KEY);
    if (!digest && !crc) {
        for (int i = 0; i < f->meta_count; i++)
            if (strncmp(f->meta[2 * i], "ludus.", 6) == 0) {
                rc = ludus_err_set(LUDUS_EFORMAT, "%s: a ludus file without its checksum (%s): the file is corrupted",
                                   path, ST_SHA_KEY);
                goto fail;
            }
    }
    if (!digest && crc) {
        char want[16];
        snprintf(want, sizeof want, "%08x", (unsigned)data_crc(f->data, f->data_len));
        if (strcmp(crc, want) != 0) {
            rc = ludus_err_set(LUDUS_EFORMAT, "%s: checksum mismatch (stored %s, computed %s): the file is corrupted",
                         path, crc, want);
            goto fail;
        }
    }
    *out = f;
    return LUDUS_OK;
fail:
    ludus_nn_file_close(f);
    return rc;
}

const char *ludus_nn_file_meta(const ludus_nn_file *f, const char *key)
{
    if (!f || !key) return NULL;
    for (int i = 0; i < f->meta_count; i++)
        if (strcmp(f->meta[2 * i], key) == 0) return f->meta[2 * i + 1];
    return NULL;
}

int ludus_nn_file_count(const ludus_nn_file *f)
{
    return f ? f->count : 0;
}

const ludus_nn_tensor *ludus_nn_file_tensor(const ludus_nn_file *f, int i)
{
    return (f && i >= 0 && i < f->count) ? &f->tensors[i] : NULL;
}

static const ludus_nn_tensor *file_find(const ludus_nn_file *f, const char *name)
{
    for (int i = 0; i < f->count; i++)
        if (strcmp(f->tensors[i].name, name) == 0) return &f->tensors[i];
    return NULL;
}

static void shape_str(char *buf, size_t cap, const ludus_nn_tensor *t)
{
    strbuf sb = sb_make(buf, cap);
    ludus_sb_putc(&sb, '[');
    for (int d = 0; d < t->ndim; d++) ludus_sb_printf(&sb, d ? ", %d" : "%d", t->shape[d]);
    ludus_sb_putc(&sb, ']');
}

/* Weights that are NaN or infinite are refused: a run that diverged, or a
 * file edited by hand, must not be loaded as if it had learned. */
static int check_finite(const ludus_nn_file *f, const ludus_nn_tensor *t)
{
    const unsigned char *d = f->data + t->offset * sizeof(float);
    for (size_t i = 0; i < t->numel; i++) {
        float v;
        memcpy(&v, d + i * sizeof v, sizeof v);
        if (!isfinite(v))
            return ludus_err_set(LUDUS_EFORMAT, "%s: tensor '%s' holds a non-finite value (%g at index %zu)", f->path,
                                 t->name, (double)v, i);
    }
    return LUDUS_OK;
}

int ludus_nn_file_load(const ludus_nn_file *f, ludus_nn_params *p)
{
    if (!f || !p || !p->data) return ludus_err_set(LUDUS_EINVAL, "load: parameters not allocated");
    for (int i = 0; i < p->count; i++) {
        const ludus_nn_tensor *want = &p->tensors[i], *have = file_find(f, want->name);
        if (!have)
            return ludus_err_set(LUDUS_EFORMAT, "%s: tensor '%s' is missing (a checkpoint of another architecture?)",
                           f->path, want->name);
        int same = have->ndim == want->ndim;
        for (int d = 0; same && d < want->ndim; d++) same = have->shape[d] == want->shape[d];
        if (!same) {
            char a[64], b[64];
            shape_str(a, sizeof a, have);
            shape_str(b, sizeof b, want);
            return ludus_err_set(LUDUS_EFORMAT, "%s: tensor '%s' has shape %s, the network expects %s",
                           f->path, want->name, a, b);
        }
    }
    for (int i = 0; i < f->count; i++)
        if (!ludus_nn_params_find(p, f->tensors[i].name))
            return ludus_err_set(LUDUS_EFORMAT, "%s: unexpected tensor '%s' (a checkpoint of another architecture?)",
                           f->path, f->tensors[i].name);
    for (int i = 0; i < p->count; i++) {
        const ludus_nn_tensor *have = file_find(f, p->tensors[i].name);
        int rc = check_finite(f, have);
        if (rc) return rc;
    }
    for (int i = 0; i < p->count; i++) {
        const ludus_nn_tensor *want = &p->tensors[i], *have = file_find(f, want->name);
        memcpy(p->data + want->offset, f->data + have->offset * sizeof(float), want->numel * sizeof(float));
    }
    return LUDUS_OK;
}

int ludus_nn_file_read(const ludus_nn_file *f, const char *name, float *dst, size_t numel)
{
    if (!f || !name || !dst) return ludus_err_set(LUDUS_EINVAL, "read: NULL argument");
    const ludus_nn_tensor *t = file_find(f, name);
    if (!t) return ludus_err_set(LUDUS_ENOTFOUND, "%s: no tensor '%s'", f->path, name);
    if (t->numel != numel)
        return ludus_err_set(LUDUS_EFORMAT, "%s: tensor '%s' has %zu values, expected %zu", f->path, name,
                       t->numel, numel);
    int rc = check_finite(f, t);
    if (rc) return rc;
    memcpy(dst, f->data + t->offset * sizeof(float), numel * sizeof(float));
    return LUDUS_OK;
}
