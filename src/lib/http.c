/* http.c - blocking requests with curl's easy interface, the retry policy,
 * and an engine for several transfers at once with the multi interface. */
#include "http.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int inited;
static CURLcode init_rc;	/* what curl_global_init() said */

static void cleanup(void)
{
	curl_global_cleanup();
}

void http_init(void)
{
	if (!inited) {
		init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
		if (init_rc == CURLE_OK)
			atexit(cleanup);
		inited = 1;
	}
}

/* curl_easy_setopt() in a chain: once one fails, the rest are not tried
 * and *rc keeps the first failure (an option this libcurl lacks, or no
 * memory), which the caller reports as the transfer's error. */
#define SETOPT(rc, c, opt, val) \
	do { \
		if (*(rc) == CURLE_OK) \
			*(rc) = curl_easy_setopt((c), (opt), (val)); \
	} while (0)

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	buf_add(ud, p, size * n);
	return size * n;
}

/* curl_slist_append() copies each header: wipe the copies too, so a key
 * does not linger in freed memory. */
static void free_headers(struct curl_slist *h)
{
	struct curl_slist *p;

	for (p = h; p != NULL; p = p->next)
		memset(p->data, 0, strlen(p->data));
	curl_slist_free_all(h);
}

int http_request(const char *url, const char *body, size_t len, long timeout_ms,
		 const char *auth, struct http_resp *r)
{
	CURL *c;
	CURLcode rc;
	struct curl_slist *hdr = NULL;
	char *authh = NULL;
	char ebuf[CURL_ERROR_SIZE] = "";

	http_init();
	memset(r, 0, sizeof(*r));
	buf_add(&r->body, "", 0);
	c = init_rc == CURLE_OK ? curl_easy_init() : NULL;
	if (c == NULL) {
		snprintf(r->err, sizeof(r->err), "cannot start a curl handle%s%s",
			 init_rc ? ": " : "", init_rc ? curl_easy_strerror(init_rc) : "");
		r->transport = init_rc ? (int)init_rc : (int)CURLE_FAILED_INIT;
		return -1;
	}
	rc = CURLE_OK;
	SETOPT(&rc, c, CURLOPT_URL, url);
	SETOPT(&rc, c, CURLOPT_TIMEOUT_MS, timeout_ms);
	SETOPT(&rc, c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 10000 ? timeout_ms : 10000L);
	SETOPT(&rc, c, CURLOPT_NOSIGNAL, 1L);
	SETOPT(&rc, c, CURLOPT_WRITEFUNCTION, on_data);
	SETOPT(&rc, c, CURLOPT_WRITEDATA, &r->body);
	SETOPT(&rc, c, CURLOPT_ERRORBUFFER, ebuf);
	if (body != NULL) {
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
		SETOPT(&rc, c, CURLOPT_POSTFIELDS, body);
		SETOPT(&rc, c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	if (auth != NULL) {
		authh = xasprintf("Authorization: Bearer %s", auth);
		hdr = curl_slist_append(hdr, authh);
	}
	if (hdr != NULL)
		SETOPT(&rc, c, CURLOPT_HTTPHEADER, hdr);
	else if ((body != NULL || auth != NULL) && rc == CURLE_OK)
		rc = CURLE_OUT_OF_MEMORY;	/* curl_slist_append() failed */
	if (rc == CURLE_OK)
		rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &r->secs);
	if (rc != CURLE_OK) {
		r->transport = (int)rc;
		/* curl's buffer names host, port and cause; else the generic text. */
		snprintf(r->err, sizeof(r->err), "%s", ebuf[0] ? ebuf : curl_easy_strerror(rc));
	} else if (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status) != CURLE_OK) {
		r->status = 0;
	}
	free_headers(hdr);
	if (authh != NULL) {
		/* The key must not linger in freed memory. */
		memset(authh, 0, strlen(authh));
		free(authh);
	}
	curl_easy_cleanup(c);
	return rc == CURLE_OK ? 0 : -1;
}

void http_resp_free(struct http_resp *r)
{
	buf_free(&r->body);
}

/* ---- Retry policy ---- */

int http_retryable(int transport, long status)
{
	if (transport != 0) {
		switch ((CURLcode)transport) {
		case CURLE_OPERATION_TIMEDOUT:
		case CURLE_COULDNT_CONNECT:
		case CURLE_COULDNT_RESOLVE_HOST:
		case CURLE_COULDNT_RESOLVE_PROXY:
		case CURLE_GOT_NOTHING:
		case CURLE_PARTIAL_FILE:
		case CURLE_RECV_ERROR:
		case CURLE_SEND_ERROR:
		case CURLE_HTTP2:
		case CURLE_HTTP2_STREAM:
			return 1;
		default:
			return 0;
		}
	}
	return status == 408 || status == 425 || status == 429 || status >= 500;
}

/* Jitter only spreads retries out in time; it never touches results, so a
 * small generator seeded from the clock is enough. */
static uint64_t jitter_state;

static double jitter(void)
{
	if (jitter_state == 0) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		jitter_state = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
			((uint64_t)getpid() << 40) ^ 0x9e3779b97f4a7c15ULL;
	}
	jitter_state ^= jitter_state << 13;
	jitter_state ^= jitter_state >> 7;
	jitter_state ^= jitter_state << 17;
	return (double)(jitter_state >> 11) / 9007199254740992.0;
}

double http_backoff(double base, int attempt, double retry_after)
{
	double d = base;
	int i;

	for (i = 1; i < attempt && d < 3600; i++)
		d *= 2;
	d += d * 0.25 * jitter();
	if (retry_after > HTTP_MAX_RETRY_AFTER)
		retry_after = HTTP_MAX_RETRY_AFTER;
	if (retry_after > d)
		d = retry_after;
	return d;
}

/* ---- The multi engine ---- */

/* The engine owns its curl handles, a pool of idle easy handles (reused so
 * their buffers and the multi's connections stay warm), the header list
 * holding the key, and a queue of finished transfers not yet collected. */
struct http_multi {
	CURLM *cm;
	struct curl_slist *hdr;
	char *authh;
	CURL **idle;
	size_t nidle, capidle;
	CURL **active;		/* handles in the multi now */
	size_t nactive, capactive;
	struct http_xfer **done;
	size_t dhead, dlen, capdone;
};

static void track(struct http_multi *m, CURL *c)
{
	m->active = xgrow(m->active, &m->capactive, m->nactive + 1, sizeof(*m->active));
	m->active[m->nactive++] = c;
}

/* Forget a handle that left the multi (order does not matter). */
static void untrack(struct http_multi *m, CURL *c)
{
	size_t i;

	for (i = 0; i < m->nactive; i++)
		if (m->active[i] == c) {
			m->active[i] = m->active[--m->nactive];
			return;
		}
}

/* Keep a transfer's body, up to its limit: a larger answer stops the
 * transfer (curl sees a short write) so memory stays bounded. */
static size_t on_xfer_data(char *p, size_t size, size_t n, void *ud)
{
	struct http_xfer *x = ud;

	if (x->max_resp > 0 && size * n > x->max_resp - x->resp.len) {
		x->too_big = 1;
		return 0;
	}
	buf_add(&x->resp, p, size * n);
	return size * n;
}

struct http_multi *http_multi_new(int max_conns, const char *auth)
{
	struct http_multi *m = xcalloc(1, sizeof(*m));

	http_init();
	m->cm = init_rc == CURLE_OK ? curl_multi_init() : NULL;
	if (m->cm == NULL ||
	    curl_multi_setopt(m->cm, CURLMOPT_MAX_HOST_CONNECTIONS, (long)max_conns) != CURLM_OK ||
	    curl_multi_setopt(m->cm, CURLMOPT_MAXCONNECTS, (long)max_conns) != CURLM_OK) {
		if (m->cm != NULL)
			curl_multi_cleanup(m->cm);
		free(m);
		return NULL;
	}
	m->hdr = curl_slist_append(NULL, "Content-Type: application/json");
	/* No "Expect: 100-continue" round trip before large prompts. */
	m->hdr = curl_slist_append(m->hdr, "Expect:");
	if (auth != NULL) {
		m->authh = xasprintf("Authorization: Bearer %s", auth);
		m->hdr = curl_slist_append(m->hdr, m->authh);
	}
	return m;
}

/* An easy handle from the pool, or a new one. */
static CURL *get_easy(struct http_multi *m)
{
	CURL *c;

	if (m->nidle > 0) {
		c = m->idle[--m->nidle];
		curl_easy_reset(c);
		return c;
	}
	c = curl_easy_init();
	if (c == NULL) {
		fputs("out of memory (curl handle)\n", stderr);
		abort();
	}
	return c;
}

static void put_easy(struct http_multi *m, CURL *c)
{
	m->idle = xgrow(m->idle, &m->capidle, m->nidle + 1, sizeof(*m->idle));
	m->idle[m->nidle++] = c;
}

static void finished(struct http_multi *m, CURL *c, struct http_xfer *x, CURLcode rc);

void http_multi_start(struct http_multi *m, struct http_xfer *x)
{
	CURL *c = get_easy(m);
	CURLcode rc = CURLE_OK;
	CURLMcode mc;

	x->status = 0;
	x->transport = 0;
	x->err[0] = '\0';
	x->secs = 0;
	x->usec = 0;
	x->retry_after = -1;
	x->too_big = 0;
	buf_reset(&x->resp);
	buf_add(&x->resp, "", 0);
	x->easy = c;
	SETOPT(&rc, c, CURLOPT_URL, x->url);
	SETOPT(&rc, c, CURLOPT_PRIVATE, (void *)x);
	SETOPT(&rc, c, CURLOPT_NOSIGNAL, 1L);
	SETOPT(&rc, c, CURLOPT_TIMEOUT_MS, x->timeout_ms);
	SETOPT(&rc, c, CURLOPT_CONNECTTIMEOUT_MS, x->timeout_ms < 10000 ? x->timeout_ms : 10000L);
	SETOPT(&rc, c, CURLOPT_WRITEFUNCTION, on_xfer_data);
	SETOPT(&rc, c, CURLOPT_WRITEDATA, (void *)x);
	SETOPT(&rc, c, CURLOPT_ERRORBUFFER, x->err);
	SETOPT(&rc, c, CURLOPT_HTTPHEADER, m->hdr);
	SETOPT(&rc, c, CURLOPT_POSTFIELDS, x->body);
	SETOPT(&rc, c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->len);
	SETOPT(&rc, c, CURLOPT_TCP_NODELAY, 1L);
	if (rc == CURLE_OK && (mc = curl_multi_add_handle(m->cm, c)) != CURLM_OK) {
		snprintf(x->err, sizeof(x->err), "curl cannot start the transfer: %s", curl_multi_strerror(mc));
		rc = CURLE_FAILED_INIT;
	}
	track(m, c);
	/* A transfer that cannot start ends at once, with the reason: the
	 * caller collects it like any other failure. */
	if (rc != CURLE_OK)
		finished(m, c, x, rc);
}

/* A transfer ended: fill in its results and queue it for collection. */
static void finished(struct http_multi *m, CURL *c, struct http_xfer *x, CURLcode rc)
{
	curl_off_t us = 0, ra = -1;

	curl_easy_getinfo(c, CURLINFO_TOTAL_TIME_T, &us);
	x->usec = (long long)us;
	x->secs = (double)us / 1e6;
	if (rc != CURLE_OK) {
		x->transport = (int)rc;
		/* curl's buffer has the detail ("Failed to connect to ... port
		 * ...: Connection refused"); fall back on the generic text. */
		if (x->too_big)
			snprintf(x->err, sizeof(x->err), "the response is larger than %zu bytes "
				 "(--max-response)", x->max_resp);
		else if (x->err[0] == '\0')
			snprintf(x->err, sizeof(x->err), "%s", curl_easy_strerror(rc));
	} else {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &x->status);
		x->err[0] = '\0';
		if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra >= 0 &&
		    (x->status == 429 || x->status == 503 || x->status == 408 || x->status == 425 ||
		     x->status >= 500))
			x->retry_after = (double)ra;
	}
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, (char *)NULL);
	curl_multi_remove_handle(m->cm, c);
	untrack(m, c);
	x->easy = NULL;
	put_easy(m, c);
	if (m->dlen == m->capdone) {
		size_t ncap = m->capdone ? m->capdone * 2 : 16, i;
		struct http_xfer **nd = xmalloc(ncap * sizeof(*nd));

		for (i = 0; i < m->dlen; i++)
			nd[i] = m->done[(m->dhead + i) % m->capdone];
		free(m->done);
		m->done = nd;
		m->capdone = ncap;
		m->dhead = 0;
	}
	m->done[(m->dhead + m->dlen) % m->capdone] = x;
	m->dlen++;
}

/* Collect what curl has finished into the done queue. */
static void collect(struct http_multi *m)
{
	int left = 0;
	CURLMsg *msg;

	while ((msg = curl_multi_info_read(m->cm, &left)) != NULL) {
		struct http_xfer *x = NULL;

		if (msg->msg == CURLMSG_DONE &&
		    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x) == CURLE_OK && x != NULL)
			finished(m, msg->easy_handle, x, msg->data.result);
	}
}

/* The multi handle itself failed (out of memory, a broken socket set):
 * nothing in it will move again, so every transfer ends now with curl's
 * reason, and the caller sees them fail like any other. */
static void fail_all(struct http_multi *m, CURLMcode mc)
{
	while (m->nactive > 0) {
		CURL *c = m->active[m->nactive - 1];
		struct http_xfer *x = NULL;

		if (curl_easy_getinfo(c, CURLINFO_PRIVATE, (char **)&x) != CURLE_OK || x == NULL) {
			curl_multi_remove_handle(m->cm, c);
			untrack(m, c);
			curl_easy_cleanup(c);
			continue;
		}
		snprintf(x->err, sizeof(x->err), "curl: %s", curl_multi_strerror(mc));
		finished(m, c, x, CURLE_FAILED_INIT);
	}
}

void http_multi_wait(struct http_multi *m, long wait_ms)
{
	int still = 0;

	/* A fast server may have answered already: sleep only when nothing
	 * is ready to be collected. */
	CURLMcode mc = curl_multi_perform(m->cm, &still);

	collect(m);
	if (mc == CURLM_OK && m->dlen == 0 && wait_ms > 0) {
		mc = curl_multi_poll(m->cm, NULL, 0, (int)wait_ms, NULL);
		if (mc == CURLM_OK)
			mc = curl_multi_perform(m->cm, &still);
		collect(m);
	}
	if (mc != CURLM_OK)
		fail_all(m, mc);
}

struct http_xfer *http_multi_done(struct http_multi *m)
{
	struct http_xfer *x;

	if (m->dlen == 0)
		return NULL;
	x = m->done[m->dhead];
	m->dhead = (m->dhead + 1) % m->capdone;
	m->dlen--;
	return x;
}

void http_multi_abort(struct http_multi *m, struct http_xfer *x)
{
	size_t i, j;

	if (x->easy != NULL) {
		curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, (char *)NULL);
		curl_multi_remove_handle(m->cm, x->easy);
		untrack(m, x->easy);
		put_easy(m, x->easy);
		x->easy = NULL;
		return;
	}
	/* Finished but not collected: take it out of the queue. */
	for (i = 0; i < m->dlen; i++) {
		if (m->done[(m->dhead + i) % m->capdone] != x)
			continue;
		for (j = i; j + 1 < m->dlen; j++)
			m->done[(m->dhead + j) % m->capdone] =
				m->done[(m->dhead + j + 1) % m->capdone];
		m->dlen--;
		return;
	}
}

void http_multi_free(struct http_multi *m)
{
	size_t i;

	if (m == NULL)
		return;
	/* Whatever still runs belongs to no one now. */
	for (i = 0; i < m->nactive; i++) {
		curl_multi_remove_handle(m->cm, m->active[i]);
		curl_easy_cleanup(m->active[i]);
	}
	free(m->active);
	for (i = 0; i < m->nidle; i++)
		curl_easy_cleanup(m->idle[i]);
	free(m->idle);
	free(m->done);
	curl_multi_cleanup(m->cm);
	free_headers(m->hdr);
	if (m->authh != NULL) {
		memset(m->authh, 0, strlen(m->authh));
		free(m->authh);
	}
	free(m);
}
