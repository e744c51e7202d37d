/* score.c - headline metrics (see score.h). */
#include "score.h"
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void score_classes(size_t L, const long *tp, const long *ng, const long *np,
		   double *prec, double *rec, double *f1)
{
	size_t i;

	for (i = 0; i < L; i++) {
		if (prec)
			prec[i] = np[i] ? (double)tp[i] / (double)np[i] : 0.0;
		if (rec)
			rec[i] = ng[i] ? (double)tp[i] / (double)ng[i] : 0.0;
		f1[i] = ng[i] + np[i] ? (double)(2 * tp[i]) / (double)(ng[i] + np[i]) : 0.0;
	}
}

void score_class_headline(size_t L, const long *ng, const double *f1, long correct,
			  long nparsed, double *scratch, double h[3])
{
	double *prod = scratch, *w = scratch + L, wsum;
	size_t i;

	if (nparsed == 0) {
		h[0] = h[1] = h[2] = NAN;
		return;
	}
	for (i = 0; i < L; i++) {
		w[i] = (double)ng[i];
		prod[i] = f1[i] * w[i];
	}
	h[0] = np_mean(f1, L);
	wsum = np_sum(w, L);
	h[1] = wsum != 0 ? np_sum(prod, L) / wsum : 0.0;
	h[2] = (double)correct / (double)nparsed;
}

void score_regression(const double *err, size_t n, double *scratch, double h[3])
{
	size_t i;

	if (n == 0) {
		h[0] = h[1] = h[2] = NAN;
		return;
	}
	h[0] = np_mean(err, n);
	for (i = 0; i < n; i++)
		scratch[i] = err[i] * err[i];
	h[2] = sqrt(np_mean(scratch, n));
	memcpy(scratch, err, n * sizeof(double));
	np_sort(scratch, n);
	h[1] = np_median_sorted(scratch, n);
}

void score_calibrate(const double *conf, const double *hit, size_t n, size_t nb,
		     struct calib_bin *bins, double *scratch, double *ece, double *mce)
{
	double step = 1.0 / (double)nb, gap;
	double *c = scratch, *h = scratch + n;
	size_t b, i, k;

	*ece = *mce = 0.0;
	for (b = 0; b < nb; b++) {
		struct calib_bin *x = &bins[b];

		x->lo = (double)b * step + 0.0;
		x->hi = b + 1 == nb ? 1.0 : (double)(b + 1) * step + 0.0;
		x->acc = x->conf = 0.0;
		for (i = k = 0; i < n; i++) {
			double v = conf[i];

			if (v >= x->lo && (x->hi < 1.0 ? v < x->hi : v <= x->hi)) {
				c[k] = v;
				h[k++] = hit[i];
			}
		}
		x->n = k;
		if (k == 0)
			continue;
		x->conf = np_mean(c, k);
		x->acc = np_mean(h, k);
		gap = fabs(x->conf - x->acc);
		*ece += ((double)k / (double)n) * gap;
		if (gap > *mce)
			*mce = gap;
	}
}

int score_confidence_check(const jv *conf, char *why, size_t n)
{
	if (conf == NULL || conf->t == JNULL)
		return 0;
	if (conf->t != JNUM) {
		snprintf(why, n, "\"confidence\" is %s, not a number or null", jv_typename(conf));
		return -1;
	}
	if (!(conf->d >= 0 && conf->d <= 1)) {
		snprintf(why, n, "\"confidence\" %s is outside [0, 1]", conf->raw ? conf->raw : "");
		return -1;
	}
	return 0;
}
