/* dfmt.c - print a double as Python's repr() does: the fewest significant
 * digits that read back to the same double, fixed notation for decimal
 * exponents -4..15 and scientific notation outside it.
 *
 * The digits come from printf's correctly rounded %.*e.  If any decimal of
 * at most 15 digits reads back to d, the nearest 15-digit decimal does too
 * (the spacing of 15-digit decimals is wider than a double's), so %.14e with
 * its trailing zeros dropped is the shortest; otherwise 16 digits are tried,
 * then 17, which always suffice.  Python's repr() is the reference: the
 * tests compare the two on random doubles of every kind. */
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

/* 17 significant digits of d (1e-5 <= d < 2^53), correctly rounded with
 * ties to even as printf's "%.16e" rounds them, from exact integer
 * arithmetic: d = m 2^e2 and D = m 10^k / 2^-e2, which fits 128 bits in
 * this range.  Returns 0 outside it. */
static int digits17(double d, char *dig, int *exp10)
{
	static const uint64_t p17 = 100000000000000000ULL, p16 = 10000000000000000ULL;
	uint64_t bits, m, pow10k, dd;
	int e2, s, E, k, i, tries;
	u128 prod, rem, half;

	if (!(d >= 1e-5 && d < 9007199254740992.0))
		return 0;
	memcpy(&bits, &d, sizeof(bits));
	m = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
	e2 = (int)((bits >> 52) & 0x7FF) - 1075;
	s = -e2;
	E = (int)floor(log10(d));
	for (tries = 0; tries < 3; tries++) {
		k = 16 - E;
		if (k < 0 || k > 21 || s < 0 || s > 120)
			return 0;
		for (pow10k = 1, i = 0; i < k; i++)
			pow10k *= 10;
		prod = (u128)m * pow10k;
		if (s == 0) {
			dd = (uint64_t)prod;
		} else {
			dd = (uint64_t)(prod >> s);
			rem = prod & (((u128)1 << s) - 1);
			half = (u128)1 << (s - 1);
			if (rem > half || (rem == half && (dd & 1)))
				dd++;
		}
		if (dd < p16) {
			E--;
			continue;
		}
		if (dd >= p17) {
			E++;
			continue;
		}
		for (i = 16; i >= 0; i--) {
			dig[i] = (char)('0' + dd % 10);
			dd /= 10;
		}
		dig[17] = '\0';
		*exp10 = E;
		return 17;
	}
	return 0;
}
#else
static int digits17(double d, char *dig, int *exp10)
{
	(void)d, (void)dig, (void)exp10;
	return 0;
}
#endif

/* The shortest digits from one correctly rounded 17-digit conversion: the
 * nearest 15- and 16-digit decimals follow from its last digits, except
 * when those sit exactly on a midpoint (then the exact value decides and
 * the caller takes the slow path).  Returns the digit count, or 0. */
static int shortest_fast(double d, int neg, char *dig, int *exp10)
{
	char tmp[48], c[24];
	int n, t, i;

	if ((n = digits17(fabs(d), dig, exp10)) == 0) {
		snprintf(tmp, sizeof(tmp), "%.16e", fabs(d));
		n = split(tmp, dig, exp10);
	}
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
	if (d == 0)
		return (size_t)snprintf(out, 32, signbit(d) ? "-0.0" : "0.0");
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
	if ((n = shortest_fast(d, neg, dig, &exp10)) > 0)
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
		o += (size_t)snprintf(out + o, 32 - o, "e%c%02d", exp10 < 0 ? '-' : '+',
				      exp10 < 0 ? -exp10 : exp10);
	}
	out[o] = '\0';
	return o;
}
