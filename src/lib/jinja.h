/* jinja.h - the subset of Jinja that PUMA's prompt templates use, rendered
 * byte for byte as jinja2 renders it in PUMA's environment (trim_blocks and
 * lstrip_blocks on, keep_trailing_newline off, no autoescape).
 *
 * Ownership and errors: jinja_parse() copies what it needs from the text
 * and the name, so both may be freed once it returns; the template it gives
 * back is immutable, owned by the caller, and freed with jinja_free().  One
 * template renders any number of times (from several threads at once, if
 * need be) and keeps no reference to the values it was rendered with.
 * jinja_render() only appends to the caller's buffer; on an error the
 * buffer is put back to the length it had, so no half-rendered prompt
 * escapes.  Every error, at parse or at render time, is one line without
 * the program name, "NAME:LINE:COL: what" (NAME as given to jinja_parse,
 * LINE and COL counted from 1, COL in bytes), for instance
 * "triage_jira/rcoif.jinja:3:14: filter 'upper' is not supported"; the
 * caller prefixes the program name (warn_msg) and exits 1.  A construct
 * outside the subset is always an error, never a different prompt.
 *
 * The subset: text; {# comments #}; {{ expr }}; {% if %} / {% elif %} /
 * {% else %} / {% endif %}; {% for NAME in expr %} / {% endfor %} with
 * loop.index, loop.index0, loop.first, loop.last, loop.length; '-' on either
 * side of any tag.  Expressions: names, attribute access (a.b, a['b']),
 * integer subscripts and slices (s[:80], by code point on strings), string,
 * integer, float and list literals, true/false/none, "x if c else y",
 * ==, !=, <, <=, >, >=, in, not in, and, or, not, unary minus,
 * parentheses, and the filter join (x|join, x|join(sep)).  Expressions and
 * blocks nested more than 100 deep are refused.
 *
 * Values are the project's JSON values.  They print as Python's str() of
 * what json.loads() would give: strings as they are, an integer number as
 * its digits, any other number as Python's float repr (5.0, 1e+16, and a
 * JNUM holding NaN or an infinity, which jv_num() can build, as nan, inf,
 * -inf), null as None, true/false as True/False; printing an array or an
 * object (Python's repr) is an error.  A name or member that is missing is
 * jinja2's Undefined: it prints as nothing and is false, but taking a member
 * of it or comparing it by order is an error, as in jinja2.  Strings are
 * taken to be UTF-8 (json_parse() checks it); slicing or iterating one that
 * is not is an error.  docs/PROMPTS.md has the details.
 */
#ifndef PUMA_JINJA_H
#define PUMA_JINJA_H

#include <stddef.h>

#include "json.h"
#include "xalloc.h"

/* A parsed template (opaque). */
struct jinja;

/* Parse text (len bytes, need not be NUL-ended) into a template named name
 * in messages (PUMA's "<scenario>/<file>.jinja" reads best).  Returns NULL
 * with the reason in err on a syntax error or an unsupported construct. */
struct jinja *jinja_parse(const char *name, const char *text, size_t len, char *err,
			  size_t errlen);

/* Read and parse the file path, named name in messages (path when NULL).
 * Returns NULL with "PATH: strerror" or a parse error in err. */
struct jinja *jinja_load(const char *path, const char *name, char *err, size_t errlen);

/* Render t against vars, a JSON object whose members are the template's
 * variables (PUMA's are instance, an object; examples, an array of objects,
 * [] when none; labels, an array of strings; scenario, a string), appending
 * the prompt to out.  Returns 0, or -1 with the reason in err and out as it
 * was. */
int jinja_render(const struct jinja *t, const jv *vars, struct buf *out, char *err,
		 size_t errlen);

/* Does t refer to the top-level variable name anywhere (say "examples")? */
int jinja_uses(const struct jinja *t, const char *name);

/* The name given to jinja_parse(). */
const char *jinja_name(const struct jinja *t);

void jinja_free(struct jinja *t);

#endif
