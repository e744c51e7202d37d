/* jinja-render - test driver for the Jinja renderer (src/lib/jinja.c).
 *
 *   jinja-render TEMPLATE [NAME] < CONTEXT.json
 *       renders one template file (named NAME in messages) against the
 *       JSON object on stdin and writes the prompt as it is; an error is
 *       "jinja-render: NAME:LINE:COL: why" and exit status 1.
 *   jinja-render -r N TEMPLATE [NAME] < CONTEXT.json
 *       the same, rendering N times (for bench/jinja.sh), and the time
 *       per render on stderr.
 *   jinja-render -b [FILE]
 *       batch: each input line is {"template": PATH, "name": NAME,
 *       "context": {...}} or {"source": TEXT, "name": NAME, "context":
 *       {...}}; each output line is {"output": PROMPT} or {"error": WHY}.
 *       A file is parsed once however many lines name it.  A line with
 *       "uses": [NAME, ...] gets "uses": [...] back: the names among those
 *       that jinja_uses() says the template reads.
 *
 * JSON has no NaN or infinities, so in a context {"$float": "nan"} (or
 * "inf", "-inf") stands for that float, as PUMA's rows hold NaN for an
 * empty cell. */
#include <math.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "diag.h"
#include "jinja.h"
#include "jsonl.h"

/* Replace every {"$float": "..."} in v by the float it names. */
static void floats(struct arena *a, jv *v)
{
	size_t i;

	if (v->t == JARR) {
		for (i = 0; i < v->n; i++) {
			jv *x = v->u.items[i];
			const char *f;

			if (x->t == JOBJ && x->n == 1 && (f = jv_getstr(x, "$float", NULL)) != NULL)
				v->u.items[i] = jv_num(a, strcmp(f, "nan") == 0 ? NAN :
							    strcmp(f, "-inf") == 0 ? -INFINITY : INFINITY);
			else
				floats(a, x);
		}
	} else if (v->t == JOBJ) {
		for (i = 0; i < v->n; i++) {
			jv *x = v->u.mem[i].val;
			const char *f;

			if (x == NULL)
				continue;
			if (x->t == JOBJ && x->n == 1 && (f = jv_getstr(x, "$float", NULL)) != NULL)
				v->u.mem[i].val = jv_num(a, strcmp(f, "nan") == 0 ? NAN :
							       strcmp(f, "-inf") == 0 ? -INFINITY : INFINITY);
			else
				floats(a, x);
		}
	}
}

/* ,"uses":[...]: which of the names in want (an array) t reads. */
static void uses(struct buf *b, const struct jinja *t, const jv *want)
{
	size_t i, k = 0;

	if (t == NULL || want == NULL || want->t != JARR)
		return;
	buf_adds(b, ",\"uses\":[");
	for (i = 0; i < want->n; i++) {
		const jv *w = want->u.items[i];

		if (w->t != JSTR || !jinja_uses(t, w->u.s))
			continue;
		if (k++ > 0)
			buf_addc(b, ',');
		json_write_str(b, w->u.s, w->n);
	}
	buf_addc(b, ']');
}

struct cached {
	char *path;
	struct jinja *t;	/* NULL: it failed to parse */
	char *err;
};

static int batch(const char *path)
{
	struct jsonl_in in;
	struct cached *c = NULL;
	size_t nc = 0, cap = 0, i;
	struct buf out = {0}, line = {0};
	char err[512];
	jv *rec;
	int r;

	if (jsonl_open(&in, path, NULL, 0) < 0)
		return finish();
	while ((r = jsonl_next(&in, &rec)) > 0) {
		const char *tp = jv_getstr(rec, "template", NULL), *name = jv_getstr(rec, "name", NULL);
		size_t slen;
		const char *src = jv_getstr(rec, "source", &slen);
		jv *ctx = jv_get(rec, "context");
		struct jinja *t = NULL, *own = NULL;
		const char *perr = NULL;

		if (ctx != NULL)
			floats(&in.a, ctx);
		if (tp != NULL) {
			for (i = 0; i < nc; i++)
				if (strcmp(c[i].path, tp) == 0)
					break;
			if (i == nc) {
				if (nc == cap)
					c = xgrow(c, &cap, nc + 1, sizeof(*c));
				c[nc].path = xstrdup(tp);
				c[nc].t = jinja_load(tp, name, err, sizeof(err));
				c[nc].err = c[nc].t ? NULL : xstrdup(err);
				nc++;
			}
			t = c[i].t;
			perr = c[i].err;
		} else if (src != NULL) {
			own = t = jinja_parse(name ? name : "<source>", src, slen, err, sizeof(err));
			if (t == NULL)
				perr = err;
		} else {
			jsonl_bad(&in, "neither \"template\" nor \"source\"");
			break;
		}
		buf_reset(&out);
		buf_reset(&line);
		if (t != NULL && jinja_render(t, ctx, &out, err, sizeof(err)) < 0)
			perr = err;
		if (perr != NULL) {
			buf_adds(&line, "{\"error\":");
			json_write_str(&line, perr, strlen(perr));
		} else {
			buf_adds(&line, "{\"output\":");
			json_write_str(&line, out.s, out.len);
		}
		uses(&line, t, jv_get(rec, "uses"));
		buf_adds(&line, "}\n");
		fwrite(line.s, 1, line.len, stdout);
		jinja_free(own);
	}
	jsonl_close(&in);
	for (i = 0; i < nc; i++) {
		jinja_free(c[i].t);
		free(c[i].path);
		free(c[i].err);
	}
	free(c);
	buf_free(&out);
	buf_free(&line);
	return finish();
}

int main(int argc, char **argv)
{
	struct arena a = {0};
	struct buf out = {0};
	struct jinja *t;
	char err[512];
	long i, reps = 1;
	double t0;
	size_t len;
	char *text;
	jv *ctx;

	diag_init(argv[0]);
	if (argc >= 2 && strcmp(argv[1], "-b") == 0)
		return batch(argc > 2 ? argv[2] : "-");
	if (argc >= 3 && strcmp(argv[1], "-r") == 0) {
		reps = strtol(argv[2], NULL, 10);
		argv += 2;
		argc -= 2;
	}
	if (argc < 2 || argc > 3 || reps < 1)
		usage_error("usage: jinja-render [-r N] TEMPLATE [NAME] < CONTEXT.json | jinja-render -b [FILE]");
	if ((t = jinja_load(argv[1], argc > 2 ? argv[2] : NULL, err, sizeof(err))) == NULL)
		die(EXIT_FAIL, "%s", err);
	if ((text = read_file("/dev/stdin", &len)) == NULL)
		die(EXIT_FAIL, "cannot read the context");
	if ((ctx = json_parse(&a, text, len, NULL, err, sizeof(err))) == NULL)
		die(EXIT_FAIL, "the context: %s", err);
	floats(&a, ctx);
	t0 = clock_mono();
	for (i = 0; i < reps; i++) {
		buf_reset(&out);
		if (jinja_render(t, ctx, &out, err, sizeof(err)) < 0)
			die(EXIT_FAIL, "%s", err);
	}
	if (reps > 1)
		fprintf(stderr, "%ld renders of %zu bytes: %.3f us each\n", reps, out.len,
			(clock_mono() - t0) / (double)reps * 1e6);
	fwrite(out.s, 1, out.len, stdout);
	jinja_free(t);
	free(text);
	arena_free(&a);
	buf_free(&out);
	return finish();
}
