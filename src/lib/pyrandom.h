/* pyrandom.h - CPython's random.Random, bit for bit, for an integer seed:
 * the draws PUMA's perturbations make (random(), getrandbits(), randrange(),
 * randint(), choice() and sample()), so that a perturbed text here equals
 * the one PUMA's Python makes.  The algorithms are those of CPython 3.11's
 * Lib/random.py and Modules/_randommodule.c. */
#ifndef PUMA_PYRANDOM_H
#define PUMA_PYRANDOM_H

#include <stddef.h>
#include <stdint.h>

#include "mt.h"

/* random.Random's state: plain data, no allocation. */
struct pyrandom {
	struct mt m;
};

/* random.Random(seed): init_by_array over |seed| cut into 32-bit words,
 * least significant first ([0] for 0). */
void pyr_seed(struct pyrandom *r, int64_t seed);
/* random(): a double in [0, 1) from 53 bits of two outputs. */
double pyr_random(struct pyrandom *r);
/* getrandbits(k) for 0 <= k <= 64. */
uint64_t pyr_getrandbits(struct pyrandom *r, int k);
/* _randbelow(n) for n >= 1: getrandbits(n.bit_length()) until below n
 * (0 for n == 0, drawing nothing). */
uint64_t pyr_randbelow(struct pyrandom *r, uint64_t n);
/* randint(a, b) for a <= b: randrange(a, b + 1). */
int64_t pyr_randint(struct pyrandom *r, int64_t a, int64_t b);
/* choice(seq) for a sequence of n >= 1 items: the index chosen. */
size_t pyr_choice(struct pyrandom *r, size_t n);
/* sample(range(n), k) for k <= n: out[0..k-1] receives the indices chosen,
 * in the order sample() returns them. */
void pyr_sample(struct pyrandom *r, size_t n, size_t k, size_t *out);

#endif
