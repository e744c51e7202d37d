/* endpoint.c - least-outstanding dispatch and URLs fit to show (endpoint.h). */
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"
#include "xalloc.h"

/* A URL fit to show and store: a password in it must never reach a record. */
char *url_without_userinfo(const char *url)
{
	const char *auth = strstr(url, "://"), *end, *at;
	char *out;
	size_t n;

	if (auth == NULL)
		auth = url;
	else
		auth += 3;
	/* The authority ends at the first '/', '?' or '#'; its last '@'
	 * ends the userinfo (a password may hold '@' only escaped, but be
	 * safe with the last). */
	end = auth + strcspn(auth, "/?#");
	at = NULL;
	for (const char *p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	if (at == NULL)
		return xstrdup(url);
	n = strlen(url) - (size_t)(at + 1 - auth);
	out = xmalloc(n + 1);
	memcpy(out, url, (size_t)(auth - url));
	memcpy(out + (auth - url), at + 1, strlen(at + 1) + 1);
	return out;
}

/* Least outstanding first keeps fast servers busy and slow ones light;
 * the tie-break spreads a -j 1 run over every server. */
int endpoint_pick(const struct endpoint *e, size_t n)
{
	size_t i;
	int best = -1;

	for (i = 0; i < n; i++) {
		if (e[i].dead)
			continue;
		if (best < 0 || e[i].outstanding < e[best].outstanding ||
		    (e[i].outstanding == e[best].outstanding && e[i].sent < e[best].sent))
			best = (int)i;
	}
	return best;
}

/* Whether a failed server may leave the rotation depends on the others. */
size_t endpoint_alive(const struct endpoint *e, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += !e[i].dead;
	return k;
}

/* The strings an endpoint owns. */
void endpoint_free(struct endpoint *e)
{
	free(e->base);
	free(e->gen);
	free(e->shown);
	free(e->why);
}
