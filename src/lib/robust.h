/* robust.h - PUMA's robustness, consistency, fairness and stability figures
 * (metrics/robustness.py, fairness.py and stability.py at 9151602/2dc38f8),
 * computed from counts and NumPy-exact sums so that every digit matches a
 * NumPy transcription.  docs/metrics.md gives the formulas. */
#ifndef PUMA_ROBUST_H
#define PUMA_ROBUST_H

#include <stddef.h>

/* A prediction or gold value as pairing compares them: null, a string
 * (bytes, not owned) or a number. */
struct rval {
	int t;			/* 0 null, 1 string, 2 number */
	const char *s;
	size_t len;
	double d;
};

/* Whether two values are the same prediction (null equals null, as
 * Python's None == None; numbers by value). */
int rval_same(const struct rval *a, const struct rval *b);

/* The counts of one paired comparison, as perturbation_disparity() reads
 * them: pairs, equal predictions, each side's hits, and of the flips
 * those that went wrong-to-right and right-to-wrong. */
struct pair_counts {
	long n, same, base_correct, pert_correct, to_correct, to_incorrect;
};

/* Count one pair: the baseline's prediction and hit, the other side's. */
void pair_add(struct pair_counts *c, const struct rval *pb, int cb, const struct rval *pp, int cp);

/* Ratios of those counts: consistency and flip rate (n > 0, else NaN);
 * flip_to_correct and flip_to_incorrect as fractions of the flips, 0 when
 * there is none; the two accuracies over the pairs. */
struct pair_rates {
	double consistency, flip_rate, to_correct, to_incorrect, acc_base, acc_pert;
};
void pair_rates(const struct pair_counts *c, struct pair_rates *r);

/* robustness_score: clamp01(1 - |m_orig - m_pert|); NaN when either
 * metric is missing (PUMA would clamp NaN to 1). */
double robustness_score(double m_orig, double m_pert);

/* stability_report over v[0..n-1] (n > 0): np.mean, np.std (population),
 * cv = std/|mean| (infinity when mean is 0), min, max and the score: 1 for
 * one value; mean 0: 1 if std is 0, else 0; otherwise clamp01(1 - cv). */
struct stability {
	double mean, std, cv, min, max, score;
};
void stability_of(const double *v, size_t n, double *scratch, struct stability *s);

/* sklearn's f1_score(average="macro", zero_division=0) over labels = the
 * sorted union of the gold values and the parsed predictions (strings,
 * sorted by bytes); an unparsed prediction (t 0) belongs to no label and
 * counts as a miss of its gold label.  n > 0; every gold is a string. */
double macro_f1(const struct rval *gold, const struct rval *pred, size_t n);

#endif
