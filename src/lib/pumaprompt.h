/* pumaprompt.h - what PUMA's runner puts around its .jinja templates: the
 * strategy-to-template map, the examples cut, the template variables
 * (instance, examples, labels, scenario) built from our records with PUMA's
 * field names and Python types, and the pinned list of PUMA's templates
 * (config/puma-prompts.tsv).  The rendering itself is jinja.h's. */
#ifndef PUMA_PUMAPROMPT_H
#define PUMA_PUMAPROMPT_H

#include <stddef.h>

#include "json.h"
#include "prompt.h"
#include "xalloc.h"

/* The template file (without ".jinja") PUMA uses for a strategy:
 * zero-shot and self-consistency -> zero_shot, zero-shot-cot ->
 * zero_shot_cot, one-shot and few-shot-K -> few_shot, cot-few-shot ->
 * cot_few_shot, rcoif, contextual-anchoring and egi -> their own file.
 * NULL for a strategy PUMA does not have. */
const char *puma_template_of(const char *strategy);

/* How many examples PUMA keeps for a strategy: 1 for one-shot, K for
 * few-shot-K, -1 (no cut) otherwise. */
long puma_examples_cut(const char *strategy);

/* One entry of config/puma-prompts.tsv; strings owned. */
struct puma_pin {
	char *scenario, *file, *commit, *sha256, *url;
	long bytes;
};

/* Look up scenario/file in the list at path.  Returns 1 when found (pin
 * filled), 0 when the list has no such entry, -1 when the list cannot be
 * read or a line of it is malformed (reason in err). */
int puma_pin_find(const char *path, const char *scenario, const char *file,
		  struct puma_pin *pin, char *err, size_t errlen);
void puma_pin_free(struct puma_pin *pin);


/* The variables of one rendering: instance (from rec), examples (each
 * mapped like the instance; [] when exs is NULL), labels (the label list as
 * strings for a classification scenario; [] when labels is NULL), and
 * scenario. */
jv *puma_vars(struct arena *a, const jv *rec, const char *scenario,
	      const struct labels *labels, const jv *const *exs, size_t nexs);

#endif
