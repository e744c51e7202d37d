/* cache.c - the answer cache: DIR/ab/abcd...json, atomic writes. */
#include "cache.h"
#include "config.h"
#include "diag.h"
#include "outfile.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* mkdir -p for a path we build ourselves (no "." or ".." games). */
static int mkdirs(const char *path)
{
	char *p = xstrdup(path), *s;
	int rc = 0;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (rc == 0 && mkdir(p, 0777) != 0 && errno != EEXIST)
		rc = -1;
	free(p);
	if (rc == 0) {
		struct stat st;

		if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			rc = -1;
		}
	}
	return rc;
}

int cache_open(struct cache *c, const char *dir)
{
	memset(c, 0, sizeof(*c));
	if (mkdirs(dir) != 0) {
		warn_msg("cannot use the cache directory %s: %s (choose another with --cache DIR, "
		      "or run with --no-cache)", dir, strerror(errno));
		return -1;
	}
	c->dir = xstrdup(dir);
	return 0;
}

void cache_close(struct cache *c)
{
	free(c->dir);
	c->dir = NULL;
}

char *cache_default_dir(void)
{
	const char *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");

	if (x != NULL && *x == '/')
		return xasprintf("%s/puma/infer", x);
	if (h != NULL && *h != '\0')
		return xasprintf("%s/.cache/puma/infer", h);
	return NULL;
}

jv *cache_get(struct cache *c, struct arena *a, const char key[65])
{
	char *path = xasprintf("%s/%.2s/%s.json", c->dir, key, key);
	char err[128];
	size_t len;
	char *text = read_file(path, &len);
	jv *v = NULL;

	free(path);
	if (text == NULL)
		return NULL;
	v = json_parse(a, text, len, NULL, err, sizeof(err));
	if (v != NULL && v->t == JOBJ) {
		size_t i;
		size_t kl;
		const char *k = jv_getstr(v, "key", &kl);

		/* Raw text would point into text, freed below. */
		for (i = 0; i < v->n; i++)
			v->u.mem[i].raw = NULL;
		if (k == NULL || kl != 64 || memcmp(k, key, 64) != 0)
			v = NULL;
	} else {
		v = NULL;
	}
	free(text);
	if (v != NULL)
		c->hits++;
	return v;
}

int cache_put(struct cache *c, const char key[65], const char *text, size_t len)
{
	char *sub = xasprintf("%s/%.2s", c->dir, key);
	char *path = xasprintf("%s/%s.json", sub, key);
	int rc = mkdirs(sub) == 0 ? outfile_write(path, text, len) : -1;

	if (rc == 0) {
		c->stores++;
	} else if (!c->warned) {
		warn_msg("cannot write to the cache %s: %s; going on without storing answers",
		      c->dir, strerror(errno));
		c->warned = 1;
	}
	free(sub);
	free(path);
	return rc;
}
