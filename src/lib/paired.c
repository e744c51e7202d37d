/* paired.c - McNemar and Wilcoxon as SciPy 1.10 computes them (paired.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "paired.h"
#include "stats.h"
#include "xalloc.h"

/* The exact binomial tail at p = 1/2, doubled, summed in log space so large
 * counts neither overflow nor lose the small terms. */
double mcnemar_exact(long b, long c)
{
	long n = b + c, k = b < c ? b : c, i;
	double s = 0.0;

	if (n == 0)
		return 1.0;
	for (i = 0; i <= k; i++)
		s += exp(lgamma((double)n + 1) - lgamma((double)i + 1) - lgamma((double)(n - i) + 1) -
			 (double)n * log(2.0));
	s *= 2.0;
	return s > 1.0 ? 1.0 : s;
}

/* The exact two-sided p-value of r_plus (truncated to a whole number, as
 * SciPy does) over n ranks: the null distribution built by adding one rank
 * at a time, each in or out with probability 1/2, summed as NumPy sums. */
static double exact_p(long n, double r_plus)
{
	long m, k, j, r, top = n * (n + 1) / 2;
	double *c = xcalloc((size_t)top + 1, sizeof(double)), *prev = xcalloc((size_t)top + 1, sizeof(double));
	double pl, pg, p;

	c[0] = 1.0;
	m = 1;
	for (k = 1; k <= n; k++) {
		long len_k = k * (k + 1) / 2 + 1;

		memcpy(prev, c, (size_t)m * sizeof(double));
		memset(c, 0, (size_t)len_k * sizeof(double));
		for (j = 0; j < m; j++)
			c[j] = prev[j] * 0.5;
		for (j = 0; j < m; j++)
			c[len_k - m + j] += prev[j] * 0.5;
		m = len_k;
	}
	r = (long)r_plus;
	if (r == (m - 1) / 2) {
		p = 1.0;
	} else {
		pl = np_sum(c, (size_t)r + 1);
		pg = np_sum(c + r, (size_t)(m - r));
		p = 2 * (pg < pl ? pg : pl);
		if (p > 1.0)
			p = 1.0;
		if (p < 0.0)
			p = 0.0;
	}
	free(c);
	free(prev);
	return p;
}

/* The normal approximation: z of T with the tie correction (sum of t^3 - t
 * over groups of tied ranks, given as ties), two-sided p. */
static void approx(double count, double T, double ties, double *z, double *p)
{
	double mn = count * (count + 1.) * 0.25;
	double se = count * (count + 1.) * (2. * count + 1.);

	se -= 0.5 * ties;
	se = sqrt(se / 24);
	*z = (T - mn) / se;
	*p = erfc(fabs(*z) / sqrt(2.0));
}

/* Differences of correctness tie at one rank, so the test needs only the
 * counts; SciPy's arithmetic is followed step for step. */
void wilcoxon_pm1(long npos, long nneg, long nzero, double *stat, double *z, double *p)
{
	long len = npos + nneg + nzero, count = npos + nneg;
	double rank, rplus, rminus, T, cnt = (double)count;

	*z = NAN;
	if (count == 0) {
		/* PUMA reports no information rather than calling scipy. */
		*stat = 0.0;
		*p = 1.0;
		return;
	}
	if (len <= 50 && nzero == 0) {
		rank = (double)(len + 1) / 2.0;
		rplus = (double)npos * rank;
		rminus = (double)nneg * rank;
		*stat = rplus < rminus ? rplus : rminus;
		*p = exact_p(len, rplus);
		return;
	}
	rank = (double)(count + 1) / 2.0;
	rplus = (double)npos * rank;
	rminus = (double)nneg * rank;
	T = rplus < rminus ? rplus : rminus;
	/* Every non-zero |d| is 1: one group of count tied ranks. */
	approx(cnt, T, count > 1 ? cnt * (cnt * cnt - 1) : 0.0, z, p);
	*stat = T;
}

/* qsort order of differences by magnitude, for the ranks. */
static int cmp_abs(const void *a, const void *b)
{
	double x = fabs(*(const double *)a), y = fabs(*(const double *)b);

	return x < y ? -1 : x > y;
}

/* Ranks with ties averaged as scipy.stats.rankdata gives them, then the
 * exact or approximate p-value as scipy.stats.wilcoxon picks it. */
void wilcoxon_signed_rank(const double *d, size_t n, struct wilcoxon *w)
{
	size_t i, j, m = 0, nzero = 0;
	double *v = xcalloc(n ? n : 1, sizeof(double)), ties = 0.0, T;

	memset(w, 0, sizeof(*w));
	w->z = NAN;
	w->effect = NAN;
	w->p = 1.0;
	for (i = 0; i < n; i++) {
		if (d[i] == 0)
			nzero++;
		else
			v[m++] = d[i];
	}
	w->n_nonzero = m;
	if (m == 0) {
		free(v);
		return;
	}
	/* Average ranks of |d| over the non-zero differences (with no zeros
	 * that is every difference, as the exact test needs). */
	qsort(v, m, sizeof(double), cmp_abs);
	for (i = 0; i < m; i = j) {
		double rank, t;

		for (j = i + 1; j < m && fabs(v[j]) == fabs(v[i]); j++)
			;
		rank = ((double)(i + 1) + (double)j) / 2.0;
		t = (double)(j - i);
		if (j - i > 1)
			ties += t * (t * t - 1);
		for (size_t k = i; k < j; k++) {
			if (v[k] > 0)
				w->r_plus += rank;
			else
				w->r_minus += rank;
		}
	}
	T = w->r_plus < w->r_minus ? w->r_plus : w->r_minus;
	w->statistic = T;
	w->effect = (w->r_plus - w->r_minus) / (w->r_plus + w->r_minus);
	if (n <= 50 && nzero == 0)
		w->p = exact_p((long)n, w->r_plus);
	else
		approx((double)m, T, ties, &w->z, &w->p);
	free(v);
}
