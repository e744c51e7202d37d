/* cache.h - a content-addressed store of answers: one small JSON file per
 * key (a sha256 in hex) under DIR/xx/, written to a temporary name and
 * renamed, so a reader (or a rerun after a crash) sees whole entries or
 * none. */
#ifndef PUMA_CACHE_H
#define PUMA_CACHE_H

#include <stddef.h>

#include "json.h"

/* An open cache and its counts for the summary. */
struct cache {
	char *dir;		/* owned */
	long hits, stores;
	int warned;		/* a store failed and we said so */
};

/* Use (and create) dir.  Returns -1 with a message when it cannot. */
int cache_open(struct cache *c, const char *dir);
/* The entry for key parsed into a, or NULL when there is none (an entry
 * that cannot be read or parsed counts as none: it is overwritten). */
jv *cache_get(struct cache *c, struct arena *a, const char key[65]);
/* Store text under key.  A failure is reported once and otherwise
 * ignored: the run goes on without caching.  Returns 0 or -1. */
int cache_put(struct cache *c, const char key[65], const char *text, size_t len);
void cache_close(struct cache *c);
/* The default directory: $XDG_CACHE_HOME/puma/infer, else
 * $HOME/.cache/puma/infer; NULL when neither variable is set.  Freed by
 * the caller. */
char *cache_default_dir(void);

#endif
