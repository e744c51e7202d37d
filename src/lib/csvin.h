/* csvin.h - CSV rows (RFC 4180, parsed by libcsv) with the physical line
 * each row and field starts on.
 *
 * Bytes are fed in pieces of any size; each complete row is handed to a
 * callback.  Quoted fields may hold separators, doubled quotes and line
 * breaks; a UTF-8 byte order mark at the very start is dropped; CRLF, LF
 * and a lone CR all end a line; blank lines are not rows.  Parsing is
 * strict: a quote inside an unquoted field, a character after a closing
 * quote, a quote left open at the end and a NUL byte are errors that name
 * the line.  Memory: the longest row, held once (plus libcsv's copy of
 * the longest field).
 */
#ifndef PUMA_CSVIN_H
#define PUMA_CSVIN_H

#include <stddef.h>
#include <csv.h>

#include "xalloc.h"

/* Where one field of the current row lies (the bytes belong to the reader). */
struct csvfield {
	size_t off, len;	/* the field's bytes in data.s (NUL-ended) */
	long line;		/* physical line where the field starts */
};

struct csvin;

/* Called once per complete row.  Return 0 to go on, -1 to stop (after
 * csvin_fail() when there is something to say). */
typedef int (*csvin_row_fn)(struct csvin *c, void *ctx);

/* The reader owns its buffers and libcsv's parser. */
struct csvin {
	/* The current row: valid inside the callback only. */
	struct buf data;	/* all fields' bytes */
	struct csvfield *f;
	size_t nf, fcap;
	long row_line;		/* physical line where the row starts */
	long rowno;		/* rows so far including this one (1: the header) */

	/* Set when parsing stopped: the message and its line (0: none). */
	char err[512];
	long err_line;
	int failed;

	/* Private state. */
	struct csv_parser p;
	csvin_row_fn fn;
	void *ctx;
	long lineno;		/* the physical line being fed */
	long field_line;	/* line where the current field starts */
	int in_row;		/* some byte of the current row has been fed */
	int cr_pending;		/* the last byte fed was a CR ending a piece */
	int bom;		/* BOM bytes matched so far; 3 once decided */
	int ended;
};

void csvin_init(struct csvin *c, csvin_row_fn fn, void *ctx);
/* Feed n bytes.  Returns 0, or -1 once parsing has stopped (an error in
 * c->err, or the callback's -1). */
int csvin_feed(struct csvin *c, const void *p, size_t n);
/* End of input: the last row without a line break is delivered; a quote
 * left open is an error.  Returns 0 or -1 as csvin_feed(). */
int csvin_end(struct csvin *c);
void csvin_free(struct csvin *c);

/* Record an error at line (formatted into c->err) and stop.  Returns -1
 * so a callback can end with "return csvin_fail(...)". */
int csvin_fail(struct csvin *c, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Field i of the current row (NUL-ended; may hold NUL only if the input
 * did, which it cannot: NUL bytes are rejected). */
static inline const char *csvin_field(const struct csvin *c, size_t i, size_t *len)
{
	*len = c->f[i].len;
	return c->data.s + c->f[i].off;
}

/* The physical line of byte off of field i: line breaks inside a quoted
 * field move it on. */
long csvin_line_at(const struct csvin *c, size_t i, size_t off);

#endif
