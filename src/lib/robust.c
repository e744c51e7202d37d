/* robust.c - robustness, consistency, fairness and stability as PUMA
 * computes them; see robust.h. */
#include "robust.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "xalloc.h"

int rval_same(const struct rval *a, const struct rval *b)
{
	if (a->t != b->t)
		return 0;
	if (a->t == 1)
		return a->len == b->len && (a->len == 0 || memcmp(a->s, b->s, a->len) == 0);
	if (a->t == 2)
		return a->d == b->d;
	return 1;
}

void pair_add(struct pair_counts *c, const struct rval *pb, int cb, const struct rval *pp, int cp)
{
	c->n++;
	c->base_correct += cb != 0;
	c->pert_correct += cp != 0;
	if (rval_same(pb, pp)) {
		c->same++;
		return;
	}
	c->to_correct += !cb && cp;
	c->to_incorrect += cb && !cp;
}

/* Every ratio is a count over a count: NumPy's mean of a boolean array is
 * its float sum (exact below 2^53) over n, the same double. */
void pair_rates(const struct pair_counts *c, struct pair_rates *r)
{
	long flips = c->n - c->same;
	double n = (double)c->n;

	if (c->n == 0) {
		r->consistency = r->flip_rate = r->acc_base = r->acc_pert = NAN;
		r->to_correct = r->to_incorrect = 0.0;
		return;
	}
	r->consistency = (double)c->same / n;
	r->flip_rate = (double)flips / n;
	r->acc_base = (double)c->base_correct / n;
	r->acc_pert = (double)c->pert_correct / n;
	r->to_correct = flips > 0 ? (double)c->to_correct / (double)flips : 0.0;
	r->to_incorrect = flips > 0 ? (double)c->to_incorrect / (double)flips : 0.0;
}

double robustness_score(double m_orig, double m_pert)
{
	double s;

	if (isnan(m_orig) || isnan(m_pert))
		return NAN;
	s = 1.0 - fabs(m_orig - m_pert);
	return s < 0.0 ? 0.0 : s > 1.0 ? 1.0 : s;
}

/* np.std is sqrt(np.sum((a - a.mean())**2) / n), the sum pairwise like
 * np.sum's; scratch holds n doubles. */
void stability_of(const double *v, size_t n, double *scratch, struct stability *s)
{
	size_t i;

	s->mean = np_mean(v, n);
	for (i = 0; i < n; i++) {
		double x = v[i] - s->mean;

		scratch[i] = x * x;
	}
	s->std = sqrt(np_sum(scratch, n) / (double)n);
	s->min = s->max = v[0];
	for (i = 1; i < n; i++) {
		if (v[i] < s->min)
			s->min = v[i];
		if (v[i] > s->max)
			s->max = v[i];
	}
	s->cv = s->mean != 0.0 ? s->std / fabs(s->mean) : INFINITY;
	if (n == 1)
		s->score = 1.0;
	else if (s->mean == 0.0)
		s->score = s->std > 0 ? 0.0 : 1.0;
	else
		s->score = 1.0 - s->cv < 0.0 ? 0.0 : 1.0 - s->cv > 1.0 ? 1.0 : 1.0 - s->cv;
}

/* Byte order of two strings, as Python sorts str (code points, which UTF-8
 * bytes keep in order). */
static int cmp_label(const void *x, const void *y)
{
	const struct rval *a = *(const struct rval *const *)x, *b = *(const struct rval *const *)y;
	size_t m = a->len < b->len ? a->len : b->len;
	int c = m ? memcmp(a->s, b->s, m) : 0;

	return c != 0 ? c : (a->len > b->len) - (a->len < b->len);
}

/* Index of v among the L labels, or -1. */
static long find_label(const struct rval *const *lab, size_t L, const struct rval *v)
{
	size_t i;

	for (i = 0; i < L; i++)
		if (rval_same(lab[i], v))
			return (long)i;
	return -1;
}

/* Per label F1 = 2tp/(gold+pred), as sklearn >= 1.3 computes it, averaged
 * with np.mean in sorted label order. */
double macro_f1(const struct rval *gold, const struct rval *pred, size_t n)
{
	const struct rval **lab = xcalloc(2 * n, sizeof(*lab));
	size_t L = 0, i;
	long *tp, *ng, *npd, gi, pi;
	double *f1, m;

	for (i = 0; i < n; i++) {
		if (find_label(lab, L, &gold[i]) < 0)
			lab[L++] = &gold[i];
		if (pred[i].t != 0 && find_label(lab, L, &pred[i]) < 0)
			lab[L++] = &pred[i];
	}
	qsort(lab, L, sizeof(*lab), cmp_label);
	tp = xcalloc(3 * L, sizeof(long));
	ng = tp + L;
	npd = ng + L;
	f1 = xcalloc(L, sizeof(double));
	for (i = 0; i < n; i++) {
		gi = find_label(lab, L, &gold[i]);
		ng[gi]++;
		if (pred[i].t == 0)
			continue;
		pi = find_label(lab, L, &pred[i]);
		npd[pi]++;
		tp[gi] += gi == pi;
	}
	for (i = 0; i < L; i++)
		f1[i] = ng[i] + npd[i] > 0 ? 2.0 * (double)tp[i] / (double)(ng[i] + npd[i]) : 0.0;
	m = np_mean(f1, L);
	free(lab);
	free(tp);
	free(f1);
	return m;
}
