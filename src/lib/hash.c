/* hash.c - FNV-1a (see hash.h), with the published 64-bit offset basis
 * and prime. */
#include "hash.h"

uint64_t fnv1a(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 14695981039346656037ULL;

	while (n--)
		h = (h ^ *s++) * 1099511628211ULL;
	return h;
}
