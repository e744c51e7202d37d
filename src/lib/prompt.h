/* prompt.h - prompts from templates: {{field}} placeholders filled from an
 * instance record, {{labels}} from the scenario's label list, and
 * {{examples}} from a pool of solved examples chosen deterministically.
 *
 * A template is plain UTF-8 text; "{{name}}" (spaces inside the braces
 * allowed) is replaced by the record's member of that name: a string as it
 * is, a number as its text, null as nothing.  {{labels}} and {{examples}}
 * are reserved.  One newline at the end of a template file is dropped.
 */
#ifndef PUMA_PROMPT_H
#define PUMA_PROMPT_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "xalloc.h"

/* A template: its text and where it came from; both owned. */
struct tmpl {
	char *text;
	size_t len;
	char *path;
};

/* Read a template file.  Returns -1 (errno set) when it cannot be read. */
int tmpl_load(struct tmpl *t, const char *path);
/* Check that every "{{" is closed and names something; -1 with a reason. */
int tmpl_check(const struct tmpl *t, char *err, size_t errlen);
/* Does the template use the placeholder name? */
int tmpl_uses(const struct tmpl *t, const char *name);
void tmpl_free(struct tmpl *t);

/* What a rendering needs besides the record, and what it reports back. */
struct render {
	const char *labels;	/* the label list as text; NULL: unavailable */
	const char *examples;	/* the rendered examples; NULL: unavailable */
	long max_chars;		/* cut "description" to this many characters; < 0: never */
	int truncated;		/* out: the description was cut */
};

/* Append the template filled from rec to out.  Returns 0, or -1 with a
 * reason (a missing field, an object where text belongs). */
int tmpl_render(const struct tmpl *t, const jv *rec, struct render *r, struct buf *out,
		char *err, size_t errlen);

/* Bytes of the longest prefix of s holding at most max characters (UTF-8
 * code points), never ending inside a character. */
size_t utf8_prefix_chars(const char *s, size_t len, size_t max);

/* A label list: each label as text (numbers as written), owned. */
struct labels {
	char **v;
	size_t n;
	int numeric;		/* every label is a number (a story-point scale) */
};

/* From "A,B,C" (spaces around each label trimmed).  -1 when empty. */
int labels_from_list(struct labels *l, const char *list);
/* From a scenario file's "labels" (classification) or "scale" (regression)
 * array.  Returns -1 with a reason when it has neither. */
int labels_from_config(struct labels *l, const jv *cfg, char *err, size_t errlen);
/* "Critical, Major, Minor, Trivial"; the caller frees it. */
char *labels_join(const struct labels *l);
void labels_free(struct labels *l);

/* A pool of solved examples (instance records with "gold") and the order
 * in which they are offered: shuffled with the seed as NumPy's
 * RandomState(seed).shuffle would, then, when stratified, grouped by gold
 * value (groups in the order each value first appears in the shuffle) and
 * dealt round-robin over the groups, so any k examples cover the classes
 * as evenly as k allows.  The pool owns its records. */
struct pool {
	struct arena a;
	const jv **rec;
	size_t n, cap;
	size_t *order;		/* record indexes, group after group */
	size_t *gstart;		/* group g is order[gstart[g] .. gstart[g+1]-1] */
	size_t ngroups;
	char *path;
};

/* Load the records of path (JSON Lines) whose "scenario", when present,
 * is scenario (NULL: any), and fix their order.  stratify < 0 decides by
 * itself: stratified when every gold value is a string (a class label).
 * Returns -1 (reported as "prog: PATH:LINE: why") on a bad file. */
int pool_load(struct pool *p, const char *path, const char *scenario, int stratify,
	      uint32_t seed);
/* k examples dealt from the pool that are not the instance itself (same
 * "id", or, lacking ids, the same title and description).  Fills out[0..]
 * and returns how many it found (fewer than k in a small pool). */
size_t pool_pick(const struct pool *p, const jv *inst, size_t k, const jv **out);
void pool_free(struct pool *p);

#endif
