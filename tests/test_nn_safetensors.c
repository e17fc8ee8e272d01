/* test_nn_safetensors.c: checkpoints round-trip bit for bit with their
 * metadata, and every malformed file is refused with LUDUS_EFORMAT and a
 * message: truncated, corrupted, lying about its header, its dtypes, its
 * shapes or its offsets, or holding another architecture's tensors. A file
 * as the reference Python library writes it (no ludus checksum) loads.
 * The SHA-256 covers header and data: every single flipped bit is refused;
 * non-finite weights, /dev/zero, FIFOs and oversized files too.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "ludus/nn.h"

static char dir[256];

static const char *path_of(const char *name)
{
    static char buf[512];
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

static void build(ludus_nn_params *p, int out_features)
{
    ludus_nn_params_init(p);
    CHECK_OK(ludus_nn_params_add(p, "fc.weight", 2, (int[]){out_features, 3}, NULL));
    CHECK_OK(ludus_nn_params_add(p, "fc.bias", 1, (int[]){out_features}, NULL));
    CHECK_OK(ludus_nn_params_alloc(p));
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(*len + 1);
    if (fread(b, 1, *len, f) != *len) *len = 0;
    fclose(f);
    return b;
}

static void spit(const char *path, const void *b, size_t len)
{
    FILE *f = fopen(path, "wb");
    fwrite(b, 1, len, f);
    fclose(f);
}

/* A file with a given header text and n data floats counting 0, 1, ... */
static const char *handmade(const char *name, const char *header, int nfloats)
{
    const char *p = path_of(name);
    size_t hl = strlen(header);
    unsigned char *b = calloc(8 + hl + (size_t)nfloats * 4, 1);
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)((uint64_t)hl >> (8 * i));
    memcpy(b + 8, header, hl);
    for (int i = 0; i < nfloats; i++) {
        float v = (float)i;
        memcpy(b + 8 + hl + 4 * i, &v, 4);
    }
    spit(p, b, 8 + hl + (size_t)nfloats * 4);
    free(b);
    return p;
}

static void expect_refused(const char *path, const char *what)
{
    ludus_nn_file *f = (ludus_nn_file *)1;
    int rc = ludus_nn_file_open(path, &f);
    CHECK_MSG(rc == LUDUS_EFORMAT && f == NULL && ludus_errmsg()[0],
              "%s: open returned %d (%s)", what, rc, ludus_errmsg());
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s/test_nn_safetensors.d", LUDUS_BINARY_DIR);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    CHECK(system(cmd) == 0);

    /* ---- round trip ---- */
    ludus_nn_params a, b;
    build(&a, 4);
    for (size_t i = 0; i < a.size; i++) a.data[i] = (float)i * 0.37f - 2.0f;
    const char *meta[] = {"ludus.env", "MiniGrid-Empty-5x5-v0", "ludus.arch", "{\"hidden\": 64}", NULL};
    const char *good = strdup(path_of("good.safetensors"));
    CHECK_OK(ludus_nn_save(good, &a, meta));
    ludus_nn_file *f = NULL;
    CHECK_OK(ludus_nn_file_open(good, &f));
    CHECK_STR(ludus_nn_file_meta(f, "ludus.env"), "MiniGrid-Empty-5x5-v0");
    CHECK_STR(ludus_nn_file_meta(f, "ludus.arch"), "{\"hidden\": 64}");
    CHECK(ludus_nn_file_meta(f, "ludus.sha256") != NULL && strlen(ludus_nn_file_meta(f, "ludus.sha256")) == 64);
    CHECK(ludus_nn_file_meta(f, "nope") == NULL);
    CHECK_EQ(ludus_nn_file_count(f), 2);
    build(&b, 4);
    CHECK_OK(ludus_nn_file_load(f, &b));
    int same = 1;
    for (int i = 0; i < a.count; i++)
        same &= memcmp(a.data + a.tensors[i].offset, b.data + b.tensors[i].offset,
                       a.tensors[i].numel * 4) == 0;
    CHECK(same);
    float bias[4];
    CHECK_OK(ludus_nn_file_read(f, "fc.bias", bias, 4));
    CHECK(memcmp(bias, a.data + ludus_nn_params_find(&a, "fc.bias")->offset, 16) == 0);
    CHECK_ERR(ludus_nn_file_read(f, "fc.nope", bias, 4), LUDUS_ENOTFOUND);
    CHECK_ERR(ludus_nn_file_read(f, "fc.bias", bias, 3), LUDUS_EFORMAT);

    /* The header is 8-byte aligned, its length little-endian, as the format says. */
    size_t len = 0;
    unsigned char *raw = slurp(good, &len);
    uint64_t hl = 0;
    for (int i = 0; i < 8; i++) hl |= (uint64_t)raw[i] << (8 * i);
    CHECK_EQ(hl % 8, 0);
    CHECK_EQ(len, 8 + hl + (size_t)(4 * 3 + 4) * 4);
    CHECK(raw[8] == '{');

    /* ---- a network of another shape, or with other tensors ---- */
    ludus_nn_params c;
    build(&c, 5);
    CHECK_ERR(ludus_nn_file_load(f, &c), LUDUS_EFORMAT);
    CHECK(strstr(ludus_errmsg(), "fc.weight") && strstr(ludus_errmsg(), "[4, 3]"));
    ludus_nn_params_free(&c);
    ludus_nn_params_init(&c);
    CHECK_OK(ludus_nn_params_add(&c, "fc.weight", 2, (int[]){4, 3}, NULL));
    CHECK_OK(ludus_nn_params_alloc(&c));
    CHECK_ERR(ludus_nn_file_load(f, &c), LUDUS_EFORMAT); /* fc.bias unexpected */
    CHECK(strstr(ludus_errmsg(), "unexpected"));
    ludus_nn_params_free(&c);
    ludus_nn_params_init(&c);
    CHECK_OK(ludus_nn_params_add(&c, "fc.weight", 2, (int[]){4, 3}, NULL));
    CHECK_OK(ludus_nn_params_add(&c, "fc.bias", 1, (int[]){4}, NULL));
    CHECK_OK(ludus_nn_params_add(&c, "extra", 1, (int[]){4}, NULL));
    CHECK_OK(ludus_nn_params_alloc(&c));
    CHECK_ERR(ludus_nn_file_load(f, &c), LUDUS_EFORMAT); /* extra missing */
    CHECK(strstr(ludus_errmsg(), "missing"));
    ludus_nn_params_free(&c);
    ludus_nn_file_close(f);

    /* ---- damaged copies of the good file ---- */
    spit(path_of("t0.safetensors"), raw, 0);
    expect_refused(path_of("t0.safetensors"), "empty file");
    spit(path_of("t5.safetensors"), raw, 5);
    expect_refused(path_of("t5.safetensors"), "5 bytes");
    spit(path_of("thead.safetensors"), raw, 8 + hl / 2);
    expect_refused(path_of("thead.safetensors"), "cut in the header");
    spit(path_of("tdata.safetensors"), raw, len - 4);
    expect_refused(path_of("tdata.safetensors"), "cut in the data");
    CHECK(strstr(ludus_errmsg(), "truncated"));
    raw[len - 3] ^= 0x40;
    spit(path_of("flip.safetensors"), raw, len);
    expect_refused(path_of("flip.safetensors"), "a flipped data bit");
    CHECK(strstr(ludus_errmsg(), "checksum"));
    raw[len - 3] ^= 0x40;
    unsigned char *longer = malloc(len + 4);
    memcpy(longer, raw, len);
    memset(longer + len, 0, 4);
    spit(path_of("trail.safetensors"), longer, len + 4);
    expect_refused(path_of("trail.safetensors"), "trailing bytes");
    free(longer);
    raw[0] = 0xff; raw[5] = 0x7f;
    spit(path_of("hlen.safetensors"), raw, len);
    expect_refused(path_of("hlen.safetensors"), "absurd header length");
    free(raw);
    spit(path_of("text.safetensors"), "hello, I am not a checkpoint at all", 35);
    expect_refused(path_of("text.safetensors"), "a text file");

    /* ---- handmade headers ---- */
    const char *ok =
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
        "\"__metadata__\":{\"format\":\"pt\"}}";
    CHECK_OK(ludus_nn_file_open(handmade("py.safetensors", ok, 4), &f)); /* no checksum: fine */
    float w[4];
    CHECK_OK(ludus_nn_file_read(f, "w", w, 4));
    CHECK(w[0] == 0.0f && w[3] == 3.0f);
    ludus_nn_file_close(f);
    expect_refused(handmade("json.safetensors", "{\"w\":{\"dtype\":\"F32\",", 4), "broken JSON");
    expect_refused(handmade("arr.safetensors", "[1,2,3]", 0), "header not an object");
    expect_refused(handmade("f16.safetensors",
                            "{\"w\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,8]}}", 2),
                   "F16 tensor");
    CHECK(strstr(ludus_errmsg(), "F16"));
    expect_refused(handmade("shape.safetensors",
                            "{\"w\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[0,16]}}", 4),
                   "shape larger than its bytes");
    expect_refused(handmade("negshape.safetensors",
                            "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1,4],\"data_offsets\":[0,16]}}", 4),
                   "negative dimension");
    expect_refused(handmade("offs.safetensors",
                            "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[16,0]}}", 4),
                   "reversed offsets");
    expect_refused(handmade("past.safetensors",
                            "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 3),
                   "offsets past the end");
    expect_refused(handmade("overlap.safetensors",
                            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                            "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 3),
                   "overlapping tensors");
    CHECK(strstr(ludus_errmsg(), "overlaps"));
    expect_refused(handmade("gap.safetensors",
                            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                            "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 3),
                   "a gap between tensors");
    expect_refused(handmade("meta.safetensors",
                            "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                            "\"__metadata__\":{\"n\":3}}", 1),
                   "non-string metadata");
    expect_refused(handmade("nodtype.safetensors", "{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 1),
                   "missing dtype");
    expect_refused(handmade("dims.safetensors",
                            "{\"w\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1],\"data_offsets\":[0,4]}}", 1),
                   "five dimensions");
    expect_refused(handmade("nosum.safetensors",
                            "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                            "\"__metadata__\":{\"ludus.format\":\"x\"}}", 1),
                   "a ludus file without a checksum");
    expect_refused(handmade("crc.safetensors",
                            "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                            "\"__metadata__\":{\"ludus.crc32\":\"00000000\"}}", 1),
                   "wrong checksum");

    expect_refused(handmade("twometa.safetensors",
                            "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                            "\"__metadata__\":{\"a\":\"1\",\"b\":\"2\"},\"__metadata__\":{\"c\":\"3\",\"d\":\"4\",\"e\":\"5\"}}", 1),
                   "two __metadata__ keys");
    CHECK(strstr(ludus_errmsg(), "two __metadata__"));
    expect_refused(handmade("twice.safetensors",
                            "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                            "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 2),
                   "one tensor name twice");
    CHECK(strstr(ludus_errmsg(), "twice"));

    /* ---- the checksum covers the header too: one flipped bit anywhere
     * (length, header, padding, digest, data) is refused ---- */
    {
        size_t n = 0;
        unsigned char *orig = slurp(good, &n);
        int refused = 0;
        for (size_t i = 0; i < n; i++) {
            orig[i] ^= (unsigned char)(1u << (i % 8));
            spit(path_of("bit.safetensors"), orig, n);
            ludus_nn_file *g = NULL;
            int rc = ludus_nn_file_open(path_of("bit.safetensors"), &g);
            if (rc == LUDUS_OK) {
                check_fail(__FILE__, __LINE__, "a flipped bit at byte %zu of %zu was accepted", i, n);
                ludus_nn_file_close(g);
            } else {
                refused++;
            }
            orig[i] ^= (unsigned char)(1u << (i % 8));
        }
        CHECK_EQ(refused, (long long)n);
        free(orig);
    }

    /* ---- non-finite weights are refused when read ---- */
    {
        ludus_nn_params nf, into;
        build(&nf, 4);
        build(&into, 4);
        for (size_t i = 0; i < nf.size; i++) nf.data[i] = 0.5f;
        nf.data[3] = NAN;
        CHECK_OK(ludus_nn_save(path_of("nan.safetensors"), &nf, NULL));
        ludus_nn_file *g = NULL;
        CHECK_OK(ludus_nn_file_open(path_of("nan.safetensors"), &g));
        CHECK_ERR(ludus_nn_file_load(g, &into), LUDUS_EFORMAT);
        CHECK(strstr(ludus_errmsg(), "non-finite"));
        ludus_nn_file_close(g);
        nf.data[3] = 0.5f;
        nf.data[nf.size - 1] = INFINITY;
        CHECK_OK(ludus_nn_save(path_of("inf.safetensors"), &nf, NULL));
        CHECK_OK(ludus_nn_file_open(path_of("inf.safetensors"), &g));
        float bias4[4];
        CHECK_ERR(ludus_nn_file_read(g, "fc.bias", bias4, 4), LUDUS_EFORMAT);
        CHECK(strstr(ludus_errmsg(), "non-finite") && strstr(ludus_errmsg(), "fc.bias"));
        ludus_nn_file_close(g);
        ludus_nn_params_free(&nf);
        ludus_nn_params_free(&into);
    }

    /* ---- what is not a regular file of bounded size is refused unread ---- */
    CHECK_ERR(ludus_nn_file_open("/dev/zero", &f), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "not a regular file"));
    char fifo[600];
    snprintf(fifo, sizeof fifo, "%s", path_of("fifo.safetensors"));
    CHECK(mkfifo(fifo, 0600) == 0);
    CHECK_ERR(ludus_nn_file_open(fifo, &f), LUDUS_EINVAL); /* does not block */
    CHECK(strstr(ludus_errmsg(), "not a regular file"));
    char huge[600];
    snprintf(huge, sizeof huge, "%s", path_of("huge.safetensors"));
    FILE *hf = fopen(huge, "wb");
    CHECK(hf && ftruncate(fileno(hf), (off_t)5 << 30) == 0); /* sparse: no disk used */
    if (hf) fclose(hf);
    CHECK_ERR(ludus_nn_file_open(huge, &f), LUDUS_EINVAL);
    CHECK(strstr(ludus_errmsg(), "more than"));
    remove(huge);

    /* ---- files that are not there, places that cannot be written ---- */
    CHECK_ERR(ludus_nn_file_open(path_of("absent.safetensors"), &f), LUDUS_ENOTFOUND);
    CHECK_ERR(ludus_nn_save("/nonexistent-dir/x.safetensors", &a, NULL), LUDUS_EIO);
    const char *badmeta[] = {"key", NULL};
    CHECK_ERR(ludus_nn_save(path_of("m.safetensors"), &a, badmeta), LUDUS_EINVAL);

    ludus_nn_params_free(&a);
    ludus_nn_params_free(&b);
    free((void *)good);
    return check_finish("test_nn_safetensors");
}
