/* jfast.c - a fast path for json_parse(): a plain recursive-descent reader
 * for the common case of a well-formed record, building exactly the tree
 * (and raw member texts) the yajl path builds.  Anything unusual - an
 * error, a \u escape of a surrogate, a byte sequence that is not strict
 * UTF-8, form feeds or vertical tabs between tokens, very deep nesting -
 * makes it decline, and json_parse() then lets yajl decide and word the
 * message, so acceptance and errors stay yajl's. */
#include "jfast.h"

#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 256

int json_fast_off;

/* Reader state; the tree lives in the arena, raw texts point into text. */
struct fp {
	struct arena *a;
	const char *text;
	char *copy;		/* text copied into the arena: strings without
				 * escapes are NUL-ended in place there */
	const unsigned char *p, *end;
	const char *const *want;
	int depth;
	unsigned long ws;	/* runs of whitespace skipped so far */
	int esc;		/* the last string read had escapes */
};

/* Byte classes inside a string: 0 plain, 1 quote, 2 backslash, 3 control
 * (invalid), 4 start of a multi-byte UTF-8 sequence. */
static unsigned char sclass[256];
static int sclass_ready;

/* The byte classes the string scanner dispatches on: plain, quote,
 * backslash, control (invalid), non-ASCII (checked as UTF-8). */
static void init_classes(void)
{
	int c;

	for (c = 0; c < 256; c++)
		sclass[c] = c < 0x20 ? 3 : c < 0x80 ? 0 : 4;
	sclass['"'] = 1;
	sclass['\\'] = 2;
	sclass_ready = 1;
}

/* Word-at-a-time byte tests (Anderson's bit hacks): does x hold a zero
 * byte, or a byte below n (n <= 128)? */
#define ONES ((uint64_t)0x0101010101010101ULL)
#define HASZERO(x) (((x) - ONES) & ~(x) & (ONES * 0x80))
#define HASLESS(x, n) (((x) - ONES * (n)) & ~(x) & (ONES * 0x80))

/* Length of the strict UTF-8 sequence at p (json.c's rules: no overlongs,
 * no surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	size_t n = (size_t)(end - p);
	unsigned c = p[0];

	if (c >= 0xC2 && c <= 0xDF)
		return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0))
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

/* Skip JSON whitespace, counting the runs (a member with none is compact). */
static void skip_ws_slow(struct fp *f)
{
	const unsigned char *p = f->p;

	while (f->p < f->end && (*f->p == ' ' || *f->p == '\t' || *f->p == '\n' || *f->p == '\r'))
		f->p++;
	if (f->p != p)
		f->ws++;
}

/* Compact JSON has no whitespace: test one byte before calling out. */
#define skip_ws(f) do { \
		if ((f)->p < (f)->end && *(f)->p <= ' ') \
			skip_ws_slow(f); \
	} while (0)

/* The value of a \u escape's hex digit, -1 when it is not one. */
static int hexval(unsigned c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (int)(c - 'A' + 10);
	return -1;
}

/* Read a string at f->p (on its opening quote).  With out, decode it into
 * a fresh arena copy (*out, *outlen).  Returns 0, or -1 to decline. */
static int string(struct fp *f, const char **out, size_t *outlen)
{
	const unsigned char *s = ++f->p, *q = s;
	int escapes = 0;
	char *d;
	size_t k;

	for (;;) {
		/* Eight plain bytes at a time: none may be a quote, a backslash,
		 * a control character or non-ASCII (exact tests, no false
		 * negatives); the byte loop then finds which one it was. */
		while (f->end - q >= 8) {
			uint64_t x, hit;

			memcpy(&x, q, 8);
			hit = HASZERO(x ^ (ONES * '"')) | HASZERO(x ^ (ONES * '\\')) |
			      HASLESS(x, 0x20) | (x & (ONES * 0x80));
			if (hit != 0) {
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
				/* The lowest flagged byte is always a true one. */
				q += __builtin_ctzll(hit) >> 3;
#endif
				break;
			}
			q += 8;
		}
		while (q < f->end && sclass[*q] == 0)
			q++;
		if (q >= f->end)
			return -1;
		switch (sclass[*q]) {
		case 1:
			goto closed;
		case 2:
			escapes = 1;
			if (q + 1 >= f->end)
				return -1;
			if (q[1] == 'u') {
				int i, cp = 0;

				if (q + 5 >= f->end)
					return -1;
				for (i = 2; i < 6; i++) {
					int h = hexval(q[i]);

					if (h < 0)
						return -1;
					cp = cp * 16 + h;
				}
				if (cp >= 0xD800 && cp <= 0xDFFF)
					return -1;
				q += 6;
			} else if (strchr("\"\\/bfnrt", q[1]) != NULL && q[1] != '\0') {
				q += 2;
			} else {
				return -1;
			}
			break;
		case 3:
			return -1;
		default:
			if ((k = utf8_len(q, f->end)) == 0)
				return -1;
			q += k;
		}
	}
closed:
	f->p = q + 1;
	f->esc = escapes;
	if (out == NULL)
		return 0;
	if (!escapes && f->copy != NULL) {
		size_t at = (size_t)((const char *)s - f->text);

		f->copy[at + (size_t)(q - s)] = '\0';	/* the closing quote */
		*out = f->copy + at;
		*outlen = (size_t)(q - s);
		return 0;
	}
	if (!escapes) {
		*out = arena_strndup(f->a, (const char *)s, (size_t)(q - s));
		*outlen = (size_t)(q - s);
		return 0;
	}
	d = arena_alloc(f->a, (size_t)(q - s) + 1);
	*out = d;
	while (s < q) {
		if (*s != '\\') {
			*d++ = (char)*s++;
			continue;
		}
		switch (s[1]) {
		case 'b': *d++ = '\b'; break;
		case 'f': *d++ = '\f'; break;
		case 'n': *d++ = '\n'; break;
		case 'r': *d++ = '\r'; break;
		case 't': *d++ = '\t'; break;
		case 'u': {
			unsigned cp = (unsigned)(hexval(s[2]) << 12 | hexval(s[3]) << 8 |
						 hexval(s[4]) << 4 | hexval(s[5]));

			if (cp < 0x80) {
				*d++ = (char)cp;
			} else if (cp < 0x800) {
				*d++ = (char)(0xC0 | (cp >> 6));
				*d++ = (char)(0x80 | (cp & 0x3F));
			} else {
				*d++ = (char)(0xE0 | (cp >> 12));
				*d++ = (char)(0x80 | ((cp >> 6) & 0x3F));
				*d++ = (char)(0x80 | (cp & 0x3F));
			}
			s += 6;
			continue;
		}
		default: *d++ = (char)s[1]; break;
		}
		s += 2;
	}
	*d = '\0';
	*outlen = (size_t)(d - *out);
	return 0;
}

/* Exact powers of ten: every one up to 1e22 is a double. */
static const double pow10[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* The value of a JSON number's text (length n), as strtod() gives it.
 * Clinger's fast path: when the digits form an integer m < 2^53 and the
 * decimal exponent e has |e| <= 22, m and 10^|e| are exact doubles and one
 * correctly rounded multiplication or division gives the correctly rounded
 * result.  Anything else goes to strtod(). */
double json_number_value(const char *s, size_t n)
{
	const char *p = s, *end = s + n;
	uint64_t m = 0;
	int neg = 0, digits = 0, e = 0, esign = 1, ev = 0, edigits = 0;
	double v;

#if FLT_EVAL_METHOD == 0
	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (m || *p != '0')
			digits++;
		m = m * 10 + (uint64_t)(*p - '0');
		if (digits > 18)
			goto slow;
	}
	if (p < end && *p == '.')
		for (p++; p < end && *p >= '0' && *p <= '9'; p++) {
			if (m || *p != '0')
				digits++;
			m = m * 10 + (uint64_t)(*p - '0');
			e--;
			if (digits > 18)
				goto slow;
		}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			esign = *p++ == '-' ? -1 : 1;
		for (; p < end && *p >= '0' && *p <= '9'; p++) {
			ev = ev * 10 + (*p - '0');
			if (++edigits > 4)
				goto slow;
		}
		e += esign * ev;
	}
	if (m > ((uint64_t)1 << 53) || e > 22 || e < -22)
		goto slow;
	v = (double)m;
	if (e > 0)
		v *= pow10[e];
	else if (e < 0)
		v /= pow10[-e];
	return neg ? -v : v;
slow:
#endif
	(void)neg, (void)digits, (void)e, (void)esign, (void)ev, (void)edigits, (void)m, (void)v;
	return strtod(s, NULL);
}

/* Read a number by JSON's grammar (which is yajl's); -1 to decline. */
static int number(struct fp *f, jv **out)
{
	const unsigned char *s = f->p, *q = s;
	jv *v;

	if (q < f->end && *q == '-')
		q++;
	if (q < f->end && *q == '0')
		q++;
	else if (q < f->end && *q >= '1' && *q <= '9')
		while (q < f->end && *q >= '0' && *q <= '9')
			q++;
	else
		return -1;
	if (q < f->end && *q == '.') {
		const unsigned char *r = ++q;

		while (q < f->end && *q >= '0' && *q <= '9')
			q++;
		if (q == r)
			return -1;
	}
	if (q < f->end && (*q == 'e' || *q == 'E')) {
		const unsigned char *r;

		q++;
		if (q < f->end && (*q == '+' || *q == '-'))
			q++;
		r = q;
		while (q < f->end && *q >= '0' && *q <= '9')
			q++;
		if (q == r)
			return -1;
	}
	f->p = q;
	if (out == NULL)
		return 0;
	v = arena_alloc(f->a, sizeof(*v));
	memset(v, 0, sizeof(*v));
	v->t = JNUM;
	v->raw = arena_strndup(f->a, (const char *)s, (size_t)(q - s));
	v->n = (size_t)(q - s);
	v->d = json_number_value(v->raw, v->n);
	*out = v;
	return 0;
}

/* Room for one more member, grown by doubling as json.c grows objects. */
static struct jmember *new_member(struct arena *a, jv *obj, int top)
{
	struct jmember *m;

	if (obj->n == obj->cap) {
		/* A record's top level has a dozen or two members. */
		size_t ncap = obj->cap ? obj->cap * 2 : top ? 32 : 8;

		m = arena_alloc(a, ncap * sizeof(*m));
		if (obj->n)
			memcpy(m, obj->u.mem, obj->n * sizeof(*m));
		obj->u.mem = m;
		obj->cap = ncap;
	}
	m = &obj->u.mem[obj->n++];
	memset(m, 0, sizeof(*m));
	return m;
}

/* The want list of the last call, with each key's length and a table of
 * first bytes: tools pass the same list for every record. */
static const char *const *want_seen;
static size_t want_len[64], want_n;
static unsigned char want_first[256];

/* Index the wanted keys by first byte and length, so a key that is not
 * wanted is turned away without a string comparison. */
static void want_index(const char *const *want)
{
	want_seen = want;
	memset(want_first, 0, sizeof(want_first));
	for (want_n = 0; want != NULL && want[want_n] != NULL && want_n < 64; want_n++) {
		want_len[want_n] = strlen(want[want_n]);
		want_first[(unsigned char)want[want_n][0]] = 1;
	}
	if (want != NULL && want[want_n] != NULL)
		want_seen = NULL;	/* too long to index: compare all */
}

/* Does the want list name this top-level key (NULL list: every key)? */
static int wanted(const struct fp *f, const char *key, size_t klen)
{
	const char *const *w;
	size_t i;

	if (f->want == NULL)
		return 1;
	/* The yajl path compares with strcmp(): a key holding a NUL byte
	 * (only an escape makes one) counts up to it, so such keys take that
	 * comparison.  f->esc is still the key's: its value is not read yet. */
	if (f->want == want_seen && (!f->esc || memchr(key, '\0', klen) == NULL)) {
		if (!want_first[(unsigned char)key[0]])
			return 0;
		for (i = 0; i < want_n; i++)
			if (want_len[i] == klen && memcmp(f->want[i], key, klen) == 0)
				return 1;
		return 0;
	}
	for (w = f->want; *w != NULL; w++)
		if (strcmp(*w, key) == 0)
			return 1;
	return 0;
}

static int value(struct fp *f, jv **out);

/* An object at f->p; top-level members keep their raw text, and only
 * wanted ones get a tree. */
static int object(struct fp *f, jv **out)
{
	int top = f->depth == 1;
	jv *obj = out ? jv_obj(f->a) : NULL;

	f->p++;
	skip_ws(f);
	if (f->p < f->end && *f->p == '}') {
		f->p++;
		if (out)
			*out = obj;
		return 0;
	}
	for (;;) {
		const unsigned char *kstart = f->p;
		unsigned long ws = f->ws;
		const char *key = NULL;
		size_t klen = 0;
		struct jmember *m = NULL;
		int build;

		if (f->p >= f->end || *f->p != '"')
			return -1;
		if (string(f, obj ? &key : NULL, &klen) < 0)
			return -1;
		skip_ws(f);
		if (f->p >= f->end || *f->p != ':')
			return -1;
		f->p++;
		skip_ws(f);
		build = obj != NULL && (!top || wanted(f, key, klen));
		if (obj) {
			m = new_member(f->a, obj, top);
			m->key = key;
			m->klen = klen;
		}
		if (value(f, build ? &m->val : NULL) < 0)
			return -1;
		if (top && m) {
			m->raw = (const char *)kstart;
			m->rawlen = (size_t)(f->p - kstart);
			m->compact = f->ws == ws;
		}
		skip_ws(f);
		if (f->p < f->end && *f->p == ',') {
			f->p++;
			skip_ws(f);
			continue;
		}
		if (f->p < f->end && *f->p == '}') {
			f->p++;
			break;
		}
		return -1;
	}
	if (obj)
		json_dedupe(obj);
	if (out)
		*out = obj;
	return 0;
}

/* An array at f->p; items get trees when out is not NULL. */
static int array(struct fp *f, jv **out)
{
	jv *arr = out ? jv_arr(f->a) : NULL;

	f->p++;
	skip_ws(f);
	if (f->p < f->end && *f->p == ']') {
		f->p++;
		if (out)
			*out = arr;
		return 0;
	}
	for (;;) {
		jv *item = NULL;

		if (value(f, arr ? &item : NULL) < 0)
			return -1;
		if (arr)
			jv_push(f->a, arr, item);
		skip_ws(f);
		if (f->p < f->end && *f->p == ',') {
			f->p++;
			skip_ws(f);
			continue;
		}
		if (f->p < f->end && *f->p == ']') {
			f->p++;
			break;
		}
		return -1;
	}
	if (out)
		*out = arr;
	return 0;
}

/* true, false or null spelled out in full, or the fast path gives up. */
static int literal(struct fp *f, const char *word, jv *v, jv **out)
{
	size_t n = strlen(word);

	if ((size_t)(f->end - f->p) < n || memcmp(f->p, word, n) != 0)
		return -1;
	f->p += n;
	if (out)
		*out = v;
	return 0;
}

/* One value at f->p; with out NULL it is only checked. */
static int value(struct fp *f, jv **out)
{
	int r;

	if (f->p >= f->end)
		return -1;
	switch (*f->p) {
	case '{':
	case '[':
		if (++f->depth > MAX_DEPTH)
			return -1;
		r = *f->p == '{' ? object(f, out) : array(f, out);
		f->depth--;
		return r;
	case '"': {
		const char *s;
		size_t len;

		if (out == NULL)
			return string(f, NULL, NULL);
		if (string(f, &s, &len) < 0)
			return -1;
		*out = arena_alloc(f->a, sizeof(jv));
		memset(*out, 0, sizeof(jv));
		(*out)->t = JSTR;
		(*out)->u.s = s;
		(*out)->n = len;
		return 0;
	}
	case 't':
		return literal(f, "true", &json_true_v, out);
	case 'f':
		return literal(f, "false", &json_false_v, out);
	case 'n':
		return literal(f, "null", &json_null_v, out);
	default:
		return number(f, out);
	}
}

jv *json_parse_fast(struct arena *a, const char *text, size_t len, const char *const *want)
{
	struct fp f;
	jv *root = NULL;

	if (!sclass_ready)
		init_classes();
	f.a = a;
	f.text = text;
	f.p = (const unsigned char *)text;
	f.end = f.p + len;
	f.want = want;
	f.depth = 0;
	f.ws = 0;
	f.copy = arena_alloc(a, len + 1);
	memcpy(f.copy, text, len);
	f.copy[len] = '\0';
	if (want != NULL && want != want_seen)
		want_index(want);
	skip_ws(&f);
	if (value(&f, &root) < 0)
		return NULL;
	skip_ws(&f);
	return f.p == f.end ? root : NULL;
}

int json_string_decode(struct arena *a, const char *p, const char *end, const char **out,
		       size_t *len, const char **next)
{
	struct fp f;

	if (!sclass_ready)
		init_classes();
	memset(&f, 0, sizeof(f));
	f.a = a;
	f.p = (const unsigned char *)p;
	f.end = (const unsigned char *)end;
	if (p >= end || *p != '"' || string(&f, out, len) < 0)
		return -1;
	*next = (const char *)f.p;
	return 0;
}
