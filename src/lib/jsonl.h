/* jsonl.h - JSON Lines in and out: one object per line, with the line
 * numbers and the strict/lenient policy every tool shares. */
#ifndef PUMA_JSONL_H
#define PUMA_JSONL_H

#include "json.h"
#include "lineio.h"

/* An input stream of records.  The reader owns the arena the records live
 * in; each call to jsonl_next() frees the previous record. */
struct jsonl_in {
	struct lines l;
	struct arena a;
	const char *const *want;	/* see json_parse(); NULL: everything */
	int lenient;		/* skip and count bad lines instead of stopping */
	long skipped;		/* bad lines skipped (lenient) */
	long records;		/* records returned */
	int stopped;		/* a bad line ended the input (strict) */
};

/* Open path ("-" for stdin).  Returns -1 (reported) if it cannot. */
int jsonl_open(struct jsonl_in *in, const char *path, const char *const *want, int lenient);
/* Next record (always a JSON object).  Returns 1, 0 at the end, -1 when a
 * bad line stops a strict reader or reading fails (reported, failure set).
 * Blank lines are not records and are passed over. */
int jsonl_next(struct jsonl_in *in, jv **rec);
/* A bad record found by the tool itself: reported with the current line;
 * lenient readers count it and go on (return 0), strict ones set the
 * failure and return -1 so the caller stops. */
int jsonl_bad(struct jsonl_in *in, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Report the number of skipped lines, if any, on stderr. */
void jsonl_close(struct jsonl_in *in);

/* Give stdin and stdout buffers of 1 MiB, before either is used: filters
 * move megabytes of records through pipes, and every read or write is a
 * system call. */
void jsonl_stdio(void);

/* A pass over the input files of a filter, record by record: the loop
 * puma-parse, puma-metrics and puma-ece share. */
struct jsonl_pass {
	const char *const *want;	/* as for jsonl_open() */
	int lenient;
	int past_unreadable;	/* a file that cannot be opened is reported and
				 * the next one read; else it ends the pass */
	/* Set by jsonl_each(): */
	long kept;		/* records the callback kept (returned 0 for) */
	const char *last;	/* the last input named, "<stdin>" when none was */
};

/* What to do with one record: 0 kept, 1 skipped (already reported), -1 to
 * stop the pass (already reported). */
typedef int jsonl_record_fn(struct jsonl_in *in, jv *rec, void *ctx);

/* Read the files paths[0..n) in turn ("-" for stdin; none at all: stdin)
 * and call fn on each record.  Returns 0 when every input was read to its
 * end, -1 when the pass stopped early: a file could not be opened (unless
 * past_unreadable), a strict reader met a bad line, reading failed or fn
 * said stop. */
int jsonl_each(struct jsonl_pass *p, char *const *paths, int n, jsonl_record_fn *fn, void *ctx);

/* Write rec as one compact line on stdout.  Returns -1 when invalid UTF-8
 * had to be replaced (reported with name:line; the failure is set). */
int jsonl_write(const jv *rec, const char *name, long line);

#endif
