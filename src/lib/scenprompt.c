/* scenprompt.c - a scenario's prompting material (template, labels,
 * few-shot examples), loaded once from config/ or PUMA's templates, and
 * each record's prompt rendered from it. */
#include "scenprompt.h"
#include "config.h"
#include "diag.h"
#include "pumaprompt.h"
#include "sha256.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int prompt_is_jinja(const char *path)
{
	size_t n = path != NULL ? strlen(path) : 0;

	return n > 6 && strcmp(path + n - 6, ".jinja") == 0;
}

/* ---- Loading ---- */

/* Free what s holds; it is then empty, ready to be loaded again. */
static void scen_clear(struct scen *s)
{
	free(s->name);
	jinja_free(s->jt);
	free(s->origin);
	tmpl_free(&s->t);
	tmpl_free(&s->ex);
	labels_free(&s->labels);
	free(s->labels_text);
	pool_free(&s->pool);
	memset(s, 0, sizeof(*s));
}

/* The configuration file dir/name.ext (config_path); the caller frees it. */
static char *config_file(const char *dir, const char *name, const char *ext)
{
	char *rel = xasprintf("%s/%s%s", dir, name, ext), *path = config_path(rel);

	free(rel);
	return path;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The strategies that have a template for scenario, for a message; the
 * caller frees the list. */
static char *strategies_of(const char *scenario)
{
	char *dir = xasprintf("prompts/%s", scenario), *path = config_path(dir);
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	struct buf b = {0};
	struct dirent *e;
	DIR *d = opendir(path);

	buf_add(&b, "", 0);
	while (d != NULL && (e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len > 4 && strcmp(e->d_name + len - 4, ".txt") == 0 &&
		    strcmp(e->d_name, "example.txt") != 0) {
			names = xgrow(names, &cap, n + 1, sizeof(*names));
			names[n++] = xstrndup(e->d_name, len - 4);
		}
	}
	if (d != NULL)
		closedir(d);
	if (n > 1)	/* names is NULL when there are none */
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
		free(names[i]);
	}
	free(names);
	free(dir);
	free(path);
	return b.s;
}

/* The config file the labels come from: --labels naming a file (a path
 * ending in .json or holding a '/') or a config (config/scenarios/ARG.json),
 * else the scenario's own; NULL when --labels is a list of labels.  The
 * caller frees it. */
static char *label_config(const char *arg, const char *scenario)
{
	char *path;
	size_t n;

	if (arg == NULL) {
		return config_file("scenarios", scenario, ".json");
	}
	n = strlen(arg);
	if (strchr(arg, '/') != NULL || (n > 5 && strcmp(arg + n - 5, ".json") == 0))
		return xstrdup(arg);
	if (strchr(arg, ',') != NULL || *arg == '.')
		return NULL;
	path = config_file("scenarios", arg, ".json");
	if (access(path, R_OK) == 0)
		return path;
	free(path);
	return NULL;
}

/* The labels of the scenario config at path into s; -1 with a reason. */
static int labels_from_file(struct scen *s, const char *path, char *err, size_t errlen)
{
	struct arena a = {0};
	char why[256];
	const jv *cfg = json_load(&a, path);
	int rc = 0;

	if (cfg == NULL || labels_from_config(&s->labels, cfg, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "no label list in %s%s%s; give one with --labels", path,
			 cfg ? ": " : "", cfg ? why : "");
		rc = -1;
	}
	arena_free(&a);
	return rc;
}

/* The labels of scenario name (or --labels) into s when the template (or
 * --constrain) needs them; -1 with a reason when there are none. */
static int scen_labels(struct scens *ss, struct scen *s, const char *name, int need, char *err,
		       size_t errlen)
{
	char *path;

	if (!need)
		return 0;
	if (*name == '\0' && ss->o->labels == NULL) {
		snprintf(err, errlen, "the template needs a label list: give --labels or --scenario");
		return -1;
	}
	path = label_config(ss->o->labels, name);
	if (path == NULL) {
		if (labels_from_list(&s->labels, ss->o->labels) < 0) {
			snprintf(err, errlen, "--labels '%s' names no label", ss->o->labels);
			return -1;
		}
	} else if (labels_from_file(s, path, err, errlen) < 0) {
		free(path);
		return -1;
	}
	free(path);
	return 0;
}

/* A Jinja template for scenario name: PUMA's own (--prompts puma, found by
 * the strategy and checked against the pinned sha256) or --template
 * FILE.jinja; then the labels and the examples it may use.  -1 with a
 * reason in err. */
static int load_jinja(struct scens *ss, struct scen *s, const char *name, char *err, size_t errlen)
{
	char *path, *list = NULL, *text, *disp = NULL;
	size_t len;
	struct puma_pin pin = {0};
	int rc = -1;

	if (ss->o->puma) {
		const char *file = puma_template_of(ss->o->strategy);
		char *fname = xasprintf("%s.jinja", file), why[300];
		int found;

		list = config_path("puma-prompts.tsv");
		found = puma_pin_find(list, name, fname, &pin, why, sizeof(why));
		free(fname);
		if (found <= 0) {
			if (found < 0)
				snprintf(err, errlen, "%s", why);
			else
				snprintf(err, errlen, "PUMA has no templates for scenario '%s' (%s lists "
					 "those it has)", name, list);
			goto out;
		}
		path = xasprintf("%s/%s/%s", ss->o->prompts_dir, name, pin.file);
		disp = xasprintf("%s/%s", name, pin.file);
	} else {
		path = xstrdup(ss->o->template);
	}
	text = read_file(path, &len);
	if (text == NULL) {
		if (ss->o->puma)
			snprintf(err, errlen, "PUMA's template %s: %s; fetch PUMA's templates with "
				 "'make prompts' (offline: make prompts PROMPTS_DIR=DIR), or point "
				 "--prompts-dir at them", path, strerror(errno));
		else
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(path);
		goto out;
	}
	sha256_hex(text, len, s->sha);
	if (ss->o->puma && strcmp(s->sha, pin.sha256) != 0) {
		snprintf(err, errlen, "%s: sha256 %s, expected %s: not PUMA's template (commit %.7s); "
			 "fetch it again with 'make prompts'", path, s->sha, pin.sha256, pin.commit);
		free(text);
		free(path);
		goto out;
	}
	s->jt = jinja_parse(disp != NULL ? disp : path, text, len, err, errlen);
	free(text);
	if (s->jt == NULL) {
		free(path);
		goto out;
	}
	s->t.path = path;
	s->origin = ss->o->puma ? xasprintf("pumacp/puma@%s:specs/prompts/%s/%s", pin.commit, name,
					  pin.file) : xstrdup("--template");
	if (scen_labels(ss, s, name, ss->o->constrain || jinja_uses(s->jt, "labels"), err, errlen) < 0)
		goto bad;
	if (s->labels.n > 0)
		s->labels_text = labels_join(&s->labels);
	if (ss->o->examples != NULL && s->k > 0) {
		if (pool_load(&s->pool, ss->o->examples, *name ? name : NULL, -1, ss->o->seed) < 0)
			die(EXIT_FAIL, "cannot use the examples in %s", ss->o->examples);
		if (s->pool.n == 0) {
			snprintf(err, errlen, "%s holds no examples for scenario '%s'", ss->o->examples, name);
			goto bad;
		}
	}
	rc = 0;
	goto out;
bad:
	scen_clear(s);
out:
	puma_pin_free(&pin);
	free(list);
	free(disp);
	return rc;
}

/* Load what scenario name needs; NULL with a reason in err when it cannot
 * (no template for the strategy, no labels where the template asks). */
static struct scen *load_scen(struct scens *ss, const char *name, char *err, size_t errlen)
{
	struct scen *s;
	char *dir, *path;
	char why[256];
	int need_labels;

	ss->v = xgrow(ss->v, &ss->cap, ss->n + 1, sizeof(*ss->v));
	s = &ss->v[ss->n];
	memset(s, 0, sizeof(*s));
	s->k = ss->o->k;
	if (ss->o->puma || prompt_is_jinja(ss->o->template)) {
		if (load_jinja(ss, s, name, err, errlen) < 0)
			return NULL;
		s->name = xstrdup(name);
		ss->n++;
		return s;
	}
	if (ss->o->template != NULL) {
		if (tmpl_load(&s->t, ss->o->template) < 0) {
			snprintf(err, errlen, "%s: %s", ss->o->template, strerror(errno));
			return NULL;
		}
	} else {
		dir = xasprintf("prompts/%s", name);
		path = config_file(dir, ss->o->strategy, ".txt");
		if (tmpl_load(&s->t, path) < 0 && strncmp(ss->o->strategy, "few-shot-", 9) == 0) {
			/* few-shot-N shares one template; N is the example count. */
			free(path);
			path = config_file(dir, "few-shot", ".txt");
			tmpl_load(&s->t, path);
		}
		if (s->t.text == NULL) {
			char *list = strategies_of(name);

			if (*list == '\0')
				snprintf(err, errlen, "no prompts for scenario '%s' (%s: %s); "
					 "give one with --template FILE", name, path, strerror(errno));
			else
				snprintf(err, errlen, "no template for strategy '%s' of scenario '%s' "
					 "(%s); its strategies: %s", ss->o->strategy, name, path, list);
			free(list);
			free(path);
			free(dir);
			return NULL;
		}
		free(path);
		free(dir);
	}
	if (tmpl_check(&s->t, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", s->t.path, why);
		tmpl_free(&s->t);
		return NULL;
	}
	{
		size_t flen;
		char *ftext = read_file(s->t.path, &flen);

		if (ftext != NULL)
			sha256_hex(ftext, flen, s->sha);
		free(ftext);
		s->origin = xstrdup(ss->o->template != NULL ? "--template" : "config/prompts");
	}
	need_labels = ss->o->constrain || tmpl_uses(&s->t, "labels");
	if (*name == '\0' && ss->o->labels == NULL && need_labels) {
		snprintf(err, errlen, "%s needs a label list: give --labels or --scenario",
			 ss->o->constrain ? "--constrain" : s->t.path);
		goto bad;
	}
	path = label_config(ss->o->labels, name);
	if (path == NULL) {
		if (labels_from_list(&s->labels, ss->o->labels) < 0) {
			snprintf(err, errlen, "--labels '%s' names no label", ss->o->labels);
			goto bad;
		}
	} else if (need_labels && labels_from_file(s, path, err, errlen) < 0) {
		free(path);
		goto bad;
	}
	free(path);
	if (s->labels.n > 0)
		s->labels_text = labels_join(&s->labels);
	if ((s->k > 0 || tmpl_uses(&s->t, "examples")) && *name == '\0') {
		snprintf(err, errlen, "examples are written with a scenario's example template: "
			 "give --scenario");
		goto bad;
	}
	if (s->k > 0 || tmpl_uses(&s->t, "examples")) {
		dir = xasprintf("prompts/%s", name);
		path = config_file(dir, "example", ".txt");
		free(dir);
		if (tmpl_load(&s->ex, path) < 0) {
			snprintf(err, errlen, "scenario '%s' has no example template (%s: %s)", name, path,
				 strerror(errno));
			free(path);
			goto bad;
		}
		free(path);
		if (ss->o->examples != NULL &&
		    pool_load(&s->pool, ss->o->examples, name, -1, ss->o->seed) < 0)
			die(EXIT_FAIL, "cannot use the examples in %s", ss->o->examples);
		if (s->k > 0 && s->pool.n == 0) {
			snprintf(err, errlen, "%s holds no examples for scenario '%s'", ss->o->examples, name);
			goto bad;
		}
	}
	s->name = xstrdup(name);
	ss->n++;
	return s;
bad:
	scen_clear(s);
	return NULL;
}

struct scen *scens_get(struct scens *ss, const char *name, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < ss->n; i++)
		if (strcmp(ss->v[i].name, name) == 0)
			return &ss->v[i];
	return load_scen(ss, name, err, errlen);
}

void scens_free(struct scens *ss)
{
	size_t i;

	for (i = 0; i < ss->n; i++)
		scen_clear(&ss->v[i]);
	free(ss->v);
	memset(ss, 0, sizeof(*ss));
}

/* ---- Rendering ---- */

/* rec's examples from s's pool, s->k at most (the caller frees the list),
 * and (*ids) their ids in a, or NULL with none when s uses none. */
static const jv **pick_examples(struct scen *s, struct arena *a, const jv *rec, size_t *n, jv **ids)
{
	const jv **pick;
	size_t i;

	*n = 0;
	*ids = NULL;
	if (s->k <= 0 || s->pool.n == 0)
		return NULL;
	pick = xmalloc((size_t)s->k * sizeof(*pick));
	*n = pool_pick(&s->pool, rec, (size_t)s->k, pick);
	*ids = jv_arr(a);
	for (i = 0; i < *n; i++) {
		const jv *id = jv_get(pick[i], "id");

		jv_push(a, *ids, id != NULL && id->t == JSTR ? (jv *)id : JV_NULL);
	}
	return pick;
}

/* The few-shot block for rec, and (*ids) the ids of the examples in it,
 * or NULL when there are none. */
static int render_examples(const struct scen_opts *o, struct scen *s, struct arena *a, const jv *rec,
			   struct buf *out, jv **ids, char *err, size_t errlen)
{
	const jv **pick;
	size_t n, i;
	struct render rd;
	char why[300];

	buf_add(out, "", 0);
	pick = pick_examples(s, a, rec, &n, ids);
	for (i = 0; i < n; i++) {
		if (i)
			buf_adds(out, "\n\n");
		memset(&rd, 0, sizeof(rd));
		rd.labels = s->labels_text;
		rd.max_chars = o->max_chars;
		if (tmpl_render(&s->ex, pick[i], &rd, out, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "example %zu of %s: %s", i + 1, o->examples, why);
			free(pick);
			return -1;
		}
	}
	free(pick);
	return 0;
}

/* Render rec's prompt from a Jinja template with PUMA's variables: the
 * instance as PUMA's row dict, the examples drawn from --examples (none
 * otherwise, as PUMA's runner), the labels and the scenario.  --max-chars
 * cuts the instance's description (*truncated says so). */
static int render_jinja(const struct scen_opts *o, struct scen *s, struct arena *a, const jv *rec,
			const char *sname, struct buf *prompt, jv **ids, int *truncated, char *err, size_t errlen)
{
	const jv **pick;
	size_t n;
	jv *vars, *inst, *d;

	pick = pick_examples(s, a, rec, &n, ids);
	vars = puma_vars(a, rec, sname, s->labels.n > 0 ? &s->labels : NULL, pick, n);
	free(pick);
	inst = jv_get(vars, "instance");
	d = jv_get(inst, "description");
	if (o->max_chars >= 0 && d != NULL && d->t == JSTR) {
		size_t cut = utf8_prefix_chars(d->u.s, d->n, (size_t)o->max_chars);

		if (cut < d->n) {
			jv_set(a, inst, "description", jv_str(a, d->u.s, cut));
			*truncated = 1;
		}
	}
	buf_add(prompt, "", 0);
	return jinja_render(s->jt, vars, prompt, err, errlen);
}

int scen_render(const struct scen_opts *o, struct scen *s, struct arena *a, const jv *rec,
		const char *sname, struct buf *prompt, jv **ids, int *truncated, char *err, size_t errlen)
{
	struct buf exs = {0};
	struct render rd;
	int rc;

	*truncated = 0;
	if (s->jt != NULL)
		return render_jinja(o, s, a, rec, sname, prompt, ids, truncated, err, errlen);
	if (render_examples(o, s, a, rec, &exs, ids, err, errlen) < 0) {
		buf_free(&exs);
		return -1;
	}
	memset(&rd, 0, sizeof(rd));
	rd.labels = s->labels_text;
	rd.examples = exs.s;
	rd.max_chars = o->max_chars;
	rc = tmpl_render(&s->t, rec, &rd, prompt, err, errlen);
	*truncated = rd.truncated;
	buf_free(&exs);
	return rc;
}
