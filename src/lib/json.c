/* json.c - parse JSON with yajl's callbacks into an arena tree, and write
 * compact JSON.  See json.h for the raw-member pass-through. */
#include "json.h"
#include "diag.h"
#include "jfast.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

jv json_null_v = {JNULL, 0, 0, {NULL}, NULL, 0};
jv json_true_v = {JTRUE, 0, 0, {NULL}, NULL, 0};
jv json_false_v = {JFALSE, 0, 0, {NULL}, NULL, 0};

/* Parser state for one document. */
struct pctx {
	struct arena *a;
	yajl_handle h;
	const char *text;
	size_t len;
	const char *const *want;
	jv *root;
	jv **stack;		/* open containers being built */
	size_t depth, cap;
	size_t level;		/* yajl nesting level, built or not */
	int skipping;		/* inside an unwanted top-level member */
	const char *key;	/* pending key for the innermost object */
	size_t klen;
	struct jmember *top;	/* the top-level member being read */
	size_t prev_end;	/* offset after the last top-level token */
	size_t bad_utf8;	/* 1 + offset of a string holding invalid UTF-8 */
};

static size_t consumed(struct pctx *c)
{
	/* yajl advances this offset as it lexes, so inside a callback it
	 * points just past the token that caused it. */
	return yajl_get_bytes_consumed(c->h);
}

/* Does the caller want a tree for this top-level key (else raw text only)? */
static int wanted(struct pctx *c, const char *key)
{
	const char *const *w;

	if (c->want == NULL)
		return 1;
	for (w = c->want; *w != NULL; w++)
		if (strcmp(*w, key) == 0)
			return 1;
	return 0;
}

/* Append a member; the array doubles in the arena (the old one is left
 * there, which the reset per record reclaims). */
static void add_member(struct arena *a, jv *obj, const char *key, size_t klen)
{
	if (obj->n == obj->cap) {
		size_t ncap = obj->cap ? obj->cap * 2 : 8;
		struct jmember *m = arena_alloc(a, ncap * sizeof(*m));

		if (obj->n)
			memcpy(m, obj->u.mem, obj->n * sizeof(*m));
		obj->u.mem = m;
		obj->cap = ncap;
	}
	obj->u.mem[obj->n].key = key;
	obj->u.mem[obj->n].klen = klen;
	obj->u.mem[obj->n].val = NULL;
	obj->u.mem[obj->n].raw = NULL;
	obj->u.mem[obj->n].rawlen = 0;
	obj->u.mem[obj->n].compact = 0;
	obj->n++;
}

void jv_push(struct arena *a, jv *arr, jv *v)
{
	if (arr->n == arr->cap) {
		size_t ncap = arr->cap ? arr->cap * 2 : 8;
		jv **items = arena_alloc(a, ncap * sizeof(*items));

		if (arr->n)
			memcpy(items, arr->u.items, arr->n * sizeof(*items));
		arr->u.items = items;
		arr->cap = ncap;
	}
	arr->u.items[arr->n++] = v;
}

/* A value has started or (for scalars) arrived: attach it to its parent. */
static void attach(struct pctx *c, jv *v)
{
	jv *parent;

	if (c->depth == 0) {
		c->root = v;
		return;
	}
	parent = c->stack[c->depth - 1];
	if (parent->t == JARR) {
		jv_push(c->a, parent, v);
	} else {
		/* The member was added at its key; fill in the value. */
		parent->u.mem[parent->n - 1].val = v;
	}
}

/* A top-level member's value has ended at the current offset. */
static void top_done(struct pctx *c)
{
	size_t end = consumed(c);

	if (c->top != NULL) {
		c->top->rawlen = (size_t)(c->text + end - c->top->raw);
		c->top = NULL;
	}
	c->prev_end = end;
	c->skipping = 0;
}

static void scalar(struct pctx *c, jv *v)
{
	if (!c->skipping)
		attach(c, v);
	if (c->level == 1)
		top_done(c);
}

static int cb_null(void *ctx)
{
	scalar(ctx, &json_null_v);
	return 1;
}

static int cb_bool(void *ctx, int b)
{
	scalar(ctx, b ? &json_true_v : &json_false_v);
	return 1;
}

/* Numbers keep their text, so a tool writes back exactly what it read. */
static int cb_number(void *ctx, const char *s, size_t len)
{
	struct pctx *c = ctx;
	jv *v;

	if (c->skipping) {
		scalar(c, NULL);
		return 1;
	}
	v = arena_alloc(c->a, sizeof(*v));
	memset(v, 0, sizeof(*v));
	v->t = JNUM;
	v->raw = arena_strndup(c->a, s, len);
	v->n = len;
	v->d = strtod(v->raw, NULL);
	scalar(c, v);
	return 1;
}

/* yajl lets overlong forms and encoded surrogates through; refuse them
 * here, so raw pass-through never copies invalid UTF-8. */
static int utf8_ok(struct pctx *c, const unsigned char *s, size_t len)
{
	if (utf8_valid((const char *)s, len, NULL))
		return 1;
	c->bad_utf8 = consumed(c) + 1;
	return 0;
}

/* A string value, refused when its UTF-8 is invalid. */
static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
	struct pctx *c = ctx;

	if (!utf8_ok(c, s, len))
		return 0;
	scalar(c, c->skipping ? NULL : jv_str(c->a, (const char *)s, len));
	return 1;
}

static void push(struct pctx *c, jv *v)
{
	if (c->depth == c->cap)
		c->stack = xgrow(c->stack, &c->cap, c->depth + 1, sizeof(*c->stack));
	c->stack[c->depth++] = v;
}

/* An object or array opens: note where a top-level one starts (raw text
 * of its members is measured from there). */
static int cb_start(struct pctx *c, enum jtype t)
{
	c->level++;
	if (c->level == 1 && t == JOBJ)
		c->prev_end = consumed(c);
	if (!c->skipping) {
		jv *v = t == JOBJ ? jv_obj(c->a) : jv_arr(c->a);

		attach(c, v);
		push(c, v);
	}
	return 1;
}

static int cb_start_map(void *ctx)
{
	return cb_start(ctx, JOBJ);
}

static int cb_start_array(void *ctx)
{
	return cb_start(ctx, JARR);
}

/* An object or array closes; closing a top-level member ends its raw text. */
static int cb_end(void *ctx)
{
	struct pctx *c = ctx;

	if (!c->skipping && c->stack[--c->depth]->t == JOBJ)
		json_dedupe(c->stack[c->depth]);
	c->level--;
	if (c->level == 1)
		top_done(c);
	return 1;
}

/* A key: a new member, and at the top level the start of its raw text and
 * the decision to build its tree or skip it. */
static int cb_map_key(void *ctx, const unsigned char *k, size_t len)
{
	struct pctx *c = ctx;
	char *key;
	jv *obj;

	if (!utf8_ok(c, k, len))
		return 0;
	if (c->skipping)
		return 1;
	obj = c->stack[c->depth - 1];
	key = arena_strndup(c->a, (const char *)k, len);
	add_member(c->a, obj, key, len);
	if (c->level == 1) {
		/* The key's text starts at the first quote after the last
		 * top-level token ('{' or the previous value). */
		const char *p = c->text + c->prev_end;

		while (*p != '"')
			p++;
		c->top = &obj->u.mem[obj->n - 1];
		c->top->raw = p;
		if (!wanted(c, key))
			c->skipping = 1;
	}
	return 1;
}

/* Member order for finding duplicates among many keys: by key bytes,
 * then by position. */
struct kidx {
	const char *key;
	size_t klen, i;
};

static int cmp_kidx(const void *pa, const void *pb)
{
	const struct kidx *a = pa, *b = pb;
	size_t n = a->klen < b->klen ? a->klen : b->klen;
	int c = memcmp(a->key, b->key, n);

	if (c != 0)
		return c;
	if (a->klen != b->klen)
		return a->klen < b->klen ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

static int same_key(const struct jmember *a, const struct jmember *b)
{
	return a->klen == b->klen && (a->klen == 0 || (a->key[0] == b->key[0] &&
	       memcmp(a->key, b->key, a->klen) == 0));
}

/* Records have a few dozen members: a quadratic scan is quickest there,
 * and a sort keeps a hostile object of many keys from taking long. */
void json_dedupe(jv *obj)
{
	size_t n = obj->n, i, j, k;
	unsigned char small[32], *dead = small;
	struct jmember *m = obj->u.mem;
	int any = 0;

	if (n < 2)
		return;
	if (n > sizeof(small))
		dead = xcalloc(n, 1);
	else
		memset(small, 0, sizeof(small));
	if (n <= 32) {
		/* An open-addressed table of 64 slots on a cheap hash of each
		 * key (its length and end bytes): a key is compared only with
		 * earlier live keys of the same hash, the first of its name. */
		unsigned char slot[64];

		memset(slot, 0xff, sizeof(slot));
		for (i = 0; i < n; i++) {
			size_t h = (m[i].klen * 31 + (m[i].klen ? (unsigned char)m[i].key[0] * 7u +
				    (unsigned char)m[i].key[m[i].klen - 1] : 0)) & 63;

			for (; slot[h] != 0xff; h = (h + 1) & 63) {
				j = slot[h];
				if (same_key(&m[j], &m[i])) {
					m[j].val = m[i].val;
					m[j].raw = m[i].raw;
					m[j].rawlen = m[i].rawlen;
					m[j].compact = m[i].compact;
					dead[i] = any = 1;
					break;
				}
			}
			if (!dead[i])
				slot[h] = (unsigned char)i;
		}
	} else {
		struct kidx *x = xmalloc(n * sizeof(*x));

		for (i = 0; i < n; i++) {
			x[i].key = m[i].key;
			x[i].klen = m[i].klen;
			x[i].i = i;
		}
		qsort(x, n, sizeof(*x), cmp_kidx);
		for (i = 0; i < n; i = j) {
			for (j = i + 1; j < n && x[j].klen == x[i].klen &&
			     memcmp(x[j].key, x[i].key, x[i].klen) == 0; j++)
				dead[x[j].i] = any = 1;
			if (j - i > 1) {
				struct jmember *f = &m[x[i].i], *l = &m[x[j - 1].i];

				f->val = l->val;
				f->raw = l->raw;
				f->rawlen = l->rawlen;
				f->compact = l->compact;
			}
		}
		free(x);
	}
	if (any) {
		for (i = k = 0; i < n; i++)
			if (!dead[i])
				m[k++] = m[i];
		obj->n = k;
	}
	if (dead != small)
		free(dead);
}

/* The offset of the first \u escape of a UTF-16 surrogate that is not half
 * of a high-low pair, or -1.  yajl turns a lone high one into '?' and
 * a lone low one into bytes that read as invalid UTF-8; both are the
 * same fault, named as such.  text is scanned as JSON up to len. */
static long lone_surrogate(const char *text, size_t len)
{
	size_t i;
	int in = 0;
	unsigned long prev_hi = 0;	/* 1 + offset of a pending high surrogate */

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];
		unsigned long u = 0;
		size_t k;

		if (!in) {
			in = ch == '"';
			continue;
		}
		if (ch == '"') {
			if (prev_hi)
				return (long)prev_hi - 1;
			in = 0;
			continue;
		}
		if (ch != '\\') {
			if (prev_hi)
				return (long)prev_hi - 1;
			continue;
		}
		if (i + 1 < len && text[i + 1] != 'u') {
			if (prev_hi)
				return (long)prev_hi - 1;
			i++;
			continue;
		}
		if (i + 5 >= len)
			break;
		for (k = 2; k < 6; k++) {
			int c = (unsigned char)text[i + k];

			u = u * 16 + (unsigned long)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
		}
		if (u >= 0xDC00 && u <= 0xDFFF) {
			if (!prev_hi)
				return (long)i;
			prev_hi = 0;
		} else if (prev_hi) {
			return (long)prev_hi - 1;
		} else if (u >= 0xD800 && u <= 0xDBFF) {
			prev_hi = (unsigned long)i + 1;
		}
		i += 5;
	}
	return prev_hi ? (long)prev_hi - 1 : -1;
}

static const yajl_callbacks callbacks = {
	cb_null, cb_bool, NULL, NULL, cb_number, cb_string,
	cb_start_map, cb_map_key, cb_end, cb_start_array, cb_end,
};

jv *json_parse(struct arena *a, const char *text, size_t len,
	       const char *const *want, char *err, size_t errlen)
{
	struct pctx c;
	yajl_status st;
	int at_end = 0;
	jv *root = json_fast_off ? NULL : json_parse_fast(a, text, len, want);

	/* Well-formed input takes the fast path; yajl judges the rest. */
	if (root != NULL)
		return root;
	memset(&c, 0, sizeof(c));
	c.a = a;
	c.text = text;
	c.len = len;
	c.want = want;
	c.h = yajl_alloc(&callbacks, NULL, &c);
	if (c.h == NULL)
		die(EXIT_FAIL, "out of memory");
	st = yajl_parse(c.h, (const unsigned char *)text, len);
	if (st == yajl_status_ok) {
		at_end = 1;
		st = yajl_complete_parse(c.h);
	}
	/* Only text with a \u escape of a surrogate comes here (the fast path
	 * declines it), so the scan costs nothing in the common case. */
	if (((st == yajl_status_ok && c.root != NULL) || c.bad_utf8) &&
	    lone_surrogate(text, len) >= 0) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "a lone UTF-16 surrogate (\\u escape) in a string");
	} else if (st == yajl_status_ok && c.root != NULL) {
		root = c.root;
	} else if (err != NULL && errlen > 0) {
		if (st == yajl_status_ok) {
			snprintf(err, errlen, "no JSON value");
		} else if (c.bad_utf8) {
			snprintf(err, errlen, "invalid UTF-8 in a string (before byte %zu)", c.bad_utf8);
		} else {
			unsigned char *m = yajl_get_error(c.h, 0, (const unsigned char *)text, len);
			size_t at = yajl_get_bytes_consumed(c.h);
			char *nl;

			/* yajl says "parse error: lexical error: ..." plus a newline. */
			snprintf(err, errlen, "%s", (const char *)m);
			if ((nl = strchr(err, '\n')) != NULL)
				*nl = '\0';
			if (strncmp(err, "parse error: ", 13) == 0)
				memmove(err, err + 13, strlen(err + 13) + 1);
			if (!at_end && strlen(err) + 32 < errlen)
				snprintf(err + strlen(err), errlen - strlen(err),
					 " (at byte %zu)", at + 1);
			yajl_free_error(c.h, m);
		}
	}
	yajl_free(c.h);
	free(c.stack);
	return root;
}

jv *jv_str(struct arena *a, const char *s, size_t len)
{
	jv *v = arena_alloc(a, sizeof(*v));

	memset(v, 0, sizeof(*v));
	v->t = JSTR;
	v->u.s = arena_strndup(a, s, len);
	v->n = len;
	return v;
}

jv *jv_cstr(struct arena *a, const char *s)
{
	return jv_str(a, s, strlen(s));
}

jv *jv_num(struct arena *a, double d)
{
	jv *v = arena_alloc(a, sizeof(*v));

	memset(v, 0, sizeof(*v));
	v->t = JNUM;
	v->d = d;
	return v;
}

jv *jv_cstr_or_null(struct arena *a, const char *s)
{
	return s != NULL ? jv_cstr(a, s) : JV_NULL;
}

jv *jv_num_or_null(struct arena *a, double d)
{
	return isfinite(d) ? jv_num(a, d) : JV_NULL;
}

jv *jv_int(struct arena *a, long long i)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%lld", i);
	jv *v = jv_num(a, (double)i);

	v->raw = arena_strndup(a, tmp, (size_t)n);
	v->n = (size_t)n;
	return v;
}

jv *jv_bool(int b)
{
	return b ? &json_true_v : &json_false_v;
}

jv *jv_arr(struct arena *a)
{
	jv *v = arena_alloc(a, sizeof(*v));

	memset(v, 0, sizeof(*v));
	v->t = JARR;
	return v;
}

jv *jv_obj(struct arena *a)
{
	jv *v = arena_alloc(a, sizeof(*v));

	memset(v, 0, sizeof(*v));
	v->t = JOBJ;
	return v;
}

/* The first member named key (records are small: a linear scan). */
static struct jmember *find(const jv *obj, const char *key)
{
	size_t i, klen;

	if (obj == NULL || obj->t != JOBJ)
		return NULL;
	klen = strlen(key);
	for (i = 0; i < obj->n; i++)
		if (obj->u.mem[i].klen == klen && memcmp(obj->u.mem[i].key, key, klen) == 0)
			return &obj->u.mem[i];
	return NULL;
}

void jv_set(struct arena *a, jv *obj, const char *key, jv *v)
{
	struct jmember *m = find(obj, key);

	if (m == NULL) {
		size_t klen = strlen(key);

		add_member(a, obj, arena_strndup(a, key, klen), klen);
		m = &obj->u.mem[obj->n - 1];
	}
	m->val = v;
	m->raw = NULL;
	m->rawlen = 0;
	m->compact = 0;
}

void jv_append(struct arena *a, jv *obj, const char *key, jv *v)
{
	add_member(a, obj, key, strlen(key));
	obj->u.mem[obj->n - 1].val = v;
}

size_t jv_unset(jv *obj, const char *key)
{
	size_t i, k = 0, gone;

	if (obj == NULL || obj->t != JOBJ)
		return 0;
	for (i = 0; i < obj->n; i++)
		if (strcmp(obj->u.mem[i].key, key) != 0)
			obj->u.mem[k++] = obj->u.mem[i];
	gone = obj->n - k;
	obj->n = k;
	return gone;
}

static long member_index(const jv *obj, const char *key)
{
	size_t i;

	for (i = 0; i < obj->n; i++)
		if (strcmp(obj->u.mem[i].key, key) == 0)
			return (long)i;
	return -1;
}

void jv_move_after(jv *obj, const char *key, const char *after)
{
	long from, to;
	struct jmember m;

	if (obj == NULL || obj->t != JOBJ || (from = member_index(obj, key)) < 0)
		return;
	to = after != NULL ? member_index(obj, after) : -1;
	if (after != NULL && to < 0)
		return;
	m = obj->u.mem[from];
	if (from > to) {		/* shift the members between them right */
		memmove(&obj->u.mem[to + 2], &obj->u.mem[to + 1],
			(size_t)(from - to - 1) * sizeof(m));
		obj->u.mem[to + 1] = m;
	} else if (from < to) {		/* shift them left */
		memmove(&obj->u.mem[from], &obj->u.mem[from + 1], (size_t)(to - from) * sizeof(m));
		obj->u.mem[to] = m;
	}
}

size_t jv_len(const jv *v)
{
	return v != NULL && (v->t == JSTR || v->t == JARR || v->t == JOBJ) ? v->n : 0;
}

jv *jv_item(const jv *arr, size_t i)
{
	return arr != NULL && arr->t == JARR && i < arr->n ? arr->u.items[i] : NULL;
}

const char *jv_key(const jv *obj, size_t i, size_t *klen)
{
	if (obj == NULL || obj->t != JOBJ || i >= obj->n)
		return NULL;
	if (klen)
		*klen = obj->u.mem[i].klen;
	return obj->u.mem[i].key;
}

jv *jv_val(const jv *obj, size_t i)
{
	return obj != NULL && obj->t == JOBJ && i < obj->n ? obj->u.mem[i].val : NULL;
}

const char *jv_member_text(const jv *obj, size_t i, size_t *len)
{
	if (obj == NULL || obj->t != JOBJ || i >= obj->n || obj->u.mem[i].raw == NULL)
		return NULL;
	if (len)
		*len = obj->u.mem[i].rawlen;
	return obj->u.mem[i].raw;
}

const char *jv_numtext(const jv *v, size_t *len)
{
	if (v == NULL || v->t != JNUM || v->raw == NULL)
		return NULL;
	if (len)
		*len = v->n;
	return v->raw;
}

void jv_rebase(jv *obj, const char *from, size_t len, const char *to)
{
	size_t i;

	if (obj == NULL || obj->t != JOBJ)
		return;
	for (i = 0; i < obj->n; i++) {
		struct jmember *m = &obj->u.mem[i];

		if (m->raw != NULL && m->raw >= from && m->raw < from + len)
			m->raw = to + (m->raw - from);
	}
}

const char *jv_string(const jv *v, size_t *len)
{
	if (v == NULL || v->t != JSTR)
		return NULL;
	if (len)
		*len = v->n;
	return v->u.s;
}

const struct jmember *jv_member(const jv *obj, size_t i)
{
	return obj != NULL && obj->t == JOBJ && i < obj->n ? &obj->u.mem[i] : NULL;
}

jv *jv_get(const jv *obj, const char *key)
{
	struct jmember *m = find(obj, key);

	return m ? m->val : NULL;
}

const char *jv_getstr(const jv *obj, const char *key, size_t *len)
{
	jv *v = jv_get(obj, key);

	if (v == NULL || v->t != JSTR)
		return NULL;
	if (len)
		*len = v->n;
	return v->u.s;
}

int jv_isnull(const jv *v)
{
	return v == NULL || v->t == JNULL;
}

int jv_same(const jv *a, const jv *b)
{
	if (a->t == JSTR && b->t == JSTR)
		return a->n == b->n && memcmp(a->u.s, b->u.s, a->n) == 0;
	return a->t == JNUM && b->t == JNUM && a->d == b->d;
}

const char *jv_typename(const jv *v)
{
	if (v == NULL)
		return "absent";
	switch (v->t) {
	case JNULL: return "null";
	case JFALSE:
	case JTRUE: return "a boolean";
	case JNUM: return "a number";
	case JSTR: return "a string";
	case JARR: return "an array";
	case JOBJ: return "an object";
	}
	return "?";
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && s[1] < 0xA0)
			return 0;	/* overlong */
		if (c == 0xED && s[1] >= 0xA0)
			return 0;	/* surrogate */
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && s[1] < 0x90)
			return 0;	/* overlong */
		if (c == 0xF4 && s[1] >= 0x90)
			return 0;	/* above U+10FFFF */
		return 4;
	}
	return 0;
}

int utf8_valid(const char *s, size_t len, size_t *good)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8_seq(p + i, len - i);
		if (k == 0) {
			if (good)
				*good = i;
			return 0;
		}
		i += k;
	}
	if (good)
		*good = len;
	return 1;
}

size_t utf8_cut(const char *s, size_t len, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	if (max >= len)
		return len;
	while (i < max) {
		k = p[i] < 0x80 ? 1 : utf8_seq(p + i, len - i);
		if (k == 0)
			k = 1;	/* a stray byte is its own unit */
		if (i + k > max)
			break;
		i += k;
	}
	return i;
}

/* Characters that need escaping in a JSON string: controls, '"' and '\'. */
static const char hexd[] = "0123456789abcdef";

size_t json_write_str(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0, bad = 0, k;

	buf_addc(b, '"');
	while (i < len) {
		unsigned c = p[i];

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0x80) {
			k = utf8_seq(p + i, len - i);
			if (k) {
				i += k;
				continue;
			}
		}
		buf_add(b, s + start, i - start);
		switch (c) {
		case '"': buf_add(b, "\\\"", 2); break;
		case '\\': buf_add(b, "\\\\", 2); break;
		case '\n': buf_add(b, "\\n", 2); break;
		case '\r': buf_add(b, "\\r", 2); break;
		case '\t': buf_add(b, "\\t", 2); break;
		case '\b': buf_add(b, "\\b", 2); break;
		case '\f': buf_add(b, "\\f", 2); break;
		default:
			if (c < 0x20) {
				char u[6] = {'\\', 'u', '0', '0', hexd[c >> 4], hexd[c & 15]};

				buf_add(b, u, 6);
			} else {
				buf_add(b, "\xEF\xBF\xBD", 3);	/* U+FFFD */
				bad++;
			}
		}
		i++;
		start = i;
	}
	buf_add(b, s + start, i - start);
	buf_addc(b, '"');
	return bad;
}

/* Strings are skipped with memchr (most of a record is string bytes); only
 * the text between strings is looked at byte by byte. */
void json_write_compact(struct buf *b, const char *raw, size_t len)
{
	size_t i = 0, start = 0;

	while (i < len) {
		char c = raw[i];

		if (c == '"') {
			const char *q;
			size_t j = i + 1, k;

			for (;;) {
				q = memchr(raw + j, '"', len - j);
				if (q == NULL) {
					j = len;
					break;
				}
				/* A quote ends the string unless an odd run of
				 * backslashes escapes it. */
				for (k = (size_t)(q - raw); k > j && raw[k - 1] == '\\'; k--)
					;
				j = (size_t)(q - raw) + 1;
				if (((size_t)(q - raw) - k) % 2 == 0)
					break;
			}
			i = j;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			buf_add(b, raw + start, i - start);
			start = i + 1;
		}
		i++;
	}
	buf_add(b, raw + start, len - start);
}

size_t json_write(struct buf *b, const jv *v)
{
	size_t i, bad = 0;
	char num[32];

	switch (v->t) {
	case JNULL:
		buf_add(b, "null", 4);
		break;
	case JTRUE:
		buf_add(b, "true", 4);
		break;
	case JFALSE:
		buf_add(b, "false", 5);
		break;
	case JNUM:
		if (v->raw != NULL) {
			buf_add(b, v->raw, v->n);
		} else {
			size_t n = fmt_double(v->d, num);

			/* JSON has no NaN or infinity: say null. */
			if (num[0] == 'N' || num[0] == 'I' || num[1] == 'I')
				buf_add(b, "null", 4);
			else
				buf_add(b, num, n);
		}
		break;
	case JSTR:
		bad += json_write_str(b, v->u.s, v->n);
		break;
	case JARR:
		buf_addc(b, '[');
		for (i = 0; i < v->n; i++) {
			if (i)
				buf_addc(b, ',');
			bad += json_write(b, v->u.items[i]);
		}
		buf_addc(b, ']');
		break;
	case JOBJ:
		buf_addc(b, '{');
		for (i = 0; i < v->n; i++) {
			const struct jmember *m = &v->u.mem[i];

			if (i)
				buf_addc(b, ',');
			if (m->raw != NULL && m->compact) {
				/* Members that lay side by side in compact input
				 * go out in one copy, commas included. */
				size_t j = i;

				while (j + 1 < v->n && v->u.mem[j + 1].raw != NULL && v->u.mem[j + 1].compact &&
				       v->u.mem[j + 1].raw == v->u.mem[j].raw + v->u.mem[j].rawlen + 1)
					j++;
				buf_add(b, m->raw, (size_t)(v->u.mem[j].raw + v->u.mem[j].rawlen - m->raw));
				i = j;
				continue;
			}
			if (m->raw != NULL) {
				json_write_compact(b, m->raw, m->rawlen);
				continue;
			}
			bad += json_write_str(b, m->key, m->klen);
			buf_addc(b, ':');
			bad += json_write(b, m->val ? m->val : &json_null_v);
		}
		buf_addc(b, '}');
		break;
	}
	return bad;
}
