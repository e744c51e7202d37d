/* url.c - URLs as shown to people and stored in files (see url.h). */
#include "url.h"
#include "xalloc.h"

#include <string.h>

/* The userinfo is everything before the last '@' of the authority, which
 * ends at the first '/', '?' or '#' after the scheme. */
char *url_redact(const char *url)
{
	const char *s = strstr(url, "://"), *end, *at = NULL, *p;

	s = s != NULL ? s + 3 : url;
	end = s + strcspn(s, "/?#");
	for (p = s; p < end; p++)
		if (*p == '@')
			at = p;
	if (at == NULL)
		return xstrdup(url);
	return xasprintf("%.*s***%s", (int)(s - url), url, at);
}
