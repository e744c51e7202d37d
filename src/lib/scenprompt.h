/* scenprompt.h - a scenario's prompting material and each record's prompt.
 *
 * What a run prompts with is settled by a few options (struct scen_opts):
 * the project's own template for the strategy (config/prompts/SCENARIO/),
 * a template file, or PUMA's Jinja template pinned in
 * config/puma-prompts.tsv; the labels the template or --constrain needs;
 * and the solved examples few-shot strategies place in each prompt.  A
 * scenario's material is loaded on first use and kept for the run.
 *
 * Memory: struct scens owns every scenario's material (scens_free); the
 * options' strings are borrowed and must outlive it.  Rendered values go
 * into the caller's arena and buffer.
 */
#ifndef PUMA_SCENPROMPT_H
#define PUMA_SCENPROMPT_H

#include <stdint.h>

#include "jinja.h"
#include "json.h"
#include "prompt.h"
#include "xalloc.h"

/* How the prompts are made; strings borrowed. */
struct scen_opts {
	const char *strategy;	/* the strategy, or NULL with a template */
	const char *template;	/* a template file of one's own (.jinja: Jinja), or NULL */
	const char *labels;	/* a label list, a scenario name or a config file, or NULL */
	const char *examples;	/* solved examples (instance records with gold), or NULL */
	const char *prompts_dir; /* where PUMA's templates are (puma) */
	int puma;		/* PUMA's templates, chosen by the strategy */
	int constrain;		/* the answer is restricted to the labels: they are needed */
	long k;			/* examples per prompt */
	long max_chars;		/* cut each description to this many characters; -1: no cut */
	uint32_t seed;		/* picks the examples */
};

/* One scenario's prompting material. */
struct scen {
	char *name;
	struct tmpl t;		/* the prompt template */
	struct jinja *jt;	/* or a Jinja template, rendered as PUMA renders it */
	char sha[65];		/* the template file's sha256 */
	char *origin;		/* where it comes from, for the summary */
	struct tmpl ex;		/* how one example is written; empty when unused */
	struct labels labels;	/* n == 0: none known */
	char *labels_text;	/* labels joined, or NULL */
	struct pool pool;	/* few-shot examples; n == 0: none */
	long k;
};

/* The scenarios loaded so far (v[0..n)), under one set of options. */
struct scens {
	const struct scen_opts *o;
	struct scen *v;
	size_t n, cap;
};

/* Is path a Jinja template (rendered as PUMA renders its .jinja files)? */
int prompt_is_jinja(const char *path);

/* Scenario name's material ("" for a template of one's own without a
 * scenario), loaded on first use; NULL with a reason in err when it cannot
 * be (no template for the strategy, no labels where the template asks,
 * no examples for a few-shot strategy).  Examples that cannot be read at
 * all end the program (exit 1). */
struct scen *scens_get(struct scens *ss, const char *name, char *err, size_t errlen);
void scens_free(struct scens *ss);

/* Render rec's prompt for scenario sname into prompt: (*ids) the ids of
 * the examples placed in it (NULL when the strategy places none), and
 * *truncated when --max-chars cut the description.  -1 with a reason: the
 * record cannot be rendered (a field the template needs is missing). */
int scen_render(const struct scen_opts *o, struct scen *s, struct arena *a, const jv *rec,
		const char *sname, struct buf *prompt, jv **ids, int *truncated, char *err, size_t errlen);

#endif
