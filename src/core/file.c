/* file.c: bounded reads, atomic writes and mkdir -p (file.h). Reads open
 * with O_NONBLOCK so a FIFO cannot block before it is refused as not a
 * regular file; the size is checked before and while reading.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"
#include "core/file.h"

int ludus_file_read(const char *path, size_t max, char **buf, size_t *len)
{
    if (!path || !buf || !len) return ludus_err_set(LUDUS_EINVAL, "read: NULL argument");
    *buf = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return ludus_err_set(e == ENOENT ? LUDUS_ENOTFOUND : LUDUS_EIO, "%s: %s", path, strerror(e));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return ludus_err_set(LUDUS_EINVAL, "%s: not a regular file", path);
    }
    if ((unsigned long long)st.st_size > max) {
        close(fd);
        return ludus_err_set(LUDUS_EINVAL, "%s: %lld bytes is more than the %zu this file may have", path,
                             (long long)st.st_size, max);
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *b = malloc(cap + 1);
    if (!b) {
        close(fd);
        return ludus_err_set(LUDUS_ENOMEM, "%s: out of memory", path);
    }
    for (;;) {
        ssize_t r = read(fd, b + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int e = errno;
            free(b);
            close(fd);
            return ludus_err_set(LUDUS_EIO, "%s: %s", path, strerror(e));
        }
        if (r == 0) break;
        n += (size_t)r;
        if (n == cap) { /* grew while read */
            free(b);
            close(fd);
            return ludus_err_set(LUDUS_EINVAL, "%s: the file changed while it was read", path);
        }
    }
    close(fd);
    b[n] = 0;
    *buf = b;
    *len = n;
    return LUDUS_OK;
}

int ludus_file_sync_dir_of(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == dir) dir[1] = 0;
    else *slash = 0;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ludus_err_set(LUDUS_EIO, "%s: %s", dir, strerror(errno));
    int rc = fsync(fd) == 0 || errno == EINVAL ? LUDUS_OK : ludus_err_set(LUDUS_EIO, "fsync %s: %s", dir, strerror(errno));
    close(fd);
    return rc;
}

int ludus_file_write_atomic(const char *path, const void *data, size_t len)
{
    if (!path || (!data && len)) return ludus_err_set(LUDUS_EINVAL, "write: NULL argument");
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
        return ludus_err_set(LUDUS_EINVAL, "write: path too long");
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) return ludus_err_set(LUDUS_EIO, "cannot write %s: %s", tmp, strerror(errno));
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        p += w;
        left -= (size_t)w;
    }
    int e = left ? errno : 0;
    if (!left && fsync(fd) != 0) e = errno ? errno : EIO, left = 1;
    if (close(fd) != 0 && !left) e = errno, left = 1;
    if (left || rename(tmp, path) != 0) {
        if (!left) e = errno;
        unlink(tmp);
        return ludus_err_set(LUDUS_EIO, "writing %s failed: %s", path, strerror(e ? e : EIO));
    }
    return ludus_file_sync_dir_of(path);
}

int ludus_file_mkdirs(const char *path)
{
    if (!path || !*path) return ludus_err_set(LUDUS_EINVAL, "mkdir: empty path");
    char b[4096];
    if ((size_t)snprintf(b, sizeof b, "%s", path) >= sizeof b) return ludus_err_set(LUDUS_EINVAL, "mkdir: path too long");
    for (char *s = b + 1;; s++) {
        if (*s == '/' || *s == 0) {
            char c = *s;
            *s = 0;
            if (mkdir(b, 0777) != 0 && errno != EEXIST)
                return ludus_err_set(LUDUS_EIO, "cannot create %s: %s", b, strerror(errno));
            struct stat st;
            if (stat(b, &st) != 0 || !S_ISDIR(st.st_mode))
                return ludus_err_set(LUDUS_EIO, "cannot create %s: a file is in the way", b);
            *s = c;
            if (!c) break;
        }
    }
    return LUDUS_OK;
}
