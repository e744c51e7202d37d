/* paired.h - paired significance tests on two runs' records, computed as
 * SciPy 1.10 computes them: the exact McNemar test (binomtest at p = 1/2 on
 * the discordant pairs) and the Wilcoxon signed-rank test
 * (scipy.stats.wilcoxon with zero_method "wilcox", no continuity
 * correction, method "auto"), with the matched-pairs rank-biserial
 * correlation as its effect size. */
#ifndef PUMA_PAIRED_H
#define PUMA_PAIRED_H

#include <stddef.h>

/* Two-sided exact McNemar p-value for b and c discordant pairs (1 when
 * there are none). */
double mcnemar_exact(long b, long c);

/* A Wilcoxon signed-rank test's figures.  z is NaN for the exact test;
 * effect is (R+ - R-) / (R+ + R-) over the non-zero differences, NaN when
 * there are none (then statistic is 0 and p 1, where SciPy raises). */
struct wilcoxon {
	double statistic, z, p, r_plus, r_minus, effect;
	size_t n_nonzero;
};

/* The test on the n differences d (x - y): exact when n <= 50 and none is
 * zero, else the normal approximation over the non-zero differences with
 * the tie correction.  Allocates its own scratch. */
void wilcoxon_signed_rank(const double *d, size_t n, struct wilcoxon *w);

/* The same for differences that are all +1, -1 or 0 (correctness of two
 * runs): npos, nneg and nzero of each. */
void wilcoxon_pm1(long npos, long nneg, long nzero, double *stat, double *z, double *p);

#endif
