/* parse.c - the response parsers and the first-token confidence. */
#include "parse.h"
#include "jfast.h"
#include "json.h"
#include "xalloc.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Does s (n bytes available) start with the ASCII word w, ignoring case? */
static int starts_ci(const char *s, size_t n, const char *w, size_t wlen)
{
	size_t i;

	if (n < wlen)
		return 0;
	for (i = 0; i < wlen; i++)
		if (lower((unsigned char)s[i]) != lower((unsigned char)w[i]))
			return 0;
	return 1;
}

/* Offset of the first "<think>"/"</think>" (tag) at or after from, or len. */
static size_t find_tag(const char *s, size_t len, size_t from, const char *tag, size_t tlen)
{
	const char *p;

	while (from + tlen <= len) {
		p = memchr(s + from, '<', len - from - tlen + 1);
		if (p == NULL)
			break;
		from = (size_t)(p - s);
		if (starts_ci(p, len - from, tag, tlen))
			return from;
		from++;
	}
	return len;
}

/* Three passes, each over the previous pass's output, each scanning left to
 * right and never rescanning text it has produced (re.sub semantics). */
size_t strip_think(const char *s, size_t len, char *out)
{
	static const char open[] = "<think>", close[] = "</think>";
	const size_t olen = sizeof(open) - 1, clen = sizeof(close) - 1;
	size_t i = 0, n = 0, a, b, k;

	/* 1. Closed blocks, shortest match. */
	for (;;) {
		a = find_tag(s, len, i, open, olen);
		if (a == len)
			break;
		b = find_tag(s, len, a + olen, close, clen);
		if (b == len)
			break;	/* no later <think> can close either */
		memmove(out + n, s + i, a - i);
		n += a - i;
		i = b + clen;
	}
	memmove(out + n, s + i, len - i);
	n += len - i;
	/* 2. An unclosed block runs to the end. */
	a = find_tag(out, n, 0, open, olen);
	n = a;
	/* 3. Stray closing tags. */
	i = 0;
	k = 0;
	for (;;) {
		b = find_tag(out, n, i, close, clen);
		memmove(out + k, out + i, b - i);
		k += b - i;
		if (b == n)
			break;
		i = b + clen;
	}
	out[k] = '\0';
	return k;
}

int parse_label(const struct labelset *ls, const char *s, size_t len)
{
	unsigned char first[256] = {0};
	size_t pos, j;

	for (j = 0; j < ls->n; j++)
		if (ls->len[j] > 0)
			first[lower((unsigned char)ls->label[j][0])] = 1;
	for (pos = 0; pos < len; pos++) {
		unsigned char c = (unsigned char)s[pos];

		if (!first[lower(c)])
			continue;
		if (pos > 0 && is_word_byte((unsigned char)s[pos - 1]))
			continue;
		for (j = 0; j < ls->n; j++) {
			size_t l = ls->len[j];

			if (l == 0 || !starts_ci(s + pos, len - pos, ls->label[j], l))
				continue;
			if (pos + l < len && is_word_byte((unsigned char)s[pos + l]))
				continue;
			return (int)j;
		}
	}
	return -1;
}

int parse_points(const struct scale *sc, const char *s, size_t len, double *out)
{
	char small[64], *text;
	size_t a, b;
	double v, best = 0, d, bestd = INFINITY;
	size_t i;

	for (a = 0; a < len && !(s[a] >= '0' && s[a] <= '9'); a++)
		;
	if (a == len)
		return 0;
	for (b = a; b < len && s[b] >= '0' && s[b] <= '9'; b++)
		;
	if (b < len && s[b] == '.')
		for (b++; b < len && s[b] >= '0' && s[b] <= '9'; b++)
			;
	/* strtod must see exactly the match: "5e3" or "0x1" read further. */
	text = b - a < sizeof(small) ? small : xmalloc(b - a + 1);
	memcpy(text, s + a, b - a);
	text[b - a] = '\0';
	v = strtod(text, NULL);
	if (text != small)
		free(text);
	if (!isfinite(v))
		return 0;
	for (i = 0; i < sc->n; i++)
		if (sc->v[i] == v) {
			*out = v;
			return 1;
		}
	/* Python's min(scale, key=|x - v|): the first of equal distances. */
	for (i = 0; i < sc->n; i++) {
		d = fabs(sc->v[i] - v);
		if (d < bestd) {
			bestd = d;
			best = sc->v[i];
		}
	}
	*out = sc->n > 0 && bestd <= sc->within ? best : v;
	return 1;
}

static int same_tok(const struct cand *c, const char *t, size_t tlen)
{
	return c->len == tlen && memcmp(c->tok, t, tlen) == 0;
}

/* PUMA's class_confidence_from_logprobs: a softmax over every candidate
 * (a repeated token counts twice in the total), a dict of token ->
 * probability (a repeated token keeps its last value), each label the sum
 * over its spellings left to right, then renormalised over the labels
 * unless that sum is 0. */
static int conf_puma(const struct labelset *ls, const struct cand *c, size_t nc,
		     int pred, double *out)
{
	double max, total = 0, s = 0, mass = 0, m, small[32], *e;
	size_t i, j, k, last;
	uint64_t seen = 0;

	e = nc <= 32 ? small : xmalloc(nc * sizeof(double));
	max = c[0].lp;
	for (i = 1; i < nc; i++)
		if (c[i].lp > max)
			max = c[i].lp;
	for (i = 0; i < nc; i++) {
		e[i] = exp(c[i].lp - max);
		total += e[i];
	}
	/* Each candidate's probability, divided once: a spelling that
	 * matches it adds the same quotient as dividing again would. */
	for (i = 0; i < nc; i++)
		e[i] /= total;
	/* A bit for each candidate's first byte and length: most spellings
	 * find theirs clear and match no candidate. */
	for (i = 0; i < nc; i++)
		if (c[i].len > 0)
			seen |= (uint64_t)1 << (((unsigned char)c[i].tok[0] * 31u + c[i].len) & 63);
	for (j = 0; j < ls->n; j++) {
		m = 0;
		for (k = 0; k < ls->nspell[j]; k++) {
			const char *t = ls->spell[j][k];
			size_t tl = ls->spell_len[j][k];

			last = nc;
			if (tl == 0 || (seen >> (((unsigned char)t[0] * 31u + tl) & 63) & 1))
				for (i = 0; i < nc; i++)
					if (c[i].len == tl && c[i].tok[0] == t[0] && memcmp(c[i].tok, t, tl) == 0)
						last = i;
			m += last < nc ? e[last] : 0.0;
		}
		if ((int)j == pred)
			mass = m;
		s += m;
	}
	if (e != small)
		free(e);
	*out = s > 0 ? mass / s : mass;
	return 1;
}

/* Is spelling t (of label j) also a spelling of another label? */
static int shared(const struct labelset *ls, size_t j, const char *t, size_t tlen)
{
	size_t o, k;

	for (o = 0; o < ls->n; o++) {
		if (o == j)
			continue;
		for (k = 0; k < ls->nspell[o]; k++)
			if (ls->spell_len[o][k] == tlen && memcmp(ls->spell[o][k], t, tlen) == 0)
				return 1;
	}
	return 0;
}

/* Has label j's spelling k already appeared earlier in its own list? */
static int repeated(const struct labelset *ls, size_t j, size_t k)
{
	size_t e;

	for (e = 0; e < k; e++)
		if (ls->spell_len[j][e] == ls->spell_len[j][k] &&
		    memcmp(ls->spell[j][e], ls->spell[j][k], ls->spell_len[j][k]) == 0)
			return 1;
	return 0;
}

/* Index of the first candidate with the token of candidate i. */
static size_t first_of(const struct cand *c, size_t i)
{
	size_t e;

	for (e = 0; e < i; e++)
		if (same_tok(&c[e], c[i].tok, c[i].len))
			return e;
	return i;
}

/* The fixed rule: each distinct token once (its first logprob), spellings
 * shared by two labels ignored, and unknown unless the generated token is
 * one of the remaining spellings. */
static int conf_fixed(const struct labelset *ls, const struct cand *c, size_t nc,
		      int pred, double *out)
{
	double max, total = 0, s = 0, mass = 0, m;
	size_t i, j, k;
	int first_ok = 0;

	for (j = 0; j < ls->n && !first_ok; j++)
		for (k = 0; k < ls->nspell[j]; k++)
			if (same_tok(&c[0], ls->spell[j][k], ls->spell_len[j][k]) &&
			    !shared(ls, j, c[0].tok, c[0].len)) {
				first_ok = 1;
				break;
			}
	if (!first_ok)
		return 0;
	max = c[0].lp;
	for (i = 1; i < nc; i++)
		if (first_of(c, i) == i && c[i].lp > max)
			max = c[i].lp;
	for (i = 0; i < nc; i++)
		if (first_of(c, i) == i)
			total += exp(c[i].lp - max);
	for (j = 0; j < ls->n; j++) {
		m = 0;
		for (k = 0; k < ls->nspell[j]; k++) {
			const char *t = ls->spell[j][k];
			size_t tl = ls->spell_len[j][k];

			if (repeated(ls, j, k) || shared(ls, j, t, tl))
				continue;
			for (i = 0; i < nc; i++)
				if (same_tok(&c[i], t, tl)) {
					m += exp(c[i].lp - max) / total;
					break;
				}
		}
		if ((int)j == pred)
			mass = m;
		s += m;
	}
	if (!(s > 0))
		return 0;
	*out = mass / s;
	return 1;
}

int label_confidence(const struct labelset *ls, enum conf_mode mode,
		     const struct cand *c, size_t nc, int pred, double *out)
{
	if (mode == CONF_OFF || nc == 0 || pred < 0 || (size_t)pred >= ls->n)
		return 0;
	if (mode == CONF_PUMA)
		return conf_puma(ls, c, nc, pred, out);
	return conf_fixed(ls, c, nc, pred, out);
}

/* One candidate from the tree {"token": string, "logprob": number}. */
static int cand_of(const jv *e, struct cand *c)
{
	const jv *lp = jv_get(e, "logprob");

	c->tok = jv_getstr(e, "token", &c->len);
	if (c->tok == NULL || lp == NULL || lp->t != JNUM)
		return -1;
	c->lp = lp->d;
	return 0;
}

long entry_candidates(struct arena *a, const jv *e, struct cand **out)
{
	const jv *top = jv_get(e, "top_logprobs");
	struct cand *c;
	size_t i, n;

	if (e == NULL || e->t != JOBJ || (top != NULL && top->t != JARR && top->t != JNULL))
		return -1;
	n = 1 + jv_len(top);
	c = arena_alloc(a, n * sizeof(*c));
	if (cand_of(e, &c[0]) < 0)
		return -1;
	for (i = 1; i < n; i++)
		if (jv_item(top, i - 1)->t != JOBJ || cand_of(jv_item(top, i - 1), &c[i]) < 0)
			return -1;
	*out = c;
	return (long)n;
}

/* The slow way, for what the in-place reader leaves to a tree (surrogate
 * escapes): a tree of the first entry alone.  c is on that entry. */
static long first_entry_tree(struct arena *a, struct jcur *c, struct cand **out)
{
	const char *start = c->p;
	char err[128];
	jv *e;

	jcur_skip(c);
	e = json_parse(a, arena_strndup(a, start, (size_t)(c->p - start)), (size_t)(c->p - start),
		       NULL, err, sizeof(err));
	return e != NULL ? entry_candidates(a, e, out) : -1;
}

/* A growing list of candidates in the arena. */
struct cands {
	struct cand *v;
	size_t n, cap;
};

/* A new zeroed candidate at the end of the list (doubling in the arena). */
static struct cand *cand_push(struct arena *a, struct cands *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct cand *w = arena_alloc(a, cap * sizeof(*w));

		if (l->n)
			memcpy(w, l->v, l->n * sizeof(*w));
		l->v = w;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

static int read_entry(struct arena *a, struct jcur *c, struct cands *l, size_t at, int tops);

/* The "top_logprobs" array (or null) at c, each entry read into l. */
static int read_tops(struct arena *a, struct jcur *c, struct cands *l)
{
	int r;

	if ((r = jcur_array(c)) < 0)
		return -1;
	if (r == 0) {
		jcur_skip(c);	/* null, or the empty array's ']' */
		return 0;
	}
	do {
		cand_push(a, l);
		if ((r = read_entry(a, c, l, l->n - 1, 0)) < 0)
			return r;
	} while ((r = jcur_next(c, ']')) > 0);
	return r;
}

/* Read an entry {"token": s, "logprob": x, ...} at c into l->v[at], as a
 * tree would read it: of repeated keys the last counts (json_dedupe, as
 * Python reads them).  With tops, the entry's "top_logprobs" are read into
 * l after it, a repeated one replacing them.  0, -1 when malformed, -2 to
 * leave it to a tree. */
static int read_entry(struct arena *a, struct jcur *c, struct cands *l, size_t at, int tops)
{
	int have_tok = 0, have_lp = 0, r;
	const char *k;
	size_t kl;

	if (jcur_object(c) <= 0)
		return -1;
	do {
		if ((r = jcur_key(a, c, &k, &kl)) < 0)
			return r;
		/* A key of the wrong type counts only when no later one of
		 * that name replaces it. */
		if (kl == 5 && memcmp(k, "token", 5) == 0) {
			if ((r = jcur_string(a, c, &l->v[at].tok, &l->v[at].len)) == -2)
				return r;
			have_tok = r == 0;
			if (r < 0)
				jcur_skip(c);
		} else if (kl == 7 && memcmp(k, "logprob", 7) == 0) {
			have_lp = jcur_number(c, &l->v[at].lp) == 0;
			if (!have_lp)
				jcur_skip(c);
		} else if (tops && kl == 12 && memcmp(k, "top_logprobs", 12) == 0) {
			l->n = at + 1;	/* a repeat replaces the earlier list */
			if ((r = read_tops(a, c, l)) < 0)
				return r;
		} else {
			jcur_skip(c);
		}
	} while ((r = jcur_next(c, '}')) > 0);
	return r == 0 && have_tok && have_lp ? 0 : -1;
}

/* The compact entries puma-infer writes, read by matching their bytes:
 * {"token":"T","logprob":N,"top_logprobs":[{"token":"T","logprob":N},...]}
 * with no whitespace and each key once, in this order.  Anything else is
 * left to the cursor reader above, which reads every form as a tree
 * would; on these the two agree (tests/unit/logprob_diff.c). */

/* Most candidates a compact entry may have (the generated token and its
 * alternatives); an entry with more takes the cursor reader. */
#define COMPACT_MAX 64

/* Past the literal s (n bytes) at p (before end), or NULL when the text
 * there is something else (or p is NULL). */
static const char *past(const char *p, const char *end, const char *s, size_t n)
{
	return p != NULL && (size_t)(end - p) >= n && memcmp(p, s, n) == 0 ? p + n : NULL;
}
#define PAST(p, end, lit) past((p), (end), (lit), sizeof(lit) - 1)

/* The members "token":"T","logprob":N at p (past an opening brace) into
 * c (the logprob's value only with value): past them, or NULL when they
 * are not in the compact form. */
static const char *compact_pair(struct arena *a, const char *p, const char *end, struct cand *c,
				int value)
{
	const char *q;

	if ((p = PAST(p, end, "\"token\":")) == NULL || p >= end || *p != '"')
		return NULL;
	for (q = p + 1; q < end && *q != '"' && *q != '\\'; q++)
		;
	c->tok = p + 1;
	c->len = (size_t)(q - p - 1);
	/* A token with escapes is decoded; one with a surrogate escape is
	 * left to the tree, by way of the cursor reader. */
	if (q >= end)
		return NULL;
	if (*q == '"')
		q++;
	else if (json_string_decode(a, p, end, &c->tok, &c->len, &q) < 0)
		return NULL;
	if ((q = PAST(q, end, ",\"logprob\":")) == NULL)
		return NULL;
	return value ? json_number_scan(q, end, &c->lp) : json_number_end(q, end);
}

/* The compact entry at p: its candidates into c[0..*n) (with values,
 * only c[0], its token, without), past the entry; NULL when it is not in
 * the compact form or has more than COMPACT_MAX candidates. */
static const char *compact_entry(struct arena *a, const char *p, const char *end, struct cand *c,
				 size_t *n, int values)
{
	struct cand skip;

	*n = 1;
	if ((p = compact_pair(a, PAST(p, end, "{"), end, &c[0], values)) == NULL)
		return NULL;
	if (p < end && *p == '}')
		return p + 1;
	if ((p = PAST(p, end, ",\"top_logprobs\":[")) == NULL)
		return NULL;
	if (p < end && *p == ']')
		return PAST(p + 1, end, "}");
	for (;;) {
		struct cand *t = values ? &c[*n] : &skip;

		if (values && *n == COMPACT_MAX)
			return NULL;
		if ((p = PAST(compact_pair(a, PAST(p, end, "{"), end, t, values), end, "}")) == NULL)
			return NULL;
		*n += values != 0;
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		return PAST(p, end, "]}");
	}
}

/* compact_entry() with values, the candidates copied into the arena. */
static long compact_candidates(struct arena *a, const char *p, const char *end, struct cand **out)
{
	struct cand c[COMPACT_MAX];
	size_t n;

	if (compact_entry(a, p, end, c, &n, 1) == NULL)
		return -1;
	*out = arena_alloc(a, n * sizeof(**out));
	memcpy(*out, c, n * sizeof(**out));
	return (long)n;
}

long logprob_candidates(struct arena *a, const char *text, size_t len, struct cand **out)
{
	struct cands l = {NULL, 0, 0};
	struct jcur c;
	long n;
	int r;

	if (jcur_member(&c, text, len) < 0 || (r = jcur_array(&c)) < 0)
		return -1;
	if (r == 0)
		return 0;
	if ((n = compact_candidates(a, c.p, c.end, out)) > 0)
		return n;
	cand_push(a, &l);
	r = read_entry(a, &c, &l, 0, 1);
	if (r == -2) {
		jcur_member(&c, text, len);
		jcur_array(&c);
		return first_entry_tree(a, &c, out);
	}
	if (r < 0)
		return -1;
	*out = l.v;
	return (long)l.n;
}

/* Read entry {"token": s, ...} at c for its token, as a tree would: of
 * repeated "token" keys the last counts.  0 with *tok set, -1 when the
 * entry is no object or its token no string, -2 to leave it to a tree. */
static int entry_token(struct arena *a, struct jcur *c, const char **tok, size_t *len)
{
	int have = 0, r;
	const char *k;
	size_t kl;

	if (jcur_object(c) <= 0)
		return -1;
	do {
		if ((r = jcur_key(a, c, &k, &kl)) < 0)
			return r;
		if (kl == 5 && memcmp(k, "token", 5) == 0) {
			r = jcur_string(a, c, tok, len);
			if (r == -2)
				return r;
			have = r == 0;
			if (r < 0)
				jcur_skip(c);
		} else {
			jcur_skip(c);
		}
	} while ((r = jcur_next(c, '}')) > 0);
	return r == 0 && have ? 0 : -1;
}

/* The entry starting at p, pushed onto the token list l with its place
 * in pos (which grows with l, in the arena; *cap its room): the entry's
 * candidate, for its token. */
static struct cand *token_push(struct arena *a, struct cands *l, const char ***pos, size_t *cap,
			       const char *p)
{
	struct cand *e = cand_push(a, l);

	if (l->cap != *cap) {
		const char **w = arena_alloc(a, l->cap * sizeof(*w));

		if (l->n > 1)
			memcpy(w, *pos, (l->n - 1) * sizeof(*w));
		*pos = w;
		*cap = l->cap;
	}
	(*pos)[l->n - 1] = p;
	return e;
}

/* logprob_tokens() over compact entries alone (c on the first): the
 * count, or -1 when an entry is not compact or the array goes on past
 * them in another form. */
static long compact_tokens(struct arena *a, struct jcur c, struct cand **out, const char ***at)
{
	struct cands l = {NULL, 0, 0};
	const char **pos = NULL, *p = c.p, *next;
	size_t cap = 0, n;

	for (;;) {
		struct cand *e = token_push(a, &l, &pos, &cap, p);

		if ((next = compact_entry(a, p, c.end, e, &n, 0)) == NULL)
			return -1;
		p = next;
		if (p < c.end && *p == ',') {
			p++;
			continue;
		}
		if (p >= c.end || *p != ']')
			return -1;
		*out = l.v;
		*at = pos;
		return (long)l.n;
	}
}

long logprob_tokens(struct arena *a, const char *text, size_t len, struct cand **out,
		    const char ***at)
{
	struct cands l = {NULL, 0, 0};
	const char **pos = NULL;
	size_t cap = 0;
	struct jcur c;
	long n;
	int r;

	if (jcur_member(&c, text, len) < 0 || (r = jcur_array(&c)) < 0)
		return -1;
	if (r == 0)
		return 0;
	if ((n = compact_tokens(a, c, out, at)) > 0)
		return n;
	do {
		struct cand *e = token_push(a, &l, &pos, &cap, c.p);

		if ((r = entry_token(a, &c, &e->tok, &e->len)) < 0)
			return r;
	} while ((r = jcur_next(&c, ']')) > 0);
	if (r < 0)
		return -1;
	*out = l.v;
	*at = pos;
	return (long)l.n;
}

long logprob_entry_candidates(struct arena *a, const char *entry, const char *end,
			      struct cand **out)
{
	struct cands l = {NULL, 0, 0};
	struct jcur c = {entry, end};
	long n;
	int r;

	if ((n = compact_candidates(a, entry, end, out)) > 0)
		return n;
	cand_push(a, &l);
	r = read_entry(a, &c, &l, 0, 1);
	if (r == -2) {
		c.p = entry;
		return first_entry_tree(a, &c, out);
	}
	if (r < 0)
		return -1;
	*out = l.v;
	return (long)l.n;
}
