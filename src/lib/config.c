/* config.c - locating config/ and loading JSON files. */
#include "config.h"
#include "diag.h"
#include "xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PUMA_DATADIR
#define PUMA_DATADIR "/usr/local/share/puma"
#endif

static char *dir;	/* owned here; freed at exit */

static void free_dir(void)
{
	free(dir);
	dir = NULL;
}

void config_set_dir(const char *d)
{
	if (dir == NULL)
		atexit(free_dir);
	free(dir);
	dir = xstrdup(d);
}

static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The directory holding the running program, from /proc on Linux. */
static char *exe_dir(void)
{
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	path[n] = '\0';
	slash = strrchr(path, '/');
	if (slash == NULL)
		return NULL;
	*slash = '\0';
	return xstrdup(path);
}

/* The config directory, found as config.h says. */
static const char *config_dir(void)
{
	const char *env;
	char *bin, *cand;

	if (dir != NULL)
		return dir;
	env = getenv("PUMA_CONFIG_DIR");
	if (env != NULL && *env != '\0') {
		config_set_dir(env);
		return dir;
	}
	bin = exe_dir();
	if (bin != NULL) {
		/* bin/ or build/san/bin/ in a source tree, or PREFIX/bin of
		 * an installation (wherever it was moved to). */
		const char *ups[] = {"/../config", "/../../../config", "/../share/puma/config"};
		size_t i;

		for (i = 0; i < sizeof(ups) / sizeof(ups[0]); i++) {
			cand = xasprintf("%s%s", bin, ups[i]);
			if (is_dir(cand)) {
				config_set_dir(cand);
				free(cand);
				free(bin);
				return dir;
			}
			free(cand);
		}
		free(bin);
	}
	config_set_dir(PUMA_DATADIR "/config");
	return dir;
}

char *config_path(const char *rel)
{
	return xasprintf("%s/%s", config_dir(), rel);
}

char *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	struct buf b = {0};
	char chunk[65536];
	size_t n;
	int saved;

	if (fp == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	if (ferror(fp)) {
		saved = errno;
		fclose(fp);
		buf_free(&b);
		errno = saved ? saved : EIO;
		return NULL;
	}
	fclose(fp);
	if (b.s == NULL)
		buf_add(&b, "", 0);
	if (len)
		*len = b.len;
	return b.s;
}

jv *json_load(struct arena *a, const char *path)
{
	char err[256];
	size_t len;
	char *text = read_file(path, &len);
	jv *v;

	if (text == NULL) {
		warn_at(path, 0, "cannot read: %s", strerror(errno));
		return NULL;
	}
	v = json_parse(a, text, len, NULL, err, sizeof(err));
	if (v == NULL)
		warn_at(path, 0, "invalid JSON: %s", err);
	/* The tree keeps its own copies of strings and numbers, but raw
	 * member text points into the file: keep a copy in the arena. */
	if (v != NULL && v->t == JOBJ) {
		char *keep = arena_strndup(a, text, len);
		size_t i;

		for (i = 0; i < v->n; i++)
			if (v->u.mem[i].raw != NULL)
				v->u.mem[i].raw = keep + (v->u.mem[i].raw - text);
	}
	free(text);
	return v;
}
