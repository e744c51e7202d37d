/* lineio.h - read input one line at a time, any length, counting lines. */
#ifndef PUMA_LINEIO_H
#define PUMA_LINEIO_H

#include <stdio.h>
#include <sys/types.h>

/* A reader owns its buffer; the FILE belongs to whoever opened it. */
struct lines {
	FILE *fp;
	const char *name;	/* for messages: "-" is shown as "<stdin>" */
	char *buf;		/* the current line, NUL-ended, no newline */
	size_t cap;
	size_t len;
	long lineno;
	int owns_fp;
	/* Raw reading (lines_raw()): the descriptor read in large blocks into
	 * rb, each line handed out in place there. */
	int raw, reof;
	char *rb;
	size_t rcap, rpos, rlen;
};

/* Open path for reading ("-" or NULL: stdin).  Returns -1 with a message
 * (and the sticky failure set) when the file cannot be opened. */
int lines_open(struct lines *l, const char *path);
/* Read the next line.  Returns 1 with l->buf/l->len set, 0 at end of input,
 * -1 on a read error (already reported), -2 when the line holds a NUL
 * byte (not reported: the caller says so, strictly or leniently; the
 * message LINES_NUL_MSG fits). */
int lines_next(struct lines *l);
#define LINES_NUL_MSG "line holds a NUL byte (binary or corrupt input)"
/* lines_next() without looking for NUL bytes (1, 0 or -1): for a reader
 * that finds them itself, such as the JSON fast path, which takes no line
 * holding one. */
int lines_read(struct lines *l);
void lines_close(struct lines *l);
/* Read l's descriptor directly from now on, in blocks of 1 MiB, handing
 * each line out where it lies (no copy): for a reader that reads its input
 * once from start to end, with nothing read from the FILE before or
 * after.  Lines read the same. */
void lines_raw(struct lines *l);

/* Is the line only spaces and tabs (and a CR)? */
int line_blank(const char *s, size_t len);

#endif
