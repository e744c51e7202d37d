/* sha256.h - SHA-256 (FIPS 180-4) for prompt hashes, cache keys and
 * data checks. */
#ifndef PUMA_SHA256_H
#define PUMA_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char blk[64];
	size_t fill;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *p, size_t n);
void sha256_final(struct sha256 *c, unsigned char out[32]);
/* One call: hex digest (64 characters and a NUL) of p[0..n-1]. */
void sha256_hex(const void *p, size_t n, char hex[65]);

#endif
