/* jscan.h - a structural index of JSON text: one pass over 64-byte blocks
 * that finds every string, every structural character and every start of
 * a number or literal, and checks what can be checked without the grammar
 * (string contents: control characters, escapes, strict UTF-8).  The fast
 * reader (jfast.c) then steps over the values it does not keep from token
 * to token instead of byte by byte. */
#ifndef PUMA_JSCAN_H
#define PUMA_JSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "xalloc.h"

/* Bit i of word b stands for byte 64 * b + i of the text. */
struct jindex {
	const unsigned char *text;
	size_t len, nblk;
	uint64_t *tok;		/* tokens: { } [ ] : , outside strings, the
				 * opening quote of each string, the first byte
				 * of each number or literal */
	uint64_t *quo;		/* every quote that delimits a string */
	uint64_t *wsp;		/* whitespace outside strings */
	int anyws;		/* wsp has any bit set */
};

/* Index text (len bytes) into ix, its bitmaps in a.  Returns 0, or -1 when
 * the text holds what the fast reader leaves to yajl or what is no JSON:
 * a control character or a backslash outside its place, an escape that
 * is not JSON's or that encodes a UTF-16 surrogate, a byte sequence that
 * is not strict UTF-8, a non-ASCII byte outside a string, whitespace other
 * than JSON's four between tokens, or a string left open. */
int jindex_build(struct jindex *ix, struct arena *a, const char *text, size_t len);

/* The length of the strict UTF-8 sequence at p (no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0 when there is none. */
size_t jscan_utf8_len(const unsigned char *p, const unsigned char *end);

/* Which classifier indexes: 0 the fastest this processor has (AVX-512BW
 * or AVX2 where it can, else SSE2 on x86-64; NEON on arm64), 1 SSE2 or
 * NEON at most, 2 the portable byte loop, 3 AVX2 at most (as 0 where the
 * processor lacks it); for the tests that compare them. */
extern int jindex_path;

/* The value of a hex digit, -1 when it is not one (for \u escapes). */
static inline int jscan_hexval(unsigned c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (int)(c - 'A' + 10);
	return -1;
}

/* The index of the lowest set bit of m (m not 0). */
static inline int jscan_ctz64(uint64_t m)
{
#if defined(__GNUC__)
	return __builtin_ctzll(m);
#else
	int i = 0;

	while (!(m & 1)) {
		m >>= 1;
		i++;
	}
	return i;
#endif
}

#endif
