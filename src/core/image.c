/* image.c: PNG files through libpng's simplified API (no hand-written
 * deflate). Used for rendered frames and for loading textures.
 */
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core.h"

int ludus_png_write(const char *path, const uint8_t *rgb, int width, int height)
{
    if (!path || !rgb) return ludus_err_set(LUDUS_EINVAL, "ludus_png_write: NULL argument");
    if (width <= 0 || height <= 0 || width > 1 << 15 || height > 1 << 15)
        return ludus_err_set(LUDUS_EINVAL, "ludus_png_write: bad image size %dx%d", width, height);
    /* Our own FILE rather than png_image_write_to_file, which removes the
     * path on failure even when it is a device such as /dev/full. */
    FILE *fp = fopen(path, "wb");
    if (!fp) return ludus_err_set(LUDUS_EIO, "cannot write PNG '%s': %s", path, strerror(errno));
    struct stat sb;
    const int regular = fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode);
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = (png_uint_32)width;
    img.height = (png_uint_32)height;
    img.format = PNG_FORMAT_RGB;
    errno = 0;
    int ok = png_image_write_to_stdio(&img, fp, 0, rgb, width * 3, NULL);
    const char *why = ok ? NULL : errno ? strerror(errno) : img.message;
    errno = 0;
    if (ok && (fflush(fp) != 0 || ferror(fp))) why = strerror(errno ? errno : EIO);
    if (fclose(fp) != 0 && !why) why = strerror(errno);
    if (!why) return LUDUS_OK;
    int rc = ludus_err_set(LUDUS_EIO, "cannot write PNG '%s': %s", path, why);
    png_image_free(&img);
    if (regular) remove(path);
    return rc;
}

int ludus_png_read_rgba(const char *path, uint8_t **rgba, int *width, int *height)
{
    if (!path || !rgba || !width || !height) return ludus_err_set(LUDUS_EINVAL, "ludus_png_read_rgba: NULL argument");
    *rgba = NULL;
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path))
        return ludus_err_set(img.warning_or_error ? LUDUS_EFORMAT : LUDUS_EIO, "cannot read PNG '%s': %s",
                       path, img.message);
    if (img.width == 0 || img.height == 0 || img.width > 1 << 15 || img.height > 1 << 15) {
        png_image_free(&img);
        return ludus_err_set(LUDUS_EFORMAT, "PNG '%s' has an unsupported size %ux%u", path, img.width, img.height);
    }
    img.format = PNG_FORMAT_RGBA;
    size_t n = PNG_IMAGE_SIZE(img);
    uint8_t *buf = malloc(n);
    if (!buf) {
        png_image_free(&img);
        return ludus_err_set(LUDUS_ENOMEM, "out of memory reading '%s'", path);
    }
    if (!png_image_finish_read(&img, NULL, buf, 0, NULL)) {
        free(buf);
        int rc = ludus_err_set(LUDUS_EFORMAT, "cannot decode PNG '%s': %s", path, img.message);
        png_image_free(&img);
        return rc;
    }
    *rgba = buf;
    *width = (int)img.width;
    *height = (int)img.height;
    return LUDUS_OK;
}
