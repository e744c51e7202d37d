/* carbon.c - the carbon intensity a run's CO2 is reckoned with: given,
 * a country's from the carbon table, or the world average. */
#include "carbon.h"
#include "config.h"
#include "diag.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORLD_G_PER_KWH 475.0

/* The number at key in obj, if it is one. */
static int get_num(const jv *obj, const char *key, double *d)
{
	jv *v = jv_get(obj, key);

	if (v == NULL || v->t != JNUM || !isfinite(v->d))
		return 0;
	*d = v->d;
	return 1;
}

int carbon_resolve(struct carbon *ci, const char *country, double intensity, const char *table)
{
	struct arena a = {0};
	char *path, code[4];
	const char *s;
	jv *t, *countries, *c;
	double d;
	int st = 0;
	size_t i;

	if (intensity >= 0 && country != NULL) {
		warn_msg("give --country or --intensity, not both");
		return EXIT_USAGE;
	}
	if (intensity >= 0) {
		ci->g_per_kwh = intensity;
		ci->source = xstrdup("given with --intensity");
		return 0;
	}
	if (country == NULL) {
		ci->g_per_kwh = WORLD_G_PER_KWH;
		ci->source = xstrdup("world average (CodeCarbon's default when no country is known)");
		return 0;
	}
	for (i = 0; i < 3; i++)
		code[i] = (char)toupper((unsigned char)country[i]);
	code[3] = '\0';
	path = table ? xstrdup(table) : config_path("carbon_intensity.json");
	t = json_load(&a, path);
	if (t == NULL) {
		warn_msg("cannot use --country %s without the carbon table (give --intensity instead)", code);
		st = EXIT_FAIL;
		goto out;
	}
	countries = jv_get(t, "countries");
	if (countries == NULL || countries->t != JOBJ) {
		warn_at(path, 0, "no \"countries\" object: not a carbon intensity table");
		st = EXIT_FAIL;
		goto out;
	}
	c = jv_get(countries, code);
	if (c == NULL) {
		struct buf known = {0};

		for (i = 0; i < jv_len(countries); i++)
			buf_printf(&known, "%s%s", i ? " " : "", jv_key(countries, i, NULL));
		warn_msg("--country %s: not in %s (known: %s); give --intensity G_PER_KWH instead",
		      code, path, known.s ? known.s : "none");
		buf_free(&known);
		st = EXIT_USAGE;
		goto out;
	}
	if (!get_num(c, "g_per_kwh", &d) || d < 0) {
		warn_at(path, 0, "%s: \"g_per_kwh\" is not a number >= 0", code);
		st = EXIT_FAIL;
		goto out;
	}
	ci->g_per_kwh = d;
	ci->country = xstrdup(code);
	s = jv_getstr(c, "source", NULL);
	if (s == NULL)
		s = jv_getstr(t, "source", NULL);
	ci->source = xstrdup(s ? s : path);
	/* A year outside any calendar would not fit a long: leave it out. */
	if (get_num(c, "year", &d) && d >= 1 && d <= 9999)
		ci->year = (long)d;
	s = jv_getstr(c, "note", NULL);
	if (s != NULL)
		ci->note = xstrdup(s);
out:
	arena_free(&a);
	free(path);
	return st;
}

void carbon_free(struct carbon *ci)
{
	free(ci->source);
	free(ci->country);
	free(ci->note);
	memset(ci, 0, sizeof(*ci));
}

jv *carbon_json(const struct carbon *ci, struct arena *a)
{
	jv *o = jv_obj(a);

	jv_set(a, o, "g_per_kwh", jv_num_or_null(a, ci->g_per_kwh));
	jv_set(a, o, "source", jv_cstr(a, ci->source));
	if (ci->country)
		jv_set(a, o, "country", jv_cstr(a, ci->country));
	if (ci->year)
		jv_set(a, o, "year", jv_int(a, ci->year));
	if (ci->note)
		jv_set(a, o, "note", jv_cstr(a, ci->note));
	return o;
}
