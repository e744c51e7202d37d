/* http.h - HTTP over libcurl: simple blocking requests for start-up
 * queries (server version, model list), and a multi-transfer engine that
 * keeps several requests in flight over kept-alive connections. */
#ifndef PUMA_HTTP_H
#define PUMA_HTTP_H

#include "xalloc.h"

/* What a blocking request gave. */
struct http_resp {
	long status;		/* HTTP status, 0 if no response came */
	struct buf body;	/* owned; free with http_resp_free */
	char err[256];		/* transport error ("" when there was none) */
	double secs;		/* wall time of the transfer */
	int transport;		/* curl's code; 0 when a response came */
};

/* GET or POST (body != NULL: a JSON body) to url.  auth, when not NULL, is
 * a bearer token sent only in the Authorization header.  Returns 0 when a
 * response came (whatever its status), -1 on a transport error (r->err). */
int http_request(const char *url, const char *body, size_t len, long timeout_ms,
		 const char *auth, struct http_resp *r);
void http_resp_free(struct http_resp *r);

/* ---- Retry policy shared by the blocking and the multi requests. ---- */

/* Should a request that ended this way be sent again?  transport is the
 * curl code (0: a response came), status the HTTP status.  Timeouts,
 * connection and transfer errors, 408, 425, 429 and 5xx are retried. */
int http_retryable(int transport, long status);
/* Seconds to wait before attempt number `attempt` + 1 (attempt >= 1):
 * base * 2^(attempt-1) plus up to 25% jitter, and never less than the
 * server's Retry-After (retry_after < 0: none), which is capped at
 * HTTP_MAX_RETRY_AFTER seconds. */
double http_backoff(double base, int attempt, double retry_after);
#define HTTP_MAX_RETRY_AFTER 600.0

/* ---- Several transfers in flight: curl's multi interface. ---- */

/* One POST.  The caller fills the request part, keeps url and body alive
 * until the transfer is done, and owns the struct; the engine fills the
 * result part.  resp is reset for every start (the caller frees it). */
struct http_xfer {
	const char *url;
	const char *body;
	size_t len;
	long timeout_ms;
	size_t max_resp;	/* the largest body accepted, in bytes; 0: no limit */
	void *user;		/* the caller's, untouched */

	long status;		/* HTTP status; 0 when no response came */
	int transport;		/* curl's code; 0 when the transfer completed */
	char err[320];		/* transport error, with curl's detail */
	struct buf resp;	/* the response body */
	double secs;		/* the transfer's wall time, in seconds */
	long long usec;		/* the same in microseconds, as curl measured it */
	double retry_after;	/* the Retry-After header in seconds, or -1 */
	int too_big;		/* the body passed max_resp: the transfer was cut
				 * (transport set, err says so) */

	void *easy;		/* private to the engine */
};

struct http_multi;

/* An engine for up to max_conns transfers at once to one host.  auth, when
 * not NULL, is copied into the Authorization header of every request and
 * wiped from memory when the engine is freed. */
struct http_multi *http_multi_new(int max_conns, const char *auth);
/* Start x (its results are cleared).  Never blocks. */
void http_multi_start(struct http_multi *m, struct http_xfer *x);
/* Move the transfers along, waiting at most wait_ms for something to
 * happen; then http_multi_done() hands out the finished ones. */
void http_multi_wait(struct http_multi *m, long wait_ms);
/* A finished transfer, or NULL when none is waiting to be collected. */
struct http_xfer *http_multi_done(struct http_multi *m);
/* Stop a started transfer that has not been collected (it never will be). */
void http_multi_abort(struct http_multi *m, struct http_xfer *x);
/* Abort whatever still runs and free the engine. */
void http_multi_free(struct http_multi *m);

#endif
