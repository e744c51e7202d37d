/* rnd.h - the unit programs' pseudo-random numbers: Marsaglia's xorshift64
 * (13, 7, 17), so that a program's random cases are the same on every run
 * and machine.  A program defines RND_SEED before including it. */
#ifndef PUMA_UNIT_RND_H
#define PUMA_UNIT_RND_H

#include <stdint.h>

static uint64_t rs = RND_SEED;

/* A number below n (n > 0). */
static unsigned rnd(unsigned n)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (unsigned)(rs % n);
}

#endif
