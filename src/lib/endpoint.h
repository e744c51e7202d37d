/* endpoint.h - several servers behind one run: which one takes the next
 * request (least outstanding first). */
#ifndef PUMA_ENDPOINT_H
#define PUMA_ENDPOINT_H

#include <stddef.h>

/* One server of a run; the strings are owned here (endpoint_free). */
struct endpoint {
	char *base;		/* scheme://host:port[/path], no trailing slash */
	char *gen;		/* base + the generate path */
	char *shown;		/* base with any user:password@ as ***@ (url_redact) */
	long outstanding;	/* requests in flight */
	long sent, answered;	/* requests sent, answers received */
	int dead;		/* taken out of rotation */
	char *why;		/* why it was, or NULL */
};

/* The live endpoint with the fewest requests in flight, ties going to the
 * one sent the fewest so far, then the first; -1 when none is alive. */
int endpoint_pick(const struct endpoint *e, size_t n);

/* How many endpoints are alive. */
size_t endpoint_alive(const struct endpoint *e, size_t n);

void endpoint_free(struct endpoint *e);

#endif
