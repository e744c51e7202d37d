/* puma-ece - calibration of a run's confidences: expected and maximum
 * calibration error over equal-width bins, the Brier score, the bins
 * themselves, and optionally a reliability diagram as SVG. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "jout.h"
#include "jsonl.h"
#include "opt.h"
#include "outfile.h"
#include "group.h"
#include "score.h"
#include "stats.h"
#include "xalloc.h"

static const char usage_text[] =
	"Usage: puma-ece [--bins N] [--group-by FIELD] [--svg FILE] [--format json|table]\n"
	"                [--pretty] [--lenient] [FILE...]\n"
	"Calibration (ECE, MCE, Brier) of prediction records with a \"confidence\".\n"
	"\n"
	"      --bins N       equal-width bins on [0, 1] (default 15, as PUMA's runner)\n"
	"  -g, --group-by F   one object per distinct value of member F (e.g. model)\n"
	"      --svg FILE     also draw a reliability diagram into FILE\n"
	"  -f, --format FMT   json (the default) or table, for people\n"
	"  -p, --pretty       indent the JSON output\n"
	"  -l, --lenient      skip bad records (counted) instead of stopping\n"
	"  -h, --help         show this help\n"
	"      --version      show the version\n";

/* Confidences and hits (1.0 when pred equals gold) of the records that
 * have a confidence, in input order, for one group; owned here. */
struct data {
	char *key;		/* the group member's JSON text ("" ungrouped) */
	double *conf, *hit;
	size_t n, cap;
	long without;
	struct data *next;
};

/* Check one record and keep what calibration needs: 0 kept, 1 skipped,
 * -1 stop. */
static int add_record(struct jsonl_in *in, struct data *d, const jv *rec)
{
	const jv *gold = jv_get(rec, "gold"), *pred = jv_get(rec, "pred");
	const jv *conf = jv_get(rec, "confidence");
	char why[160];

	if (gold == NULL || jv_isnull(gold))
		return jsonl_bad(in, "no \"gold\" member") < 0 ? -1 : 1;
	if (pred == NULL)
		return jsonl_bad(in, "no \"pred\" member (run puma-parse first)") < 0 ? -1 : 1;
	if (score_confidence_check(conf, why, sizeof(why)) < 0)
		return jsonl_bad(in, "%s", why) < 0 ? -1 : 1;
	if (conf == NULL || conf->t == JNULL) {
		d->without++;
		return 0;
	}
	if (d->n == d->cap) {
		size_t cap = d->cap;

		d->conf = xgrow(d->conf, &d->cap, d->n + 1, sizeof(double));
		d->hit = xgrow(d->hit, &cap, d->n + 1, sizeof(double));
	}
	d->conf[d->n] = conf->d;
	d->hit[d->n++] = !jv_isnull(pred) && jv_same(pred, gold) ? 1.0 : 0.0;
	return 0;
}

/* Write the reliability diagram: one bar per non-empty bin at its
 * accuracy, a dot at its mean confidence, the diagonal, counts above the
 * bars, the ECE in the title.  Written to a temporary file and renamed. */
static int write_svg(const char *path, const struct calib_bin *bins, size_t nb, size_t n,
		     double ece, double mce)
{
	const double X0 = 70, Y0 = 50, W = 380, H = 380;
	struct buf b = {0};
	char ev[32], mv[32];
	size_t i;

	snprintf(ev, sizeof(ev), "%.4f", ece);
	snprintf(mv, sizeof(mv), "%.4f", mce);
	buf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"480\" height=\"500\" "
		   "viewBox=\"0 0 480 500\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
		   "<title>Reliability diagram</title>\n"
		   "<rect width=\"480\" height=\"500\" fill=\"white\"/>\n"
		   "<text x=\"%g\" y=\"24\" font-size=\"16\" font-weight=\"bold\">Reliability diagram</text>\n"
		   "<text x=\"%g\" y=\"42\" font-size=\"12\" fill=\"#444\">ECE %s \xC2\xB7 MCE %s \xC2\xB7 n = %zu \xC2\xB7 %zu bins</text>\n",
		   X0, X0, ev, mv, n, nb);
	/* Grid and tick labels every 0.2. */
	for (i = 0; i <= 5; i++) {
		double t = (double)i / 5, x = X0 + t * W, y = Y0 + H - t * H;

		buf_printf(&b, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#ddd\"/>\n",
			   X0, y, X0 + W, y);
		buf_printf(&b, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#ddd\"/>\n",
			   x, Y0, x, Y0 + H);
		buf_printf(&b, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"11\" text-anchor=\"middle\">%.1f</text>\n",
			   x, Y0 + H + 16, t);
		buf_printf(&b, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"11\" text-anchor=\"end\">%.1f</text>\n",
			   X0 - 6, y + 4, t);
	}
	for (i = 0; i < nb; i++) {
		const struct calib_bin *x = &bins[i];
		double bx = X0 + x->lo * W, bw = (x->hi - x->lo) * W, bh = x->acc * H;

		if (x->n == 0)
			continue;
		buf_printf(&b, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
			   "fill=\"#4878b0\" fill-opacity=\"0.75\" stroke=\"#2a4d7a\"/>\n",
			   bx, Y0 + H - bh, bw, bh);
		buf_printf(&b, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"3\" fill=\"#d2552a\"/>\n",
			   X0 + x->conf * W, Y0 + H - x->acc * H);
		buf_printf(&b, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"9\" text-anchor=\"middle\" fill=\"#333\">%zu</text>\n",
			   bx + bw / 2, Y0 + H - bh - 4, x->n);
	}
	buf_printf(&b, "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"#555\" stroke-dasharray=\"6 4\"/>\n"
		   "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" fill=\"none\" stroke=\"#333\"/>\n"
		   "<text x=\"%g\" y=\"%g\" font-size=\"12\" text-anchor=\"middle\">confidence</text>\n"
		   "<text x=\"20\" y=\"%g\" font-size=\"12\" text-anchor=\"middle\" "
		   "transform=\"rotate(-90 20 %g)\">accuracy</text>\n"
		   "<rect x=\"%g\" y=\"%g\" width=\"12\" height=\"10\" fill=\"#4878b0\" fill-opacity=\"0.75\"/>\n"
		   "<text x=\"%g\" y=\"%g\" font-size=\"11\">accuracy per bin</text>\n"
		   "<circle cx=\"%g\" cy=\"%g\" r=\"3\" fill=\"#d2552a\"/>\n"
		   "<text x=\"%g\" y=\"%g\" font-size=\"11\">mean confidence</text>\n"
		   "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"#555\" stroke-dasharray=\"6 4\"/>\n"
		   "<text x=\"%g\" y=\"%g\" font-size=\"11\">perfect calibration</text>\n"
		   "</svg>\n",
		   X0, Y0 + H, X0 + W, Y0, X0, Y0, W, H, X0 + W / 2, Y0 + H + 34, Y0 + H / 2, Y0 + H / 2,
		   X0, Y0 + H + 48, X0 + 16, Y0 + H + 57, X0 + 136, Y0 + H + 53, X0 + 142, Y0 + H + 57,
		   X0 + 250, Y0 + H + 53, X0 + 268, Y0 + H + 53, X0 + 274, Y0 + H + 57);
	if (outfile_write(path, b.s, b.len) != 0) {
		warn_at(path, 0, "cannot write: %s", strerror(errno));
		buf_free(&b);
		return -1;
	}
	buf_free(&b);
	return 0;
}

/* The group a record belongs to: found in the table (puma-metrics finds
 * its groups the same way), or made and appended to the list, which keeps
 * the order groups are first seen in. */
static struct data *group_of(struct group_table *t, struct data ***tail, const char *field,
			     const jv *rec)
{
	size_t len;
	const char *key = group_key(t, rec, &field, field != NULL, &len);
	void **slot = group_slot(t, key, len);
	struct data *d = *slot;

	if (d != NULL)
		return d;
	d = xcalloc(1, sizeof(*d));
	/* The member's JSON text, without the key's separator. */
	d->key = field != NULL ? xstrndup(key, len - 1) : xstrdup("");
	*slot = d;
	**tail = d;
	*tail = &d->next;
	return d;
}

/* The groups and what jsonl_each() needs to fill them. */
struct pass {
	struct group_table gt;
	struct data *groups, **tail;
	const char *field;
};

static int take_record(struct jsonl_in *in, jv *rec, void *ctx)
{
	struct pass *p = ctx;

	return add_record(in, group_of(&p->gt, &p->tail, p->field, rec), rec);
}

/* Build one group's output object in a. */
static jv *ece_object(struct arena *a, const struct data *d, const char *field, size_t nb,
		      struct calib_bin *bins, double *ece, double *mce)
{
	double *scratch = xcalloc(2 * d->n + 1, sizeof(double));
	jv *o = jv_obj(a), *arr, *x;
	size_t b;

	score_calibrate(d->conf, d->hit, d->n, nb, bins, scratch, ece, mce);
	if (field != NULL) {
		x = jv_obj(a);
		jv_set(a, x, field, json_parse(a, d->key, strlen(d->key), NULL, NULL, 0));
		jv_set(a, o, "group", x);
	}
	if (d->n > 0) {
		for (b = 0; b < d->n; b++)
			scratch[b] = (d->conf[b] - d->hit[b]) * (d->conf[b] - d->hit[b]);
		jv_set(a, o, "ece", jv_num(a, *ece));
		jv_set(a, o, "mce", jv_num(a, *mce));
		jv_set(a, o, "brier", jv_num(a, np_mean(scratch, d->n)));
	} else {
		warn_msg("no record%s%s has a confidence: ece, mce and brier are null",
		      field ? " of group " : "", field ? d->key : "");
		jv_set(a, o, "ece", JV_NULL);
		jv_set(a, o, "mce", JV_NULL);
		jv_set(a, o, "brier", JV_NULL);
	}
	free(scratch);
	jv_set(a, o, "n", jv_int(a, (long long)d->n));
	jv_set(a, o, "n_without_confidence", jv_int(a, d->without));
	jv_set(a, o, "n_bins", jv_int(a, (long long)nb));
	arr = jv_arr(a);
	for (b = 0; b < nb; b++) {
		x = jv_obj(a);
		jv_set(a, x, "lo", jv_num(a, bins[b].lo));
		jv_set(a, x, "hi", jv_num(a, bins[b].hi));
		jv_set(a, x, "n", jv_int(a, (long long)bins[b].n));
		jv_set(a, x, "accuracy", bins[b].n ? jv_num(a, bins[b].acc) : JV_NULL);
		jv_set(a, x, "confidence", bins[b].n ? jv_num(a, bins[b].conf) : JV_NULL);
		jv_push(a, arr, x);
	}
	jv_set(a, o, "bins", arr);
	return o;
}

/* A number for the table: four decimals, or "-" for null. */
static void cell(struct buf *b, const jv *v, int width)
{
	if (v == NULL || v->t != JNUM)
		buf_printf(b, "%*s", width, "-");
	else
		buf_printf(b, "%*.4f", width, v->d);
}

/* The same object for people: the headline figures, then one row a bin. */
static void table(struct buf *b, const jv *o)
{
	static const char *const head[] = {"ece", "mce", "brier", "n", "n_without_confidence", "n_bins"};
	const jv *g = jv_get(o, "group"), *bins = jv_get(o, "bins");
	char num[32];
	const char *text;
	size_t i, len;

	if (g != NULL) {
		buf_adds(b, "group                 ");
		json_write(b, g);
		buf_addc(b, '\n');
	}
	for (i = 0; i < sizeof(head) / sizeof(head[0]); i++) {
		const jv *v = jv_get(o, head[i]);

		buf_printf(b, "%-22s", head[i]);
		if (v == NULL || v->t != JNUM) {
			buf_adds(b, "null\n");
		} else if ((text = jv_numtext(v, &len)) != NULL) {
			buf_printf(b, "%.*s\n", (int)len, text);
		} else {
			fmt_double(v->d, num);
			buf_printf(b, "%s\n", num);
		}
	}
	buf_adds(b, "\n    lo      hi       n  accuracy  confidence\n");
	for (i = 0; i < jv_len(bins); i++) {
		const jv *x = jv_item(bins, i);

		cell(b, jv_get(x, "lo"), 6);
		cell(b, jv_get(x, "hi"), 8);
		buf_printf(b, "%8.0f", jv_get(x, "n")->d);
		cell(b, jv_get(x, "accuracy"), 10);
		cell(b, jv_get(x, "confidence"), 12);
		buf_addc(b, '\n');
	}
	buf_addc(b, '\n');
}

int main(int argc, char **argv)
{
	enum { O_SVG = 256, O_BINS };
	static const struct option longopts[] = {
		{.name = "bins", .has_arg = required_argument, .val = O_BINS},
		OPTION_FORMAT,
		OPTION_GROUP_BY,
		OPTION_LENIENT,
		OPTION_PRETTY,
		{.name = "svg", .has_arg = required_argument, .val = O_SVG},
		OPTION_HELP_VERSION,
		{0},
	};
	const char *want[] = {"gold", "pred", "confidence", NULL, NULL};
	struct pass p = {.groups = NULL};
	struct jsonl_pass jp = {.want = want};
	struct data *d, *next;
	struct arena a = {0};
	struct buf out = {0};
	struct calib_bin *bins;
	const char *svg = NULL, *field = NULL;
	long nb = 15;
	int c, lenient = 0, pretty = 0, stopped, tabular = 0;
	double ece, mce;

	diag_init(argv[0]);
	jsonl_stdio();
	while ((c = opt_next(argc, argv, "f:g:hlp", longopts, NULL, usage_text)) != -1) {
		switch (c) {
		case O_BINS:
			nb = (long)opt_int("--bins", optarg, 1, 100000);
			break;
		case 'f':
			if (strcmp(optarg, "table") == 0)
				tabular = 1;
			else if (strcmp(optarg, "json") != 0)
				usage_error("--format: '%s' is neither json nor table", optarg);
			break;
		case 'g':
			field = optarg;
			break;
		case 'l':
			lenient = 1;
			break;
		case 'p':
			pretty = 1;
			break;
		case O_SVG:
			svg = optarg;
			break;
		}
	}
	if (svg != NULL && field != NULL)
		usage_error("--svg draws one diagram: drop --group-by or split the input");
	want[3] = field;

	p.tail = &p.groups;
	p.field = field;
	jp.lenient = lenient;
	stopped = jsonl_each(&jp, argv + optind, argc - optind, take_record, &p) < 0;
	if (!stopped && jp.kept == 0)
		fail_at(jp.last, 0, "no records: nothing to calibrate");
	bins = xcalloc((size_t)nb, sizeof(*bins));
	for (d = p.groups; d != NULL && !stopped && jp.kept > 0; d = d->next) {
		jv *o;

		arena_reset(&a);
		o = ece_object(&a, d, field, (size_t)nb, bins, &ece, &mce);
		buf_reset(&out);
		if (tabular)
			table(&out, o);
		else if (pretty)
			json_write_pretty(&out, o, 2);
		else
			json_write(&out, o);
		if (!tabular)
			buf_addc(&out, '\n');
		fwrite(out.s, 1, out.len, stdout);
		if (svg != NULL && write_svg(svg, bins, (size_t)nb, d->n, d->n ? ece : NAN, d->n ? mce : NAN) < 0)
			fail();
	}
	free(bins);
	group_free(&p.gt);
	for (d = p.groups; d != NULL; d = next) {
		next = d->next;
		free(d->key);
		free(d->conf);
		free(d->hit);
		free(d);
	}
	buf_free(&out);
	arena_free(&a);
	return finish();
}
