/* url.h - showing a URL without its secrets. */
#ifndef PUMA_URL_H
#define PUMA_URL_H

/* A copy of url with its userinfo ("user:password@" before the host) put
 * as "***@", for every place a URL is shown or stored; the caller frees
 * it.  A URL without a scheme ("host:port", as OLLAMA_HOST may be) is
 * read the same way. */
char *url_redact(const char *url);

#endif
