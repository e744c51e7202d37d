/* mt.c - MT19937 (Matsumoto and Nishimura, 1998), with the 2002 reference
 * seeding, and NumPy's legacy bounded draws on top of it. */
#include "mt.h"

#define N 624
#define M 397

void mt_seed(struct mt *m, uint32_t seed)
{
	int i;

	m->s[0] = seed;
	for (i = 1; i < N; i++)
		m->s[i] = 1812433253U * (m->s[i - 1] ^ (m->s[i - 1] >> 30)) + (uint32_t)i;
	m->i = N;
}

void mt_seed_array(struct mt *m, const uint32_t *key, size_t n)
{
	size_t i = 1, j = 0, k;

	mt_seed(m, 19650218U);
	for (k = N > n ? N : n; k > 0; k--) {
		m->s[i] = (m->s[i] ^ ((m->s[i - 1] ^ (m->s[i - 1] >> 30)) * 1664525U)) +
			  key[j] + (uint32_t)j;
		if (++i >= N) {
			m->s[0] = m->s[N - 1];
			i = 1;
		}
		if (++j >= n)
			j = 0;
	}
	for (k = N - 1; k > 0; k--) {
		m->s[i] = (m->s[i] ^ ((m->s[i - 1] ^ (m->s[i - 1] >> 30)) * 1566083941U)) - (uint32_t)i;
		if (++i >= N) {
			m->s[0] = m->s[N - 1];
			i = 1;
		}
	}
	m->s[0] = 0x80000000U;
	m->i = N;
}

/* Regenerate the 624 words of state (the reference algorithm's twist). */
static void twist(struct mt *m)
{
	int k;
	uint32_t y;

	for (k = 0; k < N; k++) {
		y = (m->s[k] & 0x80000000U) | (m->s[(k + 1) % N] & 0x7fffffffU);
		m->s[k] = m->s[(k + M) % N] ^ (y >> 1) ^ ((y & 1U) ? 0x9908b0dfU : 0U);
	}
	m->i = 0;
}

uint32_t mt_next(struct mt *m)
{
	uint32_t y;

	if (m->i >= N)
		twist(m);
	y = m->s[m->i++];
	y ^= y >> 11;
	y ^= (y << 7) & 0x9d2c5680U;
	y ^= (y << 15) & 0xefc60000U;
	y ^= y >> 18;
	return y;
}

uint32_t mt_interval(struct mt *m, uint32_t max)
{
	uint32_t mask = max, v;

	if (max == 0)
		return 0;
	/* Smallest 2^k - 1 that covers max. */
	mask |= mask >> 1;
	mask |= mask >> 2;
	mask |= mask >> 4;
	mask |= mask >> 8;
	mask |= mask >> 16;
	while ((v = mt_next(m) & mask) > max)
		;
	return v;
}

double mt_double(struct mt *m)
{
	uint32_t a = mt_next(m) >> 5, b = mt_next(m) >> 6;

	return (a * 67108864.0 + b) / 9007199254740992.0;
}

void mt_shuffle(struct mt *m, size_t *idx, size_t n)
{
	size_t i, j, t;

	for (i = n; i-- > 1;) {
		j = mt_interval(m, (uint32_t)i);
		t = idx[i];
		idx[i] = idx[j];
		idx[j] = t;
	}
}
