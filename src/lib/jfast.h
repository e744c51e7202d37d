/* jfast.h - the fast path of json_parse() for well-formed documents, its
 * number and string decoders, and a cursor over checked JSON text. */
#ifndef PUMA_JFAST_H
#define PUMA_JFAST_H

#include "json.h"

/* Parse text as json_parse() does (same tree, same raw member texts, same
 * want rule), or return NULL to let the yajl path decide: on any error and
 * on the rare inputs it leaves to yajl (see jfast.c). */
jv *json_parse_fast(struct arena *a, const char *text, size_t len, const char *const *want);

/* The value of a JSON number's text, exactly as strtod() reads it (with
 * a fast path for short decimals). */
double json_number_value(const char *s, size_t n);

/* The end of the JSON number whose text starts at p (before end), by
 * JSON's grammar; NULL when no number starts there. */
const char *json_number_end(const char *p, const char *end);
/* json_number_end() that also gives the number's value (*v), exactly as
 * json_number_value() reads it, in one pass for the common short decimal. */
const char *json_number_scan(const char *p, const char *end, double *v);

/* Decode the JSON string literal at p (its opening quote; the text is
 * known to be valid JSON) into a NUL-ended arena copy; *next gets the
 * byte after the closing quote.  -1 for what only the tree path decodes
 * (a \u escape of a surrogate) or a malformed literal. */
int json_string_decode(struct arena *a, const char *p, const char *end, const char **out,
		       size_t *len, const char **next);

/* A cursor over text already checked as JSON (a member's text as
 * json_parse() kept it), for reading a little of a large value in place,
 * without a tree: nothing is validated again, and a cursor never reads
 * past end. */
struct jcur {
	const char *p, *end;
};

/* Put c on the value of a member's text ("key": value).  -1 when the text
 * is no member. */
int jcur_member(struct jcur *c, const char *text, size_t len);
/* Step over whitespace. */
void jcur_ws(struct jcur *c);
/* Step over the value at c (a string, a number, a literal or a whole
 * array or object). */
void jcur_skip(struct jcur *c);
/* Enter the array at c: 1 on its first item, 0 for null or an empty
 * array, -1 when the value is neither. */
int jcur_array(struct jcur *c);
/* The string at c, stepped over: in place (not NUL-ended) when it has no
 * escapes, else decoded into a NUL-ended arena copy.  -1 when the value
 * is no string, -2 for one only a tree decodes (a \u escape of a
 * surrogate). */
int jcur_string(struct arena *a, struct jcur *c, const char **s, size_t *len);
/* Enter the object at c: 1 on its first key, 0 past an empty object, -1
 * when the value is no object. */
int jcur_object(struct jcur *c);
/* The key at c (as jcur_string() reads it) and the colon after it,
 * stepped over to the member's value. */
int jcur_key(struct arena *a, struct jcur *c, const char **k, size_t *len);
/* The number at c, stepped over; -1 when the value is no number. */
int jcur_number(struct jcur *c, double *v);
/* After an item of a container that closes with close: 1 past a comma
 * (and the whitespace after it), 0 past close, -1 on anything else. */
int jcur_next(struct jcur *c, char close);

/* Set to make json_parse() use yajl alone (for the tests that compare the
 * two paths). */
extern int json_fast_off;

#endif
