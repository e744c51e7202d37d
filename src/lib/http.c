/* http.c - blocking requests with curl's easy interface. */
#include "http.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

static int inited;

static void cleanup(void)
{
	curl_global_cleanup();
}

void http_init(void)
{
	if (!inited) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		atexit(cleanup);
		inited = 1;
	}
}

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	buf_add(ud, p, size * n);
	return size * n;
}

int http_request(const char *url, const char *body, size_t len, long timeout_ms,
		 const char *auth, struct http_resp *r)
{
	CURL *c;
	CURLcode rc;
	struct curl_slist *hdr = NULL;
	char *authh = NULL;

	http_init();
	memset(r, 0, sizeof(*r));
	buf_add(&r->body, "", 0);
	c = curl_easy_init();
	if (c == NULL) {
		snprintf(r->err, sizeof(r->err), "cannot start a curl handle");
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 10000 ? timeout_ms : 10000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
	if (body != NULL) {
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	if (auth != NULL) {
		authh = malloc(strlen(auth) + 32);
		if (authh != NULL) {
			snprintf(authh, strlen(auth) + 32, "Authorization: Bearer %s", auth);
			hdr = curl_slist_append(hdr, authh);
		}
	}
	if (hdr != NULL)
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &r->secs);
	if (rc != CURLE_OK) {
		snprintf(r->err, sizeof(r->err), "%s", curl_easy_strerror(rc));
	} else {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	}
	curl_slist_free_all(hdr);
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
