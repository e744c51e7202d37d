/* jfast.c - a fast path for json_parse(): a plain recursive-descent reader
 * for the common case of a well-formed record, building exactly the tree
 * (and raw member texts) the yajl path builds.  Anything unusual - an
 * error, a \u escape of a surrogate, a byte sequence that is not strict
 * UTF-8, form feeds or vertical tabs between tokens, very deep nesting -
 * makes it decline, and json_parse() then lets yajl decide and word the
 * message, so acceptance and errors stay yajl's.  The members a tool does
 * not want are checked just as strictly, by a walk over the structural
 * index of the text (jscan.c) that builds nothing.
 *
 * Also here: the cursor (struct jcur), which reads a little of a member's
 * text already checked, in place. */
#include "jfast.h"
#include "jscan.h"

#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define MAX_DEPTH 256

/* The scanners of the inner loops, inlined where the compiler allows. */
#if defined(__GNUC__)
#define HOT static inline __attribute__((always_inline))
#else
#define HOT static inline
#endif

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
	struct jindex ix;	/* the text's structural index, once skip() */
	int indexed;		/* ... has needed it */
};

/* Byte classes inside a string: 0 plain, 1 quote, 2 backslash, 3 control
 * (invalid), 4 start of a multi-byte UTF-8 sequence. */
static unsigned char sclass[256];
/* The letters that may follow a backslash, \\u apart. */
static unsigned char simple_escape[256];
static int sclass_ready;

static void init_walk(void);

/* The byte classes the string scanner dispatches on: plain, quote,
 * backslash, control (invalid), non-ASCII (checked as UTF-8). */
static void init_classes(void)
{
	int c;

	for (c = 0; c < 256; c++)
		sclass[c] = c < 0x20 ? 3 : c < 0x80 ? 0 : 4;
	sclass['"'] = 1;
	sclass['\\'] = 2;
	for (c = 0; "\"\\/bfnrt"[c] != '\0'; c++)
		simple_escape[(unsigned char)"\"\\/bfnrt"[c]] = 1;
	init_walk();
	sclass_ready = 1;
}

/* Word-at-a-time byte tests (Anderson's bit hacks): does x hold a zero
 * byte, or a byte below n (n <= 128)? */
#define ONES ((uint64_t)0x0101010101010101ULL)
#define HASZERO(x) (((x) - ONES) & ~(x) & (ONES * 0x80))
#define HASLESS(x, n) (((x) - ONES * (n)) & ~(x) & (ONES * 0x80))

/* The first byte at or after q that is not plain string content (a
 * quote, a backslash, a control character or non-ASCII), or end.  Most of
 * a record is string bytes, so this loop is most of the reading. */
HOT const unsigned char *plain_run(const unsigned char *q, const unsigned char *end)
{
#if defined(__SSE2__)
	/* Sixteen bytes at a time; as signed bytes, non-ASCII ones are below
	 * 0x20 too. */
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
	const __m128i space = _mm_set1_epi8(0x20);

	while (end - q >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);
		int hit = _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote),
								     _mm_cmpeq_epi8(x, bslash)),
							 _mm_cmplt_epi8(x, space)));

		if (hit != 0)
			return q + __builtin_ctz((unsigned)hit);
		q += 16;
	}
#endif
	/* Eight bytes at a time (exact tests, no false negatives); the byte
	 * loop then finds which one it was. */
	while (end - q >= 8) {
		uint64_t x, hit;

		memcpy(&x, q, 8);
		hit = HASZERO(x ^ (ONES * '"')) | HASZERO(x ^ (ONES * '\\')) |
		      HASLESS(x, 0x20) | (x & (ONES * 0x80));
		if (hit != 0) {
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			/* The lowest flagged byte is always a true one. */
			return q + (__builtin_ctzll(hit) >> 3);
#else
			break;
#endif
		}
		q += 8;
	}
	while (q < end && sclass[*q] == 0)
		q++;
	return q;
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

/* string_end() from the first byte that is not plain (a quote, an
 * escape, a control character or non-ASCII) onwards. */
static const unsigned char *string_rest(const unsigned char *q, const unsigned char *end,
					int *escapes)
{
	size_t k;

	for (;;) {
		if (q >= end)
			return NULL;
		if (*q == '"')
			return q;
		if (*q == '\\') {
			*escapes = 1;
			if (q + 1 >= end)
				return NULL;
			if (q[1] == 'u') {
				int i, cp = 0;

				if (q + 5 >= end)
					return NULL;
				for (i = 2; i < 6; i++) {
					int h = jscan_hexval(q[i]);

					if (h < 0)
						return NULL;
					cp = cp * 16 + h;
				}
				if (cp >= 0xD800 && cp <= 0xDFFF)
					return NULL;
				q += 6;
			} else if (simple_escape[q[1]]) {
				q += 2;
			} else {
				return NULL;
			}
		} else if (*q < 0x20 || (k = jscan_utf8_len(q, end)) == 0) {
			return NULL;
		} else {
			q += k;
		}
		q = plain_run(q, end);
	}
}

/* The closing quote of the string whose contents start at q, with the
 * contents checked (escapes, control characters, strict UTF-8); NULL to
 * decline.  *escapes is set when it holds any.  Inline for the common
 * short plain string; the rest is a call. */
HOT const unsigned char *string_end(const unsigned char *q, const unsigned char *end,
					      int *escapes)
{
	q = plain_run(q, end);
	if (q < end && *q == '"')
		return q;
	return string_rest(q, end, escapes);
}

/* Read a string at f->p (on its opening quote).  With out, decode it into
 * a fresh arena copy (*out, *outlen).  Returns 0, or -1 to decline. */
static int string(struct fp *f, const char **out, size_t *outlen)
{
	const unsigned char *s = ++f->p, *q;
	int escapes = 0;
	char *d;

	if ((q = string_end(s, f->end, &escapes)) == NULL)
		return -1;
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
			unsigned cp = (unsigned)(jscan_hexval(s[2]) << 12 | jscan_hexval(s[3]) << 8 |
						 jscan_hexval(s[4]) << 4 | jscan_hexval(s[5]));

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
	int neg = 0, nd = 0, e = 0, esign = 1, ev = 0, edigits = 0;
	double v;

#if FLT_EVAL_METHOD == 0
	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	/* The significant digits (leading zeros apart) into m, the decimal
	 * point counted in e; with more than 18 of them m may have wrapped,
	 * and strtod() decides. */
	while (p < end && *p == '0')
		p++;
	for (; p < end && (unsigned)(*p - '0') < 10; p++, nd++)
		m = m * 10 + (uint64_t)(*p - '0');
	if (p < end && *p == '.') {
		for (p++; nd == 0 && p < end && *p == '0'; p++)
			e--;
		for (; p < end && (unsigned)(*p - '0') < 10; p++, nd++, e--)
			m = m * 10 + (uint64_t)(*p - '0');
	}
	if (nd > 18)
		goto slow;
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
	(void)neg, (void)nd, (void)e, (void)esign, (void)ev, (void)edigits, (void)m, (void)v;
	return strtod(s, NULL);
}

#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SWAR_DIGITS 1
/* How many of the eight bytes of x (in memory order) are decimal digits
 * before the first that is not.  A byte is a digit when its high nibble
 * is 3 and adding 6 keeps it so; a carry out of a byte can only spoil the
 * test of a later byte than the first non-digit, which is the one wanted. */
static inline unsigned lead_digits(uint64_t x)
{
	const uint64_t hi = ONES * 0xF0, three = ONES * 0x30;
	uint64_t nd = ((x & hi) ^ three) | (((x + ONES * 6) & hi) ^ three);

	/* The high bit of each byte of nd that is not zero. */
	nd = (((nd & (ONES * 0x7F)) + ONES * 0x7F) | nd) & (ONES * 0x80);
	return nd == 0 ? 8 : (unsigned)__builtin_ctzll(nd) >> 3;
}
#endif

/* Past the run of decimal digits at q, eight bytes at a time where the
 * byte order allows. */
HOT const unsigned char *digits(const unsigned char *q, const unsigned char *end)
{
#if defined(SWAR_DIGITS)
	while (end - q >= 8) {
		uint64_t x;
		unsigned k;

		memcpy(&x, q, 8);
		if ((k = lead_digits(x)) < 8)
			return q + k;
		q += 8;
	}
#endif
	while (q < end && *q >= '0' && *q <= '9')
		q++;
	return q;
}

/* The end of the number at q by JSON's grammar (which is yajl's), or NULL
 * when there is none. */
HOT const unsigned char *number_end(const unsigned char *q, const unsigned char *end)
{
	const unsigned char *r;

	if (q < end && *q == '-')
		q++;
	if (q < end && *q == '0')
		q++;
	else if (q < end && *q >= '1' && *q <= '9')
		q = digits(q + 1, end);
	else
		return NULL;
	if (q < end && *q == '.') {
		r = ++q;
		if ((q = digits(q, end)) == r)
			return NULL;
	}
	if (q < end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < end && (*q == '+' || *q == '-'))
			q++;
		r = q;
		if ((q = digits(q, end)) == r)
			return NULL;
	}
	return q;
}

const char *json_number_end(const char *p, const char *end)
{
	return (const char *)number_end((const unsigned char *)p, (const unsigned char *)end);
}

#if defined(SWAR_DIGITS)
/* The value of the first n (1..8) bytes of x, decimal digits in memory
 * order: moved to the top of the word (zeros, leading zeros of the value,
 * below), then pairs, fours and eights of digits combined in place. */
static uint64_t swar_value(uint64_t x, unsigned n)
{
	x = (x - ONES * '0') << (8 * (8 - n));
	x = (x * 10 + (x >> 8)) & 0x00FF00FF00FF00FFULL;
	x = (x * 100 + (x >> 16)) & 0x0000FFFF0000FFFFULL;
	return (x * 10000 + (x >> 32)) & 0xFFFFFFFFULL;
}
#endif

const char *json_number_scan(const char *p, const char *end, double *v)
{
	const unsigned char *q = (const unsigned char *)p, *e = (const unsigned char *)end;
	uint64_t m = 0;
	int neg = 0, nd = 0, frac = 0;

	/* The common short decimal in one pass: a sign, digits (no leading
	 * zero unless alone), a fraction, at most 18 digits in all, and no
	 * exponent; its value by Clinger's fast path as in
	 * json_number_value().  Anything else takes the two passes. */
#if FLT_EVAL_METHOD == 0
	if (q < e && *q == '-') {
		neg = 1;
		q++;
	}
	if (q < e && *q == '0') {
		q++;
	} else {
		for (; q < e && (unsigned)(*q - '0') < 10 && nd < 19; q++, nd++)
			m = m * 10 + (uint64_t)(*q - '0');
		if (nd == 0)
			return NULL;
	}
	if (nd < 19 && q < e && *q == '.') {
		q++;
#if defined(SWAR_DIGITS)
		/* Up to seven fraction digits in one step. */
		if (e - q >= 8 && nd < 12) {
			static const uint64_t p10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000};
			uint64_t x;
			unsigned k;

			memcpy(&x, q, 8);
			if ((k = lead_digits(x)) > 0 && k < 8) {
				m = m * p10[k] + swar_value(x, k);
				q += k;
				nd += (int)k;
				frac += (int)k;
			}
		}
#endif
		for (; q < e && (unsigned)(*q - '0') < 10 && nd < 19; q++, nd++, frac++)
			m = m * 10 + (uint64_t)(*q - '0');
		if (frac == 0 && nd < 19)
			return NULL;
	}
	if (nd < 19 && frac <= 22 && m <= ((uint64_t)1 << 53) &&
	    (q == e || (*q != 'e' && *q != 'E' && (unsigned)(*q - '0') >= 10))) {
		double d = (double)m;

		if (frac > 0)
			d /= pow10[frac];
		*v = neg ? -d : d;
		return (const char *)q;
	}
#endif
	(void)neg, (void)nd, (void)frac, (void)m;
	if ((q = number_end((const unsigned char *)p, e)) == NULL)
		return NULL;
	*v = json_number_value(p, (size_t)((const char *)q - p));
	return (const char *)q;
}

/* Read a number by JSON's grammar (which is yajl's); -1 to decline. */
static int number(struct fp *f, jv **out)
{
	const unsigned char *s = f->p, *q = number_end(s, f->end);
	jv *v;

	if (q == NULL)
		return -1;
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
static uint64_t want_first[256];	/* bit i: want[i] starts with the byte */

/* Index the wanted keys by first byte and length, so a key that is not
 * wanted is turned away without a string comparison. */
static void want_index(const char *const *want)
{
	want_seen = want;
	memset(want_first, 0, sizeof(want_first));
	for (want_n = 0; want != NULL && want[want_n] != NULL && want_n < 64; want_n++) {
		want_len[want_n] = strlen(want[want_n]);
		want_first[(unsigned char)want[want_n][0]] |= (uint64_t)1 << want_n;
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
		uint64_t m = want_first[(unsigned char)key[0]];

		for (; m != 0; m &= m - 1) {
			i = (size_t)jscan_ctz64(m);
			if (want_len[i] == klen && memcmp(f->want[i], key, klen) == 0)
				return 1;
		}
		return 0;
	}
	for (w = f->want; *w != NULL; w++)
		if (strcmp(*w, key) == 0)
			return 1;
	return 0;
}

static int value(struct fp *f, jv **out);

/* Past the whitespace at p: JSON's four bytes, with wide also form feed
 * and vertical tab (which yajl takes); *runs counts the runs. */
static const unsigned char *ws_run(const unsigned char *p, const unsigned char *end, int wide,
				   unsigned long *runs)
{
	const unsigned char *s = p;

	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
			   (wide && (*p == '\f' || *p == '\v'))))
		p++;
	*runs += p != s;
	return p;
}

/* After an item of a container that closes with close, at *pp: 1 past a
 * comma and the whitespace after it, 0 past close, -1 on anything else. */
HOT int item_end(const unsigned char **pp, const unsigned char *end, unsigned char close,
		 int wide, unsigned long *runs)
{
	const unsigned char *p = *pp;
	int r = -1;

	/* Compact text: a comma, no whitespace after it. */
	if (end - p >= 2 && *p == ',' && p[1] > ' ') {
		*pp = p + 1;
		return 1;
	}
	p = ws_run(p, end, wide, runs);

	if (p < end && (*p == ',' || *p == close)) {
		r = *p++ == ',';
		if (r)
			p = ws_run(p, end, wide, runs);
	}
	*pp = p;
	return r;
}

static int next_item(struct fp *f, unsigned char close)
{
	return item_end(&f->p, f->end, close, 0, &f->ws);
}

/* A key and its colon at f->p, the key decoded when out is not NULL. */
static int key(struct fp *f, const char **out, size_t *len)
{
	if (f->p >= f->end || *f->p != '"' || string(f, out, len) < 0)
		return -1;
	skip_ws(f);
	if (f->p >= f->end || *f->p != ':')
		return -1;
	f->p++;
	skip_ws(f);
	return 0;
}

/* An object at f->p; top-level members keep their raw text, and only
 * wanted ones get a tree. */
static int object(struct fp *f, jv **out)
{
	int top = f->depth == 1, r;
	jv *obj = jv_obj(f->a);

	f->p++;
	skip_ws(f);
	if (f->p < f->end && *f->p == '}') {
		f->p++;
		*out = obj;
		return 0;
	}
	do {
		const unsigned char *kstart = f->p;
		unsigned long ws = f->ws;
		struct jmember *m;
		const char *k = NULL;
		size_t klen = 0;

		if (key(f, &k, &klen) < 0)
			return -1;
		m = new_member(f->a, obj, top);
		m->key = k;
		m->klen = klen;
		if (value(f, !top || wanted(f, k, klen) ? &m->val : NULL) < 0)
			return -1;
		if (top) {
			m->raw = (const char *)kstart;
			m->rawlen = (size_t)(f->p - kstart);
			m->compact = f->ws == ws;
		}
	} while ((r = next_item(f, '}')) > 0);
	if (r < 0)
		return -1;
	json_dedupe(obj);
	*out = obj;
	return 0;
}

/* An array at f->p, with a tree for each item. */
static int array(struct fp *f, jv **out)
{
	jv *arr = jv_arr(f->a);
	int r;

	f->p++;
	skip_ws(f);
	if (f->p < f->end && *f->p == ']') {
		f->p++;
		*out = arr;
		return 0;
	}
	do {
		jv *item = NULL;

		if (value(f, &item) < 0)
			return -1;
		jv_push(f->a, arr, item);
	} while ((r = next_item(f, ']')) > 0);
	if (r < 0)
		return -1;
	*out = arr;
	return 0;
}

/* true, false or null spelled out in full, or the fast path gives up. */
static int literal(struct fp *f, const char *word, size_t n, jv *v, jv **out)
{
	if ((size_t)(f->end - f->p) < n || memcmp(f->p, word, n) != 0)
		return -1;
	f->p += n;
	if (out)
		*out = v;
	return 0;
}

/* The walk over a value that is checked but not kept: from token to token
 * of the structural index, with the containers still open on a stack.
 * Strings were checked whole by the index; numbers and literals are
 * checked here, and the order of the tokens by a table. */

/* Token classes. */
enum { T_OBJ, T_ARR, T_OCLOSE, T_ACLOSE, T_COLON, T_COMMA, T_STR, T_SCALAR };
/* Where the walk stands: in an object before its first key (or '}'),
 * before a later key, before a colon, before a member's value, after it;
 * in an array before its first item (or ']'), before a later item, after
 * one; and past the value walked. */
enum { W_OKEY0, W_OKEY, W_COLON, W_OVAL, W_ONEXT, W_AVAL0, W_AVAL, W_ANEXT, W_DONE };
/* An entry of the table: the next state (bits 0-3) and the action (bits
 * 4-6): open a container, close one, check a number or literal, refuse.
 * An opening bracket enters the container; the state to return to when it
 * closes follows from the state it opened in. */
#define W_PUSH (1 << 4)
#define W_POP (2 << 4)
#define W_SCALAR (3 << 4)
#define W_ERR (4 << 4)
static const unsigned char walk_next[8][8] = {
	[W_OKEY0] = {W_ERR, W_ERR, W_POP, W_ERR, W_ERR, W_ERR, W_COLON, W_ERR},
	[W_OKEY] = {W_ERR, W_ERR, W_ERR, W_ERR, W_ERR, W_ERR, W_COLON, W_ERR},
	[W_COLON] = {W_ERR, W_ERR, W_ERR, W_ERR, W_OVAL, W_ERR, W_ERR, W_ERR},
	[W_OVAL] = {W_PUSH | W_OKEY0, W_PUSH | W_AVAL0, W_ERR, W_ERR, W_ERR, W_ERR,
		    W_ONEXT, W_SCALAR | W_ONEXT},
	[W_ONEXT] = {W_ERR, W_ERR, W_POP, W_ERR, W_ERR, W_OKEY, W_ERR, W_ERR},
	[W_AVAL0] = {W_PUSH | W_OKEY0, W_PUSH | W_AVAL0, W_ERR, W_POP, W_ERR, W_ERR,
		     W_ANEXT, W_SCALAR | W_ANEXT},
	[W_AVAL] = {W_PUSH | W_OKEY0, W_PUSH | W_AVAL0, W_ERR, W_ERR, W_ERR, W_ERR,
		    W_ANEXT, W_SCALAR | W_ANEXT},
	[W_ANEXT] = {W_ERR, W_ERR, W_ERR, W_POP, W_ERR, W_AVAL, W_ERR, W_ERR},
};
/* The same by the token's first byte: byte s of walk_row[b] is
 * walk_next[s][class of b].  The byte is known before the state is, so
 * the state's turn costs a shift rather than a load. */
static uint64_t walk_row[256];

/* A byte's token class, and the bytes that may follow a number or a
 * literal. */
static unsigned char tclass[256], delim[256];

static void init_walk(void)
{
	int c;

	for (c = 0; c < 256; c++)
		tclass[c] = T_SCALAR;
	tclass['{'] = T_OBJ;
	tclass['['] = T_ARR;
	tclass['}'] = T_OCLOSE;
	tclass[']'] = T_ACLOSE;
	tclass[':'] = T_COLON;
	tclass[','] = T_COMMA;
	tclass['"'] = T_STR;
	for (c = 0; c < 256; c++) {
		int st;

		for (st = 0, walk_row[c] = 0; st < 8; st++)
			walk_row[c] |= (uint64_t)walk_next[st][tclass[c]] << (8 * st);
	}
	for (c = 0; " \t\n\r{}[]:,\""[c] != '\0'; c++)
		delim[(unsigned char)" \t\n\r{}[]:,\""[c]] = 1;
}

/* number_end() for the common number that fits in sixteen bytes: a sign,
 * integer digits (no leading zero), a fraction; the digits found as a
 * mask of the sixteen bytes.  Anything else (an exponent, a longer number,
 * a leading zero, the text's last bytes) takes number_end(). */
static const unsigned char *number_quick(const unsigned char *p, const unsigned char *end)
{
#if defined(__SSE2__) && defined(__GNUC__)
	if (end - p >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		/* Digits: '0' <= byte <= '9', as signed bytes (no byte above 0x7f
		 * passes). */
		__m128i dg = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)),
					   _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
		unsigned nd = ~(unsigned)_mm_movemask_epi8(dg);	/* bits 16 and up set */
		unsigned s = *p == '-', q, n;

		n = (unsigned)__builtin_ctz(nd >> s);
		q = s + n;
		if (n == 0 || (p[s] == '0' && n > 1))
			return number_end(p, end);
		if (p[q] == '.') {
			n = (unsigned)__builtin_ctz(nd >> (q + 1));
			if (n == 0)
				return number_end(p, end);
			q += 1 + n;
		}
		if (q < 16 && p[q] != 'e' && p[q] != 'E')
			return p + q;
	}
#endif
	return number_end(p, end);
}

/* The end of the number or literal at p, which must be followed by the end
 * of the text, whitespace or a structural character; NULL when it is not
 * one. */
static const unsigned char *scalar_end(const unsigned char *p, const unsigned char *end)
{
	const unsigned char *q;

	switch (*p) {
	case 't':
		q = end - p >= 4 && memcmp(p, "true", 4) == 0 ? p + 4 : NULL;
		break;
	case 'n':
		q = end - p >= 4 && memcmp(p, "null", 4) == 0 ? p + 4 : NULL;
		break;
	case 'f':
		q = end - p >= 5 && memcmp(p, "false", 5) == 0 ? p + 5 : NULL;
		break;
	default:
		q = number_quick(p, end);
	}
	return q != NULL && (q == end || delim[*q]) ? q : NULL;
}

/* The bits of word w above bit i. */
#define ABOVE(w, i) ((w) & ~(((uint64_t)2 << ((i) & 63)) - 1))

/* Past the container whose opening bracket is at offset at: the offset
 * after its closing one, or 0 when it is not well formed (or too deep). */
static size_t walk(const struct fp *f, size_t at)
{
	const struct jindex *ix = &f->ix;
	const unsigned char *text = ix->text, *end = text + ix->len;
	unsigned char back[MAX_DEPTH];
	size_t b = at >> 6, i;
	uint64_t bits = ABOVE(ix->tok[b], at);
	unsigned s = text[at] == '{' ? W_OKEY0 : W_AVAL0, t;
	int d = 0;

	if (f->depth + 1 > MAX_DEPTH)
		return 0;
	back[d++] = W_DONE;
	for (;;) {
		while (bits == 0) {
			if (++b >= ix->nblk)
				return 0;
			bits = ix->tok[b];
		}
		i = (b << 6) + (size_t)jscan_ctz64(bits);
		bits &= bits - 1;
		t = (unsigned)(walk_row[text[i]] >> (8 * s)) & 0xFF;
		if (t < 16) {
			s = t;
			if (s != W_OKEY)
				continue;
			goto key;
		}
		switch (t & 0xF0) {
		case W_PUSH:
			if (f->depth + d + 1 > MAX_DEPTH)
				return 0;
			back[d++] = (unsigned char)(s == W_OVAL ? W_ONEXT : W_ANEXT);
			s = t & 15;
			if (s == W_OKEY0)
				goto key;
			break;
		case W_POP:
			s = back[--d];
			if (d == 0)
				return i + 1;
			break;
		case W_SCALAR:
			s = t & 15;
			if (scalar_end(text + i, end) == NULL)
				return 0;
			break;
		default:
			return 0;
		}
		continue;
key:
		/* Before a key: whole members of this word in one step each,
		 * while they are a string, a colon, a string, number or literal
		 * and a comma (the next member follows) or the closing brace.
		 * The strings were checked by the index, the scalar is checked
		 * here; a member that opens a container, ends the word or
		 * holds anything else goes to the table from where it stops. */
		for (;;) {
			uint64_t r1, r2, r3;
			size_t base = b << 6, k3, k4;
			unsigned char v;

			if (bits == 0 || (r1 = bits & (bits - 1)) == 0 ||
			    text[base + (size_t)jscan_ctz64(bits)] != '"' ||
			    text[base + (size_t)jscan_ctz64(r1)] != ':')
				break;
			r2 = r1 & (r1 - 1);
			s = W_OVAL;
			bits = r2;
			if (r2 == 0 || (r3 = r2 & (r2 - 1)) == 0)
				break;
			k3 = base + (size_t)jscan_ctz64(r2);
			v = text[k3];
			if (v == '{' || v == '[')
				break;
			if (v != '"' && scalar_end(text + k3, end) == NULL)
				return 0;
			k4 = base + (size_t)jscan_ctz64(r3);
			bits = r3;
			s = W_ONEXT;
			if (text[k4] == ',') {
				bits = r3 & (r3 - 1);
				s = W_OKEY;
				continue;
			}
			if (text[k4] == '}') {
				bits = r3 & (r3 - 1);
				s = back[--d];
				if (d == 0)
					return k4 + 1;
			}
			break;
		}
	}
}

/* Is any bit of the bitmap w set in [from, to)? */
static int any_bit(const uint64_t *w, size_t from, size_t to)
{
	size_t b = from >> 6, e = to >> 6;
	uint64_t first = ~(uint64_t)0 << (from & 63), last = ((uint64_t)1 << (to & 63)) - 1;

	if (b == e)
		return (w[b] & first & last) != 0;
	if (w[b] & first)
		return 1;
	for (b++; b < e; b++)
		if (w[b] != 0)
			return 1;
	return (to & 63) != 0 && (w[e] & last) != 0;
}

/* Below this many bytes left, a string or a number is read directly
 * rather than indexed: an index only pays over long text or containers. */
#define INDEX_MIN 1024

/* Check the value at f->p without building anything: the members a tool
 * does not read, which are most of a record (descriptions, logprobs).  The
 * rest of the text is indexed, from the value (outside any string), the
 * first time a container or a long rest of text comes; from there a
 * container ends at the end of its walk and a string at the next quote of
 * the index.  Before, a string or a number is read directly. */
static int skip(struct fp *f)
{
	const struct jindex *ix = &f->ix;
	const unsigned char *q;
	size_t at, to, b;
	uint64_t m;
	int esc = 0;

	if (!f->indexed && f->end - f->p < INDEX_MIN) {
		if (*f->p == '"') {
			if ((q = string_end(f->p + 1, f->end, &esc)) == NULL)
				return -1;
			f->p = q + 1;
			return 0;
		}
		if (*f->p != '{' && *f->p != '[') {
			if ((q = scalar_end(f->p, f->end)) == NULL)
				return -1;
			f->p = q;
			return 0;
		}
	}
	if (!f->indexed) {
		if (jindex_build(&f->ix, f->a, (const char *)f->p, (size_t)(f->end - f->p)) < 0)
			return -1;
		f->indexed = 1;
	}
	at = (size_t)(f->p - ix->text);
	/* The reader and the index agree on where tokens start. */
	if (at >= ix->len || !(ix->tok[at >> 6] >> (at & 63) & 1))
		return -1;
	switch (*f->p) {
	case '"':
		b = at >> 6;
		for (m = ABOVE(ix->quo[b], at); m == 0; m = ix->quo[b])
			if (++b >= ix->nblk)
				return -1;
		to = (b << 6) + (size_t)jscan_ctz64(m) + 1;
		break;
	case '{':
	case '[':
		if ((to = walk(f, at)) == 0)
			return -1;
		break;
	default:
		if ((q = scalar_end(f->p, f->end)) == NULL)
			return -1;
		to = (size_t)(q - ix->text);
	}
	if (ix->anyws && any_bit(ix->wsp, at, to))
		f->ws++;
	f->p = ix->text + to;
	return 0;
}

/* One value at f->p; with out NULL it is only checked. */
static int value(struct fp *f, jv **out)
{
	int r;

	if (f->p >= f->end)
		return -1;
	if (out == NULL)
		return skip(f);
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
		return literal(f, "true", 4, &json_true_v, out);
	case 'f':
		return literal(f, "false", 5, &json_false_v, out);
	case 'n':
		return literal(f, "null", 4, &json_null_v, out);
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
	f.indexed = 0;
	f.esc = 0;
	/* One copy of the text (a single memcpy) in which strings without
	 * escapes, keys included, are NUL-ended in place: cheaper than a copy
	 * of each. */
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

/* The cursor: text already checked as JSON, so nothing is validated here
 * and a string ends at the first quote no backslash escapes. */

/* Whitespace as either JSON reader accepts it. */
static int jspace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* The byte after the string literal whose opening quote is at p. */
static const char *jcur_string_end(const char *p, const char *end)
{
	const unsigned char *q = (const unsigned char *)p + 1, *e = (const unsigned char *)end;

	for (;;) {
		q = plain_run(q, e);
		if (q >= e)
			return end;
		if (*q == '"')
			return (const char *)q + 1;
		q += *q == '\\' ? 2 : 1;
	}
}

void jcur_ws(struct jcur *c)
{
	unsigned long runs = 0;

	/* Compact text has none. */
	if (c->p < c->end && (unsigned char)*c->p > ' ')
		return;
	c->p = (const char *)ws_run((const unsigned char *)c->p, (const unsigned char *)c->end, 1,
				    &runs);
}

void jcur_skip(struct jcur *c)
{
	int depth = 0;

	if (!sclass_ready)
		init_classes();
	do {
		if (c->p >= c->end)
			return;
		if (*c->p == '"') {
			c->p = jcur_string_end(c->p, c->end);
			continue;
		}
		if (*c->p == '{' || *c->p == '[') {
			depth++;
		} else if (*c->p == '}' || *c->p == ']') {
			depth--;
		} else if (depth == 0) {
			/* A number or a literal at the outer level: up to the
			 * next delimiter. */
			while (c->p < c->end && *c->p != ',' && *c->p != '}' && *c->p != ']' &&
			       !jspace(*c->p))
				c->p++;
			return;
		}
		c->p++;
	} while (depth > 0);
}

int jcur_member(struct jcur *c, const char *text, size_t len)
{
	if (!sclass_ready)
		init_classes();
	c->end = text + len;
	if (len == 0 || *text != '"')
		return -1;
	c->p = jcur_string_end(text, c->end);
	jcur_ws(c);
	if (c->p >= c->end || *c->p != ':')
		return -1;
	c->p++;
	jcur_ws(c);
	return c->p < c->end ? 0 : -1;
}

int jcur_array(struct jcur *c)
{
	if (c->p < c->end && *c->p == 'n')
		return 0;
	if (c->p >= c->end || *c->p != '[')
		return -1;
	c->p++;
	jcur_ws(c);
	if (c->p >= c->end)
		return -1;
	return *c->p == ']' ? 0 : 1;
}

int jcur_object(struct jcur *c)
{
	if (c->p >= c->end || *c->p != '{')
		return -1;
	c->p++;
	jcur_ws(c);
	if (c->p < c->end && *c->p == '}') {
		c->p++;
		return 0;
	}
	return 1;
}

int jcur_key(struct arena *a, struct jcur *c, const char **k, size_t *len)
{
	int r = jcur_string(a, c, k, len);

	if (r < 0)
		return r;
	jcur_ws(c);
	c->p++;	/* ':' (the text was checked) */
	jcur_ws(c);
	return 0;
}

int jcur_string(struct arena *a, struct jcur *c, const char **s, size_t *len)
{
	const unsigned char *q, *e = (const unsigned char *)c->end;
	const char *next;

	if (c->p >= c->end || *c->p != '"')
		return -1;
	/* No backslash before the closing quote: the bytes are the string. */
	q = plain_run((const unsigned char *)c->p + 1, e);
	while (q < e && *q != '"' && *q != '\\')
		q = plain_run(q + 1, e);
	if (q < e && *q == '"') {
		*s = c->p + 1;
		*len = (size_t)((const char *)q - c->p - 1);
		c->p = (const char *)q + 1;
		return 0;
	}
	if (json_string_decode(a, c->p, c->end, s, len, &next) < 0)
		return -2;
	c->p = next;
	return 0;
}

int jcur_number(struct jcur *c, double *v)
{
	const char *s = c->p;

	if (c->p >= c->end || (*c->p != '-' && !(*c->p >= '0' && *c->p <= '9')))
		return -1;
	/* The text is checked JSON: the number ends where its grammar does. */
	if ((s = json_number_scan(s, c->end, v)) == NULL)
		return -1;
	c->p = s;
	return 0;
}

int jcur_next(struct jcur *c, char close)
{
	const unsigned char *p = (const unsigned char *)c->p;
	unsigned long runs = 0;
	int r = item_end(&p, (const unsigned char *)c->end, (unsigned char)close, 1, &runs);

	c->p = (const char *)p;
	return r;
}
