/* scenario.c - loading the scenario config files into label sets and scales. */
#include "scenario.h"
#include "config.h"
#include "diag.h"
#include "xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Cached scenarios and label sets; everything reachable from here is
 * malloc'd and freed by scenario_free_all(). */
struct entry {
	char *key;
	struct scenario *sc;	/* NULL when loading failed (not retried) */
	struct entry *next;
};
static struct entry *cache;
static struct labelset **extra_sets;
static size_t n_extra, cap_extra;

/* Free a label set and its spellings, leaving it empty. */
static void labelset_free(struct labelset *ls)
{
	size_t i, k;

	for (i = 0; i < ls->n; i++) {
		free(ls->label[i]);
		for (k = 0; k < ls->nspell[i]; k++)
			free(ls->spell[i][k]);
		free(ls->spell[i]);
		free(ls->spell_len[i]);
	}
	free(ls->label);
	free(ls->len);
	free(ls->spell);
	free(ls->spell_len);
	free(ls->nspell);
	memset(ls, 0, sizeof(*ls));
}

/* Free one cached scenario (NULL is fine). */
static void scenario_free(struct scenario *sc)
{
	size_t i;

	if (sc == NULL)
		return;
	labelset_free(&sc->labels);
	free(sc->scale.v);
	for (i = 0; i < sc->nbins; i++)
		free(sc->bins[i].name);
	free(sc->bins);
	free(sc->name);
	free(sc);
}

void scenario_free_all(void)
{
	struct entry *e, *next;
	size_t i;

	for (e = cache; e != NULL; e = next) {
		next = e->next;
		scenario_free(e->sc);
		free(e->key);
		free(e);
	}
	cache = NULL;
	for (i = 0; i < n_extra; i++) {
		labelset_free(extra_sets[i]);
		free(extra_sets[i]);
	}
	free(extra_sets);
	extra_sets = NULL;
	n_extra = cap_extra = 0;
}

/* One more way a model may write label i. */
static void add_spelling(struct labelset *ls, size_t i, const char *s, size_t len)
{
	size_t k = ls->nspell[i]++;

	ls->spell[i] = xrealloc(ls->spell[i], ls->nspell[i] * sizeof(char *));
	ls->spell_len[i] = xrealloc(ls->spell_len[i], ls->nspell[i] * sizeof(size_t));
	ls->spell[i][k] = xstrndup(s, len);
	ls->spell_len[i][k] = len;
}

/* Bytes of the first UTF-8 character of s (1 for ASCII or a stray byte). */
static size_t first_char(const char *s, size_t len)
{
	unsigned char c = (unsigned char)s[0];
	size_t n = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;

	return n > len ? len : n;
}

/* PUMA's variants: label, label.lower(), label.upper(), label[0],
 * label[0].lower() (case mapped in ASCII). */
static void default_spellings(struct labelset *ls, size_t i)
{
	const char *l = ls->label[i];
	size_t n = ls->len[i], j, f = first_char(l, n);
	char *t = xstrndup(l, n);

	add_spelling(ls, i, l, n);
	for (j = 0; j < n; j++)
		t[j] = (char)(t[j] >= 'A' && t[j] <= 'Z' ? t[j] - 'A' + 'a' : t[j]);
	add_spelling(ls, i, t, n);
	memcpy(t, l, n);
	for (j = 0; j < n; j++)
		t[j] = (char)(t[j] >= 'a' && t[j] <= 'z' ? t[j] - 'a' + 'A' : t[j]);
	add_spelling(ls, i, t, n);
	add_spelling(ls, i, l, f);
	memcpy(t, l, f);
	if (f == 1 && t[0] >= 'A' && t[0] <= 'Z')
		t[0] = (char)(t[0] - 'A' + 'a');
	add_spelling(ls, i, t, f);
	free(t);
}

/* ASCII case-insensitive equality, independent of the locale. */
static int eq_ci(const char *a, size_t al, const char *b, size_t bl)
{
	size_t i;

	if (al != bl)
		return 0;
	for (i = 0; i < al; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];

		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y)
			return 0;
	}
	return 1;
}

/* Append a label; returns a reason when it is empty or clashes. */
static const char *add_label(struct labelset *ls, const char *s, size_t len)
{
	size_t i = ls->n;

	if (len == 0)
		return "a label is empty";
	if (memchr(s, '\0', len) != NULL)
		return "a label holds a NUL character";
	for (i = 0; i < ls->n; i++)
		if (eq_ci(ls->label[i], ls->len[i], s, len))
			return "two labels differ only in case (matching ignores case)";
	i = ls->n++;
	ls->label = xrealloc(ls->label, ls->n * sizeof(char *));
	ls->len = xrealloc(ls->len, ls->n * sizeof(size_t));
	ls->spell = xrealloc(ls->spell, ls->n * sizeof(char **));
	ls->spell_len = xrealloc(ls->spell_len, ls->n * sizeof(size_t *));
	ls->nspell = xrealloc(ls->nspell, ls->n * sizeof(size_t));
	ls->label[i] = xstrndup(s, len);
	ls->len[i] = len;
	ls->spell[i] = NULL;
	ls->spell_len[i] = NULL;
	ls->nspell[i] = 0;
	return NULL;
}

int label_index(const struct labelset *ls, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < ls->n; i++)
		if (ls->len[i] == len && memcmp(ls->label[i], s, len) == 0)
			return (int)i;
	return -1;
}

/* Fill ls from a classification config; returns a reason on error. */
static const char *load_labels(struct labelset *ls, const jv *root)
{
	const jv *labels = jv_get(root, "labels"), *sp = jv_get(root, "spellings");
	const char *why;
	size_t i, k;

	if (labels == NULL || labels->t != JARR || labels->n == 0)
		return "\"labels\" must be a non-empty array of strings";
	if (sp != NULL && sp->t != JOBJ)
		return "\"spellings\" must be an object of label: [strings]";
	for (i = 0; i < labels->n; i++) {
		const jv *l = labels->u.items[i];

		if (l->t != JSTR)
			return "\"labels\" must be a non-empty array of strings";
		if ((why = add_label(ls, l->u.s, l->n)) != NULL)
			return why;
	}
	for (i = 0; i < ls->n; i++) {
		const jv *s = sp ? jv_get(sp, ls->label[i]) : NULL;

		if (s == NULL) {
			default_spellings(ls, i);
			continue;
		}
		if (s->t != JARR || s->n == 0)
			return "each \"spellings\" entry must be a non-empty array of strings";
		for (k = 0; k < s->n; k++) {
			const jv *t = s->u.items[k];

			if (t->t != JSTR || t->n == 0)
				return "each \"spellings\" entry must be a non-empty array of strings";
			add_spelling(ls, i, t->u.s, t->n);
		}
	}
	if (sp != NULL)
		for (i = 0; i < sp->n; i++)
			if (label_index(ls, sp->u.mem[i].key, sp->u.mem[i].klen) < 0)
				return "\"spellings\" names a label that is not in \"labels\"";
	return NULL;
}

/* Fill the scale and bins of a regression config. */
static const char *load_scale(struct scenario *sc, const jv *root)
{
	const jv *scale = jv_get(root, "scale"), *w = jv_get(root, "snap_within");
	const jv *bins = jv_get(root, "bins");
	size_t i;

	if (scale == NULL || scale->t != JARR || scale->n == 0)
		return "\"scale\" must be a non-empty array of numbers";
	sc->scale.v = xcalloc(scale->n, sizeof(double));
	for (i = 0; i < scale->n; i++) {
		if (scale->u.items[i]->t != JNUM)
			return "\"scale\" must be a non-empty array of numbers";
		sc->scale.v[sc->scale.n++] = scale->u.items[i]->d;
	}
	sc->scale.within = 1;
	if (w != NULL) {
		if (w->t != JNUM || !(w->d >= 0))
			return "\"snap_within\" must be a number >= 0";
		sc->scale.within = w->d;
	}
	if (bins == NULL)
		return NULL;
	if (bins->t != JARR)
		return "\"bins\" must be an array of {\"name\", \"lo\", \"hi\"}";
	sc->bins = xcalloc(bins->n ? bins->n : 1, sizeof(*sc->bins));
	for (i = 0; i < bins->n; i++) {
		const jv *b = bins->u.items[i];
		const jv *lo = jv_get(b, "lo"), *hi = jv_get(b, "hi");
		size_t nl;
		const char *name = jv_getstr(b, "name", &nl);

		if (name == NULL || lo == NULL || lo->t != JNUM || hi == NULL ||
		    (hi->t != JNUM && hi->t != JNULL))
			return "\"bins\" must be an array of {\"name\", \"lo\", \"hi\"} (hi null: no upper end)";
		sc->bins[i].name = xstrndup(name, nl);
		sc->bins[i].lo = lo->d;
		sc->bins[i].hi = hi->t == JNULL ? INFINITY : hi->d;
		sc->nbins++;
	}
	return NULL;
}

int scenario_name_ok(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
			return 0;
	return n > 0 && n <= 64;
}

/* A name with a slash or ending in .json is a file, else a config name. */
static int is_path(const char *name)
{
	size_t n = strlen(name);

	return strchr(name, '/') != NULL || (n > 5 && strcmp(name + n - 5, ".json") == 0);
}

/* Load one config file; NULL after a message. */
static struct scenario *load(const char *name)
{
	struct arena a = {0};
	char *path = is_path(name) ? xstrdup(name) : NULL;
	struct scenario *sc;
	const char *task, *why = NULL, *base;
	jv *root;

	if (path == NULL) {
		char *rel = xasprintf("scenarios/%s.json", name);

		path = config_path(rel);
		free(rel);
	}
	/* A name with no file is reported by the caller, once per record. */
	if (!is_path(name) && access(path, F_OK) != 0) {
		free(path);
		return NULL;
	}
	root = json_load(&a, path);
	if (root == NULL) {
		free(path);
		arena_free(&a);
		return NULL;
	}
	sc = xcalloc(1, sizeof(*sc));
	base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	sc->name = xstrdup(base);
	if (is_path(name) && strlen(sc->name) > 5 &&
	    strcmp(sc->name + strlen(sc->name) - 5, ".json") == 0)
		sc->name[strlen(sc->name) - 5] = '\0';
	task = jv_getstr(root, "task", NULL);
	if (root->t != JOBJ)
		why = "not a JSON object";
	else if (task != NULL && strcmp(task, "classification") == 0) {
		sc->task = TASK_CLASSIFICATION;
		why = load_labels(&sc->labels, root);
	} else if (task != NULL && strcmp(task, "regression") == 0) {
		sc->task = TASK_REGRESSION;
		why = load_scale(sc, root);
	} else {
		why = "\"task\" must be \"classification\" or \"regression\"";
	}
	if (why != NULL) {
		warn_at(path, 0, "%s", why);
		scenario_free(sc);
		sc = NULL;
	}
	free(path);
	arena_free(&a);
	return sc;
}

struct scenario *scenario_get(const char *name)
{
	struct entry *e;

	for (e = cache; e != NULL; e = e->next)
		if (strcmp(e->key, name) == 0)
			return e->sc;
	e = xcalloc(1, sizeof(*e));
	e->key = xstrdup(name);
	e->sc = load(name);
	e->next = cache;
	cache = e;
	return e->sc;
}

struct labelset *labels_from_arg(const char *arg, const char **why)
{
	struct labelset *ls;
	const char *p = arg, *q, *end;
	size_t i;

	if (strchr(arg, ',') == NULL) {
		struct scenario *sc = scenario_get(arg);

		if (sc == NULL) {
			*why = "is neither a comma-separated list of labels nor a readable label set";
			return NULL;
		}
		if (sc->task != TASK_CLASSIFICATION) {
			*why = "names a regression scenario, which has no labels";
			return NULL;
		}
		return &sc->labels;
	}
	ls = xcalloc(1, sizeof(*ls));
	for (;;) {
		q = strchr(p, ',');
		end = q ? q : p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if ((*why = add_label(ls, p, (size_t)(end - p))) != NULL) {
			labelset_free(ls);
			free(ls);
			return NULL;
		}
		if (q == NULL)
			break;
		p = q + 1;
	}
	for (i = 0; i < ls->n; i++)
		default_spellings(ls, i);
	if (n_extra == cap_extra)
		extra_sets = xgrow(extra_sets, &cap_extra, n_extra + 1, sizeof(*extra_sets));
	extra_sets[n_extra++] = ls;
	return ls;
}
