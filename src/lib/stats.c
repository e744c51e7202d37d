/* stats.c - NumPy's summation, mean, median and linear percentile, to the
 * last bit.  See stats.h for where each rule comes from. */
#include "stats.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

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

/* Sort a[lo, hi) by insertion, stably. */
static void insertion(double *a, size_t lo, size_t hi)
{
	size_t i, j;

	for (i = lo + 1; i < hi; i++) {
		double x = a[i];

		for (j = i; j > lo && a[j - 1] > x; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

/* Merge the sorted runs from[lo, mid) and from[mid, hi) into to[lo, hi),
 * the left one first among equals. */
static void merge(const double *from, double *to, size_t lo, size_t mid, size_t hi)
{
	size_t i = lo, j = mid, k = lo;

	while (i < mid && j < hi)
		to[k++] = from[j] < from[i] ? from[j++] : from[i++];
	while (i < mid)
		to[k++] = from[i++];
	while (j < hi)
		to[k++] = from[j++];
}

/* A double's bits as an unsigned key in the order of the values, -0.0 and
 * 0.0 one key (they compare equal). */
static uint64_t sort_key(double d)
{
	uint64_t u;

	if (d == 0)
		d = 0.0;
	memcpy(&u, &d, sizeof(u));
	return u >> 63 ? ~u : u | (uint64_t)1 << 63;
}

/* A stable least-significant-digit radix sort on those keys, a byte a
 * pass (passes where every key has the same byte are skipped). */
static void radix_sort(double *a, size_t n)
{
	size_t (*count)[256] = xcalloc(8, sizeof(*count));
	double *buf = xmalloc(n * sizeof(*a)), *from = a, *to = buf, *t;
	size_t i, sum;
	int pass, c;

	for (i = 0; i < n; i++) {
		uint64_t k = sort_key(a[i]);

		for (pass = 0; pass < 8; pass++)
			count[pass][k >> (8 * pass) & 0xFF]++;
	}
	for (pass = 0; pass < 8; pass++) {
		if (count[pass][sort_key(a[0]) >> (8 * pass) & 0xFF] == n)
			continue;
		for (c = 0, sum = 0; c < 256; c++) {
			size_t k = count[pass][c];

			count[pass][c] = sum;
			sum += k;
		}
		for (i = 0; i < n; i++)
			to[count[pass][sort_key(from[i]) >> (8 * pass) & 0xFF]++] = from[i];
		t = from;
		from = to;
		to = t;
	}
	if (from != a)
		memcpy(a, from, n * sizeof(*a));
	free(buf);
	free(count);
}

/* Sorted as glibc's qsort (a merge sort) sorts with cmp_double: a stable
 * sort, where -0.0 and 0.0 count as equal and keep their order; a radix
 * sort on long arrays, a merge sort on short ones.  With a NaN, which
 * compares with nothing, qsort itself sorts, so the order stays what it
 * was. */
void np_sort(double *a, size_t n)
{
	enum { RUN = 16 };
	double *buf, *from, *to, *t;
	size_t i, w;

	if (n < 2)
		return;
	for (i = 0; i < n; i++)
		if (isnan(a[i])) {
			qsort(a, n, sizeof(*a), cmp_double);
			return;
		}
	if (n >= 1024) {
		radix_sort(a, n);
		return;
	}
	for (i = 0; i < n; i += RUN)
		insertion(a, i, i + RUN < n ? i + RUN : n);
	if (n <= RUN)
		return;
	buf = xmalloc(n * sizeof(*a));
	from = a;
	to = buf;
	for (w = RUN; w < n; w *= 2) {
		for (i = 0; i < n; i += 2 * w) {
			size_t mid = i + w < n ? i + w : n, hi = i + 2 * w < n ? i + 2 * w : n;

			merge(from, to, i, mid, hi);
		}
		t = from;
		from = to;
		to = t;
	}
	if (from != a)
		memcpy(a, from, n * sizeof(*a));
	free(buf);
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
