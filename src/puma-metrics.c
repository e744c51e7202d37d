/* puma-metrics - read prediction records and write the run's metrics as one
 * JSON object (one per group with --group-by): F1, accuracy and confusion
 * for classification, MAE/MdAE/RMSE for story points, parse failures,
 * latency and throughput; optionally bootstrap intervals, the run's energy
 * from puma-infer's summary, and a baseline check with PASS/FAIL on stderr.
 * With --by (perturbation), each group is also compared with the original
 * records (robustness, consistency, flips) and the gender pair's fairness
 * follows; --stability adds the spread of the metrics across seeds. */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "diag.h"
#include "group.h"
#include "hash.h"
#include "jout.h"
#include "jsonl.h"
#include "mt.h"
#include "opt.h"
#include "rank.h"
#include "robust.h"
#include "scenario.h"
#include "score.h"
#include "stats.h"
#include "xalloc.h"

static const char usage_text[] =
	"Usage: puma-metrics [--scenario NAME] [--labels LIST|SET] [--group-by FIELD[,FIELD...]]\n"
	"                    [--pretty | --format json|table] [--ci LEVEL [--bootstrap B] [--seed S]]\n"
	"                    [--expected-f1 X | --expected-mae Y | --baseline NAME] [--tolerance T]\n"
	"                    [--by FIELD [--stability FIELD]] [--summary FILE]\n"
	"                    [--config-dir DIR] [--lenient] [FILE...]\n"
	"Compute a run's metrics from prediction records (JSON Lines).\n"
	"\n"
	"  -s, --scenario NAME      scenario for records without a \"scenario\" member\n"
	"      --labels LIST|SET    labels for classification (Critical,Major,... or a set)\n"
	"  -g, --group-by FIELDS    one object per distinct value of these members\n"
	"      --by FIELD           one object per value of FIELD (perturbation), each\n"
	"                           compared with the original records: robustness,\n"
	"                           consistency, flips; then the gender pair's fairness\n"
	"      --stability FIELD    stability of the metrics across the values of FIELD\n"
	"                           (seed, options.seed) in each group\n"
	"  -p, --pretty             indent the JSON output\n"
	"  -f, --format FORMAT      json (default) or table\n"
	"      --ci LEVEL           add percentile bootstrap intervals at LEVEL (0.95)\n"
	"      --bootstrap B        resamples for --ci (default 1000)\n"
	"      --seed S             seed of the resampling generator (default 42)\n"
	"      --expected-f1 X      check f1_macro against X (PASS/FAIL on stderr)\n"
	"      --expected-mae Y     check mae against Y\n"
	"      --baseline NAME      check against a reference in config/baselines.json\n"
	"      --tolerance T        allowed |actual - expected| (0.01 for F1, 0.05 for MAE)\n"
	"      --summary FILE       add the energy and CO2 of puma-infer's run summary FILE,\n"
	"                           and per F1 point or per unit of MAE\n"
	"      --config-dir DIR     where scenarios/*.json and baselines.json live\n"
	"  -l, --lenient            skip bad records (counted) instead of stopping\n"
	"  -h, --help               show this help\n"
	"      --version            show the version\n";

enum format { FMT_JSON, FMT_PRETTY, FMT_TABLE };

/* The energy part of a run summary (--summary); reason is owned. */
struct run_energy {
	int kwh_known;		/* kwh and co2 are numbers (else null) */
	double kwh, co2_kg, duration_s;
	int estimated;		/* kwh includes a TDP estimate */
	char *reason;		/* why kwh is null, or NULL */
};

/* What the command line asked for. */
struct opts {
	const char *scenario;
	const struct labelset *labels;	/* --labels; owned by the scenario cache */
	char **group;			/* --group-by fields (owned) */
	size_t ngroup;
	enum format format;
	double ci;			/* 0: no intervals */
	long bootstrap;
	uint32_t seed;
	const char *check_metric;	/* "f1_macro" or "mae", or NULL */
	double expected, tolerance;
	int have_tolerance;
	const char *baseline;
	int lenient;
	const char *summary;		/* --summary FILE, or NULL */
	struct run_energy energy;	/* read from it */
	int per_point;			/* one group: energy per F1 point / MAE unit */
	const char *by;			/* --by FIELD (also the one group field) */
	const char *stab;		/* --stability FIELD as given */
	char *stab_top;			/* its top-level member (owned) */
	const char *stab_sub;		/* the member inside it after '.', or NULL */
};

/* Whether a member had the same JSON text in every record of a group. */
struct constant {
	int seen, varies;
	struct buf text;	/* the first record's JSON text; "" when absent */
	struct buf bytes;	/* ... and its bytes when it is a string */
	int absent, is_str;
};

/* A record as the bootstrap needs it.  Classification: gold and pred as
 * label indices (-1 outside the labels, pred -2 unparsed), and whether they
 * agree as strings.  Regression: the absolute error, NaN when unparsed. */
struct brec {
	int32_t g, p;
	int correct;
	double err;
};

/* Everything one group accumulates; memory is constant for classification
 * (the label counts) apart from the latencies, and the regression errors
 * the median needs. */
struct acc {
	char **gtext;			/* each group member's JSON text */
	struct acc *next;
	char *scenario;
	struct scenario *sc;
	const struct labelset *ls;
	long first_line;
	long n, n_parsed, n_errors;
	long *cm, *ngold, *npred, correct, gold_outside, pred_outside;
	double *err, *gold;		/* regression, parsed records in order */
	size_t nerr, caperr;
	double *lat;
	size_t nlat, caplat;
	double *ndcg, *rr;		/* prioritization pairs with ranks, parsed */
	size_t nrank, caprank;
	struct brec *bs;
	size_t nbs, capbs;
	struct constant model, digest, strategy;
	size_t ntext;			/* entries of gtext */
	struct acc *parent;		/* a --stability subgroup's group, else NULL */
	int is_orig;			/* --by: the original records' group */
	double h[3];			/* the headline metrics, once computed */
	struct pair_counts vs;		/* --by: pairs with the original */
};

static struct group_table gtable;
static struct acc *groups, **groups_tail = &groups;
/* --stability subgroups, one per group and value, in order of appearance. */
static struct acc *subs, **subs_tail = &subs;

/* --by: one record as pairing needs it; the strings live in the entry. */
struct pent {
	char *key;			/* source_id (else id) text, plus the --stability value */
	struct acc *g;
	struct pent *next_hash, *next;
	struct rval pred, gold;
	int correct;
	long line;
	const char *file;
};
#define NHASH 1024
static struct pent *phash[NHASH * 16], *pents, **pents_tail = &pents;
/* No result written yet (the --by table's header goes first). */
static int out_first = 1;
/* Scratch text reused for every record, freed by free_groups(). */
static struct buf key_buf, text_buf;

/* Free every group and the scratch text. */
static void free_groups(void)
{
	struct acc *g, *next;
	struct pent *e, *en;
	size_t i;

	for (e = pents; e != NULL; e = en) {
		en = e->next;
		free(e->key);
		free((char *)e->pred.s);
		free((char *)e->gold.s);
		free(e);
	}
	pents = NULL;
	if (groups_tail != NULL && subs != NULL) {
		*groups_tail = subs;	/* free both lists in one loop */
		subs = NULL;
	}
	for (g = groups; g != NULL; g = next) {
		next = g->next;
		for (i = 0; i < g->ntext; i++)
			free(g->gtext[i]);
		free(g->gtext);
		free(g->scenario);
		free(g->cm);
		free(g->ngold);
		free(g->npred);
		free(g->err);
		free(g->gold);
		free(g->lat);
		free(g->ndcg);
		free(g->rr);
		free(g->bs);
		buf_free(&g->model.text);
		buf_free(&g->digest.text);
		buf_free(&g->strategy.text);
		buf_free(&g->model.bytes);
		buf_free(&g->digest.bytes);
		buf_free(&g->strategy.bytes);
		free(g);
	}
	groups = NULL;
	group_free(&gtable);
	buf_free(&key_buf);
	buf_free(&text_buf);
}

/* Compact JSON text of a member (absent and null both "null"). */
static void member_text(struct buf *b, const jv *rec, const char *key)
{
	const jv *v = jv_get(rec, key);

	buf_reset(b);
	json_write(b, v ? v : JV_NULL);
}

/* The --stability member of a record (absent: NULL). */
static const jv *stab_value(const struct opts *o, const jv *rec)
{
	const jv *v = jv_get(rec, o->stab_top);

	if (v != NULL && o->stab_sub != NULL)
		v = v->t == JOBJ ? jv_get(v, o->stab_sub) : NULL;
	return v;
}

/* Find or make the group of this record (hashed on its members' texts);
 * with sub, the --stability subgroup of that value instead. */
static struct acc *group_of(const struct opts *o, const jv *rec, const jv *sub)
{
	struct acc *g;
	size_t i, len;
	const char *key = group_key(&gtable, rec, (const char *const *)o->group, o->ngroup, &len);
	void **slot;

	/* A --stability subgroup: its group's key, marked, plus the value. */
	if (sub) {
		buf_reset(&key_buf);
		buf_addc(&key_buf, '\x1f');
		buf_add(&key_buf, key, len);
		buf_reset(&text_buf);
		json_write(&text_buf, sub);
		buf_add(&key_buf, text_buf.s, text_buf.len);
		key = key_buf.s;
		len = key_buf.len;
	}
	slot = group_slot(&gtable, key, len);
	if (*slot != NULL)
		return *slot;
	g = xcalloc(1, sizeof(*g));
	*slot = g;
	g->gtext = xcalloc(o->ngroup + 1, sizeof(char *));
	for (i = 0; i < o->ngroup; i++) {
		member_text(&text_buf, rec, o->group[i]);
		g->gtext[i] = xstrdup(text_buf.s);
	}
	g->ntext = o->ngroup;
	if (sub) {
		buf_reset(&text_buf);
		json_write(&text_buf, sub);
		g->gtext[g->ntext++] = xstrdup(text_buf.s);
	}
	/* The original records: the --by member absent, null or "original". */
	g->is_orig = o->by != NULL && (strcmp(g->gtext[0], "null") == 0 ||
				       strcmp(g->gtext[0], "\"original\"") == 0);
	if (sub) {
		*subs_tail = g;
		subs_tail = &g->next;
	} else {
		*groups_tail = g;
		groups_tail = &g->next;
	}
	return g;
}

/* Track a member's constancy (v is its value or NULL when absent); returns
 * 1 when it just changed.  Strings, the usual case, compare as bytes. */
static int track(struct constant *c, const jv *v)
{
	if (!c->seen) {
		c->seen = 1;
		c->absent = v == NULL;
		buf_reset(&c->text);
		buf_reset(&c->bytes);
		if (v != NULL)
			json_write(&c->text, v);
		c->is_str = v != NULL && v->t == JSTR;
		if (c->is_str)
			buf_add(&c->bytes, v->u.s, v->n);
		return 0;
	}
	if (c->varies)
		return 0;
	if (v == NULL || c->absent) {
		c->varies = (v == NULL) != c->absent;
		return c->varies;
	}
	if (v->t == JSTR && c->is_str) {
		c->varies = v->n != c->bytes.len || (v->n && memcmp(v->u.s, c->bytes.s, v->n) != 0);
		return c->varies;
	}
	buf_reset(&text_buf);
	json_write(&text_buf, v);
	c->varies = text_buf.len != c->text.len || memcmp(text_buf.s, c->text.s, text_buf.len) != 0;
	return c->varies;
}

static void push_double(double **a, size_t *n, size_t *cap, double v)
{
	if (*n == *cap)
		*a = xgrow(*a, cap, *n + 1, sizeof(**a));
	(*a)[(*n)++] = v;
}

/* Set up a new group's counters for its scenario. */
static void group_init(struct acc *g, const struct opts *o, const char *name,
		       struct scenario *sc, long line)
{
	size_t L;

	g->scenario = xstrdup(name);
	g->sc = sc;
	g->first_line = line;
	if (sc->task == TASK_CLASSIFICATION) {
		g->ls = o->labels ? o->labels : &sc->labels;
		L = g->ls->n;
		g->cm = xcalloc(L * L, sizeof(long));
		g->ngold = xcalloc(L, sizeof(long));
		g->npred = xcalloc(L, sizeof(long));
	}
}

/* Report a bad record the reader's way; returns -1 to stop, 1 to skip. */
#define BAD(in, ...) (jsonl_bad((in), __VA_ARGS__) < 0 ? -1 : 1)

/* A parsed prioritization pair: the model's order is its answer first
 * ("A": A then B; "B": B then A); any other answer ranks nothing. */
static void add_pair_rank(struct acc *g, const jv *pred, double ra, double rb)
{
	double first, second;
	size_t cap;

	if (pred->n != 1 || (pred->u.s[0] != 'A' && pred->u.s[0] != 'B'))
		return;
	first = pred->u.s[0] == 'A' ? ra : rb;
	second = pred->u.s[0] == 'A' ? rb : ra;
	cap = g->caprank;
	g->ndcg = xgrow(g->ndcg, &g->caprank, g->nrank + 1, sizeof(double));
	g->rr = xgrow(g->rr, &cap, g->nrank + 1, sizeof(double));
	g->ndcg[g->nrank] = pair_ndcg(first, second);
	g->rr[g->nrank++] = pair_rr(first, second);
}

static void accumulate(struct acc *g, const struct opts *o, const jv *gold, const jv *pred,
		       const jv *lat, const jv *err, const jv *rank_a, const jv *rank_b);

/* A value for pairing, its string copied (owned by the entry). */
static void rval_of(struct rval *r, const jv *v)
{
	memset(r, 0, sizeof(*r));
	if (v->t == JSTR) {
		r->t = 1;
		r->s = xstrndup(v->u.s, v->n);
		r->len = v->n;
	} else if (v->t == JNUM) {
		r->t = 2;
		r->d = v->d;
	}
}

/* --by: the record's pairing key (its source_id, else its id, plus the
 * --stability value) and prediction, kept until the end; a key seen twice
 * in one group (the original records count as one) is a bad record. */
static int pair_record(struct jsonl_in *in, const struct opts *o, const jv *rec, struct acc *g,
		       const jv *gold, const jv *pred, int correct)
{
	const jv *k = jv_get(rec, "source_id");
	struct pent *e;
	unsigned h;

	if (jv_isnull(k))
		k = jv_get(rec, "id");
	if (jv_isnull(k))
		return BAD(in, "no \"source_id\" or \"id\" member: --by pairs each record with its original by them");
	buf_reset(&key_buf);
	json_write(&key_buf, k);
	if (o->stab != NULL) {
		const jv *sv = stab_value(o, rec);

		buf_addc(&key_buf, '\x1e');
		json_write(&key_buf, sv ? sv : JV_NULL);
	}
	h = (unsigned)(fnv1a(key_buf.s, key_buf.len) % (NHASH * 16));
	for (e = phash[h]; e != NULL; e = e->next_hash)
		if (strcmp(e->key, key_buf.s) == 0 && (e->g == g || (e->g->is_orig && g->is_orig)))
			return BAD(in, "%s %s appears twice in the group %s=%s (first at line %ld): "
				   "pairing needs one record per source%s", jv_isnull(jv_get(rec, "source_id")) ? "id" : "source_id",
				   key_buf.s, o->by, g->gtext[0], e->line,
				   o->stab ? "" : " (give --stability FIELD when runs with several seeds are mixed)");
	e = xcalloc(1, sizeof(*e));
	e->key = xstrdup(key_buf.s);
	e->g = g;
	rval_of(&e->pred, pred);
	rval_of(&e->gold, gold);
	e->correct = correct;
	e->line = in->l.lineno;
	e->next_hash = phash[h];
	phash[h] = e;
	*pents_tail = e;
	pents_tail = &e->next;
	return 0;
}

/* Read one record into its group.  Returns 0, 1 (skipped) or -1 (stop). */
static int add_record(struct jsonl_in *in, const struct opts *o, const jv *rec)
{
	const char *name = NULL;
	const jv *scen = NULL, *gold = NULL, *pred = NULL, *lat = NULL, *err = NULL;
	const jv *rank_a = NULL, *rank_b = NULL, *model = NULL, *strat = NULL, *digest = NULL;
	struct scenario *sc;
	struct acc *g;
	size_t i, n = jv_len(rec);

	/* One pass over the members; the first of a repeated key counts, as
	 * jv_get() would find it.  Every key taken is one the reader builds
	 * a value for (base_want), so a member found has a value. */
	for (i = 0; i < n; i++) {
		size_t klen;
		const char *key = jv_key(rec, i, &klen);
		const jv *v = jv_val(rec, i);

#define TAKE(var, k) if (var == NULL && klen == sizeof(k) - 1 && memcmp(key, k, klen) == 0) var = v
		TAKE(scen, "scenario");
		else TAKE(gold, "gold");
		else TAKE(pred, "pred");
		else TAKE(lat, "latency_ms");
		else TAKE(err, "error");
		else TAKE(model, "model");
		else TAKE(strat, "strategy");
		else TAKE(digest, "model_digest");
		else TAKE(rank_a, "rank_a");
		else TAKE(rank_b, "rank_b");
#undef TAKE
	}
	if (scen != NULL && scen->t != JSTR)
		return BAD(in, "\"scenario\" is %s, not a string", jv_typename(scen));
	if (scen != NULL)
		name = scen->u.s;
	if (name != NULL && (memchr(name, '\0', scen->n) != NULL || !scenario_name_ok(name)))
		return BAD(in, SCENARIO_NAME_BAD);
	if (name == NULL && o->scenario == NULL)
		return BAD(in, "no \"scenario\" member (give --scenario NAME)");
	if (name != NULL && o->scenario != NULL && strcmp(name, o->scenario) != 0)
		return BAD(in, "scenario \"%s\" differs from --scenario %s", name, o->scenario);
	if (name == NULL)
		name = o->scenario;
	sc = scenario_get(name);
	if (sc == NULL)
		return BAD(in, "unknown scenario \"%s\": no readable config/scenarios/%s.json (see --config-dir)", name, name);
	if (gold == NULL)
		return BAD(in, "no \"gold\" member");
	if (pred == NULL)
		return BAD(in, "no \"pred\" member (run puma-parse first)");
	if (sc->task == TASK_REGRESSION) {
		if (gold->t != JNUM)
			return BAD(in, "\"gold\" is %s, not a number (story points)", jv_typename(gold));
		if (pred->t != JNUM && pred->t != JNULL)
			return BAD(in, "\"pred\" is %s, not a number or null", jv_typename(pred));
	} else {
		if (gold->t != JSTR)
			return BAD(in, "\"gold\" is %s, not a label string", jv_typename(gold));
		if (pred->t != JSTR && pred->t != JNULL)
			return BAD(in, "\"pred\" is %s, not a label string or null", jv_typename(pred));
	}
	if ((rank_a != NULL && (rank_a->t != JNUM || !isfinite(rank_a->d))) ||
	    (rank_b != NULL && (rank_b->t != JNUM || !isfinite(rank_b->d))))
		return BAD(in, "\"rank_a\" and \"rank_b\" must be numbers (a pair's priority ranks)");
	if (lat != NULL && lat->t != JNUM && lat->t != JNULL)
		return BAD(in, "\"latency_ms\" is %s, not a number", jv_typename(lat));
	if (lat != NULL && lat->t == JNUM && !isfinite(lat->d))
		return BAD(in, "\"latency_ms\" %s is out of range", jv_numtext(lat, NULL));

	g = group_of(o, rec, NULL);
	if (g->sc == NULL) {
		group_init(g, o, name, sc, in->l.lineno);
	} else if (strcmp(g->scenario, name) != 0) {
		fail_at(in->l.name, in->l.lineno,
			"input mixes scenarios \"%s\" and \"%s\": give --group-by scenario or split the input",
			g->scenario, name);
		return -1;
	}
	if (track(&g->model, model) || track(&g->strategy, strat)) {
		const char *what = g->model.varies ? "models" : "strategies";

		fail_at(in->l.name, in->l.lineno,
			"input mixes %s (first seen at line %ld): give --group-by %s or split the input",
			what, g->first_line, g->model.varies ? "model" : "strategy");
		return -1;
	}
	track(&g->digest, digest);
	if (o->by != NULL) {
		int correct = sc->task == TASK_REGRESSION ? pred->t == JNUM && pred->d == gold->d
							  : jv_same(pred, gold);
		int r = pair_record(in, o, rec, g, gold, pred, correct);

		if (r != 0)
			return r;
	}
	accumulate(g, o, gold, pred, lat, err, rank_a, rank_b);
	if (o->stab != NULL) {
		const jv *sv = stab_value(o, rec);
		struct acc *s;

		if (sv == NULL)
			sv = JV_NULL;
		s = group_of(o, rec, sv);
		if (s->sc == NULL) {
			group_init(s, o, name, sc, in->l.lineno);
			s->parent = g;
		}
		accumulate(s, o, gold, pred, lat, err, rank_a, rank_b);
	}
	return 0;
}

/* add_record() as jsonl_each() calls it. */
static int take_record(struct jsonl_in *in, jv *rec, void *ctx)
{
	return add_record(in, ctx, rec);
}

/* Count one record into a group (or a --stability subgroup). */
static void accumulate(struct acc *g, const struct opts *o, const jv *gold, const jv *pred,
		       const jv *lat, const jv *err, const jv *rank_a, const jv *rank_b)
{
	g->n++;
	if (!jv_isnull(err))
		g->n_errors++;
	if (lat != NULL && lat->t == JNUM)
		push_double(&g->lat, &g->nlat, &g->caplat, lat->d);
	if (g->sc->task == TASK_CLASSIFICATION) {
		struct brec b = {-1, -2, 0, 0};

		b.g = label_index(g->ls, gold->u.s, gold->n);
		if (pred->t == JSTR) {
			b.p = label_index(g->ls, pred->u.s, pred->n);
			b.correct = jv_same(pred, gold);
			g->n_parsed++;
			g->correct += b.correct;
			if (b.g >= 0)
				g->ngold[b.g]++;
			else
				g->gold_outside++;
			if (b.p >= 0)
				g->npred[b.p]++;
			else
				g->pred_outside++;
			if (b.g >= 0 && b.p >= 0)
				g->cm[(size_t)b.g * g->ls->n + (size_t)b.p]++;
			if (rank_a != NULL && rank_b != NULL)
				add_pair_rank(g, pred, rank_a->d, rank_b->d);
		}
		if (o->ci > 0 && g->parent == NULL) {	/* subgroups get no intervals */
			if (g->nbs == g->capbs)
				g->bs = xgrow(g->bs, &g->capbs, g->nbs + 1, sizeof(*g->bs));
			g->bs[g->nbs++] = b;
		}
	} else {
		struct brec b = {0, 0, 0, NAN};

		if (pred->t == JNUM) {
			b.err = fabs(gold->d - pred->d);
			g->n_parsed++;
			if (g->nerr == g->caperr) {
				size_t cap = g->caperr;

				g->err = xgrow(g->err, &g->caperr, g->nerr + 1, sizeof(double));
				g->gold = xgrow(g->gold, &cap, g->nerr + 1, sizeof(double));
			}
			g->err[g->nerr] = b.err;
			g->gold[g->nerr++] = gold->d;
		}
		if (o->ci > 0 && g->parent == NULL) {	/* subgroups get no intervals */
			if (g->nbs == g->capbs)
				g->bs = xgrow(g->bs, &g->capbs, g->nbs + 1, sizeof(*g->bs));
			g->bs[g->nbs++] = b;
		}
	}
}

/* Percentile bootstrap: B resamples of all records (parse failures
 * included) drawn with MT19937 seeded by --seed, each index as NumPy's
 * RandomState(seed).randint(0, n, size=n) draws it; a resample's metric is
 * left out when nothing in it parsed.  lo/hi get NaN when no resample had
 * the metric. */
static void bootstrap(const struct opts *o, const struct acc *g, double lo[3], double hi[3])
{
	size_t n = g->nbs, L = g->ls ? g->ls->n : 0, i, k, nv[3] = {0, 0, 0};
	double *vals[3], *scratch, h[3], *f1 = NULL;
	long *tp = NULL, *ng = NULL, *np = NULL, correct, nparsed;
	double qlo = (1.0 - o->ci) / 2.0 * 100.0, qhi = (1.0 + o->ci) / 2.0 * 100.0;
	struct mt m;
	long b;
	int j;

	mt_seed(&m, o->seed);
	for (j = 0; j < 3; j++)
		vals[j] = xcalloc((size_t)o->bootstrap, sizeof(double));
	if (g->sc->task == TASK_CLASSIFICATION) {
		tp = xcalloc(L, sizeof(long));
		ng = xcalloc(L, sizeof(long));
		np = xcalloc(L, sizeof(long));
		f1 = xcalloc(L, sizeof(double));
		scratch = xcalloc(2 * L, sizeof(double));
	} else {
		scratch = xcalloc(2 * n + 1, sizeof(double));
	}
	for (b = 0; b < o->bootstrap; b++) {
		if (g->sc->task == TASK_CLASSIFICATION) {
			memset(tp, 0, L * sizeof(long));
			memset(ng, 0, L * sizeof(long));
			memset(np, 0, L * sizeof(long));
			correct = nparsed = 0;
			for (i = 0; i < n; i++) {
				const struct brec *r = &g->bs[mt_interval(&m, (uint32_t)(n - 1))];

				if (r->p == -2)
					continue;
				nparsed++;
				correct += r->correct;
				if (r->g >= 0)
					ng[r->g]++;
				if (r->p >= 0)
					np[r->p]++;
				if (r->g >= 0 && r->g == r->p)
					tp[r->g]++;
			}
			score_classes(L, tp, ng, np, NULL, NULL, f1);
			score_class_headline(L, ng, f1, correct, nparsed, scratch, h);
		} else {
			double *e = scratch + n + 1;

			for (i = k = 0; i < n; i++) {
				const struct brec *r = &g->bs[mt_interval(&m, (uint32_t)(n - 1))];

				if (!isnan(r->err))
					e[k++] = r->err;
			}
			score_regression(e, k, scratch, h);
		}
		for (j = 0; j < 3; j++)
			if (!isnan(h[j]))
				vals[j][nv[j]++] = h[j];
	}
	for (j = 0; j < 3; j++) {
		lo[j] = hi[j] = NAN;
		if (nv[j] > 0) {
			np_sort(vals[j], nv[j]);
			lo[j] = np_percentile_sorted(vals[j], nv[j], qlo);
			hi[j] = np_percentile_sorted(vals[j], nv[j], qhi);
		}
		free(vals[j]);
	}
	free(tp);
	free(ng);
	free(np);
	free(f1);
	free(scratch);
}

/* A JSON text kept by the tracker, back as a value. */
static jv *from_text(struct arena *a, const char *s, size_t len)
{
	jv *v = json_parse(a, arena_strndup(a, s, len), len, NULL, NULL, 0);

	return v ? v : JV_NULL;
}

/* The run's energy and the energy per unit of quality (docs/metrics.md,
 * section 12): Wh per F1 percentage point, kWh x 1000 / (100 x f1_macro),
 * and Wh per unit of MAE, kWh x 1000 / mae, with grams of CO2 the same way;
 * null where the energy is unknown, the metric is missing or 0, or the
 * energy covers several groups. */
static void add_energy(struct arena *a, jv *out, const struct opts *o, int classif, double metric)
{
	const struct run_energy *e = &o->energy;
	int per = e->kwh_known && o->per_point && isfinite(metric) && metric > 0;
	double div = classif ? 100.0 * metric : metric;

	jv_set(a, out, "kwh", e->kwh_known ? jv_num(a, e->kwh) : JV_NULL);
	jv_set(a, out, "co2_kg", e->kwh_known ? jv_num(a, e->co2_kg) : JV_NULL);
	jv_set(a, out, "duration_s", jv_num(a, e->duration_s));
	jv_set(a, out, classif ? "wh_per_f1_point" : "wh_per_mae_unit",
	       per ? jv_num(a, e->kwh * 1000.0 / div) : JV_NULL);
	jv_set(a, out, classif ? "gco2_per_f1_point" : "gco2_per_mae_unit",
	       per ? jv_num(a, e->co2_kg * 1000.0 / div) : JV_NULL);
	if (e->kwh_known && e->estimated)
		jv_set(a, out, "energy_estimated", jv_bool(1));
	if (!e->kwh_known)
		jv_set(a, out, "energy_reason", jv_cstr(a, e->reason ? e->reason : "not measured"));
}

/* The headline metrics' names, in output order, per task. */
static const char *const class_names[3] = {"f1_macro", "f1_weighted", "accuracy"};
static const char *const reg_names[3] = {"mae", "mdae", "rmse"};

/* Build the output object of one group in a.  Members are appended in a
 * fixed order; a later option adds its own member with jv_set(). */
static jv *metrics_object(struct arena *a, const struct opts *o, const struct acc *g,
			  double headline[3])
{
	jv *out = jv_obj(a), *x, *y, *notes = NULL;
	size_t i, j, L;

	if (o->ngroup > 0) {
		x = jv_obj(a);
		for (i = 0; i < o->ngroup; i++)
			jv_set(a, x, o->group[i], from_text(a, g->gtext[i], strlen(g->gtext[i])));
		jv_set(a, out, "group", x);
	}
	jv_set(a, out, "scenario", jv_cstr(a, g->scenario));
	if (!g->model.absent && !g->model.varies)
		jv_set(a, out, "model", from_text(a, g->model.text.s, g->model.text.len));
	if (!g->digest.absent && !g->digest.varies)
		jv_set(a, out, "model_digest", from_text(a, g->digest.text.s, g->digest.text.len));
	if (!g->strategy.absent && !g->strategy.varies)
		jv_set(a, out, "strategy", from_text(a, g->strategy.text.s, g->strategy.text.len));
	jv_set(a, out, "n", jv_int(a, g->n));
	jv_set(a, out, "n_parsed", jv_int(a, g->n_parsed));
	jv_set(a, out, "n_errors", jv_int(a, g->n_errors));
	jv_set(a, out, "parse_failure_rate", jv_num(a, (double)(g->n - g->n_parsed) / (double)g->n));

	if (g->sc->task == TASK_CLASSIFICATION) {
		double *prec, *rec, *f1, *scratch;
		long *tp;

		L = g->ls->n;
		prec = arena_alloc(a, 5 * L * sizeof(double));
		rec = prec + L;
		f1 = rec + L;
		scratch = f1 + L;
		tp = arena_alloc(a, L * sizeof(long));
		for (i = 0; i < L; i++)
			tp[i] = g->cm[i * L + i];
		score_classes(L, tp, g->ngold, g->npred, prec, rec, f1);
		score_class_headline(L, g->ngold, f1, g->correct, g->n_parsed, scratch, headline);
		for (j = 0; j < 3; j++)
			jv_set(a, out, class_names[j], jv_num_or_null(a, headline[j]));
		x = jv_arr(a);
		for (i = 0; i < L; i++)
			jv_push(a, x, jv_str(a, g->ls->label[i], g->ls->len[i]));
		jv_set(a, out, "labels", x);
		x = jv_obj(a);
		for (i = 0; i < L; i++) {
			y = jv_obj(a);
			jv_set(a, y, "precision", jv_num(a, prec[i]));
			jv_set(a, y, "recall", jv_num(a, rec[i]));
			jv_set(a, y, "f1", jv_num(a, f1[i]));
			jv_set(a, y, "support", jv_int(a, g->ngold[i]));
			jv_set(a, x, g->ls->label[i], y);
		}
		jv_set(a, out, "per_class", x);
		x = jv_arr(a);
		for (i = 0; i < L; i++) {
			y = jv_arr(a);
			for (j = 0; j < L; j++)
				jv_push(a, y, jv_int(a, g->cm[i * L + j]));
			jv_push(a, x, y);
		}
		jv_set(a, out, "confusion_matrix", x);
		if (g->nrank > 0) {
			x = jv_obj(a);
			jv_set(a, x, "n", jv_int(a, (long long)g->nrank));
			jv_set(a, x, "ndcg", jv_num(a, np_mean(g->ndcg, g->nrank)));
			jv_set(a, x, "mrr", jv_num(a, np_mean(g->rr, g->nrank)));
			jv_set(a, out, "ranking", x);
		}
	} else {
		double *scratch = arena_alloc(a, (g->nerr + 1) * sizeof(double));

		score_regression(g->err, g->nerr, scratch, headline);
		for (j = 0; j < 3; j++) {
			jv_set(a, out, reg_names[j], jv_num_or_null(a, headline[j]));
			/* Errors near DBL_MAX sum to infinity: null, but never silently. */
			if (g->nerr > 0 && !isfinite(headline[j])) {
				char why[96];

				if (notes == NULL)
					notes = jv_arr(a);
				snprintf(why, sizeof(why), "%s overflows a double (errors too large to sum): null",
					 reg_names[j]);
				jv_push(a, notes, jv_cstr(a, why));
			}
		}
		x = jv_obj(a);
		for (i = 0; i < g->sc->nbins; i++) {
			const struct vbin *b = &g->sc->bins[i];
			size_t k = 0;

			for (j = 0; j < g->nerr; j++)
				if (g->gold[j] >= b->lo && g->gold[j] <= b->hi)
					scratch[k++] = g->err[j];
			jv_set(a, x, b->name, k ? jv_num(a, np_mean(scratch, k)) : JV_NULL);
		}
		jv_set(a, out, "mae_by_bin", x);
	}

	if (g->nlat > 0) {
		double *s = arena_alloc(a, g->nlat * sizeof(double)), total;

		memcpy(s, g->lat, g->nlat * sizeof(double));
		np_sort(s, g->nlat);
		x = jv_obj(a);
		jv_set(a, x, "p50", jv_num(a, np_percentile_sorted(s, g->nlat, 50)));
		jv_set(a, x, "p95", jv_num(a, np_percentile_sorted(s, g->nlat, 95)));
		jv_set(a, x, "p99", jv_num(a, np_percentile_sorted(s, g->nlat, 99)));
		jv_set(a, x, "mean", jv_num(a, np_mean(g->lat, g->nlat)));
		jv_set(a, x, "min", jv_num(a, s[0]));
		jv_set(a, x, "max", jv_num(a, s[g->nlat - 1]));
		jv_set(a, out, "latency", x);
		total = np_sum(g->lat, g->nlat) / 1000.0;
		jv_set(a, out, "throughput_per_min",
		       total > 0 ? jv_num(a, ((double)g->nlat / total) * 60.0) : JV_NULL);
	} else {
		jv_set(a, out, "latency", JV_NULL);
		jv_set(a, out, "throughput_per_min", JV_NULL);
	}

	if (o->summary != NULL)
		add_energy(a, out, o, g->sc->task == TASK_CLASSIFICATION, headline[0]);

	if (o->ci > 0) {
		const char *const *names = g->sc->task == TASK_CLASSIFICATION ? class_names : reg_names;
		double lo[3], hi[3];

		bootstrap(o, g, lo, hi);
		x = jv_obj(a);
		jv_set(a, x, "level", jv_num(a, o->ci));
		jv_set(a, x, "bootstrap", jv_int(a, o->bootstrap));
		jv_set(a, x, "seed", jv_int(a, o->seed));
		for (j = 0; j < 3; j++) {
			if (isnan(lo[j])) {
				jv_set(a, x, names[j], JV_NULL);
				continue;
			}
			y = jv_arr(a);
			jv_push(a, y, jv_num(a, lo[j]));
			jv_push(a, y, jv_num(a, hi[j]));
			jv_set(a, x, names[j], y);
		}
		jv_set(a, out, "ci", x);
	}
	if (notes != NULL)
		jv_set(a, out, "notes", notes);
	return out;
}

/* The headline metrics of a group (or subgroup) into g->h, as
 * metrics_object() computes them. */
static void headline_of(struct arena *a, struct acc *g)
{
	if (g->sc->task == TASK_CLASSIFICATION) {
		size_t L = g->ls->n, i;
		double *f1 = arena_alloc(a, 3 * L * sizeof(double) + 1);
		long *tp = arena_alloc(a, L * sizeof(long) + 1);

		for (i = 0; i < L; i++)
			tp[i] = g->cm[i * L + i];
		score_classes(L, tp, g->ngold, g->npred, NULL, NULL, f1);
		score_class_headline(L, g->ngold, f1, g->correct, g->n_parsed, f1 + L, g->h);
	} else {
		score_regression(g->err, g->nerr, arena_alloc(a, (g->nerr + 1) * sizeof(double)), g->h);
	}
}

/* The pairing entry of key in the original records, or in group g. */
static struct pent *find_pent(const char *key, const struct acc *g)
{
	struct pent *e;

	for (e = phash[fnv1a(key, strlen(key)) % (NHASH * 16)]; e != NULL; e = e->next_hash)
		if ((g == NULL ? e->g->is_orig : e->g == g) && strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

/* The group whose --by value is this string, or NULL. */
static struct acc *group_named(const char *value)
{
	struct acc *g;
	struct buf t = {0};

	json_write_str(&t, value, strlen(value));
	for (g = groups; g != NULL; g = g->next)
		if (strcmp(g->gtext[0], t.s) == 0)
			break;
	buf_free(&t);
	return g;
}

/* A pair's ratios as members of x. */
static void set_rates(struct arena *a, jv *x, const struct pair_counts *c, const char *base,
		      const char *pert)
{
	struct pair_rates r;

	pair_rates(c, &r);
	jv_set(a, x, base, jv_num_or_null(a, r.acc_base));
	jv_set(a, x, pert, jv_num_or_null(a, r.acc_pert));
	jv_set(a, x, "flips", jv_int(a, c->n - c->same));
	jv_set(a, x, "flip_rate", jv_num_or_null(a, r.flip_rate));
	jv_set(a, x, "flip_to_correct", jv_num(a, r.to_correct));
	jv_set(a, x, "flip_to_incorrect", jv_num(a, r.to_incorrect));
}

/* --by: a group's comparison with the original records (docs/metrics.md,
 * robustness): each headline metric's robustness score from the two
 * groups' metrics, and over the records paired by source_id the
 * consistency, the flips and their direction. */
static jv *vs_original(struct arena *a, const struct acc *g, const struct acc *orig)
{
	const char *const *names = g->sc->task == TASK_CLASSIFICATION ? class_names : reg_names;
	jv *x = jv_obj(a), *y = jv_obj(a);
	struct pair_rates r;
	int j;

	jv_set(a, x, "n_pairs", jv_int(a, g->vs.n));
	for (j = 0; j < 3; j++)
		jv_set(a, y, names[j], jv_num_or_null(a, orig ? robustness_score(orig->h[j], g->h[j]) : NAN));
	jv_set(a, x, "robustness", y);
	pair_rates(&g->vs, &r);
	jv_set(a, x, "consistency", jv_num_or_null(a, r.consistency));
	set_rates(a, x, &g->vs, "acc_original", "acc_perturbed");
	return x;
}

/* --stability: the spread of each headline metric over the group's
 * subgroups (one per value of the field), as stability_report() gives it;
 * a subgroup where nothing parsed has no metric and is left out. */
static jv *stability_object(struct arena *a, const struct opts *o, const struct acc *g)
{
	const char *const *names = g->sc->task == TASK_CLASSIFICATION ? class_names : reg_names;
	jv *x = jv_obj(a), *vals = jv_arr(a), *y;
	size_t n = 0, k;
	double *v, *scratch;
	struct acc *s;
	struct stability st;
	int j;

	for (s = subs; s != NULL; s = s->next)
		if (s->parent == g) {
			jv_push(a, vals, from_text(a, s->gtext[s->ntext - 1], strlen(s->gtext[s->ntext - 1])));
			n++;
		}
	v = arena_alloc(a, 2 * n * sizeof(double) + 1);
	scratch = v + n;
	jv_set(a, x, "field", jv_cstr(a, o->stab));
	jv_set(a, x, "values", vals);
	for (j = 0; j < 3; j++) {
		for (k = 0, s = subs; s != NULL; s = s->next)
			if (s->parent == g && !isnan(s->h[j]))
				v[k++] = s->h[j];
		if (k == 0) {
			jv_set(a, x, names[j], JV_NULL);
			continue;
		}
		stability_of(v, k, scratch, &st);
		y = jv_obj(a);
		jv_set(a, y, "n_seeds", jv_int(a, (long long)k));
		jv_set(a, y, "mean", jv_num(a, st.mean));
		jv_set(a, y, "stddev", jv_num(a, st.std));
		jv_set(a, y, "cv", jv_num_or_null(a, st.cv));
		jv_set(a, y, "min", jv_num(a, st.min));
		jv_set(a, y, "max", jv_num(a, st.max));
		jv_set(a, y, "stability", jv_num(a, st.score));
		jv_set(a, x, names[j], y);
	}
	return x;
}

/* One metric of fairness_report() over the two sides (female first, as
 * sorted): per side, global, the worst side (the first minimum), the gap
 * and each side's distance from the global value. */
static jv *fair_metric(struct arena *a, const char *const side[2], const double v[2], double global)
{
	jv *x = jv_obj(a), *p = jv_obj(a), *d = jv_obj(a);
	int w = v[1] < v[0], b = !w, i;

	for (i = 0; i < 2; i++) {
		jv_set(a, p, side[i], jv_num(a, v[i]));
		jv_set(a, d, side[i], jv_num(a, fabs(v[i] - global)));
	}
	jv_set(a, x, "per_group", p);
	jv_set(a, x, "global", jv_num(a, global));
	jv_set(a, x, "worst_group", jv_cstr(a, side[w]));
	jv_set(a, x, "gap", jv_num(a, v[b] - v[w]));
	jv_set(a, x, "disparities", d);
	return x;
}

/* --by perturbation: the gender pair (docs/metrics.md, fairness).  The
 * records of both prefixes paired by source_id: accuracy (and macro-F1 for
 * labels) per side with PUMA's fairness_report, and the flips from the male
 * to the female side with perturbation_disparity.  NULL without pairs. */
static jv *fairness_object(struct arena *a, const struct opts *o)
{
	static const char *const side[2] = {"gender_swap_prefix_female", "gender_swap_prefix_male"};
	struct acc *fg = group_named(side[0]), *mg = group_named(side[1]);
	struct pair_counts c = {0};
	struct rval *gold, *pred;
	struct pent *e, *m;
	size_t n = 0, i;
	double v[2];
	jv *x;

	if (fg == NULL || mg == NULL || fg->sc != mg->sc)
		return NULL;
	for (e = pents; e != NULL; e = e->next)
		if (e->g == fg && find_pent(e->key, mg) != NULL)
			n++;
	if (n == 0)
		return NULL;
	/* Sides as fairness_report() takes them: female records, then male. */
	gold = arena_alloc(a, 4 * n * sizeof(*gold));
	pred = gold + 2 * n;
	for (i = 0, e = pents; e != NULL; e = e->next) {
		if (e->g != fg || (m = find_pent(e->key, mg)) == NULL)
			continue;
		pair_add(&c, &m->pred, m->correct, &e->pred, e->correct);
		gold[i] = e->gold;
		pred[i] = e->pred;
		gold[n + i] = m->gold;
		pred[n + i] = m->pred;
		i++;
	}
	x = jv_obj(a);
	jv_set(a, x, "by", jv_cstr(a, o->by));
	jv_set(a, x, "n_pairs", jv_int(a, (long long)n));
	{
		long hit[2] = {0, 0};

		for (i = 0; i < 2 * n; i++)
			if (pred[i].t != 0 && rval_same(&gold[i], &pred[i]))
				hit[i >= n]++;
		v[0] = (double)hit[0] / (double)n;
		v[1] = (double)hit[1] / (double)n;
		jv_set(a, x, "accuracy", fair_metric(a, side, v, (double)(hit[0] + hit[1]) / (double)(2 * n)));
	}
	if (fg->sc->task == TASK_CLASSIFICATION) {
		v[0] = macro_f1(gold, pred, n);
		v[1] = macro_f1(gold + n, pred + n, n);
		jv_set(a, x, "f1_macro", fair_metric(a, side, v, macro_f1(gold, pred, 2 * n)));
	}
	set_rates(a, x, &c, "acc_male", "acc_female");
	return x;
}

/* The original records' group (the first, should there be two). */
static struct acc *orig_group(void)
{
	struct acc *g;

	for (g = groups; g != NULL; g = g->next)
		if (g->is_orig)
			return g;
	return NULL;
}

/* After the input: every group's headline, and with --by the pairs of each
 * perturbed record with its original, counted into its group. */
static void robust_prepare(struct arena *a, const struct opts *o)
{
	struct acc *g;
	struct pent *e, *m;

	for (g = groups; g != NULL; g = g->next)
		headline_of(a, g);
	for (g = subs; g != NULL; g = g->next)
		headline_of(a, g);
	arena_reset(a);
	if (o->by == NULL)
		return;
	if (orig_group() == NULL && groups != NULL)
		warn_msg("note: no original records (%s absent, null or \"original\"): no robustness "
		      "without them (puma-perturb --with-original)", o->by);
	for (e = pents; e != NULL; e = e->next)
		if (!e->g->is_orig && (m = find_pent(e->key, NULL)) != NULL)
			pair_add(&e->g->vs, &m->pred, m->correct, &e->pred, e->correct);
}

/* A scalar as people read it: strings without quotes, numbers as printed. */
static void scalar_text(struct buf *b, const jv *v)
{
	size_t len;
	const char *s = jv_string(v, &len);

	if (s != NULL)
		buf_add(b, s, len);
	else
		json_write(b, v);
}

/* The per-class table, four decimals. */
static void table_classes(struct buf *b, const jv *pc)
{
	static const char *const cols[] = {"precision", "recall", "f1"};
	size_t i, j, w = 5;

	for (i = 0; i < jv_len(pc); i++) {
		size_t klen;

		if (jv_key(pc, i, &klen) != NULL && klen > w)
			w = klen;
	}
	buf_printf(b, "\n%-*s  %9s  %9s  %9s  %7s\n", (int)w, "label", "precision", "recall", "f1", "support");
	for (i = 0; i < jv_len(pc); i++) {
		const jv *c = jv_val(pc, i);

		buf_printf(b, "%-*s", (int)w, jv_key(pc, i, NULL));
		for (j = 0; j < 3; j++)
			buf_printf(b, "  %9.4f", jv_get(c, cols[j])->d);
		buf_printf(b, "  %7.0f\n", jv_get(c, "support")->d);
	}
}

/* The confusion matrix with the labels along both edges. */
static void table_confusion(struct buf *b, const jv *cm, const jv *labels)
{
	size_t i, j, w = 4, cw = 5;

	for (i = 0; i < jv_len(labels); i++) {
		size_t n = jv_len(jv_item(labels, i));

		if (n > w)
			w = n;
		if (n > cw)
			cw = n;
	}
	buf_printf(b, "\nconfusion matrix (rows: gold, columns: predicted)\n%-*s", (int)w, "");
	for (j = 0; j < jv_len(labels); j++)
		buf_printf(b, "  %*s", (int)cw, jv_string(jv_item(labels, j), NULL));
	buf_addc(b, '\n');
	for (i = 0; i < jv_len(cm); i++) {
		const jv *row = jv_item(cm, i);

		buf_printf(b, "%-*s", (int)w, jv_string(jv_item(labels, i), NULL));
		for (j = 0; j < jv_len(row); j++)
			buf_printf(b, "  %*.0f", (int)cw, jv_item(row, j)->d);
		buf_addc(b, '\n');
	}
}

/* The whole object as aligned "name  value" lines; nested objects (latency,
 * bins, intervals, anything added later) as indented blocks. */
static void table(struct buf *b, const jv *out)
{
	size_t i, j;

	for (i = 0; i < jv_len(out); i++) {
		const char *key = jv_key(out, i, NULL);
		const jv *v = jv_val(out, i);

		if (strcmp(key, "per_class") == 0) {
			table_classes(b, v);
		} else if (strcmp(key, "confusion_matrix") == 0) {
			table_confusion(b, v, jv_get(out, "labels"));
		} else if (strcmp(key, "labels") == 0) {
			continue;
		} else if (v->t == JOBJ) {
			buf_printf(b, "\n%s\n", key);
			for (j = 0; j < jv_len(v); j++) {
				buf_printf(b, "  %-18s  ", jv_key(v, j, NULL));
				scalar_text(b, jv_val(v, j));
				buf_addc(b, '\n');
			}
		} else {
			buf_printf(b, "%-20s  ", key);
			scalar_text(b, v);
			buf_addc(b, '\n');
		}
	}
}

/* A number of a --by row, four decimals, "-" when null or absent. */
static void by_num(struct buf *b, const jv *v, int w)
{
	if (v != NULL && v->t == JNUM)
		buf_printf(b, "  %*.4f", w, v->d);
	else
		buf_printf(b, "  %*s", w, "-");
}

/* --by with --format table: one line per group, its headline metric and
 * the comparison with the original records (the header before the first). */
static void by_row(struct buf *b, const struct opts *o, const jv *out, int first)
{
	const jv *grp = jv_get(jv_get(out, "group"), o->by), *vs = jv_get(out, "vs_original");
	const char *metric = jv_get(out, "f1_macro") ? "f1_macro" : "mae";
	const jv *st = jv_get(jv_get(out, "stability"), metric);

	if (first) {
		buf_printf(b, "%-26s  %6s  %8s  %10s  %11s  %9s  %10s  %12s", o->by, "n", metric, "robustness",
			   "consistency", "flip_rate", "to_correct", "to_incorrect");
		if (o->stab)
			buf_printf(b, "  %9s", "stability");
		buf_addc(b, '\n');
	}
	buf_reset(&text_buf);
	if (grp == NULL || grp->t == JNULL)
		buf_adds(&text_buf, "(original)");
	else
		scalar_text(&text_buf, grp);
	buf_printf(b, "%-26s  %6.0f", text_buf.s, jv_get(out, "n")->d);
	by_num(b, jv_get(out, metric), 8);
	by_num(b, jv_get(jv_get(vs, "robustness"), metric), 10);
	by_num(b, jv_get(vs, "consistency"), 11);
	by_num(b, jv_get(vs, "flip_rate"), 9);
	by_num(b, vs ? jv_get(vs, "flip_to_correct") : NULL, 10);
	by_num(b, vs ? jv_get(vs, "flip_to_incorrect") : NULL, 12);
	if (o->stab)
		by_num(b, jv_get(st, "stability"), 9);
	buf_addc(b, '\n');
}

/* The fairness line in the table format. */
static void fairness_table(struct buf *b, const jv *f)
{
	static const char *const m[] = {"accuracy", "f1_macro"};
	size_t i;

	buf_printf(b, "\nfairness: gender_swap_prefix_male vs _female, %.0f pairs\n", jv_get(f, "n_pairs")->d);
	buf_printf(b, "%-10s  %8s  %8s  %8s  %8s  %-8s\n", "metric", "female", "male", "global", "gap", "worst");
	for (i = 0; i < 2; i++) {
		const jv *x = jv_get(f, m[i]), *pg = jv_get(x, "per_group"), *w;

		if (x == NULL)
			continue;
		w = jv_get(x, "worst_group");
		buf_printf(b, "%-10s  %8.4f  %8.4f  %8.4f  %8.4f  %-8s\n", m[i],
			   jv_get(pg, "gender_swap_prefix_female")->d, jv_get(pg, "gender_swap_prefix_male")->d,
			   jv_get(x, "global")->d, jv_get(x, "gap")->d,
			   strcmp(w->u.s, "gender_swap_prefix_male") == 0 ? "male" : "female");
	}
	buf_printf(b, "flips %.0f (rate %.4f): to correct %.4f, to incorrect %.4f\n", jv_get(f, "flips")->d,
		   jv_get(f, "flip_rate")->d, jv_get(f, "flip_to_correct")->d, jv_get(f, "flip_to_incorrect")->d);
}

/* Write one result object in the chosen format (errors show at finish()). */
static void emit(const struct opts *o, const jv *out)
{
	struct buf b = {0};

	if (o->format == FMT_TABLE && jv_get(out, "fairness") != NULL)
		fairness_table(&b, jv_get(out, "fairness"));
	else if (o->format == FMT_TABLE && o->by != NULL)
		by_row(&b, o, out, out_first);
	else if (o->format == FMT_TABLE)
		table(&b, out);
	else if (o->format == FMT_PRETTY)
		json_write_pretty(&b, out, 2);
	else
		json_write(&b, out);
	if (o->format != FMT_TABLE)
		buf_addc(&b, '\n');
	fwrite(b.s, 1, b.len, stdout);
	buf_free(&b);
	out_first = 0;
}

/* Fill the check from config/baselines.json; warn where the input's
 * configuration differs from the reference's.  Returns -1 after a message. */
static int load_baseline(struct opts *o, struct arena *a)
{
	char *path = config_path("baselines.json");
	jv *root = json_load(a, path), *b;
	const char *metric;
	const jv *exp, *tol;

	if (root == NULL) {
		free(path);
		return -1;
	}
	b = jv_get(jv_get(root, "baselines"), o->baseline);
	if (b == NULL) {
		warn_at(path, 0, "no baseline named \"%s\"", o->baseline);
		free(path);
		return -1;
	}
	metric = jv_getstr(b, "metric", NULL);
	exp = jv_get(b, "expected");
	tol = jv_get(b, "tolerance");
	if (metric == NULL || (strcmp(metric, "f1_macro") != 0 && strcmp(metric, "mae") != 0) ||
	    exp == NULL || exp->t != JNUM || tol == NULL || tol->t != JNUM) {
		warn_at(path, 0, "baseline \"%s\" needs \"metric\" (f1_macro or mae), \"expected\" and \"tolerance\"",
			o->baseline);
		free(path);
		return -1;
	}
	free(path);
	o->check_metric = strcmp(metric, "f1_macro") == 0 ? "f1_macro" : "mae";
	o->expected = exp->d;
	if (!o->have_tolerance)
		o->tolerance = tol->d;
	return 0;
}

/* One number of the summary's "energy" object: 1 a number >= 0 in *d,
 * 0 null (where allowed), -1 after a message naming the file. */
static int summary_num(const char *path, const jv *en, const char *key, int may_null, double *d)
{
	const jv *v = jv_get(en, key);

	if (v != NULL && v->t == JNULL && may_null)
		return 0;
	if (v == NULL || v->t != JNUM) {
		fail_at(path, 0, "\"energy\".\"%s\" is %s, not a number%s: not a run summary of puma-infer --summary",
			key, jv_typename(v), may_null ? " or null" : "");
		return -1;
	}
	if (!isfinite(v->d) || v->d < 0) {
		fail_at(path, 0, "\"energy\".\"%s\" is %s: %s", key,
			jv_numtext(v, NULL) ? jv_numtext(v, NULL) : "a number",
			isfinite(v->d) ? "it cannot be negative" : "out of range");
		return -1;
	}
	*d = v->d;
	return 1;
}

/* Read the energy of a run from puma-infer's --summary FILE into o->energy;
 * -1 after a message (exit 1): the file is unreadable or not a summary. */
static int load_summary(struct opts *o)
{
	struct arena a = {0};
	struct run_energy *e = &o->energy;
	const jv *root, *en, *est;
	int k, c, rc = -1;

	root = json_load(&a, o->summary);
	if (root == NULL) {
		fail();
		goto out;
	}
	if (root->t != JOBJ) {
		fail_at(o->summary, 0, "%s, not a JSON object: not a run summary of puma-infer --summary",
			jv_typename(root));
		goto out;
	}
	en = jv_get(root, "energy");
	if (en == NULL || en->t != JOBJ) {
		fail_at(o->summary, 0, "\"energy\" is %s, not an object: not a run summary of puma-infer --summary",
			jv_typename(en));
		goto out;
	}
	if ((k = summary_num(o->summary, en, "kwh", 1, &e->kwh)) < 0 ||
	    (c = summary_num(o->summary, en, "co2_kg", 1, &e->co2_kg)) < 0 ||
	    summary_num(o->summary, en, "duration_s", 0, &e->duration_s) < 0)
		goto out;
	if (k != c) {
		fail_at(o->summary, 0, "\"energy\": \"kwh\" is %s but \"co2_kg\" is %s: the summary was changed by hand?",
			k ? "a number" : "null", c ? "a number" : "null");
		goto out;
	}
	e->kwh_known = k;
	est = jv_get(en, "estimated");
	e->estimated = est != NULL && est->t == JTRUE;
	if (!k) {
		const char *why = jv_getstr(en, "reason", NULL);

		e->reason = xstrdup(why ? why : "the run summary gives no energy");
	}
	rc = 0;
out:
	arena_free(&a);
	return rc;
}

/* Compare the input's scenario, model, strategy and size with the
 * baseline's configuration; differences are worth a warning, not a FAIL. */
static void baseline_config(const struct opts *o, struct arena *a, const struct acc *g)
{
	char *path = config_path("baselines.json");
	jv *b = jv_get(jv_get(json_load(a, path), "baselines"), o->baseline);
	const char *s;
	const jv *n;
	struct buf t = {0};

	free(path);
	if ((s = jv_getstr(b, "scenario", NULL)) != NULL && strcmp(s, g->scenario) != 0)
		warn_msg("note: baseline %s is for scenario %s, the input is %s", o->baseline, s, g->scenario);
	if ((s = jv_getstr(b, "model", NULL)) != NULL) {
		json_write_str(&t, s, strlen(s));
		if (g->model.absent || g->model.varies || strcmp(t.s, g->model.text.s) != 0)
			warn_msg("note: baseline %s was measured with model %s, the input has %s", o->baseline, t.s,
			      g->model.absent ? "none" : g->model.text.s);
	}
	if ((s = jv_getstr(b, "strategy", NULL)) != NULL) {
		buf_reset(&t);
		json_write_str(&t, s, strlen(s));
		if (g->strategy.absent || g->strategy.varies || strcmp(t.s, g->strategy.text.s) != 0)
			warn_msg("note: baseline %s was measured with strategy %s, the input has %s", o->baseline,
			      t.s, g->strategy.absent ? "none" : g->strategy.text.s);
	}
	if ((n = jv_get(b, "n")) != NULL && n->t == JNUM && n->d != (double)g->n)
		warn_msg("note: baseline %s was measured on %s records, the input has %ld", o->baseline,
			 jv_numtext(n, NULL), g->n);
	buf_free(&t);
}

/* The PASS/FAIL line; returns the exit status the check asks for. */
static int check(const struct opts *o, const struct acc *g, const double headline[3])
{
	int is_f1 = strcmp(o->check_metric, "f1_macro") == 0;
	int right_task = (g->sc->task == TASK_CLASSIFICATION) == is_f1;
	double actual = headline[0], delta;
	char av[32], ev[32], dv[32], tv[32];
	const char *who = o->baseline ? o->baseline : NULL;

	if (!right_task) {
		warn_msg("%s is not computed for scenario %s (a %s task)", o->check_metric, g->scenario,
		      g->sc->task == TASK_CLASSIFICATION ? "classification" : "regression");
		return EXIT_USAGE;
	}
	if (isnan(actual)) {
		warn_msg("%s is missing: no record parsed (%ld records)", o->check_metric, g->n);
		return EXIT_USAGE;
	}
	delta = actual - o->expected;
	fmt_double(actual, av);
	fmt_double(o->expected, ev);
	fmt_double(delta, dv);
	fmt_double(o->tolerance, tv);
	fflush(stdout);
	fprintf(stderr, "%s: %s%s%s%s %s %s, expected %s, delta %s%s, tolerance %s\n", progname,
		who ? "baseline " : "", who ? who : "", who ? ": " : "",
		fabs(delta) <= o->tolerance ? "PASS" : "FAIL", o->check_metric, av, ev,
		delta >= 0 ? "+" : "", dv, tv);
	return fabs(delta) <= o->tolerance ? EXIT_OK : EXIT_FAIL;
}

/* Split --group-by into its fields (owned by o). */
static void group_fields(struct opts *o, const char *arg)
{
	const char *p = arg, *q;

	for (;;) {
		q = strchr(p, ',');
		if ((q ? (size_t)(q - p) : strlen(p)) == 0)
			usage_error("--group-by: empty field name in '%s'", arg);
		o->group = xrealloc(o->group, (o->ngroup + 1) * sizeof(char *));
		o->group[o->ngroup++] = q ? xstrndup(p, (size_t)(q - p)) : xstrdup(p);
		if (q == NULL)
			break;
		p = q + 1;
	}
}

/* Read every input into the groups; -1 when the reading stopped early
 * (reported).  *last names the last input, for a message about them all. */
static int read_records(const struct opts *o, char *const *paths, int n, const char **last)
{
	static const char *const base_want[] = {"scenario", "gold", "pred", "error", "latency_ms",
						"model", "model_digest", "strategy", "rank_a", "rank_b",
						"source_id", "id"};
	size_t nw = sizeof(base_want) / sizeof(base_want[0]), k;
	const char **want = xcalloc(nw + o->ngroup + 2, sizeof(char *));
	struct jsonl_pass jp = {.want = want, .lenient = o->lenient};
	int r;

	memcpy(want, base_want, sizeof(base_want));
	for (k = 0; k < o->ngroup; k++)
		want[nw + k] = o->group[k];
	want[nw + o->ngroup] = o->stab_top;
	r = jsonl_each(&jp, paths, n, take_record, (void *)o);
	*last = jp.last;
	free(want);
	return r;
}

/* The notes about one group's records, on stderr after its result. */
static void group_notes(const struct opts *o, const struct acc *g, const jv *out)
{
	struct buf who = {0};
	const jv *notes = jv_get(out, "notes");
	size_t k;

	buf_adds(&who, o->ngroup ? "group" : "the input");
	for (k = 0; k < o->ngroup; k++)
		buf_printf(&who, "%s %s=%s", k ? "," : "", o->group[k], g->gtext[k]);
	for (k = 0; k < jv_len(notes); k++)
		warn_msg("note: %s: %s", who.s, jv_string(jv_item(notes, k), NULL));
	if (g->digest.varies)
		warn_msg("note: model_digest differs between records of %s (the model changed during the run?)",
		      who.s);
	if (g->gold_outside > 0)
		warn_msg("note: %s: %ld parsed record%s with a gold label outside the label list (they count only in accuracy)",
		      who.s, g->gold_outside, g->gold_outside == 1 ? "" : "s");
	if (g->pred_outside > 0)
		warn_msg("note: %s: %ld prediction%s outside the label list (parsed with other labels?)",
		      who.s, g->pred_outside, g->pred_outside == 1 ? "" : "s");
	buf_free(&who);
}

/* Write each group's result, its notes and the check's verdict, then the
 * --by fairness object; returns the exit status the check asks for. */
static int report(struct opts *o, struct arena *a)
{
	struct acc *g;
	double headline[3];
	size_t ngroups = 0;
	int status = EXIT_OK;

	for (g = groups; g != NULL; g = g->next)
		ngroups++;
	robust_prepare(a, o);
	/* The summary measures the whole run: its energy cannot be
	 * split between groups, so per-point figures need one group. */
	o->per_point = ngroups == 1;
	if (o->summary != NULL && ngroups > 1)
		warn_msg("note: %s covers the whole run, not one of its %zu groups: each group shows the "
		      "run's kwh, co2_kg and duration_s, and null energy per F1 point or MAE unit",
		      o->summary, ngroups);
	for (g = groups; g != NULL; g = g->next) {
		jv *out;

		arena_reset(a);
		out = metrics_object(a, o, g, headline);
		if (o->by != NULL && !g->is_orig)
			jv_set(a, out, "vs_original", vs_original(a, g, orig_group()));
		if (o->stab != NULL)
			jv_set(a, out, "stability", stability_object(a, o, g));
		emit(o, out);
		group_notes(o, g, out);
		if (o->check_metric) {
			if (o->baseline)
				baseline_config(o, a, g);
			status = check(o, g, headline);
		}
	}
	if (o->by != NULL) {
		jv *f, *out;

		arena_reset(a);
		if ((f = fairness_object(a, o)) != NULL) {
			out = jv_obj(a);
			jv_set(a, out, "fairness", f);
			emit(o, out);
		}
	}
	return status;
}

/* Free what the options, the groups and the scenarios hold. */
static void free_all(struct opts *o, struct arena *a)
{
	size_t k;

	free(o->stab_top);
	free_groups();
	for (k = 0; k < o->ngroup; k++)
		free(o->group[k]);
	free(o->group);
	free(o->energy.reason);
	arena_free(a);
	scenario_free_all();
}

int main(int argc, char **argv)
{
	enum { O_CI = 256, O_BOOT, O_SEED, O_EF1, O_EMAE, O_BASE, O_TOL, O_CONF, O_LABELS, O_SUM,
	       O_BY, O_STAB };
	static const struct option longopts[] = {
		{.name = "baseline", .has_arg = required_argument, .val = O_BASE},
		{.name = "bootstrap", .has_arg = required_argument, .val = O_BOOT},
		{.name = "by", .has_arg = required_argument, .val = O_BY},
		{.name = "ci", .has_arg = required_argument, .val = O_CI},
		{.name = "config-dir", .has_arg = required_argument, .val = O_CONF},
		{.name = "expected-f1", .has_arg = required_argument, .val = O_EF1},
		{.name = "expected-mae", .has_arg = required_argument, .val = O_EMAE},
		OPTION_FORMAT,
		OPTION_GROUP_BY,
		{.name = "labels", .has_arg = required_argument, .val = O_LABELS},
		OPTION_LENIENT,
		OPTION_PRETTY,
		OPTION_SCENARIO,
		{.name = "seed", .has_arg = required_argument, .val = O_SEED},
		{.name = "stability", .has_arg = required_argument, .val = O_STAB},
		{.name = "summary", .has_arg = required_argument, .val = O_SUM},
		{.name = "tolerance", .has_arg = required_argument, .val = O_TOL},
		OPTION_HELP_VERSION,
		{0},
	};
	struct opts o;
	const char *labels_arg = NULL, *why = NULL;
	const char *ef1 = NULL, *emae = NULL, *last;
	struct arena a = {0};
	int c, r, stopped, status = EXIT_OK;

	memset(&o, 0, sizeof(o));
	o.bootstrap = 1000;
	o.seed = 42;
	diag_init(argv[0]);
	jsonl_stdio();
	while ((c = opt_next(argc, argv, "f:g:hlps:", longopts, NULL, usage_text)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "json") == 0)
				o.format = o.format == FMT_PRETTY ? FMT_PRETTY : FMT_JSON;
			else if (strcmp(optarg, "table") == 0)
				o.format = FMT_TABLE;
			else
				usage_error("--format: '%s' is not json or table", optarg);
			break;
		case 'g':
			group_fields(&o, optarg);
			break;
		case O_LABELS:
			labels_arg = optarg;
			break;
		case 'p':
			o.format = FMT_PRETTY;
			break;
		case 's':
			o.scenario = optarg;
			break;
		case O_BASE:
			o.baseline = optarg;
			break;
		case O_BY:
			if (*optarg == '\0')
				usage_error("--by: empty field name");
			o.by = optarg;
			break;
		case O_STAB:
			if (*optarg == '\0' || *optarg == '.' || optarg[strlen(optarg) - 1] == '.')
				usage_error("--stability: '%s' is not a member name (seed, options.seed)", optarg);
			o.stab = optarg;
			break;
		case O_BOOT:
			o.bootstrap = (long)opt_int("--bootstrap", optarg, 1, 100000000);
			break;
		case O_CI:
			o.ci = opt_level("--ci", optarg);
			break;
		case O_CONF:
			config_set_dir(optarg);
			break;
		case O_EF1:
			ef1 = optarg;
			break;
		case O_EMAE:
			emae = optarg;
			break;
		case 'l':
			o.lenient = 1;
			break;
		case O_SEED:
			o.seed = (uint32_t)opt_int("--seed", optarg, 0, 4294967295LL);
			break;
		case O_SUM:
			o.summary = optarg;
			break;
		case O_TOL:
			o.tolerance = opt_double("--tolerance", optarg, 0, INFINITY);
			o.have_tolerance = 1;
			break;
		}
	}
	if (ef1 && emae)
		usage_error("--expected-f1 and --expected-mae exclude each other: check one metric at a time");
	if (o.baseline && (ef1 || emae))
		usage_error("--baseline already sets the expected value: drop --expected-f1/--expected-mae");
	if ((ef1 || emae || o.baseline) && (o.ngroup > 0 || o.by || o.stab))
		usage_error("baseline checks take one run: drop --group-by, --by and --stability, or split the input");
	if (o.by != NULL && o.ngroup > 0)
		usage_error("--by compares the groups of one field with the original: drop --group-by "
			    "(split the input by model or strategy first)");
	if (o.by != NULL) {
		o.group = xcalloc(1, sizeof(char *));
		o.group[o.ngroup++] = xstrdup(o.by);
	}
	if (o.stab != NULL) {
		const char *dot = strchr(o.stab, '.');

		o.stab_top = dot ? xstrndup(o.stab, (size_t)(dot - o.stab)) : xstrdup(o.stab);
		o.stab_sub = dot ? dot + 1 : NULL;
	}
	if (ef1) {
		o.check_metric = "f1_macro";
		o.expected = opt_double("--expected-f1", ef1, -INFINITY, INFINITY);
		if (!o.have_tolerance)
			o.tolerance = 0.01;
	} else if (emae) {
		o.check_metric = "mae";
		o.expected = opt_double("--expected-mae", emae, -INFINITY, INFINITY);
		if (!o.have_tolerance)
			o.tolerance = 0.05;
	}
	if (labels_arg != NULL && (o.labels = labels_from_arg(labels_arg, &why)) == NULL)
		usage_error("--labels: '%s' %s", labels_arg, why);
	if (o.baseline && load_baseline(&o, &a) < 0) {
		arena_free(&a);
		scenario_free_all();
		return EXIT_USAGE;
	}

	stopped = read_records(&o, argv + optind, argc - optind, &last) < 0;
	/* After the records: puma-infer earlier in the same pipeline writes
	 * its summary before its output ends. */
	if (!stopped && o.summary != NULL && load_summary(&o) < 0)
		stopped = 1;
	if (!stopped && groups == NULL)
		fail_at(last, 0, "no records: nothing to score");
	else if (!stopped)
		status = report(&o, &a);
	free_all(&o, &a);
	r = finish();
	return r != EXIT_OK ? r : status;
}
