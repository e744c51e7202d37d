/* stats.h - sums, means and percentiles computed exactly as NumPy computes
 * them, so that every printed digit matches the Python reference.
 *
 * NumPy's np.add.reduce over a contiguous float64 array starts from 0.0 and
 * adds the array in chunks of 8192 elements (its ufunc buffer size); each
 * chunk is summed pairwise (8 running partial sums for up to 128 elements,
 * halving above).  np.mean divides that sum by the count.  np.percentile's
 * default method is linear interpolation at h = (n-1)q, with NumPy's _lerp
 * formula; np.median is the mean of the middle one or two order statistics.
 * None of these functions allocate.
 */
#ifndef PUMA_STATS_H
#define PUMA_STATS_H

#include <stddef.h>

/* NumPy's chunk length for reductions (numpy.getbufsize(), 8192). */
#define NP_BUFSIZE 8192

/* np.sum(a) for a float64 array of n elements. */
double np_sum(const double *a, size_t n);
/* np.mean(a); NaN when n == 0 (NumPy warns and returns nan). */
double np_mean(const double *a, size_t n);

/* Sort a ascending (finite values only), for the order statistics below. */
void np_sort(double *a, size_t n);
/* np.percentile(a, q) with method "linear", for q in percent (50, 95, 99);
 * a must be sorted and n > 0. */
double np_percentile_sorted(const double *a, size_t n, double q);
/* np.median(a); a sorted, n > 0. */
double np_median_sorted(const double *a, size_t n);

#endif
