/* catalog.c - reading config/models.json. */
#include "catalog.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "diag.h"
#include "json.h"

int catalog_same_model(const char *have, const char *want)
{
	size_t hl = strlen(have), wl = strlen(want);

	if (strcmp(have, want) == 0)
		return 1;
	if (strchr(want, ':') == NULL && hl == wl + 7 && strncmp(have, want, wl) == 0 &&
	    strcmp(have + wl, ":latest") == 0)
		return 1;
	return strchr(have, ':') == NULL && wl == hl + 7 && strncmp(want, have, hl) == 0 &&
	       strcmp(want + hl, ":latest") == 0;
}

/* A positive number of seconds, or -1 (said once, naming the file). */
static double seconds(const jv *v, const char *path, const char *what)
{
	if (v == NULL)
		return -1;
	if (v->t != JNUM || !(v->d > 0) || v->d > 86400) {
		warn_msg("%s: %s is not a number of seconds from 0 to 86400; using %g s", path, what,
		      CATALOG_DEFAULT_TIMEOUT);
		return -1;
	}
	return v->d;
}

double catalog_timeout(const char *model, int *listed)
{
	struct arena a = {0};
	char *path = config_path("models.json");
	const jv *cat, *models;
	double t = -1, dflt = -1;
	size_t i;

	*listed = 0;
	/* An older installation without a catalog: PUMA's default. */
	if (access(path, F_OK) != 0) {
		free(path);
		return CATALOG_DEFAULT_TIMEOUT;
	}
	cat = json_load(&a, path);
	models = jv_get(cat, "models");
	if (cat != NULL)
		dflt = seconds(jv_get(cat, "default_timeout_s"), path, "\"default_timeout_s\"");
	for (i = 0; models != NULL && models->t == JARR && i < models->n; i++) {
		const char *name = jv_getstr(models->u.items[i], "name", NULL);

		if (name == NULL || !catalog_same_model(name, model))
			continue;
		*listed = 1;
		t = seconds(jv_get(models->u.items[i], "timeout_s"), path, "a \"timeout_s\"");
		break;
	}
	arena_free(&a);
	free(path);
	if (t > 0)
		return t;
	return dflt > 0 ? dflt : CATALOG_DEFAULT_TIMEOUT;
}
