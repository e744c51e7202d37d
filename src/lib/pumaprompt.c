/* pumaprompt.c - PUMA's strategy map, examples cut, template variables and
 * pinned template list (docs/PROMPTS.md). */
#include "pumaprompt.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

const char *puma_template_of(const char *s)
{
	static const char *const map[][2] = {
		{"zero-shot", "zero_shot"}, {"self-consistency", "zero_shot"},
		{"zero-shot-cot", "zero_shot_cot"}, {"one-shot", "few_shot"},
		{"cot-few-shot", "cot_few_shot"}, {"rcoif", "rcoif"},
		{"contextual-anchoring", "contextual_anchoring"}, {"egi", "egi"},
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(s, map[i][0]) == 0)
			return map[i][1];
	if (puma_examples_cut(s) > 0 && strncmp(s, "few-shot-", 9) == 0)
		return "few_shot";
	return NULL;
}

long puma_examples_cut(const char *s)
{
	char *end;
	long k;

	if (strcmp(s, "one-shot") == 0)
		return 1;
	/* PUMA reads K from the name: few-shot-3, -5, -8 (any K >= 1 here). */
	if (strncmp(s, "few-shot-", 9) != 0 || s[9] < '1' || s[9] > '9')
		return -1;
	errno = 0;
	k = strtol(s + 9, &end, 10);
	return *end == '\0' && errno == 0 && k <= 1000 ? k : -1;
}

void puma_pin_free(struct puma_pin *p)
{
	free(p->scenario);
	free(p->file);
	free(p->commit);
	free(p->sha256);
	free(p->url);
	memset(p, 0, sizeof(*p));
}

/* Split line at tabs into at most n fields; returns how many it found. */
static size_t split_tabs(char *line, char **f, size_t n)
{
	size_t k = 0;
	char *p = line;

	while (k < n) {
		f[k++] = p;
		p = strchr(p, '\t');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	return k;
}

int puma_pin_find(const char *path, const char *scenario, const char *file, struct puma_pin *pin,
		  char *err, size_t errlen)
{
	size_t len;
	char *text = read_file(path, &len), *line, *next;
	long lineno = 0;
	int rc = 0;

	memset(pin, 0, sizeof(*pin));
	if (text == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (line = text; rc == 0 && line < text + len; line = next) {
		char *f[6], *end;
		size_t nf;

		next = memchr(line, '\n', (size_t)(text + len - line));
		if (next != NULL)
			*next++ = '\0';
		else
			next = text + len;
		lineno++;
		if (*line == '#' || *line == '\0' || strncmp(line, "scenario\t", 9) == 0)
			continue;
		nf = split_tabs(line, f, 6);
		if (nf != 6 || strlen(f[4]) != 64 || strspn(f[4], "0123456789abcdef") != 64) {
			snprintf(err, errlen, "%s:%ld: not scenario, file, commit, bytes, sha256, url", path,
				 lineno);
			rc = -1;
			break;
		}
		if (strcmp(f[0], scenario) != 0 || strcmp(f[1], file) != 0)
			continue;
		pin->scenario = xstrdup(f[0]);
		pin->file = xstrdup(f[1]);
		pin->commit = xstrdup(f[2]);
		pin->bytes = strtol(f[3], &end, 10);
		pin->sha256 = xstrdup(f[4]);
		pin->url = xstrdup(f[5]);
		rc = 1;
	}
	free(text);
	return rc;
}

/* Does pandas' read_csv read this cell as missing (its default na_values,
 * "None" included as from pandas 2.0)? */
static int pandas_na(const char *s, size_t n)
{
	static const char *const na[] = {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN",
		"-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None",
		"n/a", "nan", "null"};
	size_t i;

	for (i = 0; i < sizeof(na) / sizeof(na[0]); i++)
		if (strlen(na[i]) == n && memcmp(na[i], s, n) == 0)
			return 1;
	return 0;
}

/* A text cell as pandas gives it: the string, or NaN when missing. */
static jv *cell(struct arena *a, const jv *v)
{
	if (v == NULL || v->t == JNULL)
		return jv_num(a, NAN);
	if (v->t == JSTR && pandas_na(v->u.s, v->n))
		return jv_num(a, NAN);
	return (jv *)v;
}

/* A float column (story points): 5 becomes 5.0, as float(x) would. */
static jv *float_cell(struct arena *a, const jv *v)
{
	if (v != NULL && v->t == JNUM)
		return jv_num(a, v->d);
	if (v != NULL && v->t == JSTR && !pandas_na(v->u.s, v->n)) {
		char *end;
		double d = strtod(v->u.s, &end);

		if (end != v->u.s && *end == '\0')
			return jv_num(a, d);
		return (jv *)v;
	}
	return jv_num(a, NAN);
}

/* PUMA's row dict per scenario: its name for each field, ours, and
 * whether pandas reads it as a float (story points print as 5.0). */
static const struct row_field {
	const char *puma, *ours;
	int is_float;
} triage_row[] = {
	{"issue_key", "id", 0}, {"title", "title", 0}, {"description", "description", 0},
	{"priority", "gold", 0}, {NULL, NULL, 0}
}, estimation_row[] = {
	{"project_key", "project", 0}, {"story_id", "id", 0}, {"title", "title", 0},
	{"description", "description", 0}, {"story_points", "gold", 1}, {NULL, NULL, 0}
}, pair_row[] = {
	/* A pair from puma-pair, named as PUMA's pair builder names it. */
	{"issue_key_a", "id_a", 0}, {"issue_key_b", "id_b", 0},
	{"title_a", "title_a", 0}, {"description_a", "description_a", 0}, {"priority_a", "priority_a", 0},
	{"title_b", "title_b", 0}, {"description_b", "description_b", 0}, {"priority_b", "priority_b", 0},
	{"higher_priority", "gold", 0}, {NULL, NULL, 0}
};

/* PUMA's row dict for rec, as its dataset loaders build it:
 * triage: issue_key, title, description, priority;
 * estimation: project_key, story_id, title, description, story_points (a
 * float); prioritization (puma-pair's pairs): issue_key_a/_b, title_*,
 * description_*, priority_*, higher_priority; any other scenario: the
 * record's members as they are.  Text that
 * pandas' read_csv reads as missing ("", "NA", "null", "None", ...) is NaN,
 * which prints as nan. */
static jv *puma_instance(struct arena *a, const jv *rec, const char *scenario)
{
	jv *o = jv_obj(a);
	const struct row_field *f = NULL;
	size_t i;

	if (strncmp(scenario, "triage", 6) == 0)
		f = triage_row;
	else if (strncmp(scenario, "estimation", 10) == 0)
		f = estimation_row;
	else if (strncmp(scenario, "prioritization", 14) == 0)
		f = pair_row;
	if (f != NULL) {
		for (; f->puma != NULL; f++) {
			const jv *v = jv_get(rec, f->ours);

			jv_set(a, o, f->puma, f->is_float ? float_cell(a, v) : cell(a, v));
		}
		return o;
	}
	for (i = 0; rec != NULL && rec->t == JOBJ && i < rec->n; i++)
		if (rec->u.mem[i].val != NULL)
			jv_set(a, o, rec->u.mem[i].key, rec->u.mem[i].val);
	return o;
}

jv *puma_vars(struct arena *a, const jv *rec, const char *scenario, const struct labels *labels,
	      const jv *const *exs, size_t nexs)
{
	jv *v = jv_obj(a), *ex = jv_arr(a), *lb = jv_arr(a);
	size_t i;

	for (i = 0; exs != NULL && i < nexs; i++)
		jv_push(a, ex, puma_instance(a, exs[i], scenario));
	for (i = 0; labels != NULL && !labels->numeric && i < labels->n; i++)
		jv_push(a, lb, jv_cstr(a, labels->v[i]));
	jv_set(a, v, "instance", puma_instance(a, rec, scenario));
	jv_set(a, v, "examples", ex);
	jv_set(a, v, "labels", lb);
	jv_set(a, v, "scenario", jv_cstr(a, scenario));
	return v;
}
