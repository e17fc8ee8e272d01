/* gif.c: animated GIF files through giflib (Debian's libgif; LZW is the
 * library's, not ours). Each frame stores only the rectangle that changed
 * since the last one, with its own colour table built from the exact
 * colours it uses, so frames of at most 256 colours (every grid world's)
 * are lossless; a frame with more goes through giflib's quantizer.
 */
#include <errno.h>
#include <fcntl.h>
#include <gif_lib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"

#define GIF_MAX_SIDE 65535
#define PALETTE_SLOTS 1024 /* open-addressing table for <= 256 colours */

struct ludus_gif {
    GifFileType *gif;
    char *path;
    int width, height;
    int created;       /* a regular file was opened: a failure removes it */
    int failed;        /* a write failed: close removes the file */
    long frames;
    uint8_t *prev;     /* (height, width, 3): the picture shown so far */
    uint8_t *index;    /* (height * width): one frame's colour indices */
    uint8_t *planes;   /* 3 x (height * width): the quantizer's input, on first need */
    uint32_t slot_key[PALETTE_SLOTS]; /* colour + 1; 0 = free */
    uint8_t slot_val[PALETTE_SLOTS];
};

/* Record a giflib failure; the system's reason, when there is one, says
 * more than giflib's. */
static int gif_fail(ludus_gif *g, int code, const char *what)
{
    g->failed = 1;
    return ludus_err_set(LUDUS_EIO, "cannot write GIF '%s': %s (%s)", g->path, errno ? strerror(errno) : GifErrorString(code),
                   what);
}

/* Free g; remove the file if it was created but not finished. */
static void gif_free(ludus_gif *g, int remove_file)
{
    if (!g) return;
    if (remove_file && g->created) unlink(g->path);
    free(g->path);
    free(g->prev);
    free(g->index);
    free(g->planes);
    free(g);
}

int ludus_gif_open(const char *path, int width, int height, ludus_gif **out)
{
    if (!out) return ludus_err_set(LUDUS_EINVAL, "ludus_gif_open: out is NULL");
    *out = NULL;
    if (!path) return ludus_err_set(LUDUS_EINVAL, "ludus_gif_open: path is NULL");
    if (width <= 0 || height <= 0 || width > GIF_MAX_SIDE || height > GIF_MAX_SIDE)
        return ludus_err_set(LUDUS_EINVAL, "ludus_gif_open: bad frame size %dx%d (GIF allows 1..%d a side)", width,
                       height, GIF_MAX_SIDE);
    ludus_gif *g = calloc(1, sizeof *g);
    size_t n = (size_t)width * (size_t)height;
    if (!g || !(g->path = strdup(path)) || !(g->prev = malloc(n * 3)) || !(g->index = malloc(n))) {
        gif_free(g, 0);
        return ludus_err_set(LUDUS_ENOMEM, "out of memory for a %dx%d GIF", width, height);
    }
    g->width = width;
    g->height = height;
    /* Our own open(): giflib's would create the file readable by its
     * owner only. */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) {
        int rc = ludus_err_set(LUDUS_EIO, "cannot write GIF '%s': %s", path, strerror(errno));
        gif_free(g, 0);
        return rc;
    }
    /* Only a regular file is removed on failure, never a device. */
    struct stat sb;
    g->created = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
    int e = 0;
    errno = 0;
    g->gif = EGifOpenFileHandle(fd, &e);
    if (!g->gif) {
        close(fd);
        int rc = gif_fail(g, e, "open");
        gif_free(g, 1);
        return rc;
    }
    EGifSetGifVersion(g->gif, true);
    errno = 0;
    static const uint8_t loop_forever[3] = {1, 0, 0};
    if (EGifPutScreenDesc(g->gif, width, height, 8, 0, NULL) == GIF_ERROR ||
        EGifPutExtensionLeader(g->gif, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
        EGifPutExtensionBlock(g->gif, 11, "NETSCAPE2.0") == GIF_ERROR ||
        EGifPutExtensionBlock(g->gif, 3, loop_forever) == GIF_ERROR ||
        EGifPutExtensionTrailer(g->gif) == GIF_ERROR) {
        int rc = gif_fail(g, g->gif->Error, "header");
        EGifCloseFile(g->gif, &e);
        gif_free(g, 1);
        return rc;
    }
    *out = g;
    return LUDUS_OK;
}

/* Index the rectangle's pixels with an exact palette; 0 if more than 256
 * colours are used. */
static int exact_palette(ludus_gif *g, const uint8_t *rgb, int x0, int y0, int w, int h, GifColorType *colors,
                         int *count)
{
    memset(g->slot_key, 0, sizeof g->slot_key);
    int n = 0;
    for (int y = 0; y < h; y++) {
        const uint8_t *p = rgb + ((size_t)(y0 + y) * g->width + x0) * 3;
        uint8_t *idx = g->index + (size_t)y * w;
        for (int x = 0; x < w; x++, p += 3) {
            uint32_t key = ((uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]) + 1;
            uint32_t s = (key * 2654435761u) >> 22; /* 10 bits */
            while (g->slot_key[s] && g->slot_key[s] != key) s = (s + 1) & (PALETTE_SLOTS - 1);
            if (!g->slot_key[s]) {
                if (n == 256) return 0;
                g->slot_key[s] = key;
                g->slot_val[s] = (uint8_t)n;
                colors[n] = (GifColorType){p[0], p[1], p[2]};
                n++;
            }
            idx[x] = g->slot_val[s];
        }
    }
    *count = n;
    return 1;
}

/* More than 256 colours: giflib's median-cut quantizer. */
static int quantized_palette(ludus_gif *g, const uint8_t *rgb, int x0, int y0, int w, int h,
                             GifColorType *colors, int *count)
{
    size_t n = (size_t)w * (size_t)h;
    if (!g->planes && !(g->planes = malloc((size_t)g->width * (size_t)g->height * 3)))
        return ludus_err_set(LUDUS_ENOMEM, "out of memory quantizing a GIF frame");
    uint8_t *r = g->planes, *gr = r + n, *b = gr + n;
    for (int y = 0; y < h; y++) {
        const uint8_t *p = rgb + ((size_t)(y0 + y) * g->width + x0) * 3;
        for (int x = 0; x < w; x++, p += 3) {
            size_t i = (size_t)y * w + x;
            r[i] = p[0];
            gr[i] = p[1];
            b[i] = p[2];
        }
    }
    int size = 256;
    if (GifQuantizeBuffer((unsigned)w, (unsigned)h, &size, r, gr, b, g->index, colors) == GIF_ERROR)
        return ludus_err_set(LUDUS_ENOMEM, "GIF colour quantization failed");
    *count = size;
    return LUDUS_OK;
}

int ludus_gif_add_frame(ludus_gif *g, const uint8_t *rgb, int delay_cs)
{
    if (!g || !rgb) return ludus_err_set(LUDUS_EINVAL, "ludus_gif_add_frame: NULL argument");
    if (g->failed) return ludus_err_set(LUDUS_EIO, "GIF '%s': an earlier write failed", g->path);
    if (delay_cs < 0 || delay_cs > 65535)
        return ludus_err_set(LUDUS_EINVAL, "GIF frame delay %d is out of range 0..65535 hundredths of a second", delay_cs);
    const int W = g->width, H = g->height;
    /* The rectangle that changed; a repeated frame redraws one pixel so
     * that its delay still counts. */
    int x0 = 0, y0 = 0, x1 = W - 1, y1 = H - 1;
    if (g->frames > 0) {
        x0 = W, y0 = H, x1 = -1, y1 = -1;
        for (int y = 0; y < H; y++) {
            const uint8_t *a = rgb + (size_t)y * W * 3, *b = g->prev + (size_t)y * W * 3;
            if (memcmp(a, b, (size_t)W * 3) == 0) continue;
            int l = 0, r = W - 1;
            while (memcmp(a + l * 3, b + l * 3, 3) == 0) l++;
            while (memcmp(a + r * 3, b + r * 3, 3) == 0) r--;
            if (y < y0) y0 = y;
            y1 = y;
            if (l < x0) x0 = l;
            if (r > x1) x1 = r;
        }
        if (y1 < 0) x0 = y0 = x1 = y1 = 0;
    }
    const int w = x1 - x0 + 1, h = y1 - y0 + 1;
    GifColorType colors[256];
    int count = 0;
    if (!exact_palette(g, rgb, x0, y0, w, h, colors, &count)) {
        int rc = quantized_palette(g, rgb, x0, y0, w, h, colors, &count);
        if (rc) return rc;
    }
    int bits = 1;
    while ((1 << bits) < count) bits++;
    for (int i = count; i < 1 << bits; i++) colors[i] = (GifColorType){0, 0, 0};
    ColorMapObject map = {.ColorCount = 1 << bits, .BitsPerPixel = bits, .SortFlag = false, .Colors = colors};

    errno = 0;
    GraphicsControlBlock gcb = {.DisposalMode = DISPOSE_DO_NOT, .UserInputFlag = false,
                                .DelayTime = delay_cs, .TransparentColor = NO_TRANSPARENT_COLOR};
    GifByteType ext[4];
    EGifGCBToExtension(&gcb, ext);
    if (EGifPutExtension(g->gif, GRAPHICS_EXT_FUNC_CODE, 4, ext) == GIF_ERROR ||
        EGifPutImageDesc(g->gif, x0, y0, w, h, false, &map) == GIF_ERROR)
        return gif_fail(g, g->gif->Error, "frame");
    for (int y = 0; y < h; y++)
        if (EGifPutLine(g->gif, g->index + (size_t)y * w, w) == GIF_ERROR) return gif_fail(g, g->gif->Error, "frame");
    for (int y = y0; y <= y1; y++)
        memcpy(g->prev + ((size_t)y * W + x0) * 3, rgb + ((size_t)y * W + x0) * 3, (size_t)w * 3);
    g->frames++;
    return LUDUS_OK;
}

int ludus_gif_close(ludus_gif *g)
{
    if (!g) return LUDUS_OK;
    int rc = LUDUS_OK, e = 0;
    errno = 0;
    if (EGifCloseFile(g->gif, &e) == GIF_ERROR && !g->failed) rc = gif_fail(g, e, "close");
    else if (g->failed) rc = ludus_err_set(LUDUS_EIO, "GIF '%s' was not written completely and was removed", g->path);
    gif_free(g, g->failed);
    return rc;
}
