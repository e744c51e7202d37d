/* json.h - JSON values over yajl, one record per line.
 *
 * The parser builds a small tree in an arena (struct arena, reset per
 * record).  For the members of a top-level object it also keeps the raw
 * text of each member, so a tool writes the fields it does not own back
 * exactly as they came in, numbers included, and in their order.  A
 * member the tool sets is written from the tree instead.
 */
#ifndef PUMA_JSON_H
#define PUMA_JSON_H

#include <stddef.h>
#include "xalloc.h"

enum jtype { JNULL, JFALSE, JTRUE, JNUM, JSTR, JARR, JOBJ };

typedef struct jv jv;

/* One member of an object; key and raw point into the arena or the line. */
struct jmember {
	const char *key;	/* decoded, NUL-ended */
	size_t klen;
	jv *val;		/* NULL when the parser was told to skip it */
	const char *raw;	/* the member's input text ("key":value), or NULL */
	size_t rawlen;
	int compact;		/* raw holds no whitespace outside strings */
};

/* A JSON value, allocated in an arena (never freed on its own). */
struct jv {
	enum jtype t;
	size_t n;		/* string bytes, array items or object members */
	size_t cap;
	union {
		const char *s;	/* JSTR: bytes, NUL-ended (may hold \u0000) */
		jv **items;	/* JARR */
		struct jmember *mem;	/* JOBJ */
	} u;
	const char *raw;	/* JNUM: the number's text; NULL if computed */
	double d;		/* JNUM: its value */
};

/* Parse text (length len, NUL-ended) into a tree allocated in a.  want, when
 * not NULL, is a NULL-ended list of top-level keys to build trees for; other
 * members of a top-level object are checked but kept only as raw text.
 * Returns NULL on invalid JSON, with a one-line reason in err. */
jv *json_parse(struct arena *a, const char *text, size_t len,
	       const char *const *want, char *err, size_t errlen);

/* Duplicate keys in an object: the last value wins, in the place of the
 * first (as Python's json reads them), and the later members are dropped,
 * raw text included.  Both parsers call it as each object closes. */
void json_dedupe(jv *obj);

/* Shared constants: never modify them. */
extern jv json_null_v, json_true_v, json_false_v;
#define JV_NULL (&json_null_v)

jv *jv_str(struct arena *a, const char *s, size_t len);
jv *jv_cstr(struct arena *a, const char *s);
jv *jv_num(struct arena *a, double d);		/* written shortest round-trip */
/* Values that may be missing: null for a NULL string, a NaN or infinity. */
jv *jv_cstr_or_null(struct arena *a, const char *s);
jv *jv_num_or_null(struct arena *a, double d);
jv *jv_int(struct arena *a, long long i);
jv *jv_bool(int b);
jv *jv_arr(struct arena *a);
jv *jv_obj(struct arena *a);
void jv_push(struct arena *a, jv *arr, jv *v);
/* Set key in obj: replaces the first member of that name in place (its raw
 * text is dropped), else appends.  key is copied. */
void jv_set(struct arena *a, jv *obj, const char *key, jv *v);
/* Append a member key (a static string, not copied) known to be absent
 * from obj: jv_set() without its search. */
void jv_append(struct arena *a, jv *obj, const char *key, jv *v);

/* Take key out of obj (every member of that name); returns how many went.
 * The order of the others is kept. */
size_t jv_unset(jv *obj, const char *key);
/* Move the member named key so it follows the member named after (or comes
 * first when after is NULL).  Nothing happens when either is absent. */
void jv_move_after(jv *obj, const char *key, const char *after);

/* Walking values without touching their insides.  Out-of-range indexes and
 * values of the wrong type give NULL (or 0). */
size_t jv_len(const jv *v);			/* string bytes, items or members */
jv *jv_item(const jv *arr, size_t i);		/* the i-th item of an array */
const char *jv_key(const jv *obj, size_t i, size_t *klen); /* i-th member's key */
jv *jv_val(const jv *obj, size_t i);		/* i-th member's value */
/* The i-th member's input text ("key":value) as read, or NULL when it was
 * set or built rather than read; *len gets its length. */
const char *jv_member_text(const jv *obj, size_t i, size_t *len);
/* A number's text as read, NUL-ended (or NULL when computed); *len its
 * length. */
const char *jv_numtext(const jv *v, size_t *len);
/* Point every member text of obj that lies inside
 * [from, from + len) at the same offset in to: for a record whose line is
 * copied elsewhere before the reader's buffer is reused. */
void jv_rebase(jv *obj, const char *from, size_t len, const char *to);
/* A string's bytes, NUL-ended (they may hold \u0000), or NULL when v is
 * not a string; *len gets their count. */
const char *jv_string(const jv *v, size_t *len);
/* The i-th member itself, for library code that reads a member's text in
 * place (the fast path); tools use the accessors above. */
const struct jmember *jv_member(const jv *obj, size_t i);

/* Lookups: NULL when obj is not an object or the key is absent (or was
 * skipped by the parser). */
jv *jv_get(const jv *obj, const char *key);
/* String value of key, or NULL if absent or not a string. */
const char *jv_getstr(const jv *obj, const char *key, size_t *len);
int jv_isnull(const jv *v);	/* absent or null */
/* Are a and b the same string (byte for byte) or the same number (by
 * value)?  Any other pair of types is never the same. */
int jv_same(const jv *a, const jv *b);
const char *jv_typename(const jv *v);

/* Append v as compact JSON to b.  Strings are UTF-8 validated: an invalid
 * sequence is written as U+FFFD and counted in the return value. */
size_t json_write(struct buf *b, const jv *v);
/* Write a string as a JSON string literal (validated the same way). */
size_t json_write_str(struct buf *b, const char *s, size_t len);
/* Append the compact form of already-valid JSON text. */
void json_write_compact(struct buf *b, const char *raw, size_t len);

/* Shortest text that reads back as exactly d, in Python's repr() style
 * (0.1, 2.0, 1e-05, 1e+16), independent of the locale.  Non-finite values
 * give "NaN", "Infinity", "-Infinity".  out needs 32 bytes; returns length. */
size_t fmt_double(double d, char out[32]);

/* Is s valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF)?  Returns the
 * length of the valid prefix in *good when it is not. */
int utf8_valid(const char *s, size_t len, size_t *good);
/* Length of the longest prefix of s, at most max bytes, that does not end
 * inside a UTF-8 sequence. */
size_t utf8_cut(const char *s, size_t len, size_t max);

#endif
