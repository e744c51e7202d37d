/* stats.c - NumPy's summation, mean, median and linear percentile, to the
 * last bit.  See stats.h for where each rule comes from. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>

/* NumPy's pairwise_sum for doubles (numpy/core/src/umath/loops_utils.h.src):
 * below 8 elements a plain loop from 0.0; up to 128 elements eight running
 * sums combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)) and a tail added one
 * by one; above that, split at half rounded down to a multiple of 8. */
static double pairwise(const double *a, size_t n)
{
	if (n < 8) {
		double res = 0.;
		size_t i;

		for (i = 0; i < n; i++)
			res += a[i];
		return res;
	}
	if (n <= 128) {
		double r[8], res;
		size_t i;
		int j;

		for (j = 0; j < 8; j++)
			r[j] = a[j];
		for (i = 8; i < n - (n % 8); i += 8)
			for (j = 0; j < 8; j++)
				r[j] += a[i + (size_t)j];
		res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
		for (; i < n; i++)
			res += a[i];
		return res;
	} else {
		size_t n2 = n / 2;

		n2 -= n2 % 8;
		return pairwise(a, n2) + pairwise(a + n2, n - n2);
	}
}

/* The reduction starts from the identity 0.0 and hands the inner loop one
 * buffer of at most NP_BUFSIZE elements at a time. */
double np_sum(const double *a, size_t n)
{
	double s = 0.0;
	size_t i, m;

	for (i = 0; i < n; i += m) {
		m = n - i < NP_BUFSIZE ? n - i : NP_BUFSIZE;
		s += pairwise(a + i, m);
	}
	return s;
}

double np_mean(const double *a, size_t n)
{
	if (n == 0)
		return NAN;
	return np_sum(a, n) / (double)n;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

void np_sort(double *a, size_t n)
{
	if (n > 1)
		qsort(a, n, sizeof(*a), cmp_double);
}

/* NumPy's _lerp(a, b, t): a + (b-a)t, or b - (b-a)(1-t) when t >= 0.5. */
static double np_lerp(double a, double b, double t)
{
	double diff = b - a;

	if (t >= 0.5)
		return b - diff * (1 - t);
	return a + diff * t;
}

/* numpy.lib.function_base._quantile: q/100 as true division, the virtual
 * index (n-1)*q, floor and floor+1 as neighbours, both clamped to the last
 * element at or beyond n-1 (gamma then multiplies a zero difference). */
double np_percentile_sorted(const double *a, size_t n, double q)
{
	double quant = q / 100.0;
	double v = (double)(n - 1) * quant;
	double prev, gamma;
	size_t lo, hi;

	if (v >= (double)(n - 1)) {
		lo = hi = n - 1;
		prev = -1.0;	/* NumPy's index -1, used in gamma as is */
	} else if (v < 0) {
		lo = hi = 0;
		prev = 0.0;
	} else {
		prev = floor(v);
		lo = (size_t)prev;
		hi = lo + 1;
	}
	gamma = v - prev;
	return np_lerp(a[lo], a[hi], gamma);
}

/* numpy.lib.function_base._median: np.mean of the one or two middle values. */
double np_median_sorted(const double *a, size_t n)
{
	size_t h = n / 2;

	if (n % 2 == 1)
		return np_mean(a + h, 1);
	return np_mean(a + h - 1, 2);
}
