/* file.h: files the library reads and writes safely: bounded reads of
 * regular files only (never /dev/zero or a FIFO), atomic replacement
 * (temporary file, fsync, rename, fsync of the folder), folders with
 * their parents.
 */
#ifndef LUDUS_CORE_FILE_H
#define LUDUS_CORE_FILE_H

#include <stddef.h>

/* Caps on what the library reads whole. */
#define LUDUS_MAX_CONFIG_BYTES (1u << 20)
#define LUDUS_MAX_CHECKPOINT_BYTES ((size_t)4 << 30)

/* Read a regular file of at most `max` bytes into *buf (malloc'd, with a
 * NUL after the *len bytes). LUDUS_ENOTFOUND when it does not exist,
 * LUDUS_EINVAL when it is not a regular file or is larger than max,
 * LUDUS_EIO on a read error; the message names the path. */
int ludus_file_read(const char *path, size_t max, char **buf, size_t *len);
/* Replace path with `len` bytes: written to path.tmp, fsynced, renamed
 * over path, and the folder fsynced. */
int ludus_file_write_atomic(const char *path, const void *data, size_t len);
/* fsync the folder holding path (so a rename in it is durable). */
int ludus_file_sync_dir_of(const char *path);
/* Create a folder and its missing parents (mkdir -p). */
int ludus_file_mkdirs(const char *path);

#endif
