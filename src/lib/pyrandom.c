/* pyrandom.c - CPython's random module on top of MT19937 (see pyrandom.h). */
#include "pyrandom.h"
#include "xalloc.h"

#include <math.h>
#include <stdlib.h>

void pyr_seed(struct pyrandom *r, int64_t seed)
{
	/* The magnitude as an unsigned number: -2^63 has no positive int64. */
	uint64_t a = seed < 0 ? (uint64_t)0 - (uint64_t)seed : (uint64_t)seed;
	uint32_t key[2];
	size_t n;

	key[0] = (uint32_t)a;
	key[1] = (uint32_t)(a >> 32);
	n = key[1] != 0 ? 2 : 1;
	mt_seed_array(&r->m, key, n);
}

double pyr_random(struct pyrandom *r)
{
	uint32_t a = mt_next(&r->m) >> 5, b = mt_next(&r->m) >> 6;

	return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}

/* CPython fills the words of a wide result from the least significant up,
 * the last (most significant) word keeping the top bits of its output. */
uint64_t pyr_getrandbits(struct pyrandom *r, int k)
{
	uint64_t lo;

	if (k <= 0)
		return 0;
	if (k <= 32)
		return mt_next(&r->m) >> (32 - k);
	lo = mt_next(&r->m);
	return lo | (uint64_t)(mt_next(&r->m) >> (64 - k)) << 32;
}

/* Rejection on getrandbits(bit_length(n)), as _randbelow_with_getrandbits. */
uint64_t pyr_randbelow(struct pyrandom *r, uint64_t n)
{
	int k = 0;
	uint64_t v, t;

	if (n == 0)
		return 0;
	for (t = n; t != 0; t >>= 1)
		k++;
	do
		v = pyr_getrandbits(r, k);
	while (v >= n);
	return v;
}

/* randrange(start, stop) for start < stop (stop - start < 2^63). */
static int64_t pyr_randrange(struct pyrandom *r, int64_t start, int64_t stop)
{
	uint64_t width = (uint64_t)stop - (uint64_t)start;

	return (int64_t)((uint64_t)start + pyr_randbelow(r, width));
}

int64_t pyr_randint(struct pyrandom *r, int64_t a, int64_t b)
{
	return pyr_randrange(r, a, b + 1);
}

size_t pyr_choice(struct pyrandom *r, size_t n)
{
	return (size_t)pyr_randbelow(r, n);
}

/* sample() keeps a pool for small populations and a set of chosen indices
 * otherwise; which one depends on k as CPython computes it, in doubles
 * (setsize = 21, plus 4 ** ceil(log(3k, 4)) when k > 5). */
void pyr_sample(struct pyrandom *r, size_t n, size_t k, size_t *out)
{
	double setsize = 21;
	size_t i, j;

	if (k > 5)
		setsize += pow(4.0, ceil(log((double)k * 3) / log(4.0)));
	if ((double)n <= setsize) {
		size_t *pool = xmalloc((n ? n : 1) * sizeof(*pool));

		for (i = 0; i < n; i++)
			pool[i] = i;
		for (i = 0; i < k; i++) {
			j = (size_t)pyr_randbelow(r, n - i);
			out[i] = pool[j];
			pool[j] = pool[n - i - 1];
		}
		free(pool);
	} else {
		unsigned char *taken = xcalloc(n / 8 + 1, 1);

		for (i = 0; i < k; i++) {
			do
				j = (size_t)pyr_randbelow(r, n);
			while (taken[j / 8] & (1U << (j % 8)));
			taken[j / 8] |= (unsigned char)(1U << (j % 8));
			out[i] = j;
		}
		free(taken);
	}
}
