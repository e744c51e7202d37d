/* http.h - simple blocking HTTP requests over libcurl, for the start-up
 * queries (server version, model list) that need no concurrency. */
#ifndef PUMA_HTTP_H
#define PUMA_HTTP_H

#include "xalloc.h"

struct http_resp {
	long status;		/* HTTP status, 0 if no response came */
	struct buf body;	/* owned; free with http_resp_free */
	char err[256];		/* transport error ("" when there was none) */
	double secs;		/* wall time of the transfer */
};

/* GET or POST (body != NULL: a JSON body) to url.  auth, when not NULL, is
 * a bearer token sent only in the Authorization header.  Returns 0 when a
 * response came (whatever its status), -1 on a transport error (r->err). */
int http_request(const char *url, const char *body, size_t len, long timeout_ms,
		 const char *auth, struct http_resp *r);
void http_resp_free(struct http_resp *r);
/* Call once before any thread starts (curl_global_init). */
void http_init(void);

#endif
