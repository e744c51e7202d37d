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

#include <float.h>
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
