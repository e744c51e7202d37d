/* score.h - the headline metrics from counts and errors, shared by
 * puma-metrics, puma-ece and puma-diff so all three compute every figure
 * the same way (NumPy's summation order, through stats.h). */
#ifndef PUMA_SCORE_H
#define PUMA_SCORE_H

#include <stddef.h>

#include "json.h"

/* Per-class precision, recall and F1 from true positives, gold counts and
 * predicted counts; F1 as 2tp/(gold+pred), each 0 when its denominator is.
 * prec and rec may be NULL. */
void score_classes(size_t L, const long *tp, const long *ng, const long *np,
		   double *prec, double *rec, double *f1);

/* h[0] f1_macro (np.mean of f1), h[1] f1_weighted (np.average with the gold
 * counts as weights), h[2] accuracy (correct / nparsed); NaN for all three
 * when nothing was parsed.  scratch holds 2L doubles. */
void score_class_headline(size_t L, const long *ng, const double *f1, long correct,
			  long nparsed, double *scratch, double h[3]);

/* h[0] mae (np.mean), h[1] mdae (np.median), h[2] rmse (sqrt of np.mean of
 * the squares) of the absolute errors in record order; NaN when n == 0.
 * scratch holds n doubles. */
void score_regression(const double *err, size_t n, double *scratch, double h[3]);

/* One bin of a reliability diagram. */
struct calib_bin {
	double lo, hi;		/* [lo, hi), the last bin [lo, 1.0] */
	size_t n;
	double acc, conf;	/* np.mean of hits and confidences in the bin */
};

/* PUMA's calibration: nb equal-width bins with edges as np.linspace(0, 1,
 * nb + 1) makes them; ECE = sum (n_b/N)|conf_b - acc_b|, MCE the largest
 * gap.  conf and hit (1.0 or 0.0) hold n values; bins gets nb entries;
 * scratch holds 2n doubles.  With n == 0 both are 0 and every bin empty. */
void score_calibrate(const double *conf, const double *hit, size_t n, size_t nb,
		     struct calib_bin *bins, double *scratch, double *ece, double *mce);

/* The one rule for a record's "confidence", shared by puma-ece and
 * puma-diff: absent, null, or a number in [0, 1].  0, or -1 with the
 * reason (to follow "FILE:LINE: ") in why. */
int score_confidence_check(const jv *conf, char *why, size_t n);

#endif
