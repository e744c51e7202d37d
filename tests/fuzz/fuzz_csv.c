/* libFuzzer target for CSV ingestion (csvin.c and instance.c, as puma-prep
 * drives them): any bytes are converted twice, once in one piece and once
 * in small pieces; both runs must agree on every record, every rejected
 * row and the error, and every record written must be a JSON object with
 * the instance fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "instance.h"
#include "json.h"

struct got {
	struct buf out;
	struct arena a;
};

/* Each record must read back as an object with its fields in place. */
static void check_record(struct got *g, const char *rec, size_t len, int rejected)
{
	char err[256];
	jv *v = json_parse(&g->a, rec, len - 1, NULL, err, sizeof(err));

	if (v == NULL || v->t != JOBJ || rec[len - 1] != '\n')
		abort();
	if (jv_getstr(v, "id", NULL) == NULL || jv_getstr(v, "title", NULL) == NULL ||
	    jv_getstr(v, "description", NULL) == NULL || jv_get(v, "row") == NULL ||
	    jv_get(v, "gold") == NULL)
		abort();
	if (rejected && jv_getstr(v, "error", NULL) == NULL)
		abort();
	arena_reset(&g->a);
}

static int emit(void *ctx, const char *rec, size_t len)
{
	struct got *g = ctx;

	check_record(g, rec, len, 0);
	buf_add(&g->out, rec, len);
	return 0;
}

static int reject(void *ctx, const struct inst_reject *r)
{
	struct got *g = ctx;

	check_record(g, r->rec, r->reclen, 1);
	buf_add(&g->out, r->rec, r->reclen);
	return 0;
}

/* Convert data in pieces of at most step bytes; the result is the output
 * followed by the error and its line. */
static void run(const uint8_t *data, size_t size, size_t step, unsigned flags, struct got *g)
{
	struct prep_opts o = {0};
	struct prep p;
	size_t i, k;
	int r = 0;
	long line = 0;
	const char *msg;

	o.name = (flags & 1) ? "dir/XD_deep-se.csv" : "in.csv";
	o.scenario = (flags >> 1) % 3 == 0 ? INST_ANY : (flags >> 1) % 3 == 1 ? INST_TRIAGE : INST_ESTIMATION;
	o.replace_invalid = (flags >> 3) & 1;
	o.project = (flags >> 4) & 1 ? "P" : NULL;
	o.emit = emit;
	o.reject = reject;
	o.ctx = g;
	prep_init(&p, &o);
	for (i = 0; i < size && r == 0; i += k) {
		k = size - i < step ? size - i : step;
		r = prep_feed(&p, data + i, k);
	}
	if (r == 0)
		r = prep_end(&p);
	if (r < 0) {
		msg = prep_error(&p, &line);
		buf_printf(&g->out, "error %ld: %s\n", line, msg != NULL ? msg : "(none)");
	}
	if (p.rows != p.emitted + p.rejected && r == 0)
		abort();	/* a row neither emitted nor rejected */
	buf_printf(&g->out, "%ld %ld %ld %ld\n", p.rows, p.emitted, p.rejected, p.replaced);
	prep_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct got a = {{0}, {0}}, b = {{0}, {0}};
	unsigned flags;

	if (size < 2)
		return 0;
	flags = data[0];
	run(data + 2, size - 2, size, flags, &a);
	run(data + 2, size - 2, 1 + data[1] % 7, flags, &b);
	if (a.out.len != b.out.len || memcmp(a.out.s, b.out.s, a.out.len) != 0)
		abort();	/* the result depends on how the input was cut */
	buf_free(&a.out);
	buf_free(&b.out);
	arena_free(&a.a);
	arena_free(&b.a);
	return 0;
}
