/* csvin.c - libcsv driven one physical line at a time, so that every row
 * and field knows the line it starts on. */
#include "csvin.h"
#include "lineio.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char bom_bytes[3] = {0xEF, 0xBB, 0xBF};

/* libcsv grows its field buffer by a fixed block, which is quadratic on a
 * megabyte field; a header before the block remembers the real capacity so
 * the growth is geometric instead. */
union hdr {
	size_t cap;
	max_align_t align;
};

/* libcsv's realloc hook: keep a capacity in front of the field buffer so
 * a long field grows by doubling, not one byte at a time. */
static void *grow_field(void *ptr, size_t n)
{
	union hdr *h = ptr != NULL ? (union hdr *)ptr - 1 : NULL;
	size_t cap = h != NULL ? h->cap : 0;

	if (h != NULL && cap >= n)
		return ptr;
	if (n > SIZE_MAX / 2 - sizeof(*h))
		return NULL;	/* libcsv asks again for less */
	cap = cap * 2 > n ? cap * 2 : n;
	if (cap > SIZE_MAX / 2 - sizeof(*h))
		cap = n;
	h = realloc(h, sizeof(*h) + cap);
	if (h == NULL)
		return NULL;
	h->cap = cap;
	return h + 1;
}

static void free_field(void *ptr)
{
	if (ptr != NULL)
		free((union hdr *)ptr - 1);
}

/* Spaces are data: libcsv would trim them around unquoted fields. */
static int no_space(unsigned char ch)
{
	(void)ch;
	return 0;
}

void csvin_init(struct csvin *c, csvin_row_fn fn, void *ctx)
{
	memset(c, 0, sizeof(*c));
	csv_init(&c->p, CSV_STRICT | CSV_STRICT_FINI);
	csv_set_space_func(&c->p, no_space);
	csv_set_realloc_func(&c->p, grow_field);
	csv_set_free_func(&c->p, free_field);
	csv_set_blk_size(&c->p, 4096);
	c->fn = fn;
	c->ctx = ctx;
	c->lineno = 1;
}

void csvin_free(struct csvin *c)
{
	csv_free(&c->p);
	buf_free(&c->data);
	free(c->f);
	c->f = NULL;
	c->nf = c->fcap = 0;
}

int csvin_fail(struct csvin *c, long line, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	c->err_line = line;
	c->failed = 1;
	return -1;
}

/* libcsv's field callback: keep the bytes, remember where the field began;
 * the next field begins after this separator, on the line being fed. */
static void on_field(void *s, size_t len, void *data)
{
	struct csvin *c = data;
	struct csvfield *f;

	if (c->failed)
		return;
	c->f = xgrow(c->f, &c->fcap, c->nf + 1, sizeof(*c->f));
	f = &c->f[c->nf++];
	f->off = c->data.len;
	f->len = len;
	f->line = c->field_line;
	buf_add(&c->data, s, len);
	buf_addc(&c->data, '\0');
	c->field_line = c->lineno;
}

/* libcsv's row callback: hand the row on, then forget it. */
static void on_row(int term, void *data)
{
	struct csvin *c = data;

	(void)term;
	if (!c->failed) {
		c->rowno++;
		if (c->fn(c, c->ctx) < 0)
			c->failed = 1;
	}
	c->nf = 0;
	buf_reset(&c->data);
	c->in_row = 0;
}

static void show_byte(char *out, size_t n, unsigned char ch)
{
	if (ch > 0x20 && ch < 0x7f)
		snprintf(out, n, "'%c'", ch);
	else
		snprintf(out, n, "byte 0x%02x", ch);
}

/* Feed bytes to libcsv one physical line at a time.  A line ends at LF,
 * CRLF or a lone CR, as Python's universal newlines count them; a row can
 * only end where a line does, so a row starts on the first line with
 * content after the previous row ended. */
static int feed_lines(struct csvin *c, const char *s, size_t n)
{
	while (n > 0) {
		const char *nl, *cr, *nul;
		size_t k, tail = 0, r;
		int brk = 0, pend = 0;

		if (c->cr_pending) {
			c->cr_pending = 0;
			if (*s != '\n')
				c->lineno++;	/* that CR ended a line by itself */
		}
		nl = memchr(s, '\n', n);
		k = nl != NULL ? (size_t)(nl - s) + 1 : n;
		cr = memchr(s, '\r', k);
		if (cr != NULL && (size_t)(cr - s) + 1 < k && cr[1] != '\n') {
			k = (size_t)(cr - s) + 1;
			brk = 1;
		} else if (nl != NULL) {
			brk = 1;
		} else if (cr != NULL) {
			pend = 1;	/* a CR at the end: CRLF or not, we see next time */
		}
		nul = memchr(s, '\0', k);
		if (nul != NULL) {
			/* What comes before the NUL may be wrong first. */
			k = (size_t)(nul - s);
			brk = pend = 0;
		}
		if (k > 0 && s[k - 1] == '\n')
			tail++;
		if (k > tail && s[k - 1 - tail] == '\r')
			tail++;
		if (!c->in_row && k > tail) {
			c->in_row = 1;
			c->row_line = c->field_line = c->lineno;
		}
		r = csv_parse(&c->p, s, k, on_field, on_row, c);
		if (c->failed)
			return -1;
		if (r < k) {
			char what[32];

			if (csv_error(&c->p) != CSV_EPARSE)
				return csvin_fail(c, c->lineno, "cannot read a field: %s",
						  csv_strerror(csv_error(&c->p)));
			if (s[r] == '"')
				return csvin_fail(c, c->lineno,
						  "a quote inside an unquoted field; quote the whole field and double the quote (\"\")");
			show_byte(what, sizeof(what), (unsigned char)s[r]);
			return csvin_fail(c, c->lineno,
					  "%s after the closing quote of a field; a quote inside a quoted field must be doubled (\"\")",
					  what);
		}
		if (nul != NULL)
			return csvin_fail(c, c->lineno, "%s", LINES_NUL_MSG);
		if (brk)
			c->lineno++;
		c->cr_pending = pend;
		s += k;
		n -= k;
	}
	return 0;
}

int csvin_feed(struct csvin *c, const void *data, size_t n)
{
	const unsigned char *s = data;

	if (c->failed || c->ended)
		return -1;
	/* A byte order mark is undecided until three bytes have been seen. */
	while (c->bom < 3 && n > 0) {
		if (*s == bom_bytes[c->bom]) {
			c->bom++;
			s++;
			n--;
			continue;
		}
		{
			int held = c->bom;

			c->bom = 3;
			if (held > 0 && feed_lines(c, (const char *)bom_bytes, (size_t)held) < 0)
				return -1;
		}
	}
	return feed_lines(c, (const char *)s, n);
}

int csvin_end(struct csvin *c)
{
	if (c->failed || c->ended)
		return -1;
	c->ended = 1;
	if (c->bom > 0 && c->bom < 3) {
		int held = c->bom;

		c->bom = 3;
		if (feed_lines(c, (const char *)bom_bytes, (size_t)held) < 0)
			return -1;
	}
	if (c->cr_pending) {
		c->cr_pending = 0;
		c->lineno++;
	}
	if (csv_fini(&c->p, on_field, on_row, c) != 0)
		return csvin_fail(c, c->field_line,
				  "a quote opened on this line is never closed (unterminated quoted field)");
	return c->failed ? -1 : 0;
}

long csvin_line_at(const struct csvin *c, size_t i, size_t off)
{
	size_t len, k;
	const char *s = csvin_field(c, i, &len);
	long line = c->f[i].line;

	for (k = 0; k < off && k < len; k++) {
		if (s[k] == '\n' || (s[k] == '\r' && (k + 1 >= len || s[k + 1] != '\n')))
			line++;
	}
	return line;
}
