/* jsonl.c - the record reader and writer shared by every filter. */
#include "jsonl.h"
#include "diag.h"
#include "jfast.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int jsonl_open(struct jsonl_in *in, const char *path, const char *const *want, int lenient)
{
	memset(in, 0, sizeof(*in));
	in->want = want;
	in->lenient = lenient;
	return lines_open(&in->l, path);
}

/* Say what is wrong with the current line; then skip and count it
 * (lenient) or stop with a sticky failure (strict). */
static int bad_line(struct jsonl_in *in, const char *fmt, va_list ap)
{
	vwarn_at(in->l.name, in->l.lineno, fmt, ap);
	if (in->lenient) {
		in->skipped++;
		return 0;
	}
	fail();
	in->stopped = 1;
	return -1;
}

int jsonl_bad(struct jsonl_in *in, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = bad_line(in, fmt, ap);
	va_end(ap);
	return r;
}

int jsonl_next(struct jsonl_in *in, jv **rec)
{
	char err[256];
	jv *v;
	int r;

	for (;;) {
		arena_reset(&in->a);
		r = lines_read(&in->l);
		if (r == 0)
			return 0;
		if (r == -1) {
			in->stopped = 1;
			return -1;
		}
		if (line_blank(in->l.buf, in->l.len))
			continue;
		/* The fast path takes no line holding a NUL byte, so only the
		 * lines it leaves are searched for one. */
		v = json_fast_off ? NULL : json_parse_fast(&in->a, in->l.buf, in->l.len, in->want);
		if (v == NULL && memchr(in->l.buf, '\0', in->l.len) != NULL) {
			if (jsonl_bad(in, "%s", LINES_NUL_MSG) < 0)
				return -1;
			continue;
		}
		if (v == NULL)
			v = json_parse(&in->a, in->l.buf, in->l.len, in->want, err, sizeof(err));
		if (v == NULL) {
			if (jsonl_bad(in, "invalid JSON: %s", err) < 0)
				return -1;
			continue;
		}
		if (v->t != JOBJ) {
			if (jsonl_bad(in, "record is %s, not a JSON object", jv_typename(v)) < 0)
				return -1;
			continue;
		}
		in->records++;
		*rec = v;
		return 1;
	}
}

void jsonl_close(struct jsonl_in *in)
{
	if (in->skipped > 0)
		warn_msg("%s: skipped %ld bad line%s", in->l.name, in->skipped,
		      in->skipped == 1 ? "" : "s");
	lines_close(&in->l);
	arena_free(&in->a);
}

/* setvbuf() with no buffer of our own keeps glibc's default size (the
 * block size, 4 KiB): the buffers are given, and live until exit. */
static char stdin_buf[1 << 20], stdout_buf[1 << 20];

void jsonl_stdio(void)
{
	setvbuf(stdin, stdin_buf, _IOFBF, sizeof(stdin_buf));
	setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
}

/* One input of a pass: 0 read to its end, -1 stopped. */
static int each_record(struct jsonl_pass *p, const char *path, jsonl_record_fn *fn, void *ctx)
{
	struct jsonl_in in;
	jv *rec;
	int r, stopped = 0;

	if (jsonl_open(&in, path, p->want, p->lenient) < 0)
		return p->past_unreadable ? 0 : -1;
	lines_raw(&in.l);	/* read once, start to end */
	while ((r = jsonl_next(&in, &rec)) > 0) {
		r = fn(&in, rec, ctx);
		if (r < 0) {
			stopped = 1;
			break;
		}
		if (r == 0)
			p->kept++;
	}
	if (in.stopped)
		stopped = 1;
	jsonl_close(&in);
	return stopped ? -1 : 0;
}

int jsonl_each(struct jsonl_pass *p, char *const *paths, int n, jsonl_record_fn *fn, void *ctx)
{
	int i;

	p->kept = 0;
	p->last = n > 0 ? paths[n - 1] : "<stdin>";
	if (n == 0)
		return each_record(p, "-", fn, ctx);
	for (i = 0; i < n; i++)
		if (each_record(p, paths[i], fn, ctx) < 0)
			return -1;
	return 0;
}

/* The output buffer is reused for every record and freed at exit. */
static struct buf out;

static void free_out(void)
{
	buf_free(&out);
}

int jsonl_write(const jv *rec, const char *name, long line)
{
	size_t bad;

	if (out.s == NULL)
		atexit(free_out);
	buf_reset(&out);
	bad = json_write(&out, rec);
	buf_addc(&out, '\n');
	fwrite(out.s, 1, out.len, stdout);
	if (bad > 0) {
		fail_at(name, line, "invalid UTF-8 in the output record (%zu sequence%s replaced by U+FFFD)",
			bad, bad == 1 ? "" : "s");
		return -1;
	}
	return 0;
}
