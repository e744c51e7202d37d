/* puma-diff - compare two runs of the same benchmark, record by record.
 *
 * Reads two prediction files (or run directories holding predictions.jsonl,
 * manifest.json and host.json), pairs records by id and answers the
 * cross-architecture question: same model?  bit-exact headline metric (H0)
 * or not (H1)?  how far apart are the per-token logprobs (H2) and the
 * calibration (H3)?  Writes one JSON object, or a Markdown report.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdnoreturn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "diag.h"
#include "hash.h"
#include "jout.h"
#include "jsonl.h"
#include "mt.h"
#include "opt.h"
#include "paired.h"
#include "scenario.h"
#include "score.h"
#include "sha256.h"
#include "stats.h"
#include "xalloc.h"

static const char usage_text[] =
	"Usage: puma-diff [--format json|md] [--pretty] [--scenario NAME] [--labels LIST]\n"
	"                 [--logprob-threshold X] [--ece-threshold X] [--bins N] [--bootstrap B]\n"
	"                 [--ci LEVEL] [--seed S] [--examples K] [--allow-partial]\n"
	"                 [--config-dir DIR] A B\n"
	"Compare two runs (prediction files or run directories) record by record.\n"
	"\n"
	"  -f, --format FMT          json (default) or md (a Markdown report)\n"
	"  -p, --pretty              indent the JSON\n"
	"  -s, --scenario NAME       scenario when the records do not say\n"
	"      --labels LIST         label set (comma-separated, or a config name)\n"
	"      --logprob-threshold X H2 holds when the mean |logprob difference| < X (1e-3)\n"
	"      --ece-threshold X     H3 holds when |ECE(B) - ECE(A)| < X (0.01)\n"
	"      --bins N              calibration bins (15)\n"
	"      --bootstrap B         bootstrap resamples for the metric difference (1000)\n"
	"      --ci LEVEL            interval level (0.95)\n"
	"      --seed S              bootstrap seed (42)\n"
	"      --examples K          example ids listed per kind of difference (5)\n"
	"      --allow-partial       test H0 over the paired records when some have no\n"
	"                            partner (reported as partial); without it H0 is not\n"
	"                            shown and the exit status is 1\n"
	"      --config-dir DIR      where config/ is\n"
	"  -h, --help                this help\n"
	"      --version             version\n"
	"\n"
	"Exit status: 0 when H0 holds (the headline metric is bit-exact) on the same\n"
	"model, 1 when the runs differ (or the model digests do not match, or records\n"
	"have no partner without --allow-partial), 2 on a\n"
	"usage error or invalid input.\n";

enum {
	OPT_LABELS = 256, OPT_LP_THR, OPT_ECE_THR, OPT_BINS, OPT_BOOT, OPT_CI, OPT_SEED,
	OPT_EXAMPLES, OPT_CONFIG_DIR, OPT_VERSION, OPT_PARTIAL,
};

static const struct option longopts[] = {
	{"allow-partial", no_argument, NULL, OPT_PARTIAL},
	{"bins", required_argument, NULL, OPT_BINS},
	{"bootstrap", required_argument, NULL, OPT_BOOT},
	{"ci", required_argument, NULL, OPT_CI},
	{"config-dir", required_argument, NULL, OPT_CONFIG_DIR},
	{"ece-threshold", required_argument, NULL, OPT_ECE_THR},
	{"examples", required_argument, NULL, OPT_EXAMPLES},
	{"format", required_argument, NULL, 'f'},
	{"help", no_argument, NULL, 'h'},
	{"labels", required_argument, NULL, OPT_LABELS},
	{"logprob-threshold", required_argument, NULL, OPT_LP_THR},
	{"pretty", no_argument, NULL, 'p'},
	{"scenario", required_argument, NULL, 's'},
	{"seed", required_argument, NULL, OPT_SEED},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

/* The options as given (strings borrowed from argv). */
struct opts {
	int md, pretty, allow_partial;
	const char *scenario, *labels;
	double lp_thr, ece_thr, ci;
	long bins, bootstrap, examples;
	uint32_t seed;
};

/* A string copied out of a record, length-counted. */
struct str {
	const char *s;
	size_t n;
};

/* One of a token's top alternatives; its text lives in the side's arena. */
struct alt {
	struct str tok;
	double lp;
};

/* One generated token with its logprob and alternatives, in the side's arena. */
struct tok {
	struct str tok;
	double lp;
	size_t ntop;
	struct alt *top;
};

/* What puma-diff keeps of one prediction record; lives in the side's arena. */
/* Kept small: a run of a million records holds a million of these. */
struct prec {
	struct str id;
	union {
		struct str gold_s;	/* a label (interned) */
		double gold_d;		/* gold_num: a number */
	};
	union {
		struct str pred_s;	/* a label (interned), or */
		double pred_d;		/* pred_num: a number */
	};
	double conf;
	double aerr;		/* has_err: its absolute error */
	long line;
	long partner;		/* index in the other side, or -1 */
	size_t ntok;
	struct tok *toks;
	/* Worked out once by encode() for the many headline() calls. */
	int gcode, qcode;	/* label indexes of gold and pred, or -1 */
	unsigned char resp_sha[16];	/* the response's first 16 bytes of sha256 */
	unsigned char gold_num;	/* gold is a number (else a string) */
	unsigned char has_pred;	/* pred not null */
	unsigned char pred_num;	/* pred is a number */
	unsigned char has_resp, has_toks, has_conf;
	unsigned char right;	/* correct() */
	unsigned char has_err;	/* regression: a parsed number against a number */
};

/* One run: its records, and what it says of itself. */
struct side {
	const char *arg;	/* as given on the command line */
	char *preds_path;	/* the prediction file read */
	struct arena a;		/* owns everything below */
	struct prec *r;
	size_t n, cap;
	jv *manifest, *host;
	struct str model, digest, scenario, backend;
	int model_mixed, digest_mixed, scenario_mixed, backend_mixed;
	uint32_t *hash;		/* open addressing over r, by id; 0 = empty, else index + 1 */
	size_t hcap;
	struct str *labels;	/* interned label texts, open addressing */
	size_t nlabels, caplabels;
};

static const char *const want[] = {
	"id", "gold", "pred", "response", "logprobs", "confidence",
	"model", "model_digest", "scenario", "backend", NULL,
};

static struct str copy_str(struct arena *a, const char *s, size_t n)
{
	struct str r = {arena_strndup(a, s, n), n};

	return r;
}

/* A JSON string's bytes, in place ({NULL, 0} when v is no string). */
static struct str str_of(const jv *v)
{
	struct str r = {NULL, 0};

	r.s = jv_string(v, &r.n);
	return r;
}

/* A JSON string copied into a (v must be a string). */
static struct str copy_of(struct arena *a, const jv *v)
{
	struct str r = str_of(v);

	return copy_str(a, r.s, r.n);
}

static int str_eq(struct str x, struct str y)
{
	return x.n == y.n && (x.n == 0 || memcmp(x.s, y.s, x.n) == 0);
}

/* One copy of each gold and pred text in a side (a run has a few labels
 * and a million records). */
static struct str intern(struct side *sd, const char *s, size_t n)
{
	struct str k = {s, n};
	size_t i, mask;

	if (2 * (sd->nlabels + 1) > sd->caplabels) {
		size_t ncap = sd->caplabels ? sd->caplabels * 2 : 64, j;
		struct str *t = xcalloc(ncap, sizeof(*t));

		for (j = 0; j < sd->caplabels; j++) {
			if (sd->labels[j].s == NULL)
				continue;
			for (i = fnv1a(sd->labels[j].s, sd->labels[j].n) & (ncap - 1); t[i].s != NULL;
			     i = (i + 1) & (ncap - 1))
				;
			t[i] = sd->labels[j];
		}
		free(sd->labels);
		sd->labels = t;
		sd->caplabels = ncap;
	}
	mask = sd->caplabels - 1;
	for (i = fnv1a(s, n) & mask; sd->labels[i].s != NULL; i = (i + 1) & mask)
		if (str_eq(sd->labels[i], k))
			return sd->labels[i];
	sd->labels[i] = copy_str(&sd->a, s, n);
	sd->nlabels++;
	return sd->labels[i];
}

/* A response's identity: the first 16 bytes of its sha256 (responses may
 * be long, and a million of them are compared only for equality). */
static void resp_id(const char *s, size_t n, unsigned char out[16])
{
	struct sha256 c;
	unsigned char d[32];

	sha256_init(&c);
	sha256_update(&c, s, n);
	sha256_final(&c, d);
	memcpy(out, d, 16);
}

/* Index of the record with this id, or -1. */
static long find_id(const struct side *sd, struct str id)
{
	size_t i;

	if (sd->hcap == 0)
		return -1;
	for (i = fnv1a(id.s, id.n) & (sd->hcap - 1); sd->hash[i]; i = (i + 1) & (sd->hcap - 1))
		if (str_eq(sd->r[sd->hash[i] - 1].id, id))
			return (long)(sd->hash[i] - 1);
	return -1;
}

static noreturn void invalid(const char *file, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Build the id index; ids must be unique for pairing to mean anything. */
static void index_ids(struct side *sd)
{
	size_t i, j;

	sd->hcap = 16;
	while (sd->hcap < sd->n * 2)
		sd->hcap *= 2;
	sd->hash = xcalloc(sd->hcap, sizeof(*sd->hash));
	for (i = 0; i < sd->n; i++) {
		long dup = find_id(sd, sd->r[i].id);

		if (dup >= 0)
			invalid(sd->preds_path, sd->r[i].line, "id \"%s\" appears twice (first at line %ld)",
				sd->r[i].id.s, sd->r[dup].line);
		for (j = fnv1a(sd->r[i].id.s, sd->r[i].id.n) & (sd->hcap - 1); sd->hash[j];
		     j = (j + 1) & (sd->hcap - 1))
			;
		sd->hash[j] = (uint32_t)(i + 1);
	}
}

/* Track a string member that should be the same in every record. */
static void constant(struct side *sd, const jv *rec, const char *key, struct str *val, int *mixed)
{
	struct str s = str_of(jv_get(rec, key));
	if (sd->n == 0) {
		*val = s.s ? copy_str(&sd->a, s.s, s.n) : s;
	} else if ((val->s == NULL) != (s.s == NULL) || (s.s && !str_eq(*val, s))) {
		*mixed = 1;
	}
}

/* Invalid input is a usage-class failure for puma-diff (exit 2). */
static noreturn void invalid(const char *file, long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_at(file, line, fmt, ap);
	va_end(ap);
	exit(EXIT_USAGE);
}

/* Copy the logprobs array of a record into toks; 0 if absent or null. */
static int read_tokens(struct side *sd, struct prec *p, const jv *lp, const char *file, long line)
{
	size_t i, j;

	if (lp == NULL || lp->t == JNULL)
		return 0;
	if (lp->t != JARR)
		invalid(file, line, "\"logprobs\" is %s, not an array", jv_typename(lp));
	p->ntok = lp->n;
	p->toks = arena_alloc(&sd->a, (lp->n ? lp->n : 1) * sizeof(*p->toks));
	for (i = 0; i < lp->n; i++) {
		const jv *e = jv_item(lp, i), *t = jv_get(e, "token"), *l = jv_get(e, "logprob");
		const jv *top = jv_get(e, "top_logprobs");
		struct tok *k = &p->toks[i];

		if (t == NULL || t->t != JSTR || l == NULL || l->t != JNUM)
			invalid(file, line, "logprobs entry %zu needs a string \"token\" and a number \"logprob\"", i);
		k->tok = copy_of(&sd->a, t);
		k->lp = l->d;
		k->ntop = 0;
		k->top = NULL;
		if (top != NULL && top->t == JARR && top->n > 0) {
			k->top = arena_alloc(&sd->a, top->n * sizeof(*k->top));
			for (j = 0; j < top->n; j++) {
				const jv *tt = jv_get(jv_item(top, j), "token");
				const jv *tl = jv_get(jv_item(top, j), "logprob");

				if (tt == NULL || tt->t != JSTR || tl == NULL || tl->t != JNUM)
					continue;
				k->top[k->ntop].tok = copy_of(&sd->a, tt);
				k->top[k->ntop++].lp = tl->d;
			}
		}
	}
	return 1;
}

static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Check one prediction record and keep what the comparison needs; invalid
 * input ends the run. */
static void add_prec(struct side *sd, const jv *rec, const char *file, long line)
{
	const jv *id = jv_get(rec, "id"), *gold = jv_get(rec, "gold");
	const jv *pred = jv_get(rec, "pred"), *resp = jv_get(rec, "response");
	const jv *conf = jv_get(rec, "confidence"), *scen = jv_get(rec, "scenario");
	struct prec *p;
	char why[160];

	if (id == NULL || id->t != JSTR)
		invalid(file, line, "record has no string \"id\"; puma-diff pairs records by id");
	if (gold == NULL || (gold->t != JSTR && gold->t != JNUM))
		invalid(file, line, "\"gold\" is %s, not a label or a number", jv_typename(gold));
	if (pred == NULL)
		invalid(file, line, "no \"pred\" member (run puma-parse first)");
	if (pred->t != JNULL && pred->t != JSTR && pred->t != JNUM)
		invalid(file, line, "\"pred\" is %s", jv_typename(pred));
	if (resp != NULL && resp->t != JNULL && resp->t != JSTR)
		invalid(file, line, "\"response\" is %s, not a string", jv_typename(resp));
	if (score_confidence_check(conf, why, sizeof(why)) < 0)
		invalid(file, line, "%s", why);
	constant(sd, rec, "model", &sd->model, &sd->model_mixed);
	constant(sd, rec, "model_digest", &sd->digest, &sd->digest_mixed);
	if (scen != NULL && scen->t == JSTR &&
	    (strlen(jv_string(scen, NULL)) != jv_len(scen) || !scenario_name_ok(jv_string(scen, NULL))))
		invalid(file, line, SCENARIO_NAME_BAD);
	constant(sd, rec, "scenario", &sd->scenario, &sd->scenario_mixed);
	constant(sd, rec, "backend", &sd->backend, &sd->backend_mixed);
	if (sd->n >= UINT32_MAX - 1)
		invalid(file, line, "more than %lu records", (unsigned long)(UINT32_MAX - 2));
	sd->r = xgrow(sd->r, &sd->cap, sd->n + 1, sizeof(*sd->r));
	p = &sd->r[sd->n];
	memset(p, 0, sizeof(*p));
	p->line = line;
	p->partner = -1;
	p->id = copy_of(&sd->a, id);
	p->gold_num = gold->t == JNUM;
	if (p->gold_num)
		p->gold_d = gold->d;
	else
		p->gold_s = intern(sd, str_of(gold).s, str_of(gold).n);
	p->has_pred = pred->t != JNULL;
	p->pred_num = pred->t == JNUM;
	if (pred->t == JNUM)
		p->pred_d = pred->d;
	else if (pred->t == JSTR)
		p->pred_s = intern(sd, str_of(pred).s, str_of(pred).n);
	if (resp != NULL && resp->t == JSTR) {
		p->has_resp = 1;
		resp_id(str_of(resp).s, str_of(resp).n, p->resp_sha);
	}
	p->has_toks = read_tokens(sd, p, jv_get(rec, "logprobs"), file, line);
	if (conf != NULL && conf->t == JNUM) {
		p->has_conf = 1;
		p->conf = conf->d;
	}
	sd->n++;
}

/* A run directory's JSON file, when it has one (NULL otherwise); a file
 * that is there but unreadable or invalid ends the run. */
static jv *optional_json(struct arena *a, const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *fp = fopen(path, "r");
	jv *v = NULL;

	if (fp != NULL) {
		fclose(fp);
		v = json_load(a, path);
		if (v == NULL)
			exit(EXIT_USAGE);
	}
	free(path);
	return v;
}

/* Load a run: a prediction file, or a run directory with its manifest. */
static void load_side(struct side *sd, const char *arg)
{
	struct jsonl_in in;
	jv *rec;
	int r;

	memset(sd, 0, sizeof(*sd));
	sd->arg = arg;
	if (is_dir(arg)) {
		sd->preds_path = xasprintf("%s/predictions.jsonl", arg);
		sd->manifest = optional_json(&sd->a, arg, "manifest.json");
		sd->host = optional_json(&sd->a, arg, "host.json");
	} else {
		sd->preds_path = xstrdup(arg);
	}
	if (jsonl_open(&in, sd->preds_path, want, 0) < 0)
		exit(EXIT_USAGE);
	while ((r = jsonl_next(&in, &rec)) > 0)
		add_prec(sd, rec, in.l.name, in.l.lineno);
	if (r < 0)
		exit(EXIT_USAGE);
	jsonl_close(&in);
	if (sd->n == 0)
		invalid(sd->preds_path, 0, "no records");
	index_ids(sd);
}

static void free_side(struct side *sd)
{
	free(sd->r);
	free(sd->hash);
	free(sd->labels);
	free(sd->preds_path);
	arena_free(&sd->a);
}

/* Is the prediction right?  Labels by their bytes, numbers by value. */
static int correct(const struct prec *p)
{
	if (!p->has_pred)
		return 0;
	if (p->gold_num)
		return p->pred_num && p->pred_d == p->gold_d;
	return !p->pred_num && str_eq(p->pred_s, p->gold_s);
}

/* Did both runs predict the same thing (both null counts as the same)? */
static int same_pred(const struct prec *a, const struct prec *b)
{
	if (a->has_pred != b->has_pred)
		return 0;
	if (!a->has_pred)
		return 1;
	if (a->pred_num != b->pred_num)
		return 0;
	return !a->pred_num ? str_eq(a->pred_s, b->pred_s) : a->pred_d == b->pred_d;
}

/* The pairs: index into A and into B, in B's order. */
struct pairs {
	size_t n;
	size_t *ia, *ib;
};

/* Headline metrics of one side over a list of paired records (rows of
 * idx into that side).  h gets f1_macro, f1_weighted, accuracy (triage)
 * or mae, mdae, rmse (estimation); *pfr the parse failure rate. */
struct ctx {
	struct scenario *sc;
	const struct labelset *ls;
	long *tp, *ng, *np;
	double *f1, *scratch, *err;
};

/* Label codes, correctness and errors of every record of a side, worked
 * out once: the bootstrap recounts them a thousand times, and comparing
 * label bytes there was most of puma-diff's time. */
static void encode(const struct ctx *c, struct side *sd)
{
	size_t i;

	for (i = 0; i < sd->n; i++) {
		struct prec *p = &sd->r[i];

		p->right = correct(p);
		p->gcode = p->qcode = -1;
		p->has_err = 0;
		if (c->sc->task == TASK_CLASSIFICATION) {
			if (!p->gold_num)
				p->gcode = label_index(c->ls, p->gold_s.s, p->gold_s.n);
			if (p->has_pred && !p->pred_num)
				p->qcode = label_index(c->ls, p->pred_s.s, p->pred_s.n);
		} else if (p->has_pred && p->gold_num && p->pred_num) {
			p->has_err = 1;
			p->aerr = fabs(p->pred_d - p->gold_d);
		}
	}
}

/* The per-class counts, started afresh for L labels. */
static void class_reset(struct ctx *c, size_t L)
{
	memset(c->tp, 0, L * sizeof(long));
	memset(c->ng, 0, L * sizeof(long));
	memset(c->np, 0, L * sizeof(long));
}

/* Count m parsed records of gold code g and prediction code q (-1: not
 * among the labels). */
static inline void class_add(struct ctx *c, long g, long q, long m)
{
	if (g >= 0)
		c->ng[g] += m;
	if (q >= 0)
		c->np[q] += m;
	if (g >= 0 && g == q)
		c->tp[g] += m;
}

/* f1_macro, f1_weighted and accuracy from the counts. */
static void class_headline(struct ctx *c, size_t L, long correct_n, long nparsed, double h[3])
{
	score_classes(L, c->tp, c->ng, c->np, NULL, NULL, c->f1);
	score_class_headline(L, c->ng, c->f1, correct_n, nparsed, c->scratch, h);
}

static void headline(struct ctx *c, const struct side *sd, const size_t *idx, size_t n, double h[3],
		     double *pfr)
{
	size_t i, L = c->ls ? c->ls->n : 0, ne = 0;
	long correct_n = 0, nparsed = 0;

	if (c->sc->task == TASK_CLASSIFICATION)
		class_reset(c, L);
	for (i = 0; i < n; i++) {
		const struct prec *p = &sd->r[idx[i]];

		if (!p->has_pred)
			continue;
		nparsed++;
		if (c->sc->task == TASK_CLASSIFICATION) {
			correct_n += p->right;
			class_add(c, p->gcode, p->qcode, 1);
		} else if (p->has_err) {
			c->err[ne++] = p->aerr;
		}
	}
	if (c->sc->task == TASK_CLASSIFICATION) {
		class_headline(c, L, correct_n, nparsed, h);
	} else {
		score_regression(c->err, ne, c->scratch, h);
	}
	if (pfr)
		*pfr = n ? (double)((long)n - nparsed) / (double)n : NAN;
}

static jv *strv(struct arena *a, struct str s)
{
	return s.s ? jv_str(a, s.s, s.n) : JV_NULL;
}

/* One side's figures for one resample, from the pairs' precomputed codes
 * and the number of times each pair was drawn.  Classification needs only
 * counts; regression needs the errors in draw order (NumPy's summation
 * order) and their median, found by walking the pairs in error order and
 * counting draws: no sort per resample. */
struct bcode {
	int g, q;		/* label codes, or -1 */
	unsigned char parsed, right, has_err;
};

struct bside {
	struct bcode *code;	/* each pair's record, compactly (in cache) */
	double *err;		/* each pair's error (regression) */
	size_t *order;		/* pairs with an error, by error */
	size_t norder;
};

static void boot_headline(struct ctx *c, const struct bside *s, const size_t *draw, size_t n,
			  const size_t *cnt, double h[3])
{
	size_t i, L = c->ls ? c->ls->n : 0, ne = 0;
	long correct_n = 0, nparsed = 0;

	if (c->sc->task == TASK_CLASSIFICATION) {
		class_reset(c, L);
		for (i = 0; i < n; i++) {
			const struct bcode *p = &s->code[draw[i]];

			if (!p->parsed)
				continue;
			nparsed++;
			correct_n += p->right;
			class_add(c, p->g, p->q, 1);
		}
		class_headline(c, L, correct_n, nparsed, h);
		return;
	}
	for (i = 0; i < n; i++)
		if (s->code[draw[i]].has_err)
			c->err[ne++] = s->err[draw[i]];
	if (ne == 0) {
		h[0] = h[1] = h[2] = NAN;
		return;
	}
	h[0] = np_mean(c->err, ne);
	for (i = 0; i < ne; i++)
		c->scratch[i] = c->err[i] * c->err[i];
	h[2] = sqrt(np_mean(c->scratch, ne));
	{
		/* The median's one or two middle values, as np_median_sorted()
		 * takes them from the sorted errors. */
		size_t want = ne % 2 ? ne / 2 : ne / 2 - 1, seen = 0, k;
		double mid[2];
		int got = 0;

		for (k = 0; k < s->norder && got < (ne % 2 ? 1 : 2); k++) {
			size_t c2 = cnt[s->order[k]];

			while (c2 > 0 && got < (ne % 2 ? 1 : 2)) {
				if (seen + c2 <= want) {
					seen += c2;
					c2 = 0;
				} else {
					mid[got++] = s->err[s->order[k]];
					seen++;
					want++;
					c2--;
				}
			}
		}
		h[1] = np_mean(mid, (size_t)got);
	}
}

/* Classification from a count per cell: cell 0 holds the unparsed draws,
 * cell 1 + 2((g+1)(L+1) + q+1) + right the parsed ones with gold code g,
 * prediction code q (-1: outside the labels) and correctness right.  One
 * increment per draw, no branch: the bootstrap's inner loop. */
static size_t cell_of(const struct bcode *p, size_t L)
{
	if (!p->parsed)
		return 0;
	return 1 + 2 * ((size_t)(p->g + 1) * (L + 1) + (size_t)(p->q + 1)) + p->right;
}

static void cells_headline(struct ctx *c, const size_t *cm, size_t n, double h[3])
{
	size_t L = c->ls ? c->ls->n : 0, ncell = 1 + 2 * (L + 1) * (L + 1), k;
	long correct_n = 0, nparsed = (long)(n - cm[0]);

	class_reset(c, L);
	for (k = 1; k < ncell; k++) {
		size_t gq = (k - 1) / 2;
		long g = (long)(gq / (L + 1)) - 1, q = (long)(gq % (L + 1)) - 1, m = (long)cm[k];

		if (m == 0)
			continue;
		correct_n += (long)((k - 1) % 2) * m;
		class_add(c, g, q, m);
	}
	class_headline(c, L, correct_n, nparsed, h);
}

/* Order of a side's pairs with an error, by error (ties by pair). */
static const double *sort_err;

static int cmp_err(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	double ea = sort_err[a], eb = sort_err[b];

	return ea < eb ? -1 : ea > eb ? 1 : (a > b) - (a < b);
}

/* A side's records in pair order, reduced to what a resample counts. */
static void boot_prepare(struct bside *s, const struct side *sd, const size_t *idx, size_t n)
{
	size_t i;

	s->code = xmalloc((n ? n : 1) * sizeof(*s->code));
	s->err = xmalloc((n ? n : 1) * sizeof(double));
	s->order = xmalloc((n ? n : 1) * sizeof(size_t));
	s->norder = 0;
	for (i = 0; i < n; i++) {
		const struct prec *p = &sd->r[idx[i]];

		s->code[i].g = p->gcode;
		s->code[i].q = p->qcode;
		s->code[i].parsed = (unsigned char)p->has_pred;
		s->code[i].right = (unsigned char)p->right;
		s->code[i].has_err = (unsigned char)p->has_err;
		s->err[i] = p->has_err ? p->aerr : 0;
		if (p->has_err)
			s->order[s->norder++] = i;
	}
	sort_err = s->err;
	qsort(s->order, s->norder, sizeof(size_t), cmp_err);
}

/* Percentile bootstrap of B - A for the three headline metrics: pairs are
 * resampled with replacement (MT19937 as NumPy's RandomState draws
 * randint(0, n, n)), each resample scored on both sides. */
static void boot_delta(const struct opts *o, struct ctx *c, const struct side *A, const struct side *B,
		       const struct pairs *pr, double lo[3], double hi[3])
{
	size_t n = pr->n, i, nv[3] = {0, 0, 0};
	size_t *draw = xcalloc(n ? n : 1, sizeof(size_t)), *cnt = xcalloc(n ? n : 1, sizeof(size_t));
	double *vals[3], ha[3], hb[3];
	double qlo = (1.0 - o->ci) / 2.0 * 100.0, qhi = (1.0 + o->ci) / 2.0 * 100.0;
	struct bside sa, sb;
	struct mt m;
	long b;
	int j;
	size_t L = c->ls ? c->ls->n : 0, ncell = 1 + 2 * (L + 1) * (L + 1);
	/* Counting cells pays while there are few of them (a few labels). */
	int cells = c->sc->task == TASK_CLASSIFICATION && ncell <= 65536;
	size_t *cella = NULL, *cellb = NULL, *cma = NULL, *cmb = NULL;
	/* Both sides' cells of a pair in one small word, while they fit a byte
	 * each: random reads of a million pairs then stay in the cache. */
	uint16_t *cellab = NULL;

	boot_prepare(&sa, A, pr->ia, n);
	boot_prepare(&sb, B, pr->ib, n);
	if (cells) {
		cella = xmalloc((n ? n : 1) * sizeof(size_t));
		cellb = xmalloc((n ? n : 1) * sizeof(size_t));
		cma = xcalloc(ncell, sizeof(size_t));
		cmb = xcalloc(ncell, sizeof(size_t));
		for (i = 0; i < n; i++) {
			cella[i] = cell_of(&sa.code[i], L);
			cellb[i] = cell_of(&sb.code[i], L);
		}
		if (ncell <= 256) {
			cellab = xmalloc((n ? n : 1) * sizeof(*cellab));
			for (i = 0; i < n; i++)
				cellab[i] = (uint16_t)(cella[i] | cellb[i] << 8);
		}
	}
	for (j = 0; j < 3; j++) {
		vals[j] = xcalloc((size_t)o->bootstrap + 1, sizeof(double));
		lo[j] = hi[j] = NAN;
	}
	mt_seed(&m, o->seed);
	for (b = 0; n > 0 && b < o->bootstrap; b++) {
		if (cells) {
			memset(cma, 0, ncell * sizeof(size_t));
			memset(cmb, 0, ncell * sizeof(size_t));
			if (cellab != NULL) {
				for (i = 0; i < n; i++) {
					uint16_t ab = cellab[mt_interval(&m, (uint32_t)(n - 1))];

					cma[ab & 0xff]++;
					cmb[ab >> 8]++;
				}
			} else {
				for (i = 0; i < n; i++) {
					size_t k = mt_interval(&m, (uint32_t)(n - 1));

					cma[cella[k]]++;
					cmb[cellb[k]]++;
				}
			}
			cells_headline(c, cma, n, ha);
			cells_headline(c, cmb, n, hb);
		} else {
			for (i = 0; i < n; i++) {
				draw[i] = mt_interval(&m, (uint32_t)(n - 1));
				cnt[draw[i]]++;
			}
			boot_headline(c, &sa, draw, n, cnt, ha);
			boot_headline(c, &sb, draw, n, cnt, hb);
			for (i = 0; i < n; i++)
				cnt[draw[i]] = 0;
		}
		for (j = 0; j < 3; j++)
			if (!isnan(ha[j]) && !isnan(hb[j]))
				vals[j][nv[j]++] = hb[j] - ha[j];
	}
	for (j = 0; j < 3; j++) {
		if (nv[j] > 0) {
			np_sort(vals[j], nv[j]);
			lo[j] = np_percentile_sorted(vals[j], nv[j], qlo);
			hi[j] = np_percentile_sorted(vals[j], nv[j], qhi);
		}
		free(vals[j]);
	}
	free(sa.code);
	free(sb.code);
	free(sa.err);
	free(sb.err);
	free(sa.order);
	free(sb.order);
	free(draw);
	free(cnt);
	free(cella);
	free(cellb);
	free(cellab);
	free(cma);
	free(cmb);
}

/* The host and profile a run recorded (host.json, or the manifest's). */
static jv *host_of(struct arena *a, const struct side *sd)
{
	const jv *h = sd->host ? sd->host : jv_get(sd->manifest, "host");
	const jv *cpu, *os;
	jv *o;

	if (h == NULL)
		return JV_NULL;
	o = jv_obj(a);
	cpu = jv_get(h, "cpu");
	os = jv_get(h, "os");
	jv_set(a, o, "os", os && jv_get(os, "name") ? jv_get(os, "name") : JV_NULL);
	jv_set(a, o, "arch", os && jv_get(os, "arch") ? jv_get(os, "arch") : JV_NULL);
	jv_set(a, o, "cpu", cpu && jv_get(cpu, "model") ? jv_get(cpu, "model") : JV_NULL);
	jv_set(a, o, "gpus", jv_get(h, "gpus") ? jv_get(h, "gpus") : JV_NULL);
	jv_set(a, o, "profile", jv_get(h, "profile") ? jv_get(h, "profile") : JV_NULL);
	return o;
}

/* What the report says of one run: where it came from and what it used. */
static jv *side_obj(struct arena *a, const struct side *sd, size_t unpaired, jv *examples)
{
	jv *o = jv_obj(a);

	jv_set(a, o, "source", jv_cstr(a, sd->arg));
	jv_set(a, o, "n", jv_int(a, (long long)sd->n));
	jv_set(a, o, "unpaired", jv_int(a, (long long)unpaired));
	jv_set(a, o, "unpaired_examples", examples);
	jv_set(a, o, "model", sd->model_mixed ? jv_cstr(a, "(mixed)") : strv(a, sd->model));
	jv_set(a, o, "model_digest", sd->digest_mixed ? jv_cstr(a, "(mixed)") : strv(a, sd->digest));
	jv_set(a, o, "backend", sd->backend_mixed ? jv_cstr(a, "(mixed)") : strv(a, sd->backend));
	jv_set(a, o, "run_id", sd->manifest && jv_get(sd->manifest, "run_id") ?
		jv_get(sd->manifest, "run_id") : JV_NULL);
	jv_set(a, o, "host", host_of(a, sd));
	return o;
}

/* The headline metrics' names, by task. */
static const char *const class_names[3] = {"f1_macro", "f1_weighted", "accuracy"};
static const char *const reg_names[3] = {"mae", "mdae", "rmse"};

/* The scenario, its labels and the scratch space scoring needs; a usage
 * error or invalid input ends the run here. */
static void setup(struct ctx *c, const struct opts *o, const struct side *A, const struct side *B)
{
	struct str scen = A->scenario.s ? A->scenario : B->scenario;
	size_t L;

	if (o->scenario == NULL && (A->scenario_mixed || B->scenario_mixed))
		invalid(A->arg, 0, "records of several scenarios; compare one scenario at a time");
	if (o->scenario == NULL && A->scenario.s && B->scenario.s && !str_eq(A->scenario, B->scenario))
		invalid(B->arg, 0, "scenario \"%s\" differs from A's \"%s\"", B->scenario.s, A->scenario.s);
	if (o->scenario == NULL && scen.s == NULL)
		usage_error("the records do not say their scenario: give --scenario");
	c->sc = scenario_get(o->scenario ? o->scenario : scen.s);
	if (c->sc == NULL)
		exit(EXIT_USAGE);
	c->ls = &c->sc->labels;
	if (o->labels != NULL) {
		const char *why = NULL;

		c->ls = labels_from_arg(o->labels, &why);
		if (c->ls == NULL)
			usage_error("--labels: %s", why);
	}
	L = c->sc->task == TASK_CLASSIFICATION ? c->ls->n : 0;
	c->tp = xcalloc(L + 1, sizeof(long));
	c->ng = xcalloc(L + 1, sizeof(long));
	c->np = xcalloc(L + 1, sizeof(long));
	c->f1 = xcalloc(L + 1, sizeof(double));
	c->scratch = xcalloc(2 * (L + A->n + B->n) + 2, sizeof(double));
	c->err = xcalloc(A->n + B->n + 1, sizeof(double));
}

static void free_ctx(struct ctx *c)
{
	free(c->tp);
	free(c->ng);
	free(c->np);
	free(c->f1);
	free(c->scratch);
	free(c->err);
}

/* Pair the records by id, in B's order.  The records without a partner
 * are counted in *una and *unb, the first few listed in exa and exb. */
static void pair_sides(struct arena *a, const struct opts *o, struct side *A, struct side *B,
		       struct pairs *pr, size_t *una, size_t *unb, jv *exa, jv *exb)
{
	size_t i;

	pr->n = 0;
	pr->ia = xcalloc(B->n + 1, sizeof(size_t));
	pr->ib = xcalloc(B->n + 1, sizeof(size_t));
	for (i = 0; i < B->n; i++) {
		long k = find_id(A, B->r[i].id);

		if (k < 0) {
			if ((*unb)++ < (size_t)o->examples)
				jv_push(a, exb, strv(a, B->r[i].id));
			continue;
		}
		B->r[i].partner = k;
		A->r[k].partner = (long)i;
		pr->ia[pr->n] = (size_t)k;
		pr->ib[pr->n++] = i;
	}
	for (i = 0; i < A->n; i++)
		if (A->r[i].partner < 0 && (*una)++ < (size_t)o->examples)
			jv_push(a, exa, strv(a, A->r[i].id));
}

/* What makes the comparison invalid or partial, model first, pushed onto
 * problems.  Returns whether the digests allow the comparison; *known
 * says whether both runs recorded one digest. */
static int model_problems(struct arena *a, const struct opts *o, const struct side *A,
			  const struct side *B, size_t npairs, size_t una, size_t unb, jv *problems,
			  int *known)
{
	int mixed = A->digest_mixed || B->digest_mixed, same;

	*known = A->digest.s != NULL && B->digest.s != NULL && !mixed;
	same = *known ? str_eq(A->digest, B->digest) : !mixed;
	if (mixed)
		jv_push(a, problems, jv_cstr(a, "a run mixes several model digests: the comparison is invalid"));
	else if (*known && !same)
		jv_push(a, problems, jv_cstr(a, "the model digests differ: the runs did not use the same model, so the comparison is invalid"));
	else if (!*known)
		jv_push(a, problems, jv_cstr(a, "a run did not record its model digest: cannot confirm both used the same model"));
	if (npairs == 0)
		jv_push(a, problems, jv_cstr(a, "no record pairs: the runs share no ids"));
	if ((una || unb) && o->allow_partial)
		jv_push(a, problems, jv_cstr(a, "some records have no partner: metrics are over the paired records only"));
	else if (una || unb) {
		char tmp[300];

		snprintf(tmp, sizeof(tmp), "%zu records of A have no partner in B, and %zu of B none "
			 "in A: a partial comparison shows no H0 verdict (give --allow-partial to test "
			 "it over the paired records)", una, unb);
		jv_push(a, problems, jv_cstr(a, tmp));
	}
	return same;
}

/* What the pairs share and where they part, counted in one pass. */
struct tally {
	size_t nresp, nboth_failed, npred;	/* responses identical, both failed, same prediction */
	size_t ntokpairs, ntokeq;		/* pairs with tokens on both sides, identical ones */
	long disc_a, disc_b;			/* only A right, only B right (McNemar) */
	long npos, nneg, nzero;			/* signs of right(A) - right(B) (Wilcoxon) */
	size_t *firstdiff, nfd, cfd;		/* first differing position of each differing pair */
	double *lpd, *topd;			/* |logprob differences| where the tokens agree */
	size_t nlpd, caplpd, ntopd, captopd;
	jv *fdx;				/* the first few differing pairs */
};

/* The token sequences of one pair: where they first differ and, before
 * that, how far apart their logprobs and shared alternatives are. */
static void tally_tokens(struct tally *t, struct arena *a, const struct opts *o, const struct prec *p,
			 const struct prec *q)
{
	size_t k, m = p->ntok < q->ntok ? p->ntok : q->ntok, fd = m;

	t->ntokpairs++;
	for (k = 0; k < m; k++)
		if (!str_eq(p->toks[k].tok, q->toks[k].tok)) {
			fd = k;
			break;
		}
	if (fd == m && p->ntok == q->ntok) {
		t->ntokeq++;
	} else {
		t->firstdiff = xgrow(t->firstdiff, &t->cfd, t->nfd + 1, sizeof(*t->firstdiff));
		t->firstdiff[t->nfd++] = fd;
		if (t->nfd <= (size_t)o->examples) {
			jv *x = jv_obj(a);

			jv_set(a, x, "id", strv(a, p->id));
			jv_set(a, x, "position", jv_int(a, (long long)fd));
			jv_set(a, x, "token_a", fd < p->ntok ? strv(a, p->toks[fd].tok) : JV_NULL);
			jv_set(a, x, "token_b", fd < q->ntok ? strv(a, q->toks[fd].tok) : JV_NULL);
			jv_push(a, t->fdx, x);
		}
	}
	/* Logprobs where both sequences still agree. */
	for (k = 0; k < fd; k++) {
		size_t i, j;

		t->lpd = xgrow(t->lpd, &t->caplpd, t->nlpd + 1, sizeof(double));
		t->lpd[t->nlpd++] = fabs(p->toks[k].lp - q->toks[k].lp);
		for (i = 0; i < p->toks[k].ntop; i++)
			for (j = 0; j < q->toks[k].ntop; j++)
				if (str_eq(p->toks[k].top[i].tok, q->toks[k].top[j].tok)) {
					t->topd = xgrow(t->topd, &t->captopd, t->ntopd + 1, sizeof(double));
					t->topd[t->ntopd++] = fabs(p->toks[k].top[i].lp - q->toks[k].top[j].lp);
					break;
				}
	}
}

/* Agreement, pair by pair and token by token. */
static void tally_pairs(struct tally *t, struct arena *a, const struct opts *o, const struct side *A,
			const struct side *B, const struct pairs *pr)
{
	size_t j;

	memset(t, 0, sizeof(*t));
	t->fdx = jv_arr(a);
	for (j = 0; j < pr->n; j++) {
		const struct prec *p = &A->r[pr->ia[j]], *q = &B->r[pr->ib[j]];
		int ca = correct(p), cb = correct(q);

		if (p->has_resp && q->has_resp ? memcmp(p->resp_sha, q->resp_sha, 16) == 0 :
		    !p->has_resp && !q->has_resp)
			t->nresp++;
		if (!p->has_resp && !q->has_resp)
			t->nboth_failed++;
		t->npred += same_pred(p, q);
		if (ca && !cb)
			t->disc_a++;
		if (cb && !ca)
			t->disc_b++;
		if (ca - cb > 0)
			t->npos++;
		else if (ca - cb < 0)
			t->nneg++;
		else
			t->nzero++;
		if (p->has_toks && q->has_toks)
			tally_tokens(t, a, o, p, q);
	}
}

static void free_tally(struct tally *t)
{
	free(t->firstdiff);
	free(t->lpd);
	free(t->topd);
}

/* A share of n, null when n is 0. */
static jv *share(struct arena *a, size_t k, size_t n)
{
	return jv_num_or_null(a, n ? (double)k / (double)n : NAN);
}

/* The "agreement" object: identical responses, tokens and predictions. */
static jv *agreement_obj(struct arena *a, const struct tally *t, size_t npairs)
{
	jv *agree = jv_obj(a), *x = jv_obj(a);

	jv_set(a, agree, "responses_identical", share(a, t->nresp, npairs));
	jv_set(a, agree, "n_responses_identical", jv_int(a, (long long)t->nresp));
	jv_set(a, agree, "n_both_failed", jv_int(a, (long long)t->nboth_failed));
	jv_set(a, agree, "n_with_tokens", jv_int(a, (long long)t->ntokpairs));
	jv_set(a, agree, "tokens_identical", share(a, t->ntokeq, t->ntokpairs));
	jv_set(a, agree, "n_tokens_identical", jv_int(a, (long long)t->ntokeq));
	jv_set(a, agree, "predictions_identical", share(a, t->npred, npairs));
	jv_set(a, agree, "n_predictions_identical", jv_int(a, (long long)t->npred));
	jv_set(a, x, "n", jv_int(a, (long long)t->nfd));
	if (t->nfd > 0) {
		double *fdd = xcalloc(t->nfd, sizeof(double));
		size_t i;

		for (i = 0; i < t->nfd; i++)
			fdd[i] = (double)t->firstdiff[i];
		np_sort(fdd, t->nfd);
		jv_set(a, x, "min", jv_int(a, (long long)fdd[0]));
		jv_set(a, x, "median", jv_num(a, np_median_sorted(fdd, t->nfd)));
		jv_set(a, x, "max", jv_int(a, (long long)fdd[t->nfd - 1]));
		free(fdd);
	} else {
		jv_set(a, x, "min", JV_NULL);
		jv_set(a, x, "median", JV_NULL);
		jv_set(a, x, "max", JV_NULL);
	}
	jv_set(a, x, "examples", t->fdx);
	jv_set(a, agree, "first_differing_token", x);
	return agree;
}

/* The "metrics" object: each headline metric on both sides, and the
 * parse failure rates. */
static jv *metrics_obj(struct arena *a, const char *const names[3], const double ha[3],
		       const double hb[3], double pfa, double pfb)
{
	jv *met = jv_obj(a), *x;
	int j;

	for (j = 0; j < 3; j++) {
		x = jv_obj(a);
		jv_set(a, x, "a", jv_num_or_null(a, ha[j]));
		jv_set(a, x, "b", jv_num_or_null(a, hb[j]));
		jv_set(a, x, "delta", jv_num_or_null(a, hb[j] - ha[j]));
		jv_set(a, x, "bit_exact", isnan(ha[j]) || isnan(hb[j]) ? JV_NULL :
		       jv_bool(ha[j] == hb[j]));
		jv_set(a, met, names[j], x);
	}
	x = jv_obj(a);
	jv_set(a, x, "a", jv_num_or_null(a, pfa));
	jv_set(a, x, "b", jv_num_or_null(a, pfb));
	jv_set(a, met, "parse_failure_rate", x);
	return met;
}

/* The largest of v[0..n), NaN when n is 0. */
static double max_of(const double *v, size_t n)
{
	double mx = n ? 0.0 : NAN;
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] > mx)
			mx = v[i];
	return mx;
}

/* The "logprobs" object: differences where the token sequences agree. */
static jv *logprobs_obj(struct arena *a, const struct tally *t)
{
	jv *lpo = jv_obj(a), *x = jv_obj(a);

	jv_set(a, lpo, "n_records", jv_int(a, (long long)t->ntokpairs));
	jv_set(a, lpo, "n_positions", jv_int(a, (long long)t->nlpd));
	jv_set(a, lpo, "mean_abs_diff", jv_num_or_null(a, t->nlpd ? np_mean(t->lpd, t->nlpd) : NAN));
	jv_set(a, lpo, "max_abs_diff", jv_num_or_null(a, max_of(t->lpd, t->nlpd)));
	jv_set(a, x, "n", jv_int(a, (long long)t->ntopd));
	jv_set(a, x, "mean_abs_diff", jv_num_or_null(a, t->ntopd ? np_mean(t->topd, t->ntopd) : NAN));
	jv_set(a, x, "max_abs_diff", jv_num_or_null(a, max_of(t->topd, t->ntopd)));
	jv_set(a, lpo, "top_alternatives", x);
	return lpo;
}

/* The "calibration" object: each side's ECE over the pairs with a
 * confidence. */
static jv *calibration_obj(struct arena *a, const struct opts *o, const struct side *A,
			   const struct side *B, const struct pairs *pr)
{
	struct calib_bin *bins = xcalloc((size_t)o->bins, sizeof(*bins));
	double *cf = xcalloc(pr->n + 1, sizeof(double)), *ht = xcalloc(pr->n + 1, sizeof(double));
	double *sc = xcalloc(2 * pr->n + 2, sizeof(double)), ece[2], mce;
	jv *cal = jv_obj(a);
	size_t nc[2], i;
	int s;

	for (s = 0; s < 2; s++) {
		const struct side *sd = s ? B : A;
		const size_t *idx = s ? pr->ib : pr->ia;

		for (i = nc[s] = 0; i < pr->n; i++) {
			const struct prec *p = &sd->r[idx[i]];

			if (!p->has_conf)
				continue;
			cf[nc[s]] = p->conf;
			ht[nc[s]++] = correct(p) ? 1.0 : 0.0;
		}
		score_calibrate(cf, ht, nc[s], (size_t)o->bins, bins, sc, &ece[s], &mce);
		if (nc[s] == 0)
			ece[s] = NAN;
	}
	jv_set(a, cal, "bins", jv_int(a, o->bins));
	jv_set(a, cal, "n_a", jv_int(a, (long long)nc[0]));
	jv_set(a, cal, "n_b", jv_int(a, (long long)nc[1]));
	jv_set(a, cal, "ece_a", jv_num_or_null(a, ece[0]));
	jv_set(a, cal, "ece_b", jv_num_or_null(a, ece[1]));
	jv_set(a, cal, "delta", jv_num_or_null(a, ece[1] - ece[0]));
	free(bins);
	free(cf);
	free(ht);
	free(sc);
	return cal;
}

/* The "significance" object: is one run more often right than the other?
 * McNemar's exact test, PUMA's Wilcoxon test, and a bootstrap interval of
 * each headline metric's difference. */
static jv *significance_obj(struct arena *a, const struct opts *o, struct ctx *c, const struct side *A,
			    const struct side *B, const struct pairs *pr, const struct tally *t,
			    const char *const names[3])
{
	jv *sig = jv_obj(a), *x = jv_obj(a);
	double st, z, p, lo[3], hi[3];
	int j;

	jv_set(a, x, "a_right_b_wrong", jv_int(a, t->disc_a));
	jv_set(a, x, "b_right_a_wrong", jv_int(a, t->disc_b));
	jv_set(a, x, "p_value", jv_num(a, mcnemar_exact(t->disc_a, t->disc_b)));
	jv_set(a, sig, "mcnemar_exact", x);
	wilcoxon_pm1(t->npos, t->nneg, t->nzero, &st, &z, &p);
	x = jv_obj(a);
	jv_set(a, x, "statistic", jv_num(a, st));
	jv_set(a, x, "z", jv_num_or_null(a, z));
	jv_set(a, x, "p_value", jv_num(a, p));
	jv_set(a, x, "n_pairs", jv_int(a, t->npos + t->nneg));
	jv_set(a, sig, "wilcoxon", x);
	boot_delta(o, c, A, B, pr, lo, hi);
	x = jv_obj(a);
	jv_set(a, x, "level", jv_num(a, o->ci));
	jv_set(a, x, "resamples", jv_int(a, o->bootstrap));
	jv_set(a, x, "seed", jv_int(a, o->seed));
	for (j = 0; j < 3; j++) {
		jv *iv = jv_arr(a);

		jv_push(a, iv, jv_num_or_null(a, lo[j]));
		jv_push(a, iv, jv_num_or_null(a, hi[j]));
		jv_set(a, x, names[j], iv);
	}
	jv_set(a, sig, "bootstrap_delta", x);
	return sig;
}

/* H0: the headline metric is bit-exact.  A partial comparison (without
 * --allow-partial) or a metric undefined on a side leaves it untested
 * (*testable 0); *holds says whether it holds. */
static jv *verdict_h0(struct arena *a, const struct opts *o, const char *metric, const double ha[3],
		      const double hb[3], int partial, size_t npairs, jv *problems, int *testable,
		      int *holds)
{
	jv *h0 = jv_obj(a);

	*testable = !isnan(ha[0]) && !isnan(hb[0]) && (o->allow_partial || !partial);
	*holds = *testable && ha[0] == hb[0];
	/* With nothing parsed on a side the metric is undefined: H0 can
	 * be neither confirmed nor refuted. */
	if (!*testable && npairs > 0 && (o->allow_partial || !partial))
		jv_push(a, problems, jv_cstr(a, "the headline metric is undefined in a run (nothing parsed): H0 cannot be tested; see the agreement of responses and tokens"));
	jv_set(a, h0, "holds", *testable ? jv_bool(*holds) : JV_NULL);
	jv_set(a, h0, "metric", jv_cstr(a, metric));
	jv_set(a, h0, "a", jv_num_or_null(a, ha[0]));
	jv_set(a, h0, "b", jv_num_or_null(a, hb[0]));
	jv_set(a, h0, "delta", jv_num_or_null(a, hb[0] - ha[0]));
	return h0;
}

/* H2: the mean |logprob difference| is below the threshold. */
static jv *verdict_h2(struct arena *a, const struct opts *o, const struct tally *t)
{
	double mean = t->nlpd ? np_mean(t->lpd, t->nlpd) : NAN;
	jv *h2 = jv_obj(a);

	jv_set(a, h2, "holds", isnan(mean) ? JV_NULL : jv_bool(mean < o->lp_thr));
	jv_set(a, h2, "threshold", jv_num(a, o->lp_thr));
	jv_set(a, h2, "mean_abs_diff", jv_num_or_null(a, mean));
	jv_set(a, h2, "n_positions", jv_int(a, (long long)t->nlpd));
	return h2;
}

/* H3: the ECEs differ by less than the threshold. */
static jv *verdict_h3(struct arena *a, const struct opts *o, const jv *cal)
{
	const jv *ea = jv_get(cal, "ece_a"), *eb = jv_get(cal, "ece_b");
	double d = ea->t == JNUM && eb->t == JNUM ? fabs(eb->d - ea->d) : NAN;
	jv *h3 = jv_obj(a);

	jv_set(a, h3, "holds", isnan(d) ? JV_NULL : jv_bool(d < o->ece_thr));
	jv_set(a, h3, "threshold", jv_num(a, o->ece_thr));
	jv_set(a, h3, "abs_delta", jv_num_or_null(a, d));
	return h3;
}

/* Everything the comparison found, as one JSON object; *differ is set
 * when the runs differ or cannot be compared. */
static jv *compare(struct arena *a, const struct opts *o, struct side *A, struct side *B, int *differ)
{
	struct pairs pr = {0, NULL, NULL};
	struct tally t;
	struct ctx c;
	size_t una = 0, unb = 0;
	double ha[3], hb[3], pfa, pfb;
	jv *out = jv_obj(a), *problems = jv_arr(a), *exa = jv_arr(a), *exb = jv_arr(a);
	jv *x, *cal, *ver;
	const char *const *names;
	int digest_ok, digest_known, partial, testable, holds;

	setup(&c, o, A, B);
	pair_sides(a, o, A, B, &pr, &una, &unb, exa, exb);
	partial = una || unb;
	/* The model must be the same: say so first. */
	digest_ok = model_problems(a, o, A, B, pr.n, una, unb, problems, &digest_known);
	tally_pairs(&t, a, o, A, B, &pr);

	/* Unpaired records make a partial comparison: valid only when asked for. */
	jv_set(a, out, "valid", jv_bool(digest_ok && pr.n > 0 && (o->allow_partial || !partial)));
	jv_set(a, out, "partial", jv_bool(partial));
	jv_set(a, out, "problems", problems);
	jv_set(a, out, "scenario", jv_cstr(a, c.sc->name));
	jv_set(a, out, "a", side_obj(a, A, una, exa));
	jv_set(a, out, "b", side_obj(a, B, unb, exb));
	x = jv_obj(a);
	jv_set(a, x, "paired", jv_int(a, (long long)pr.n));
	jv_set(a, x, "digests_match", digest_known ? jv_bool(digest_ok) : JV_NULL);
	jv_set(a, out, "compared", x);
	jv_set(a, out, "agreement", agreement_obj(a, &t, pr.n));

	/* Headline metrics over the pairs. */
	encode(&c, A);
	encode(&c, B);
	headline(&c, A, pr.ia, pr.n, ha, &pfa);
	headline(&c, B, pr.ib, pr.n, hb, &pfb);
	names = c.sc->task == TASK_CLASSIFICATION ? class_names : reg_names;
	jv_set(a, out, "metrics", metrics_obj(a, names, ha, hb, pfa, pfb));
	jv_set(a, out, "logprobs", logprobs_obj(a, &t));
	cal = calibration_obj(a, o, A, B, &pr);
	jv_set(a, out, "calibration", cal);
	jv_set(a, out, "significance", significance_obj(a, o, &c, A, B, &pr, &t, names));

	/* The verdicts, each with the numbers behind it. */
	ver = jv_obj(a);
	jv_set(a, ver, "H0", verdict_h0(a, o, names[0], ha, hb, partial, pr.n, problems, &testable, &holds));
	jv_set(a, ver, "H1", testable ? jv_bool(!holds) : JV_NULL);
	jv_set(a, ver, "H2", verdict_h2(a, o, &t));
	jv_set(a, ver, "H3", verdict_h3(a, o, cal));
	jv_set(a, out, "verdicts", ver);
	*differ = !holds || !digest_ok || pr.n == 0 || (!o->allow_partial && partial);

	free(pr.ia);
	free(pr.ib);
	free_tally(&t);
	free_ctx(&c);
	return out;
}

/* ---- Markdown ---- */

/* A number as text, "n/a" for null. */
static void mdnum(struct buf *b, const jv *v)
{
	char t[32];
	const char *text;
	size_t len;

	if (v == NULL || v->t != JNUM) {
		buf_adds(b, "n/a");
		return;
	}
	if ((text = jv_numtext(v, &len)) != NULL) {
		buf_add(b, text, len);
		return;
	}
	fmt_double(v->d, t);
	buf_adds(b, t);
}

/* A string as inline code, safe inside a table row: the characters that
 * would end the cell, the row or the code span are escaped. */
static void mdstr(struct buf *b, const jv *v)
{
	struct str s = str_of(v);
	size_t i;

	if (s.s == NULL) {
		buf_adds(b, "n/a");
		return;
	}
	if (s.n == 0) {
		buf_adds(b, "(empty)");
		return;
	}
	buf_addc(b, '`');
	for (i = 0; i < s.n; i++) {
		switch (s.s[i]) {
		case '|': buf_adds(b, "\\|"); break;
		case '\n': buf_adds(b, "\\n"); break;
		case '\r': buf_adds(b, "\\r"); break;
		case '\t': buf_adds(b, "\\t"); break;
		case '`': buf_addc(b, '\''); break;
		default: buf_addc(b, s.s[i]);
		}
	}
	buf_addc(b, '`');
}

static const char *yesno(const jv *v)
{
	if (v == NULL || v->t == JNULL)
		return "not testable";
	return v->t == JTRUE ? "holds" : "does not hold";
}

/* Append text from a small template: %v is a JSON number (mdnum), %t a
 * JSON string as inline code (mdstr), %s a C string; the rest is copied. */
static void md(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	const char *p;

	va_start(ap, fmt);
	for (p = fmt; *p; p++) {
		if (*p != '%' || p[1] == '\0') {
			buf_addc(b, *p);
			continue;
		}
		switch (*++p) {
		case 'v': mdnum(b, va_arg(ap, const jv *)); break;
		case 't': mdstr(b, va_arg(ap, const jv *)); break;
		case 's': buf_adds(b, va_arg(ap, const char *)); break;
		default: buf_addc(b, *p);
		}
	}
	va_end(ap);
}

/* One row of the Markdown hosts table. */
static void md_side_host(struct buf *b, const char *name, const jv *side)
{
	const jv *h = jv_get(side, "host");

	md(b, "| %s | %t | %t | %t | ", name, jv_get(side, "source"), jv_get(side, "model"),
	   jv_get(side, "model_digest"));
	if (h && h->t == JOBJ) {
		const jv *cpu = jv_get(h, "cpu"), *gp = jv_get(h, "gpus");

		md(b, "%t %t, ", jv_get(h, "os"), jv_get(h, "arch"));
		if (cpu && cpu->t == JSTR)
			buf_add(b, str_of(cpu).s, str_of(cpu).n);
		if (gp && gp->t == JARR && gp->n > 0) {
			const jv *nm = jv_get(jv_item(gp, 0), "name");

			buf_adds(b, ", ");
			if (nm && nm->t == JSTR)
				buf_add(b, str_of(nm).s, str_of(nm).n);
		}
		md(b, " | %t", jv_get(h, "profile"));
	} else {
		buf_adds(b, "not recorded | n/a");
	}
	buf_adds(b, " |\n");
}

/* The Markdown report, written from the JSON one so the two never
 * disagree. */
static void markdown(struct buf *b, const jv *r)
{
	const jv *ver = jv_get(r, "verdicts"), *met = jv_get(r, "metrics");
	const jv *ag = jv_get(r, "agreement"), *lp = jv_get(r, "logprobs");
	const jv *cal = jv_get(r, "calibration"), *sig = jv_get(r, "significance");
	const jv *probs = jv_get(r, "problems"), *h0 = jv_get(ver, "H0");
	const jv *h2 = jv_get(ver, "H2"), *h3 = jv_get(ver, "H3"), *fd, *x, *y, *z;
	const jv *ra = jv_get(r, "a"), *rb = jv_get(r, "b"), *top = jv_get(lp, "top_alternatives");
	const char *metric = jv_string(jv_get(h0, "metric"), NULL);
	size_t i;

	buf_adds(b, "# Cross-run comparison\n\n");
	if (jv_get(r, "partial")->t == JTRUE)
		buf_adds(b, "**A partial comparison:** some records have no partner in the other run.\n\n");
	if (jv_get(r, "valid")->t != JTRUE)
		buf_adds(b, "**The comparison is not valid:** see the problems below.\n\n");
	if (jv_len(probs) > 0) {
		buf_adds(b, "Problems:\n\n");
		for (i = 0; i < jv_len(probs); i++)
			md(b, "- %s\n", jv_string(jv_item(probs, i), NULL));
		buf_addc(b, '\n');
	}
	md(b, "## Verdicts\n\n| hypothesis | verdict | numbers |\n|---|---|---|\n"
	   "| H0: %s bit-exact | %s | A %v, B %v, B - A %v |\n",
	   metric, yesno(jv_get(h0, "holds")), jv_get(h0, "a"), jv_get(h0, "b"), jv_get(h0, "delta"));
	md(b, "| H2: mean logprob difference < %v | %s | %v over %v token positions |\n",
	   jv_get(h2, "threshold"), yesno(jv_get(h2, "holds")), jv_get(h2, "mean_abs_diff"),
	   jv_get(h2, "n_positions"));
	md(b, "| H3: ECE difference < %v | %s | %v |\n\n", jv_get(h3, "threshold"),
	   yesno(jv_get(h3, "holds")), jv_get(h3, "abs_delta"));

	buf_adds(b, "## 1. Same model?\n\n| run | source | model | digest | host | profile |\n|---|---|---|---|---|---|\n");
	md_side_host(b, "A", ra);
	md_side_host(b, "B", rb);
	x = jv_get(jv_get(r, "compared"), "digests_match");
	md(b, "\nDigests match: %s.\n\n",
	   x->t == JNULL ? "unknown (not recorded)" : x->t == JTRUE ? "yes" : "**no: the comparison is invalid**");

	md(b, "## 2. What was compared\n\nRecords in A: %v; in B: %v; paired by id: %v; "
	   "unpaired in A: %v, in B: %v.\n\n", jv_get(ra, "n"), jv_get(rb, "n"),
	   jv_get(jv_get(r, "compared"), "paired"), jv_get(ra, "unpaired"), jv_get(rb, "unpaired"));

	buf_adds(b, "## 3. Headline metrics (H0 / H1)\n\n| metric | A | B | B - A | bit-exact |\n|---|---|---|---|---|\n");
	for (i = 0; i < jv_len(met); i++) {
		const jv *m = jv_val(met, i);
		const jv *be = jv_get(m, "bit_exact"), *d = jv_get(m, "delta");

		md(b, "| %s | %v | %v | ", jv_key(met, i, NULL), jv_get(m, "a"), jv_get(m, "b"));
		if (d)
			mdnum(b, d);
		md(b, " | %s |\n", be == NULL ? "" : be->t == JTRUE ? "yes" : be->t == JFALSE ? "no" : "n/a");
	}
	md(b, "\n## 4. Agreement\n\n| | fraction | count |\n|---|---|---|\n"
	   "| responses byte-identical | %v | %v |\n"
	   "| token sequences identical | %v | %v of %v |\n"
	   "| predictions identical | %v | %v |\n\n",
	   jv_get(ag, "responses_identical"), jv_get(ag, "n_responses_identical"),
	   jv_get(ag, "tokens_identical"), jv_get(ag, "n_tokens_identical"), jv_get(ag, "n_with_tokens"),
	   jv_get(ag, "predictions_identical"), jv_get(ag, "n_predictions_identical"));
	fd = jv_get(ag, "first_differing_token");
	if (jv_get(fd, "n")->d > 0) {
		const jv *ex = jv_get(fd, "examples");

		md(b, "Token sequences that differ: %v; first differing position min %v, median %v, max %v.\n\n"
		   "| id | position | token in A | token in B |\n|---|---|---|---|\n",
		   jv_get(fd, "n"), jv_get(fd, "min"), jv_get(fd, "median"), jv_get(fd, "max"));
		for (i = 0; i < jv_len(ex); i++)
			md(b, "| %t | %v | %t | %t |\n", jv_get(jv_item(ex, i), "id"),
			   jv_get(jv_item(ex, i), "position"), jv_get(jv_item(ex, i), "token_a"),
			   jv_get(jv_item(ex, i), "token_b"));
		buf_addc(b, '\n');
	}
	md(b, "## 5. Per-token logprobs (H2)\n\nOver token positions where both sequences still agree: "
	   "%v positions in %v record pairs; mean |difference| %v, max %v. "
	   "Top alternatives present in both: %v, mean |difference| %v, max %v.\n\n",
	   jv_get(lp, "n_positions"), jv_get(lp, "n_records"), jv_get(lp, "mean_abs_diff"),
	   jv_get(lp, "max_abs_diff"), jv_get(top, "n"), jv_get(top, "mean_abs_diff"),
	   jv_get(top, "max_abs_diff"));
	md(b, "## 6. Calibration (H3)\n\nECE with %v bins: A %v (%v records with a confidence), "
	   "B %v (%v), B - A %v.\n\n", jv_get(cal, "bins"), jv_get(cal, "ece_a"), jv_get(cal, "n_a"),
	   jv_get(cal, "ece_b"), jv_get(cal, "n_b"), jv_get(cal, "delta"));
	x = jv_get(sig, "mcnemar_exact");
	y = jv_get(sig, "wilcoxon");
	z = jv_get(sig, "bootstrap_delta");
	md(b, "## 7. Significance\n\nDiscordant pairs: A right and B wrong %v, B right and A wrong %v; "
	   "exact McNemar p = %v. Wilcoxon signed-rank on correctness (PUMA's test): statistic %v, "
	   "z %v, p %v. Bootstrap interval (%v, %v resamples, seed %v) of B - A for %s: [%v, %v].\n",
	   jv_get(x, "a_right_b_wrong"), jv_get(x, "b_right_a_wrong"), jv_get(x, "p_value"),
	   jv_get(y, "statistic"), jv_get(y, "z"), jv_get(y, "p_value"), jv_get(z, "level"),
	   jv_get(z, "resamples"), jv_get(z, "seed"), metric,
	   jv_item(jv_get(z, metric), 0), jv_item(jv_get(z, metric), 1));
}

int main(int argc, char **argv)
{
	struct opts o = {0, 0, 0, NULL, NULL, 1e-3, 0.01, 0.95, 15, 1000, 5, 42};
	struct side A, B;
	struct arena a = {0};
	struct buf out = {0};
	jv *res;
	int c, differ = 0;

	diag_init(argv[0]);
	while ((c = getopt_long(argc, argv, "f:hps:", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "md") == 0)
				o.md = 1;
			else if (strcmp(optarg, "json") != 0)
				usage_error("--format: '%s' is neither json nor md", optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return finish();
		case 'p':
			o.pretty = 1;
			break;
		case 's':
			o.scenario = optarg;
			break;
		case OPT_LABELS:
			o.labels = optarg;
			break;
		case OPT_LP_THR:
			o.lp_thr = opt_double("--logprob-threshold", optarg, 0, 1e9);
			break;
		case OPT_ECE_THR:
			o.ece_thr = opt_double("--ece-threshold", optarg, 0, 1);
			break;
		case OPT_BINS:
			o.bins = opt_int("--bins", optarg, 1, 1000);
			break;
		case OPT_BOOT:
			o.bootstrap = opt_int("--bootstrap", optarg, 0, 1000000);
			break;
		case OPT_CI:
			o.ci = opt_double("--ci", optarg, 0.000001, 0.999999);
			break;
		case OPT_SEED:
			o.seed = (uint32_t)opt_int("--seed", optarg, 0, 4294967295L);
			break;
		case OPT_EXAMPLES:
			o.examples = opt_int("--examples", optarg, 0, 1000);
			break;
		case OPT_CONFIG_DIR:
			config_set_dir(optarg);
			break;
		case OPT_PARTIAL:
			o.allow_partial = 1;
			break;
		case OPT_VERSION:
			print_version();
			return finish();
		default:
			usage_error("unknown option");
		}
	}
	if (argc - optind != 2)
		usage_error("give two runs to compare (prediction files or run directories)");
	load_side(&A, argv[optind]);
	load_side(&B, argv[optind + 1]);
	res = compare(&a, &o, &A, &B, &differ);
	{
		const jv *pb = jv_get(res, "problems");
		size_t i;

		for (i = 0; i < jv_len(pb); i++)
			warn_msg("%s", jv_string(jv_item(pb, i), NULL));
	}
	if (o.md)
		markdown(&out, res);
	else if (o.pretty)
		json_write_pretty(&out, res, 2);
	else
		json_write(&out, res);
	if (!o.md)
		buf_addc(&out, '\n');
	fwrite(out.s, 1, out.len, stdout);
	buf_free(&out);
	arena_free(&a);
	free_side(&A);
	free_side(&B);
	scenario_free_all();
	c = finish();
	return c ? c : differ ? EXIT_FAIL : EXIT_OK;
}
