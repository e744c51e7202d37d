/* prompt.c - templates, label lists and the few-shot example pool. */
#include "prompt.h"
#include "config.h"
#include "diag.h"
#include "lineio.h"
#include "mt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tmpl_load(struct tmpl *t, const char *path)
{
	size_t len;
	char *text = read_file(path, &len);

	memset(t, 0, sizeof(*t));
	if (text == NULL)
		return -1;
	/* Editors end files with a newline; the prompt should not. */
	if (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	if (len > 0 && text[len - 1] == '\r')
		text[--len] = '\0';
	t->text = text;
	t->len = len;
	t->path = xstrdup(path);
	return 0;
}

void tmpl_free(struct tmpl *t)
{
	free(t->text);
	free(t->path);
	memset(t, 0, sizeof(*t));
}

static int name_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

/* Parse the placeholder starting at s[i] == '{' '{': the name's bounds and
 * the offset just past "}}".  Returns -1 when it is malformed. */
static int placeholder(const char *s, size_t len, size_t i, size_t *nb, size_t *ne, size_t *end)
{
	size_t j = i + 2;

	while (j < len && s[j] == ' ')
		j++;
	*nb = j;
	while (j < len && name_byte((unsigned char)s[j]))
		j++;
	*ne = j;
	while (j < len && s[j] == ' ')
		j++;
	if (*ne == *nb || j + 1 >= len || s[j] != '}' || s[j + 1] != '}')
		return -1;
	*end = j + 2;
	return 0;
}

/* Line number of offset i, for messages about a template. */
static long line_of(const char *s, size_t i)
{
	long line = 1;
	size_t k;

	for (k = 0; k < i; k++)
		if (s[k] == '\n')
			line++;
	return line;
}

int tmpl_check(const struct tmpl *t, char *err, size_t errlen)
{
	size_t i, nb, ne, end;

	for (i = 0; i + 1 < t->len; i++) {
		if (t->text[i] != '{' || t->text[i + 1] != '{')
			continue;
		if (placeholder(t->text, t->len, i, &nb, &ne, &end) < 0) {
			snprintf(err, errlen, "line %ld: \"{{\" without a name and \"}}\"",
				 line_of(t->text, i));
			return -1;
		}
		i = end - 1;
	}
	return 0;
}

int tmpl_uses(const struct tmpl *t, const char *name)
{
	size_t i, nb, ne, end, n = strlen(name);

	for (i = 0; i + 1 < t->len; i++) {
		if (t->text[i] != '{' || t->text[i + 1] != '{')
			continue;
		if (placeholder(t->text, t->len, i, &nb, &ne, &end) < 0)
			continue;
		if (ne - nb == n && memcmp(t->text + nb, name, n) == 0)
			return 1;
		i = end - 1;
	}
	return 0;
}

size_t utf8_prefix_chars(const char *s, size_t len, size_t max)
{
	size_t i, chars = 0;

	for (i = 0; i < len; i++) {
		/* A character starts at every byte that is not 10xxxxxx. */
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (chars == max)
				return i;
			chars++;
		}
	}
	return len;
}

/* Append the value of rec's member name (n bytes) to out. */
static int field(const jv *rec, const char *name, size_t n, struct render *r, struct buf *out,
		 char *err, size_t errlen)
{
	char key[128], num[32];
	const jv *v;
	size_t len;

	if (n >= sizeof(key)) {
		snprintf(err, errlen, "placeholder name too long");
		return -1;
	}
	memcpy(key, name, n);
	key[n] = '\0';
	v = jv_get(rec, key);
	if (v == NULL) {
		snprintf(err, errlen, "no \"%s\" field, which the template uses", key);
		return -1;
	}
	switch (v->t) {
	case JNULL:
		break;
	case JSTR:
		len = v->n;
		if (r->max_chars >= 0 && strcmp(key, "description") == 0) {
			len = utf8_prefix_chars(v->u.s, v->n, (size_t)r->max_chars);
			if (len < v->n)
				r->truncated = 1;
		}
		buf_add(out, v->u.s, len);
		break;
	case JNUM:
		if (v->raw != NULL) {
			buf_add(out, v->raw, v->n);
		} else {
			len = fmt_double(v->d, num);
			buf_add(out, num, len);
		}
		break;
	case JTRUE:
		buf_adds(out, "true");
		break;
	case JFALSE:
		buf_adds(out, "false");
		break;
	default:
		snprintf(err, errlen, "\"%s\" is %s, not text, so the template cannot use it", key,
			 jv_typename(v));
		return -1;
	}
	return 0;
}

int tmpl_render(const struct tmpl *t, const jv *rec, struct render *r, struct buf *out,
		char *err, size_t errlen)
{
	size_t i, from = 0, nb, ne, end;
	const char *s = t->text;

	r->truncated = 0;
	buf_add(out, "", 0);
	for (i = 0; i + 1 < t->len; i++) {
		if (s[i] != '{' || s[i + 1] != '{')
			continue;
		if (placeholder(s, t->len, i, &nb, &ne, &end) < 0) {
			snprintf(err, errlen, "%s: line %ld: \"{{\" without a name and \"}}\"", t->path,
				 line_of(s, i));
			return -1;
		}
		buf_add(out, s + from, i - from);
		if (ne - nb == 6 && memcmp(s + nb, "labels", 6) == 0) {
			if (r->labels == NULL) {
				snprintf(err, errlen, "the template uses {{labels}} but no label list is known");
				return -1;
			}
			buf_adds(out, r->labels);
		} else if (ne - nb == 8 && memcmp(s + nb, "examples", 8) == 0) {
			if (r->examples == NULL) {
				snprintf(err, errlen, "the template uses {{examples}} but no examples were given");
				return -1;
			}
			buf_adds(out, r->examples);
		} else if (field(rec, s + nb, ne - nb, r, out, err, errlen) < 0) {
			return -1;
		}
		from = end;
		i = end - 1;
	}
	buf_add(out, s + from, t->len - from);
	return 0;
}

/* ---- Labels ---- */

static int is_number(const char *s)
{
	char *end;

	if (*s == '\0')
		return 0;
	errno = 0;
	(void)strtod(s, &end);
	return *end == '\0' && errno == 0;
}

static void labels_add(struct labels *l, const char *s, size_t n, size_t *cap)
{
	l->v = xgrow(l->v, cap, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = xstrndup(s, n);
}

/* A label list of numbers only (story points) is written as numbers. */
static void labels_done(struct labels *l)
{
	size_t i;

	l->numeric = l->n > 0;
	for (i = 0; i < l->n; i++)
		if (!is_number(l->v[i]))
			l->numeric = 0;
}

int labels_from_list(struct labels *l, const char *list)
{
	size_t cap = 0;
	const char *p = list, *e, *b;

	memset(l, 0, sizeof(*l));
	for (;;) {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		b = p;
		while (b < e && (*b == ' ' || *b == '\t'))
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e > b)
			labels_add(l, b, (size_t)(e - b), &cap);
		p = strchr(p, ',');
		if (p == NULL)
			break;
		p++;
	}
	labels_done(l);
	return l->n > 0 ? 0 : -1;
}

int labels_from_config(struct labels *l, const jv *cfg, char *err, size_t errlen)
{
	const jv *arr = jv_get(cfg, "labels");
	size_t i, cap = 0;
	char num[32];

	memset(l, 0, sizeof(*l));
	if (arr == NULL)
		arr = jv_get(cfg, "scale");
	if (arr == NULL || arr->t != JARR || arr->n == 0) {
		snprintf(err, errlen, "no \"labels\" or \"scale\" array");
		return -1;
	}
	for (i = 0; i < arr->n; i++) {
		const jv *v = arr->u.items[i];

		if (v->t == JSTR) {
			labels_add(l, v->u.s, v->n, &cap);
		} else if (v->t == JNUM) {
			if (v->raw != NULL)
				labels_add(l, v->raw, v->n, &cap);
			else
				labels_add(l, num, fmt_double(v->d, num), &cap);
		} else {
			snprintf(err, errlen, "label %zu is %s, not a string or number", i + 1,
				 jv_typename(v));
			labels_free(l);
			return -1;
		}
	}
	labels_done(l);
	return 0;
}

char *labels_join(const struct labels *l)
{
	struct buf b = {0};
	size_t i;

	buf_add(&b, "", 0);
	for (i = 0; i < l->n; i++) {
		if (i)
			buf_adds(&b, ", ");
		buf_adds(&b, l->v[i]);
	}
	return b.s;
}

void labels_free(struct labels *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* ---- The example pool ---- */

/* The gold value's text, for grouping. */
static const char *gold_text(const jv *rec, size_t *len)
{
	const jv *g = jv_get(rec, "gold");

	if (g == NULL)
		return NULL;
	if (g->t == JSTR) {
		*len = g->n;
		return g->u.s;
	}
	if (g->t == JNUM && g->raw != NULL) {
		*len = g->n;
		return g->raw;
	}
	return NULL;
}

/* Sort the shuffled indexes into groups by gold value (groups numbered in
 * the order their value first appears), keeping the shuffled order within
 * each group. */
static void group_order(struct pool *p, const size_t *shuf)
{
	size_t *group = xcalloc(p->n ? p->n : 1, sizeof(*group));
	size_t *first = xcalloc(p->n ? p->n : 1, sizeof(*first));
	size_t i, g, out = 0, la = 0, lb = 0;

	p->ngroups = 0;
	for (i = 0; i < p->n; i++) {
		const char *a = gold_text(p->rec[shuf[i]], &la);

		for (g = 0; g < p->ngroups; g++) {
			const char *b = gold_text(p->rec[shuf[first[g]]], &lb);

			if (la == lb && memcmp(a, b, la) == 0)
				break;
		}
		if (g == p->ngroups)
			first[p->ngroups++] = i;
		group[i] = g;
	}
	p->gstart = xcalloc(p->ngroups + 1, sizeof(*p->gstart));
	for (g = 0; g < p->ngroups; g++) {
		p->gstart[g] = out;
		for (i = first[g]; i < p->n; i++)
			if (group[i] == g)
				p->order[out++] = shuf[i];
	}
	p->gstart[p->ngroups] = out;
	free(group);
	free(first);
}

int pool_load(struct pool *p, const char *path, const char *scenario, int stratify,
	      uint32_t seed)
{
	struct lines l;
	char err[256];
	int r, allstr = 1;
	size_t i, glen;
	struct mt m;
	size_t *shuf;

	memset(p, 0, sizeof(*p));
	p->path = xstrdup(path);
	if (lines_open(&l, path) < 0)
		return -1;
	while ((r = lines_next(&l)) != 0) {
		jv *v;
		const char *sc;
		size_t sl;

		if (r == -1)
			goto bad;
		if (r == -2) {
			fail_at(l.name, l.lineno, "%s", LINES_NUL_MSG);
			goto bad;
		}
		if (line_blank(l.buf, l.len))
			continue;
		v = json_parse(&p->a, l.buf, l.len, NULL, err, sizeof(err));
		if (v == NULL || v->t != JOBJ) {
			fail_at(l.name, l.lineno, "%s", v == NULL ? err : "example is not a JSON object");
			goto bad;
		}
		/* Raw member text points into the line buffer: keep no raw. */
		for (i = 0; i < v->n; i++)
			v->u.mem[i].raw = NULL;
		sc = jv_getstr(v, "scenario", &sl);
		if (scenario != NULL && sc != NULL && strcmp(sc, scenario) != 0)
			continue;
		if (gold_text(v, &glen) == NULL) {
			fail_at(l.name, l.lineno, "example has no \"gold\" string or number");
			goto bad;
		}
		if (jv_get(v, "gold")->t != JSTR)
			allstr = 0;
		p->rec = xgrow(p->rec, &p->cap, p->n + 1, sizeof(*p->rec));
		p->rec[p->n++] = v;
	}
	lines_close(&l);
	if (stratify < 0)
		stratify = allstr;
	p->order = xmalloc((p->n ? p->n : 1) * sizeof(*p->order));
	shuf = xmalloc((p->n ? p->n : 1) * sizeof(*shuf));
	for (i = 0; i < p->n; i++)
		shuf[i] = i;
	mt_seed(&m, seed);
	mt_shuffle(&m, shuf, p->n);
	if (stratify) {
		group_order(p, shuf);
	} else {
		memcpy(p->order, shuf, p->n * sizeof(*shuf));
		p->ngroups = 1;
		p->gstart = xcalloc(2, sizeof(*p->gstart));
		p->gstart[1] = p->n;
	}
	free(shuf);
	return 0;
bad:
	lines_close(&l);
	return -1;
}

/* Is example e the instance itself? */
static int same_instance(const jv *e, const jv *inst)
{
	const char *a, *b;
	size_t la, lb;

	a = jv_getstr(e, "id", &la);
	b = jv_getstr(inst, "id", &lb);
	if (a != NULL && b != NULL)
		return la == lb && memcmp(a, b, la) == 0;
	a = jv_getstr(e, "title", &la);
	b = jv_getstr(inst, "title", &lb);
	if (a == NULL || b == NULL || la != lb || memcmp(a, b, la) != 0)
		return 0;
	a = jv_getstr(e, "description", &la);
	b = jv_getstr(inst, "description", &lb);
	if (a == NULL || b == NULL)
		return a == b;
	return la == lb && memcmp(a, b, la) == 0;
}

size_t pool_pick(const struct pool *p, const jv *inst, size_t k, const jv **out)
{
	size_t *next = xcalloc(p->ngroups ? p->ngroups : 1, sizeof(*next));
	size_t g, got = 0;
	int more = 1;

	/* Round after round, each group gives its next member that is not
	 * the instance, so the instance never unbalances the classes. */
	for (g = 0; g < p->ngroups; g++)
		next[g] = p->gstart[g];
	while (got < k && more) {
		more = 0;
		for (g = 0; g < p->ngroups && got < k; g++) {
			while (next[g] < p->gstart[g + 1] && same_instance(p->rec[p->order[next[g]]], inst))
				next[g]++;
			if (next[g] < p->gstart[g + 1]) {
				out[got++] = p->rec[p->order[next[g]++]];
				more = 1;
			}
		}
	}
	free(next);
	return got;
}

void pool_free(struct pool *p)
{
	arena_free(&p->a);
	free(p->rec);
	free(p->order);
	free(p->gstart);
	free(p->path);
	memset(p, 0, sizeof(*p));
}
