/* dfmt.c - print a double as Python's repr() does: the fewest significant
 * digits that read back to the same double, fixed notation for decimal
 * exponents -4..15 and scientific notation outside it.
 *
 * If any decimal of at most 15 digits reads back to d, the nearest 15-digit
 * decimal does too (the spacing of 15-digit decimals is wider than a
 * double's), so it, with its trailing zeros dropped, is the shortest;
 * otherwise the 16-digit decimals around d are tried, then the nearest 17
 * digits, which always suffice.  Between 1e-5 and 2^53, where the scores
 * and times the tools print lie, the candidates and the read-back test
 * come from exact 128-bit integer arithmetic; elsewhere from printf's
 * correctly rounded %.*e and strtod().  Python's repr() is the reference:
 * the tests compare the two on random doubles of every kind. */
#include "json.h"
#include "jfast.h"

#include <float.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Split "d.ddde[+-]xx" into digits (no dot) and the decimal exponent. */
static int split(const char *s, char *dig, int *exp10)
{
	int n = 0;

	for (; *s && *s != 'e'; s++)
		if (*s >= '0' && *s <= '9')
			dig[n++] = *s;
	dig[n] = '\0';
	*exp10 = *s == 'e' ? (int)strtol(s + 1, NULL, 10) : 0;
	return n;
}

/* Add delta (+1 or -1) to the last digit of a digit string, with carry;
 * returns 0 if the result would change the number of digits. */
static int bump(char *dig, int n, int delta)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		int v = dig[i] - '0' + delta;

		if (v >= 0 && v <= 9) {
			dig[i] = (char)('0' + v);
			return !(i == 0 && dig[0] == '0');
		}
		dig[i] = delta > 0 ? '0' : '9';
	}
	return 0;
}

static int reads_back(const char *dig, int n, int exp10, int neg, double d)
{
	char tmp[48];

	snprintf(tmp, sizeof(tmp), "%s%c.%se%d", neg ? "-" : "", dig[0], n > 1 ? dig + 1 : "", exp10);
	return strtod(tmp, NULL) == d;
}

/* Does the decimal dig (n digits) times 10^exp10 read back as d?  The text
 * is built by hand: this runs for every number a tool computes. */
static int reads_back_fast(const char *dig, int n, int exp10, int neg, double d)
{
	char tmp[48];
	int k = 0, i;

	if (neg)
		tmp[k++] = '-';
	tmp[k++] = dig[0];
	tmp[k++] = '.';
	for (i = 1; i < n; i++)
		tmp[k++] = dig[i];
	tmp[k++] = 'e';
	if (exp10 < 0) {
		tmp[k++] = '-';
		exp10 = -exp10;
	}
	if (exp10 >= 100)
		tmp[k++] = (char)('0' + exp10 / 100);
	if (exp10 >= 10)
		tmp[k++] = (char)('0' + exp10 / 10 % 10);
	tmp[k++] = (char)('0' + exp10 % 10);
	tmp[k] = '\0';
	/* As strtod() reads it, without its cost for the short decimals. */
	return json_number_value(tmp, (size_t)k) == d;
}

#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 u128;

/* A double of the common range (1e-5 <= d < 2^53) as exact integers: d is
 * m 2^-s, and its 17 leading decimal digits are whole = floor(D) with
 * D = m 10^k 2^-s = d 10^(16-exp10).  A decimal of 17 digits c (so c
 * 10^(exp10-16)) reads back as d iff 4 2^s c lies inside (lo, hi), the
 * rounding interval of d scaled the same way; on an end only when m is
 * even (ties go to even).  Everything fits 128 bits: m < 2^53, 10^k <=
 * 10^21 < 2^70, c < 10^17 < 2^57 and s <= 69. */
struct exact {
	uint64_t m;
	int s, exp10;
	uint64_t whole;	/* floor(D), 17 digits */
	int tail;	/* D - whole against 1/2: -1 below, 0 equal, 1 above */
	int frac;	/* D is not whole */
	u128 lo, hi;	/* (4m - 2) 10^k and (4m + 2) 10^k; 4m - 1 when m = 2^52 */
};

static const uint64_t pow10_64[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
	100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
	10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL,
};

/* 10^-5 .. 10^16 as the nearest doubles: only a first guess of the decimal
 * exponent, which the exact arithmetic then checks. */
static const double pow10_dbl[22] = {
	1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3, 1e4, 1e5,
	1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
};

static u128 pow10_128(int k)
{
	return k < 20 ? (u128)pow10_64[k] : (u128)pow10_64[19] * pow10_64[k - 19];
}

/* Fill x for d; returns 0 outside the range. */
static int exact_of(double d, struct exact *x)
{
	uint64_t bits;
	int be, E, k, tries;
	u128 p, prod, rem, half;

	if (!(d >= 1e-5 && d < 9007199254740992.0))
		return 0;
	memcpy(&bits, &d, sizeof(bits));
	x->m = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
	be = (int)((bits >> 52) & 0x7FF) - 1023;
	x->s = 52 - be;
	if (x->s < 0 || x->s > 69)
		return 0;
	/* 2^be <= d < 2^(be+1), so the decimal exponent is floor(be log10 2)
	 * (be 1233/4096 floors to it for |be| < 680) or one more.  The floor
	 * division is written for a nonnegative dividend (be >= -17 here). */
	E = (be * 1233 + 4096 * 8) / 4096 - 8;
	if (d >= pow10_dbl[E + 6])
		E++;
	for (tries = 0; tries < 3; tries++) {
		k = 16 - E;
		if (k < 0 || k > 21)
			return 0;
		p = pow10_128(k);
		prod = (u128)x->m * p;
		x->whole = (uint64_t)(prod >> x->s);
		if (x->whole < 10000000000000000ULL) {
			E--;
			continue;
		}
		if (x->whole >= 100000000000000000ULL) {
			E++;
			continue;
		}
		rem = prod & (((u128)1 << x->s) - 1);
		half = x->s > 0 ? (u128)1 << (x->s - 1) : 0;
		x->frac = rem != 0;
		x->tail = x->s == 0 ? -1 : rem < half ? -1 : rem > half;
		x->exp10 = E;
		x->hi = (u128)(4 * x->m + 2) * p;
		x->lo = (u128)(4 * x->m - (x->m == 1ULL << 52 ? 1 : 2)) * p;
		return 1;
	}
	return 0;
}

/* Does c 10^(exp10-16) read back as d? */
static int inside(const struct exact *x, uint64_t c)
{
	u128 y = (u128)c << (x->s + 2);

	if (y > x->lo && y < x->hi)
		return 1;
	return (y == x->lo || y == x->hi) && !(x->m & 1);
}

/* "00" to "99": two digits per division. */
static const char digit_pairs[201] =
	"0001020304050607080910111213141516171819"
	"2021222324252627282930313233343536373839"
	"4041424344454647484950515253545556575859"
	"6061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* The eight digits of v < 10^8 into p, leading zeros included. */
static void put8(uint32_t v, char *p)
{
	uint32_t a = v / 10000, b = v % 10000;

	memcpy(p, digit_pairs + 2 * (a / 100), 2);
	memcpy(p + 2, digit_pairs + 2 * (a % 100), 2);
	memcpy(p + 4, digit_pairs + 2 * (b / 100), 2);
	memcpy(p + 6, digit_pairs + 2 * (b % 100), 2);
}

/* The n decimal digits (9 <= n <= 17) of c < 10^n into dig. */
static void put_digits(uint64_t c, int n, char *dig)
{
	uint32_t hi = (uint32_t)(c / 100000000);
	int i = n - 8;

	put8((uint32_t)(c % 100000000), dig + i);
	while (i >= 2) {
		i -= 2;
		memcpy(dig + i, digit_pairs + 2 * (hi % 100), 2);
		hi /= 100;
	}
	if (i == 1)
		dig[0] = (char)('0' + hi);
	dig[n] = '\0';
}

/* The shortest digits of d in the common range, without text.  At most
 * one 15-digit decimal lies in the rounding interval (it is narrower than
 * a quarter of their spacing), so the nearest one is the only candidate; at
 * an exact tie between two neither reads back.  Of the 16-digit ones the
 * two around d are, nearer first, on a tie the even one first as Python's
 * digit loop rounds (near a power of two the interval is lopsided).  Else
 * the nearest 17 digits, which always read back.  A candidate that would
 * carry into an 18th digit (d just below a power of ten) is left to the
 * caller.  Returns the digit count, or 0. */
static int shortest_exact(double d, char *dig, int *exp10)
{
	struct exact x;
	uint64_t c;
	int r, up;

	if (!exact_of(d, &x) || x.whole >= 99999999999999900ULL)
		return 0;
	*exp10 = x.exp10;
	r = (int)(x.whole % 100);
	c = x.whole / 100 + (r >= 50);
	if (inside(&x, c * 100)) {
		put_digits(c, 15, dig);
		return 15;
	}
	r = (int)(x.whole % 10);
	c = x.whole / 10;
	up = r > 5 || (r == 5 && (x.frac || (c & 1)));
	if (inside(&x, (c + up) * 10)) {
		put_digits(c + up, 16, dig);
		return 16;
	}
	if (inside(&x, (c + !up) * 10)) {
		put_digits(c + !up, 16, dig);
		return 16;
	}
	/* As printf's %.16e rounds: ties to even. */
	c = x.whole + (x.tail > 0 || (x.tail == 0 && (x.whole & 1)));
	put_digits(c, 17, dig);
	return 17;
}
#else
static int shortest_exact(double d, char *dig, int *exp10)
{
	(void)d, (void)dig, (void)exp10;
	return 0;
}
#endif

/* Outside the common range: the shortest digits from one correctly
 * rounded 17-digit conversion by printf: the nearest 15- and 16-digit
 * decimals follow from its last digits, except when those sit exactly on
 * a midpoint (then the exact value decides and the caller takes the slow
 * path).  Returns the digit count, or 0. */
static int shortest_text(double d, int neg, char *dig, int *exp10)
{
	char tmp[48], c[24];
	int n, t, i;

	snprintf(tmp, sizeof(tmp), "%.16e", fabs(d));
	n = split(tmp, dig, exp10);
	if (n != 17)
		return 0;
	/* 15 digits: the nearest is D[0..15) rounded by the last two. */
	t = (dig[15] - '0') * 10 + (dig[16] - '0');
	if (t == 50)
		return 0;
	memcpy(c, dig, 15);
	c[15] = '\0';
	if (t > 50 && !bump(c, 15, +1))
		return 0;
	if (reads_back_fast(c, 15, *exp10, neg, d)) {
		memcpy(dig, c, 16);
		return 15;
	}
	/* 16 digits: the nearer neighbour first, then the other one (near a
	 * power of two the interval is lopsided). */
	t = dig[16] - '0';
	if (t == 5)
		return 0;
	memcpy(c, dig, 16);
	c[16] = '\0';
	if (t == 0)
		return reads_back_fast(c, 16, *exp10, neg, d) ? (memcpy(dig, c, 17), 16) : 17;
	for (i = 0; i < 2; i++) {
		int up = (t > 5) == (i == 0);

		memcpy(c, dig, 16);
		c[16] = '\0';
		if (up && !bump(c, 16, +1))
			return 0;
		if (reads_back_fast(c, 16, *exp10, neg, d)) {
			memcpy(dig, c, 17);
			return 16;
		}
	}
	return 17;
}

size_t fmt_double(double d, char out[32])
{
	char tmp[48], dig[24];
	int n, exp10, neg, p, i;
	size_t o = 0;

	if (isnan(d))
		return (size_t)snprintf(out, 32, "NaN");
	if (isinf(d))
		return (size_t)snprintf(out, 32, d < 0 ? "-Infinity" : "Infinity");
	if (d == 0) {
		/* Common enough among scores to skip printf. */
		if (signbit(d)) {
			memcpy(out, "-0.0", 5);
			return 4;
		}
		memcpy(out, "0.0", 4);
		return 3;
	}
	neg = d < 0;

	if (fabs(d) < DBL_MIN) {
		/* Subnormals have fewer bits, so the argument above fails:
		 * their spacing is even, and the first precision that reads
		 * back is the shortest. */
		for (p = 1; p <= 17; p++) {
			snprintf(tmp, sizeof(tmp), "%.*e", p - 1, fabs(d));
			n = split(tmp, dig, &exp10);
			if (reads_back(dig, n, exp10, neg, d))
				break;
		}
		goto format;
	}
	if ((n = shortest_exact(fabs(d), dig, &exp10)) > 0 ||
	    (n = shortest_text(d, neg, dig, &exp10)) > 0)
		goto format;
	snprintf(tmp, sizeof(tmp), "%.14e", fabs(d));
	n = split(tmp, dig, &exp10);
	if (!reads_back(dig, n, exp10, neg, d)) {
		snprintf(tmp, sizeof(tmp), "%.15e", fabs(d));
		n = split(tmp, dig, &exp10);
		if (!reads_back(dig, n, exp10, neg, d)) {
			/* Near a power of two the rounding interval is lopsided:
			 * a neighbour of the nearest 16-digit decimal may fit. */
			char up[24], down[24];

			memcpy(up, dig, (size_t)n + 1);
			memcpy(down, dig, (size_t)n + 1);
			if (bump(down, n, -1) && reads_back(down, n, exp10, neg, d)) {
				memcpy(dig, down, (size_t)n + 1);
			} else if (bump(up, n, +1) && reads_back(up, n, exp10, neg, d)) {
				memcpy(dig, up, (size_t)n + 1);
			} else {
				snprintf(tmp, sizeof(tmp), "%.16e", fabs(d));
				n = split(tmp, dig, &exp10);
			}
		}
	}
format:
	while (n > 1 && dig[n - 1] == '0')
		n--;
	dig[n] = '\0';

	if (neg)
		out[o++] = '-';
	if (exp10 >= -4 && exp10 < 16) {
		if (exp10 >= 0) {
			for (i = 0; i <= exp10; i++)
				out[o++] = i < n ? dig[i] : '0';
			out[o++] = '.';
			if (n > exp10 + 1)
				for (i = exp10 + 1; i < n; i++)
					out[o++] = dig[i];
			else
				out[o++] = '0';
		} else {
			out[o++] = '0';
			out[o++] = '.';
			for (p = -1; p > exp10; p--)
				out[o++] = '0';
			for (i = 0; i < n; i++)
				out[o++] = dig[i];
		}
	} else {
		out[o++] = dig[0];
		if (n > 1) {
			out[o++] = '.';
			for (i = 1; i < n; i++)
				out[o++] = dig[i];
		}
		out[o++] = 'e';
		out[o++] = exp10 < 0 ? '-' : '+';
		if (exp10 < 0)
			exp10 = -exp10;
		if (exp10 >= 100)
			out[o++] = (char)('0' + exp10 / 100);
		out[o++] = (char)('0' + exp10 / 10 % 10);
		out[o++] = (char)('0' + exp10 % 10);
	}
	out[o] = '\0';
	return o;
}
