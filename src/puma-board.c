/* puma-board - a leaderboard of many runs of one scenario: each run's
 * headline metric with its bootstrap interval, and, against a reference
 * run, the paired difference with its bootstrap interval, the exact
 * McNemar test and the Wilcoxon signed-rank test with its effect size.
 * Reads run directories, prediction files and metrics records; writes one
 * table as Markdown, JSON Lines or CSV.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "diag.h"
#include "hash.h"
#include "json.h"
#include "jsonl.h"
#include "mt.h"
#include "opt.h"
#include "paired.h"
#include "scenario.h"
#include "score.h"
#include "stats.h"
#include "xalloc.h"

static const char usage_text[] =
	"Usage: puma-board [--format md|json|csv|html] [--reference RUN] [--bootstrap B] [--ci LEVEL]\n"
	"                  [--seed S] [--scenario NAME] [--config-dir DIR] [RUN...]\n"
	"One table of many runs of a scenario, best first, against a reference run.\n"
	"\n"
	"  RUN                   a run directory, a prediction file (JSON Lines), or a\n"
	"                        metrics file (*.json, from puma-metrics); none: metrics\n"
	"                        records on stdin, one per line\n"
	"  -f, --format FMT      md (default), json (one object per row), csv, or html\n"
	"                        (a page with a plot of the intervals and the runs'\n"
	"                        reliability diagrams)\n"
	"  -r, --reference RUN   the run the others are compared with (default the first)\n"
	"      --bootstrap B     bootstrap resamples (1000)\n"
	"      --ci LEVEL        interval level (0.95)\n"
	"      --seed S          bootstrap seed (42)\n"
	"  -s, --scenario NAME   scenario when the records do not say\n"
	"      --config-dir DIR  where config/ is\n"
	"  -h, --help            this help\n"
	"      --version         version\n"
	"\n"
	"Exit status: 0 the table was written, 1 bad or unreadable input, 2 usage.\n";

/* The options as given (strings borrowed from argv). */
struct opts {
	int fmt;		/* 0 md, 1 json, 2 csv, 3 html */
	const char *reference, *scenario;
	long bootstrap;
	double ci;
	uint32_t seed;
};

/* What the board keeps of one prediction record; id in the run's arena. */
struct rec {
	const char *id;
	size_t idlen;
	int parsed;		/* pred not null */
	int right;		/* pred equals gold */
	int g, q;		/* label indexes (-1 unknown) */
	double err;		/* |pred - gold|, NaN when not a number */
};

/* One row of the board: a run with its records, or a metrics record. */
struct run {
	char *label, *model, *strategy, *seed, *scenario;	/* owned; NULL unknown */
	char *diagram;		/* the run directory's reliability.svg as given, or NULL */
	int metrics_only;
	struct rec *r;
	size_t n, cap;
	size_t *hash;		/* open addressing by id: 0 empty, else index + 1 */
	size_t hcap;
	struct arena a;
	double value, lo, hi, accuracy;
	long n_records, n_parsed;
	/* against the reference */
	int is_ref, has_pairs;
	long n_pairs, mc_b, mc_c;
	double delta, dlo, dhi, mc_p;
	struct wilcoxon w;
};

static struct scenario *sc;	/* the board's scenario (cached by scenario.c) */
static const char *const rec_want[] = {"id", "gold", "pred", "scenario", "model", "strategy", NULL};

/* A scenario name from a record, a setting or an option: only a config
 * name, never a path. */
static void check_scenario_name(const char *file, long line, const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			break;
	if (i == 0 || s[i] != '\0') {
		warn_at(file, line, "scenario \"%s\" is not a scenario name ([a-z0-9_]+)", s);
		exit(EXIT_FAIL);
	}
}

/* The one scenario of the board: every run must agree. */
static void set_scenario(const char *name, const char *file, long line)
{
	struct scenario *s;

	check_scenario_name(file, line, name);
	s = scenario_get(name);
	if (s == NULL)
		exit(EXIT_FAIL);
	if (sc != NULL && s != sc) {
		warn_at(file, line, "scenario %s, but the board is of %s: one board, one scenario", name, sc->name);
		exit(EXIT_FAIL);
	}
	sc = s;
}

/* A run given as a directory (else a file). */
static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A metrics file is told from a prediction file by its name. */
static int ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);

	return n >= k && strcmp(s + n - k, suf) == 0;
}

/* A setting of a run directory's settings.txt, or NULL. */
static char *setting(const char *dir, const char *key)
{
	char *path = xasprintf("%s/settings.txt", dir), *line = NULL, *val = NULL;
	size_t cap = 0, k = strlen(key);
	ssize_t len;
	FILE *fp = fopen(path, "r");

	free(path);
	if (fp == NULL)
		return NULL;
	while (val == NULL && (len = getline(&line, &cap, fp)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if ((size_t)len > k && strncmp(line, key, k) == 0 && line[k] == '=' && line[k + 1] != '\0')
			val = xstrdup(line + k + 1);
	}
	free(line);
	fclose(fp);
	return val;
}

/* The index of the record with this id in run u, or -1: pairs are made by id. */
static long find_id(const struct run *u, const char *id, size_t n)
{
	size_t i;

	if (u->hcap == 0)
		return -1;
	for (i = fnv1a(id, n) & (u->hcap - 1); u->hash[i]; i = (i + 1) & (u->hcap - 1)) {
		const struct rec *r = &u->r[u->hash[i] - 1];

		if (r->idlen == n && memcmp(r->id, id, n) == 0)
			return (long)(u->hash[i] - 1);
	}
	return -1;
}

/* Keep a string member that names the run (model, strategy) when the run's
 * settings did not. */
static void take_member(char **dst, const jv *rec, const char *key)
{
	size_t n;
	const char *s = jv_getstr(rec, key, &n);

	if (*dst == NULL && s != NULL && strlen(s) == n)
		*dst = xstrdup(s);
}

/* Read a run's prediction records: ids must be unique (records are paired
 * by id), gold a label or number, pred present (null when unparsed). */
static void load_preds(struct run *u, const char *path, const struct opts *o)
{
	struct jsonl_in in;
	jv *rec;
	int r;
	size_t i, j;

	if (jsonl_open(&in, path, rec_want, 0) < 0)
		exit(EXIT_FAIL);
	while ((r = jsonl_next(&in, &rec)) > 0) {
		const jv *id = jv_get(rec, "id"), *gold = jv_get(rec, "gold"), *pred = jv_get(rec, "pred");
		const char *scen;
		size_t sl;
		struct rec *p;

		if (id == NULL || id->t != JSTR)
			die(EXIT_FAIL, "%s:%ld: record has no string \"id\"; puma-board pairs records by id", path,
			    in.l.lineno);
		if (gold == NULL || (gold->t != JSTR && gold->t != JNUM))
			die(EXIT_FAIL, "%s:%ld: \"gold\" is %s, not a label or a number", path, in.l.lineno,
			    jv_typename(gold));
		if (pred == NULL)
			die(EXIT_FAIL, "%s:%ld: no \"pred\" member (run puma-parse first)", path, in.l.lineno);
		if (pred->t != JNULL && pred->t != JSTR && pred->t != JNUM)
			die(EXIT_FAIL, "%s:%ld: \"pred\" is %s", path, in.l.lineno, jv_typename(pred));
		scen = jv_getstr(rec, "scenario", &sl);
		if (scen != NULL && strlen(scen) == sl) {
			if (u->scenario == NULL) {
				check_scenario_name(path, in.l.lineno, scen);
				u->scenario = xstrdup(scen);
			}
			if (strcmp(u->scenario, scen) != 0)
				die(EXIT_FAIL, "%s:%ld: scenario %s in a run of %s: one board, one scenario", path,
				    in.l.lineno, scen, u->scenario);
			if (o->scenario == NULL && in.records == 1)
				set_scenario(scen, path, in.l.lineno);
		} else if (sc == NULL) {
			die(EXIT_FAIL, "%s:%ld: no \"scenario\" member: give --scenario", path, in.l.lineno);
		}
		take_member(&u->model, rec, "model");
		take_member(&u->strategy, rec, "strategy");
		u->r = xgrow(u->r, &u->cap, u->n + 1, sizeof(*u->r));
		p = &u->r[u->n++];
		p->id = arena_strndup(&u->a, id->u.s, id->n);
		p->idlen = id->n;
		p->parsed = pred->t != JNULL;
		p->right = p->parsed && jv_same(pred, gold);
		p->g = p->q = -1;
		p->err = NAN;
		if (sc->task == TASK_CLASSIFICATION) {
			if (gold->t == JSTR)
				p->g = label_index(&sc->labels, gold->u.s, gold->n);
			if (pred->t == JSTR)
				p->q = label_index(&sc->labels, pred->u.s, pred->n);
		} else if (gold->t == JNUM && pred->t == JNUM) {
			p->err = fabs(pred->d - gold->d);
		}
	}
	if (r < 0)
		exit(EXIT_FAIL);
	jsonl_close(&in);
	if (u->n == 0)
		die(EXIT_FAIL, "%s: no records", path);
	u->hcap = 16;
	while (u->hcap < u->n * 2)
		u->hcap *= 2;
	u->hash = xcalloc(u->hcap, sizeof(size_t));
	for (i = 0; i < u->n; i++) {
		long dup = find_id(u, u->r[i].id, u->r[i].idlen);

		if (dup >= 0)
			die(EXIT_FAIL, "%s: id \"%s\" appears twice: records are paired by id", path, u->r[i].id);
		for (j = fnv1a(u->r[i].id, u->r[i].idlen) & (u->hcap - 1); u->hash[j]; j = (j + 1) & (u->hcap - 1))
			;
		u->hash[j] = i + 1;
	}
}

/* A row from a metrics record (puma-metrics' output): its headline only. */
static void from_metrics(struct run *u, const jv *m, const char *file, long line)
{
	const char *scen;
	size_t sl;
	const jv *v, *n;

	u->metrics_only = 1;
	u->lo = u->hi = u->accuracy = NAN;
	scen = jv_getstr(m, "scenario", &sl);
	if (scen == NULL || strlen(scen) != sl) {
		warn_at(file, line, "a metrics record needs its \"scenario\"");
		exit(EXIT_FAIL);
	}
	set_scenario(scen, file, line);
	u->scenario = xstrdup(scen);
	v = jv_get(m, sc->task == TASK_CLASSIFICATION ? "f1_macro" : "mae");
	if (v == NULL || (v->t != JNUM && v->t != JNULL)) {
		warn_at(file, line, "no \"%s\" number in the metrics record",
			sc->task == TASK_CLASSIFICATION ? "f1_macro" : "mae");
		exit(EXIT_FAIL);
	}
	u->value = v->t == JNUM ? v->d : NAN;
	if ((v = jv_get(m, "accuracy")) != NULL && v->t == JNUM)
		u->accuracy = v->d;
	n = jv_get(m, "n");
	u->n_records = n && n->t == JNUM ? (long)n->d : -1;
	n = jv_get(m, "n_parsed");
	u->n_parsed = n && n->t == JNUM ? (long)n->d : -1;
	take_member(&u->model, m, "model");
	take_member(&u->strategy, m, "strategy");
}

/* The headline figures over the records idx[0..n-1] of run u: h[0] the
 * metric (F1 macro or MAE), h[1] the accuracy (classification). */
struct work {
	long *tp, *ng, *np;
	double *f1, *scratch, *err;
};

static void headline(struct work *w, const struct run *u, const size_t *idx, size_t n, double out[2])
{
	size_t L = sc->task == TASK_CLASSIFICATION ? sc->labels.n : 0, i, ne = 0;
	long right = 0, nparsed = 0;
	double h[3];

	if (sc->task == TASK_CLASSIFICATION) {
		memset(w->tp, 0, L * sizeof(long));
		memset(w->ng, 0, L * sizeof(long));
		memset(w->np, 0, L * sizeof(long));
	}
	for (i = 0; i < n; i++) {
		const struct rec *p = &u->r[idx ? idx[i] : i];

		if (!p->parsed)
			continue;
		nparsed++;
		if (sc->task == TASK_CLASSIFICATION) {
			right += p->right;
			if (p->g >= 0)
				w->ng[p->g]++;
			if (p->q >= 0)
				w->np[p->q]++;
			if (p->g >= 0 && p->g == p->q)
				w->tp[p->g]++;
		} else if (!isnan(p->err)) {
			w->err[ne++] = p->err;
		}
	}
	if (sc->task == TASK_CLASSIFICATION) {
		score_classes(L, w->tp, w->ng, w->np, NULL, NULL, w->f1);
		score_class_headline(L, w->ng, w->f1, right, nparsed, w->scratch, h);
		out[0] = h[0];
		out[1] = h[2];
	} else {
		score_regression(w->err, ne, w->scratch, h);
		out[0] = h[0];
		out[1] = NAN;
	}
}

/* Percentile interval of the n values in v (sorted here); NaN when none. */
static void interval(const struct opts *o, double *v, size_t n, double *lo, double *hi)
{
	*lo = *hi = NAN;
	if (n == 0)
		return;
	np_sort(v, n);
	*lo = np_percentile_sorted(v, n, (1.0 - o->ci) / 2.0 * 100.0);
	*hi = np_percentile_sorted(v, n, (1.0 + o->ci) / 2.0 * 100.0);
}

/* The run's metric and its percentile bootstrap interval: B resamples of
 * its records drawn as NumPy's RandomState(seed).randint(0, n, n). */
static void score_run(const struct opts *o, struct work *w, struct run *u)
{
	size_t *idx = xcalloc(u->n, sizeof(size_t)), i, nv = 0;
	double *v = xcalloc((size_t)o->bootstrap + 1, sizeof(double)), h[2];
	struct mt m;
	long b;

	headline(w, u, NULL, u->n, h);
	u->value = h[0];
	u->accuracy = h[1];
	u->n_records = (long)u->n;
	for (i = 0, u->n_parsed = 0; i < u->n; i++)
		u->n_parsed += u->r[i].parsed;
	mt_seed(&m, o->seed);
	for (b = 0; b < o->bootstrap; b++) {
		for (i = 0; i < u->n; i++)
			idx[i] = mt_interval(&m, (uint32_t)(u->n - 1));
		headline(w, u, idx, u->n, h);
		if (!isnan(h[0]))
			v[nv++] = h[0];
	}
	interval(o, v, nv, &u->lo, &u->hi);
	free(idx);
	free(v);
}

/* Run u against the reference: records paired by id in u's order; the
 * paired bootstrap of u - ref; McNemar on correctness (classification);
 * Wilcoxon on per-record scores (correctness, or minus the absolute error
 * where both parsed a number), u - ref, so a positive effect favours u. */
static void compare(const struct opts *o, struct work *w, const struct run *ref, struct run *u)
{
	size_t *ia = xcalloc(u->n, sizeof(size_t)), *ib = xcalloc(u->n, sizeof(size_t));
	size_t *ra = xcalloc(u->n, sizeof(size_t)), *rb = xcalloc(u->n, sizeof(size_t));
	double *d = xcalloc(u->n, sizeof(double)), *v = xcalloc((size_t)o->bootstrap + 1, sizeof(double));
	size_t n = 0, i, nd = 0, nv = 0;
	double ha[2], hb[2];
	struct mt m;
	long b;

	for (i = 0; i < u->n; i++) {
		long k = find_id(ref, u->r[i].id, u->r[i].idlen);

		if (k < 0)
			continue;
		ia[n] = (size_t)k;
		ib[n++] = i;
	}
	u->has_pairs = 1;
	u->n_pairs = (long)n;
	u->mc_b = u->mc_c = 0;
	for (i = 0; i < n; i++) {
		const struct rec *a = &ref->r[ia[i]], *x = &u->r[ib[i]];

		if (sc->task == TASK_CLASSIFICATION) {
			u->mc_b += a->right && !x->right;
			u->mc_c += !a->right && x->right;
			d[nd++] = (double)x->right - (double)a->right;
		} else if (!isnan(a->err) && a->parsed && x->parsed && !isnan(x->err)) {
			d[nd++] = a->err - x->err;
		}
	}
	u->mc_p = sc->task == TASK_CLASSIFICATION ? mcnemar_exact(u->mc_b, u->mc_c) : NAN;
	wilcoxon_signed_rank(d, nd, &u->w);
	headline(w, ref, ia, n, ha);
	headline(w, u, ib, n, hb);
	u->delta = hb[0] - ha[0];
	mt_seed(&m, o->seed);
	for (b = 0; n > 0 && b < o->bootstrap; b++) {
		for (i = 0; i < n; i++) {
			size_t k = mt_interval(&m, (uint32_t)(n - 1));

			ra[i] = ia[k];
			rb[i] = ib[k];
		}
		headline(w, ref, ra, n, ha);
		headline(w, u, rb, n, hb);
		if (!isnan(ha[0]) && !isnan(hb[0]))
			v[nv++] = hb[0] - ha[0];
	}
	interval(o, v, nv, &u->dlo, &u->dhi);
	free(ia);
	free(ib);
	free(ra);
	free(rb);
	free(d);
	free(v);
}

/* Best first: the highest F1 or the lowest MAE; unknown last; ties keep
 * the order given (the rows point into one array, in that order). */
static int by_value(const void *x, const void *y)
{
	const struct run *a = *(struct run *const *)x, *b = *(struct run *const *)y;
	int sign = sc->task == TASK_CLASSIFICATION ? -1 : 1;

	if (isnan(a->value) != isnan(b->value))
		return isnan(a->value) ? 1 : -1;
	if (!isnan(a->value) && a->value != b->value)
		return a->value < b->value ? -sign : sign;
	return (a > b) - (a < b);
}

/* A number as JSON/CSV wants it: shortest round trip, null (JSON) or
 * empty (CSV) when unknown. */
static void num(struct buf *b, double x, int csv)
{
	char t[32];

	if (isnan(x) || isinf(x)) {
		if (!csv)
			buf_adds(b, "null");
		return;
	}
	fmt_double(x, t);
	buf_adds(b, t);
}

/* A number for people: four decimals, "-" when unknown. */
static void pnum(struct buf *b, double x)
{
	if (isnan(x) || isinf(x))
		buf_adds(b, "-");
	else
		buf_printf(b, "%.4f", x);
}

/* A string for a CSV cell: quoted, quotes doubled. */
static void csv_str(struct buf *b, const char *s)
{
	if (s == NULL)
		return;
	buf_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			buf_addc(b, '"');
		buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

/* A string for a Markdown cell: '|' and newlines would break the table. */
static void md_str(struct buf *b, const char *s)
{
	if (s == NULL) {
		buf_adds(b, "-");
		return;
	}
	for (; *s; s++) {
		if (*s == '|')
			buf_adds(b, "\\|");
		else if (*s == '\n' || *s == '\r')
			buf_addc(b, ' ');
		else
			buf_addc(b, *s);
	}
}

static const char *const cols[] = {
	"rank", "run", "model", "scenario", "strategy", "seed", "n", "n_parsed", "metric", "value", "ci_lo",
	"ci_hi", "accuracy", "reference", "n_pairs", "delta", "delta_lo", "delta_hi", "mcnemar_b",
	"mcnemar_c", "mcnemar_p", "wilcoxon_statistic", "wilcoxon_z", "wilcoxon_p", "effect_r", NULL,
};

/* One row as JSON (a compact object) or CSV (cells in cols[] order). */
static void row(struct buf *b, const struct opts *o, const struct run *u, long rank)
{
	int csv = o->fmt == 2, c;
	const char *metric = sc->task == TASK_CLASSIFICATION ? "f1_macro" : "mae";
	int paired = u->has_pairs && !u->is_ref;

	if (!csv)
		buf_addc(b, '{');
	for (c = 0; cols[c]; c++) {
		const char *s = NULL;
		double x = NAN;
		int is_str = 1, is_int = 0;
		long iv = 0;

		if (c)
			buf_addc(b, ',');
		if (!csv) {
			json_write_str(b, cols[c], strlen(cols[c]));
			buf_addc(b, ':');
		}
		switch (c) {
		case 0: is_str = 0; is_int = 1; iv = rank; break;
		case 1: s = u->label; break;
		case 2: s = u->model; break;
		case 3: s = u->scenario; break;
		case 4: s = u->strategy; break;
		case 5: s = u->seed; break;
		case 6: is_str = 0; is_int = u->n_records >= 0; iv = u->n_records; break;
		case 7: is_str = 0; is_int = u->n_parsed >= 0; iv = u->n_parsed; break;
		case 8: s = metric; break;
		case 9: is_str = 0; x = u->value; break;
		case 10: is_str = 0; x = u->lo; break;
		case 11: is_str = 0; x = u->hi; break;
		case 12: is_str = 0; x = u->accuracy; break;
		case 13:
			buf_adds(b, u->is_ref ? "true" : "false");
			continue;
		case 14: is_str = 0; is_int = paired; iv = u->n_pairs; break;
		case 15: is_str = 0; x = paired ? u->delta : NAN; break;
		case 16: is_str = 0; x = paired ? u->dlo : NAN; break;
		case 17: is_str = 0; x = paired ? u->dhi : NAN; break;
		case 18: is_str = 0; is_int = paired && sc->task == TASK_CLASSIFICATION; iv = u->mc_b; break;
		case 19: is_str = 0; is_int = paired && sc->task == TASK_CLASSIFICATION; iv = u->mc_c; break;
		case 20: is_str = 0; x = paired ? u->mc_p : NAN; break;
		case 21: is_str = 0; x = paired && u->w.n_nonzero ? u->w.statistic : NAN; break;
		case 22: is_str = 0; x = paired ? u->w.z : NAN; break;
		case 23: is_str = 0; x = paired ? u->w.p : NAN; break;
		case 24: is_str = 0; x = paired ? u->w.effect : NAN; break;
		}
		if (is_str) {
			if (csv)
				csv_str(b, s);
			else if (s)
				json_write_str(b, s, strlen(s));
			else
				buf_adds(b, "null");
		} else if (is_int) {
			buf_printf(b, "%ld", iv);
		} else if (c == 6 || c == 7 || c == 14 || c == 18 || c == 19) {
			if (!csv)
				buf_adds(b, "null");
		} else {
			num(b, x, csv);
		}
	}
	buf_adds(b, csv ? "\n" : "}\n");
}

/* The Markdown table, with a line saying what the columns mean. */
static void markdown(struct buf *b, const struct opts *o, struct run **rows, size_t n, const struct run *ref)
{
	const char *metric = sc->task == TASK_CLASSIFICATION ? "F1 macro" : "MAE";
	size_t i;

	buf_printf(b, "| # | run | model | strategy | seed | n | %s | %g%% CI | delta vs reference | %g%% CI | McNemar p | Wilcoxon p | effect r |\n",
		   metric, o->ci * 100, o->ci * 100);
	buf_adds(b, "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (i = 0; i < n; i++) {
		const struct run *u = rows[i];
		int paired = u->has_pairs && !u->is_ref;

		buf_printf(b, "| %zu | ", i + 1);
		md_str(b, u->label);
		buf_adds(b, u->is_ref ? " (reference) | " : " | ");
		md_str(b, u->model);
		buf_adds(b, " | ");
		md_str(b, u->strategy);
		buf_adds(b, " | ");
		md_str(b, u->seed);
		if (u->n_records >= 0)
			buf_printf(b, " | %ld | ", u->n_records);
		else
			buf_adds(b, " | - | ");
		pnum(b, u->value);
		buf_adds(b, " | ");
		if (isnan(u->lo))
			buf_adds(b, "-");
		else {
			buf_addc(b, '[');
			pnum(b, u->lo);
			buf_adds(b, ", ");
			pnum(b, u->hi);
			buf_addc(b, ']');
		}
		buf_adds(b, " | ");
		if (paired) {
			buf_adds(b, u->delta >= 0 ? "+" : "");
			pnum(b, u->delta);
			buf_adds(b, " | [");
			pnum(b, u->dlo);
			buf_adds(b, ", ");
			pnum(b, u->dhi);
			buf_adds(b, "] | ");
			pnum(b, u->mc_p);
			buf_adds(b, " | ");
			pnum(b, u->w.p);
			buf_adds(b, " | ");
			pnum(b, u->w.effect);
		} else {
			buf_adds(b, "- | - | - | - | -");
		}
		buf_adds(b, " |\n");
	}
	buf_printf(b, "\nScenario %s; %s with %ld bootstrap resamples (seed %u).", sc->name, metric, o->bootstrap,
		   (unsigned)o->seed);
	if (ref) {
		buf_adds(b, " Reference: ");
		md_str(b, ref->label);
		buf_adds(b, "; delta is run minus reference over the records both have, McNemar the exact test on"
			    " correctness, Wilcoxon the signed-rank test on ");
		buf_adds(b, sc->task == TASK_CLASSIFICATION ? "correctness" : "absolute errors");
		buf_adds(b, ", effect r the matched-pairs rank-biserial correlation (positive: the run does better).");
	}
	buf_addc(b, '\n');
}

/* Text for HTML (element content and quoted attributes). */
static void h_str(struct buf *b, const char *s)
{
	if (s == NULL) {
		buf_adds(b, "-");
		return;
	}
	for (; *s; s++) {
		switch (*s) {
		case '&': buf_adds(b, "&amp;"); break;
		case '<': buf_adds(b, "&lt;"); break;
		case '>': buf_adds(b, "&gt;"); break;
		case '"': buf_adds(b, "&quot;"); break;
		case '\'': buf_adds(b, "&#39;"); break;
		default: buf_addc(b, *s);
		}
	}
}

/* A path for a src attribute: every byte outside a few safe ones
 * percent-encoded, so no run name can end the attribute or name a scheme. */
static void h_url(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	buf_adds(b, *s == '/' ? "file://" : "./");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
		    c == '.' || c == '_' || c == '-')
			buf_addc(b, (char)c);
		else
			buf_printf(b, "%%%c%c", hex[c >> 4], hex[c & 15]);
	}
}

/* The intervals as an SVG forest plot: one line per run from its lower to
 * its upper bound, a dot at its value; the reference in red. */
static void forest(struct buf *b, struct run **rows, size_t n)
{
	const double X0 = 300, W = 420, RH = 26, Y0 = 40;
	double lo = 0, hi = sc->task == TASK_CLASSIFICATION ? 1 : 0, H = Y0 + RH * (double)n + 40;
	size_t i;
	int t;

	for (i = 0; i < n; i++) {
		double v = isnan(rows[i]->hi) ? rows[i]->value : rows[i]->hi;

		if (!isnan(v) && v > hi)
			hi = v;
	}
	if (hi <= lo)
		hi = lo + 1;
	buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"%.0f\" "
		   "viewBox=\"0 0 760 %.0f\" role=\"img\">\n<rect width=\"760\" height=\"%.0f\" fill=\"white\"/>\n",
		   H, H, H);
	for (t = 0; t <= 4; t++) {
		double x = X0 + W * t / 4.0;

		buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", x, Y0 - 10, x,
			   H - 30);
		buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%.3g</text>\n", x,
			   H - 14, lo + (hi - lo) * t / 4.0);
	}
	for (i = 0; i < n; i++) {
		const struct run *u = rows[i];
		const char *col = u->is_ref ? "#d62728" : "#2ca02c";
		double y = Y0 + RH * (double)i + RH / 2;

		buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"end\">", X0 - 10, y + 4);
		{
			char cut[41];
			size_t k = strlen(u->label);

			snprintf(cut, sizeof(cut), "%s", k > 40 ? u->label + k - 40 : u->label);
			h_str(b, cut);
		}
		buf_adds(b, "</text>\n");
		if (!isnan(u->lo))
			buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"8\"/>\n",
				   X0 + W * (u->lo - lo) / (hi - lo), y, X0 + W * (u->hi - lo) / (hi - lo), y, col);
		if (!isnan(u->value))
			buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"7\" fill=\"%s\" stroke=\"black\"/>\n",
				   X0 + W * (u->value - lo) / (hi - lo), y, col);
	}
	buf_printf(b, "<text x=\"%.1f\" y=\"20\" font-size=\"13\">%s and its %s interval, per run "
		   "(red: the reference)</text>\n</svg>\n", X0, sc->task == TASK_CLASSIFICATION ? "F1 macro" : "MAE",
		   "bootstrap");
}

/* A whole page: the plot, the table and each run's reliability diagram. */
static void html(struct buf *b, const struct opts *o, struct run **rows, size_t n, const struct run *ref)
{
	size_t i;
	int c;

	buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>PUMA board: ");
	h_str(b, sc->name);
	buf_adds(b, "</title>\n<style>body{font-family:sans-serif;margin:24px;background:#fff;color:#222}"
		    "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px}"
		    "tr.ref{background:#fde0e0}figure{display:inline-block;margin:8px}"
		    "figcaption{font-size:11px;max-width:480px;word-break:break-all}</style>\n</head>\n<body>\n<h1>");
	h_str(b, sc->name);
	buf_printf(b, ": %zu runs</h1>\n", n);
	forest(b, rows, n);
	buf_adds(b, "<table>\n<tr>");
	for (c = 0; cols[c]; c++) {
		buf_adds(b, "<th>");
		buf_adds(b, cols[c]);
		buf_adds(b, "</th>");
	}
	buf_adds(b, "</tr>\n");
	for (i = 0; i < n; i++) {
		struct buf r = {0};
		struct opts csv = *o;
		char *cell, *p;

		csv.fmt = 2;
		row(&r, &csv, rows[i], (long)i + 1);
		buf_adds(b, rows[i]->is_ref ? "<tr class=\"ref\">" : "<tr>");
		/* The CSV row's cells, each unquoted and escaped. */
		for (cell = r.s, c = 0; cols[c]; c++) {
			struct buf v = {0};

			p = cell;
			if (*p == '"') {
				for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
					if (*p == '"')
						p++;
					buf_addc(&v, *p);
				}
				if (*p == '"')
					p++;
			} else {
				for (; *p && *p != ',' && *p != '\n'; p++)
					buf_addc(&v, *p);
			}
			buf_adds(b, "<td>");
			h_str(b, v.s ? v.s : "");
			buf_adds(b, "</td>");
			buf_free(&v);
			cell = *p ? p + 1 : p;
		}
		buf_adds(b, "</tr>\n");
		buf_free(&r);
	}
	buf_adds(b, "</table>\n<p>");
	if (ref) {
		buf_adds(b, "Reference: ");
		h_str(b, ref->label);
		buf_adds(b, ". ");
	}
	buf_printf(b, "Intervals: percentile bootstrap, %ld resamples, level %g, seed %u.</p>\n", o->bootstrap, o->ci,
		   (unsigned)o->seed);
	buf_adds(b, "<h2>Reliability diagrams</h2>\n");
	for (i = 0; i < n; i++) {
		if (rows[i]->diagram == NULL)
			continue;
		buf_adds(b, "<figure><img width=\"480\" height=\"500\" alt=\"reliability diagram\" src=\"");
		h_url(b, rows[i]->diagram);
		buf_adds(b, "\"><figcaption>");
		h_str(b, rows[i]->label);
		buf_adds(b, "</figcaption></figure>\n");
	}
	buf_adds(b, "</body>\n</html>\n");
}

/* Everything a row owns. */
static void free_run(struct run *u)
{
	free(u->label);
	free(u->model);
	free(u->strategy);
	free(u->seed);
	free(u->scenario);
	free(u->diagram);
	free(u->r);
	free(u->hash);
	arena_free(&u->a);
}

int main(int argc, char **argv)
{
	enum { O_BOOT = 256, O_CI, O_SEED, O_CONFIG };
	static const struct option longopts[] = {
		{.name = "bootstrap", .has_arg = required_argument, .val = O_BOOT},
		{.name = "ci", .has_arg = required_argument, .val = O_CI},
		{.name = "config-dir", .has_arg = required_argument, .val = O_CONFIG},
		OPTION_FORMAT,
		{.name = "reference", .has_arg = required_argument, .val = 'r'},
		OPTION_SCENARIO,
		{.name = "seed", .has_arg = required_argument, .val = O_SEED},
		OPTION_HELP_VERSION,
		{0},
	};
	struct opts o = {.fmt = 0, .bootstrap = 1000, .ci = 0.95, .seed = 42};
	struct run *runs = NULL, *ref = NULL, **rows;
	size_t nr = 0, cap = 0, i, L, maxn = 1;
	struct work w = {0};
	struct buf b = {0};
	int c;

	diag_init(argv[0]);
	while ((c = opt_next(argc, argv, "f:hr:s:", longopts, NULL, usage_text)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "md") == 0)
				o.fmt = 0;
			else if (strcmp(optarg, "json") == 0)
				o.fmt = 1;
			else if (strcmp(optarg, "csv") == 0)
				o.fmt = 2;
			else if (strcmp(optarg, "html") == 0)
				o.fmt = 3;
			else
				usage_error("--format: '%s' is not md, json, csv or html", optarg);
			break;
		case 'r':
			o.reference = optarg;
			break;
		case 's':
			o.scenario = optarg;
			break;
		case O_BOOT:
			o.bootstrap = (long)opt_int("--bootstrap", optarg, 0, 1000000);
			break;
		case O_CI:
			o.ci = opt_level("--ci", optarg);
			break;
		case O_SEED:
			o.seed = (uint32_t)opt_int("--seed", optarg, 0, 4294967295LL);
			break;
		case O_CONFIG:
			config_set_dir(optarg);
			break;
		}
	}
	if (o.scenario)
		set_scenario(o.scenario, "--scenario", 0);

	if (optind == argc) {
		/* A filter: metrics records on stdin. */
		struct jsonl_in in;
		jv *rec;
		int r;

		if (jsonl_open(&in, "-", NULL, 0) < 0)
			return finish() | EXIT_FAIL;
		while ((r = jsonl_next(&in, &rec)) > 0) {
			const char *s;
			size_t sl;
			struct run *u;

			runs = xgrow(runs, &cap, nr + 1, sizeof(*runs));
			u = &runs[nr++];
			memset(u, 0, sizeof(*u));
			from_metrics(u, rec, in.l.name, in.l.lineno);
			if ((s = jv_getstr(rec, "run", &sl)) != NULL && strlen(s) == sl)
				u->label = xstrdup(s);
			else
				u->label = xasprintf("%s:%ld", in.l.name, in.l.lineno);
		}
		jsonl_close(&in);
		if (r < 0)
			exit(EXIT_FAIL);
	}
	for (i = (size_t)optind; i < (size_t)argc; i++) {
		const char *arg = argv[i];
		struct run *u;

		runs = xgrow(runs, &cap, nr + 1, sizeof(*runs));
		u = &runs[nr++];
		memset(u, 0, sizeof(*u));
		if (is_dir(arg)) {
			size_t k = strlen(arg);
			char *p, *base;

			while (k > 1 && arg[k - 1] == '/')
				k--;
			base = xstrndup(arg, k);
			u->label = xstrdup(strrchr(base, '/') ? strrchr(base, '/') + 1 : base);
			u->model = setting(base, "model");
			u->strategy = setting(base, "strategy");
			u->seed = setting(base, "seed");
			u->scenario = setting(base, "scenario");
			if (u->scenario && sc == NULL)
				set_scenario(u->scenario, base, 0);
			p = xasprintf("%s/predictions.jsonl", base);
			load_preds(u, p, &o);
			free(p);
			p = xasprintf("%s/reliability.svg", base);
			if (access(p, R_OK) == 0)
				u->diagram = p;
			else
				free(p);
			free(base);
		} else if (ends_with(arg, ".json")) {
			size_t len;
			char *text = read_file(arg, &len), why[256];
			struct arena a = {0};
			jv *m;

			if (text == NULL)
				die(EXIT_FAIL, "%s: %s", arg, strerror(errno));
			m = json_parse(&a, text, len, NULL, why, sizeof(why));
			if (m == NULL || m->t != JOBJ)
				die(EXIT_FAIL, "%s: not a metrics object: %s", arg, m ? "not an object" : why);
			from_metrics(u, m, arg, 0);
			u->label = xstrdup(arg);
			free(text);
			arena_free(&a);
		} else {
			u->label = xstrdup(arg);
			load_preds(u, arg, &o);
		}
	}
	if (nr == 0)
		die(EXIT_FAIL, "no runs: give run directories or files, or metrics records on stdin");
	if (o.reference) {
		for (i = 0; i < nr && ref == NULL; i++)
			if (strcmp(runs[i].label, o.reference) == 0 ||
			    ((size_t)optind + i < (size_t)argc && strcmp(argv[optind + i], o.reference) == 0))
				ref = &runs[i];
		if (ref == NULL)
			usage_error("--reference: '%s' is none of the runs given", o.reference);
	} else {
		ref = &runs[0];
	}
	ref->is_ref = 1;

	L = sc->task == TASK_CLASSIFICATION ? sc->labels.n : 0;
	for (i = 0; i < nr; i++)
		if (runs[i].n > maxn)
			maxn = runs[i].n;
	w.tp = xcalloc(L + 1, sizeof(long));
	w.ng = xcalloc(L + 1, sizeof(long));
	w.np = xcalloc(L + 1, sizeof(long));
	w.f1 = xcalloc(L + 1, sizeof(double));
	w.scratch = xcalloc(2 * (L + maxn) + 2, sizeof(double));
	w.err = xcalloc(maxn + 1, sizeof(double));
	for (i = 0; i < nr; i++) {
		if (runs[i].metrics_only)
			continue;
		score_run(&o, &w, &runs[i]);
		if (&runs[i] != ref && !ref->metrics_only)
			compare(&o, &w, ref, &runs[i]);
	}

	rows = xcalloc(nr, sizeof(*rows));
	for (i = 0; i < nr; i++)
		rows[i] = &runs[i];
	qsort(rows, nr, sizeof(*rows), by_value);
	if (o.fmt == 0) {
		markdown(&b, &o, rows, nr, ref);
	} else if (o.fmt == 3) {
		html(&b, &o, rows, nr, ref);
	} else {
		if (o.fmt == 2) {
			for (c = 0; cols[c]; c++)
				buf_printf(&b, "%s%s", c ? "," : "", cols[c]);
			buf_addc(&b, '\n');
		}
		for (i = 0; i < nr; i++)
			row(&b, &o, rows[i], (long)i + 1);
	}
	if (b.len > 0 && fwrite(b.s, 1, b.len, stdout) != b.len)
		fail();
	buf_free(&b);
	free(rows);
	for (i = 0; i < nr; i++)
		free_run(&runs[i]);
	free(runs);
	free(w.tp);
	free(w.ng);
	free(w.np);
	free(w.f1);
	free(w.scratch);
	free(w.err);
	scenario_free_all();
	return finish();
}
