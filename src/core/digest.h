/* digest.h: SHA-256 (FIPS 180-4) and base64 (RFC 4648), for traces that
 * carry image digests and bytes exactly as the reference traces do. Small
 * and dependency-free: no Debian crypto library is needed for this.
 */
#ifndef LUDUS_DIGEST_H
#define LUDUS_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_BYTES 32

typedef struct sha256_ctx {
    uint32_t h[8];
    uint64_t len;        /* bytes hashed so far */
    uint8_t block[64];
    size_t fill;         /* bytes waiting in block */
} sha256_ctx;

void ludus_sha256_init(sha256_ctx *c);
void ludus_sha256_update(sha256_ctx *c, const void *data, size_t n);
void ludus_sha256_final(sha256_ctx *c, uint8_t out[SHA256_BYTES]);
/* One call: the lowercase hex digest (65 bytes with the NUL). */
void ludus_sha256_hex(const void *data, size_t n, char hex[2 * SHA256_BYTES + 1]);

/* Base64 with padding; out needs 4 * ((n + 2) / 3) + 1 bytes. Returns the length. */
size_t ludus_base64_encode(const void *data, size_t n, char *out);

#endif
