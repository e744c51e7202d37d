/* jfast.h - the fast path of json_parse() for well-formed documents. */
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

/* Decode the JSON string literal at p (its opening quote; the text is
 * known to be valid JSON) into a NUL-ended arena copy; *next gets the
 * byte after the closing quote.  -1 for what only the tree path decodes
 * (a \u escape of a surrogate) or a malformed literal. */
int json_string_decode(struct arena *a, const char *p, const char *end, const char **out,
		       size_t *len, const char **next);

/* Set to make json_parse() use yajl alone (for the tests that compare the
 * two paths). */
extern int json_fast_off;

#endif
