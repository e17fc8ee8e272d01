/* jpeg.c: Minari stores frames of 32x32 pixels or more as JPEG bytes (PIL's
 * Image.save(format="JPEG"): quality 75, 4:2:0 chroma subsampling). This
 * is that codec through Debian's libjpeg (libjpeg62-turbo), with an error
 * handler that returns instead of exiting, so a corrupt frame is an error
 * message, never the end of the process.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#include "core/core.h"
#include "data/data_internal.h"

typedef struct jerr {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    char msg[JMSG_LENGTH_MAX];
} jerr;

static void on_error(j_common_ptr c)
{
    jerr *e = (jerr *)c->err;
    (*c->err->format_message)(c, e->msg);
    longjmp(e->jump, 1);
}

static void on_message(j_common_ptr c)
{
    (void)c; /* warnings are not printed: the library never prints */
}

int ludus_data_jpeg_encode(const uint8_t *pix, int h, int w, int c, int quality, uint8_t **out, size_t *len)
{
    struct jpeg_compress_struct cinfo;
    jerr e;
    unsigned char *volatile buf = NULL;
    unsigned long size = 0;
    *out = NULL;
    *len = 0;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = jpeg_std_error(&e.mgr);
    e.mgr.error_exit = on_error;
    e.mgr.output_message = on_message;
    if (setjmp(e.jump)) {
        jpeg_destroy_compress(&cinfo);
        free(buf);
        return ludus_err_set(LUDUS_EINTERNAL, "jpeg: %s", e.msg);
    }
    jpeg_create_compress(&cinfo);
    unsigned char *b = NULL;
    jpeg_mem_dest(&cinfo, &b, &size);
    cinfo.image_width = (JDIMENSION)w;
    cinfo.image_height = (JDIMENSION)h;
    cinfo.input_components = c;
    cinfo.in_color_space = c == 3 ? JCS_RGB : JCS_GRAYSCALE;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pix + (size_t)cinfo.next_scanline * w * c);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    buf = b;
    jpeg_destroy_compress(&cinfo);
    *out = buf;
    *len = size;
    return LUDUS_OK;
}

int ludus_data_jpeg_decode(const uint8_t *jpg, size_t len, int h, int w, int c, uint8_t *pix)
{
    struct jpeg_decompress_struct dinfo;
    jerr e;
    memset(&dinfo, 0, sizeof dinfo);
    dinfo.err = jpeg_std_error(&e.mgr);
    e.mgr.error_exit = on_error;
    e.mgr.output_message = on_message;
    if (len < 4 || len > 0xffffffffu) return ludus_err_set(LUDUS_EFORMAT, "jpeg: %zu bytes are not a JPEG frame", len);
    if (setjmp(e.jump)) {
        jpeg_destroy_decompress(&dinfo);
        return ludus_err_set(LUDUS_EFORMAT, "jpeg: %s", e.msg);
    }
    jpeg_create_decompress(&dinfo);
    jpeg_mem_src(&dinfo, jpg, (unsigned long)len);
    if (jpeg_read_header(&dinfo, TRUE) != JPEG_HEADER_OK) {
        jpeg_destroy_decompress(&dinfo);
        return ludus_err_set(LUDUS_EFORMAT, "jpeg: no JPEG header");
    }
    dinfo.out_color_space = c == 3 ? JCS_RGB : JCS_GRAYSCALE;
    if ((int)dinfo.image_width != w || (int)dinfo.image_height != h) {
        int iw = (int)dinfo.image_width, ih = (int)dinfo.image_height;
        jpeg_destroy_decompress(&dinfo);
        return ludus_err_set(LUDUS_EFORMAT, "jpeg: a %dx%d frame where the world's is %dx%d", iw, ih, w, h);
    }
    jpeg_start_decompress(&dinfo);
    if ((int)dinfo.output_components != c) {
        jpeg_destroy_decompress(&dinfo);
        return ludus_err_set(LUDUS_EFORMAT, "jpeg: %d channels where the world has %d", dinfo.output_components, c);
    }
    while (dinfo.output_scanline < dinfo.output_height) {
        JSAMPROW row = (JSAMPROW)(pix + (size_t)dinfo.output_scanline * w * c);
        jpeg_read_scanlines(&dinfo, &row, 1);
    }
    jpeg_finish_decompress(&dinfo);
    long warnings = e.mgr.num_warnings;
    jpeg_destroy_decompress(&dinfo);
    if (warnings) return ludus_err_set(LUDUS_EFORMAT, "jpeg: a corrupt or truncated frame");
    return LUDUS_OK;
}
