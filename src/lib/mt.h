/* mt.h - the 32-bit Mersenne Twister (MT19937), seeded as NumPy's legacy
 * RandomState(seed) seeds it for an integer seed (init_genrand), so that
 * draws, shuffles and samples match NumPy and pandas exactly. */
#ifndef PUMA_MT_H
#define PUMA_MT_H

#include <stddef.h>
#include <stdint.h>

/* The generator's state: plain data, no allocation. */
struct mt {
	uint32_t s[624];
	int i;
};

void mt_seed(struct mt *m, uint32_t seed);
/* Seed from an array of 32-bit words (the 2002 reference init_by_array),
 * as CPython's random.seed() seeds it. */
void mt_seed_array(struct mt *m, const uint32_t *key, size_t n);
uint32_t mt_next(struct mt *m);
/* Uniform integer in [0, max] by masked rejection, as NumPy's legacy
 * random_interval() draws it (32-bit outputs; max < 2^32). */
uint32_t mt_interval(struct mt *m, uint32_t max);
/* A double in [0, 1) from two outputs, as NumPy's random_sample(). */
double mt_double(struct mt *m);
/* Shuffle idx[0..n-1] as RandomState.shuffle() does: from the last
 * position down, swapping each with a draw from [0, i]. */
void mt_shuffle(struct mt *m, size_t *idx, size_t n);

#endif
