/* puma-perturb - read instance records and write, for each one, a copy per
 * perturbation asked for (PUMA's eight), with "perturbation" and
 * "source_id" set and the id derived from both.  See puma-perturb(1). */
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "jsonl.h"
#include "opt.h"
#include "perturb.h"
#include "xalloc.h"

static const char usage_text[] =
	"Usage: puma-perturb [--perturbations LIST|all] [--seed S] [--with-original] [--lenient]\n"
	"                    [FILE...]\n"
	"Write a perturbed copy of each instance record (JSON Lines) for each\n"
	"perturbation, as PUMA makes them.\n"
	"\n"
	"      --perturbations LIST  comma-separated names, or all (the default):\n"
	"                            typos_5pct, case_upper, case_lower, truncate_50pct,\n"
	"                            tech_noise, gender_swap_prefix_male,\n"
	"                            gender_swap_prefix_female, register_shift_informal\n"
	"      --seed S              the seed of the random ones (default 42)\n"
	"  -o, --with-original       write the record itself first (perturbation \"original\")\n"
	"  -l, --lenient             skip (and count) bad records instead of stopping\n"
	"  -h, --help                show this help\n"
	"      --version             show the version\n"
	"\n"
	"Exit status: 0 success, 1 bad input or I/O failure, 2 usage error.\n";

/* The text fields PUMA perturbs, each on its own. */
static const char *const text_fields[] = {"title", "description", "summary"};
#define NTEXT (sizeof(text_fields) / sizeof(text_fields[0]))

/* The members this tool reads or sets; the rest pass through as raw text. */
static const char *const want[] = {"id", "title", "description", "summary", "perturbation",
				   "source_id", NULL};

/* Options, fixed after parsing the command line. */
struct opts {
	int list[PERT_COUNT];	/* the perturbations, in the order asked */
	int n;
	int64_t seed;
	int original;
};

/* Parse --perturbations: names separated by commas, each once, or "all". */
static void parse_list(struct opts *o, const char *arg)
{
	const char *p = arg, *q;
	int i, k;

	o->n = 0;
	if (strcmp(arg, "all") == 0) {
		for (i = 0; i < PERT_COUNT; i++)
			o->list[o->n++] = i;
		return;
	}
	for (;;) {
		q = strchr(p, ',');
		if (q == NULL)
			q = p + strlen(p);
		k = perturb_find(p, (size_t)(q - p));
		if (k < 0)
			usage_error("--perturbations: '%.*s' is not a perturbation (see --help)", (int)(q - p), p);
		for (i = 0; i < o->n; i++)
			if (o->list[i] == k)
				usage_error("--perturbations: '%s' is named twice", perturb_names[k]);
		o->list[o->n++] = k;
		if (*q == '\0')
			break;
		p = q + 1;
	}
}

/* Check a record and write its copies.  Returns 0 when written, 1 when a
 * lenient reader skipped it, -1 when a bad record stops the run. */
static int perturb_record(struct jsonl_in *in, const struct opts *o, jv *rec, struct buf *b)
{
	struct arena *a = &in->a;
	const jv *id = jv_get(rec, "id"), *pert = jv_get(rec, "perturbation");
	const jv *orig[NTEXT];
	jv *src;
	size_t f, good;
	int i;

	if (pert != NULL && pert->t != JNULL &&
	    !(pert->t == JSTR && strcmp(pert->u.s, "original") == 0))
		return jsonl_bad(in, "\"perturbation\" is already %s%s%s; copies are made from originals only",
				 pert->t == JSTR ? "\"" : "", pert->t == JSTR ? pert->u.s : jv_typename(pert),
				 pert->t == JSTR ? "\"" : "") < 0 ? -1 : 1;
	if (id != NULL && id->t != JSTR && id->t != JNULL)
		return jsonl_bad(in, "\"id\" is %s, not a string", jv_typename(id)) < 0 ? -1 : 1;
	for (f = 0; f < NTEXT; f++) {
		orig[f] = jv_get(rec, text_fields[f]);
		if (orig[f] != NULL && orig[f]->t == JSTR && !utf8_valid(orig[f]->u.s, orig[f]->n, &good))
			return jsonl_bad(in, "\"%s\" is not valid UTF-8 (byte %zu)", text_fields[f],
					 good + 1) < 0 ? -1 : 1;
	}
	src = id != NULL && id->t == JSTR ? jv_str(a, id->u.s, id->n) : JV_NULL;
	jv_set(a, rec, "source_id", src);
	if (o->original) {
		jv_set(a, rec, "perturbation", jv_cstr(a, "original"));
		jsonl_write(rec, in->l.name, in->l.lineno);
	}
	for (i = 0; i < o->n; i++) {
		int p = o->list[i];

		if (src->t == JSTR) {
			buf_reset(b);
			buf_add(b, src->u.s, src->n);
			buf_addc(b, '~');
			buf_adds(b, perturb_names[p]);
			jv_set(a, rec, "id", jv_str(a, b->s, b->len));
		}
		for (f = 0; f < NTEXT; f++) {
			if (orig[f] == NULL || orig[f]->t != JSTR)
				continue;
			buf_reset(b);
			perturb_text(b, (enum perturbation)p, orig[f]->u.s, orig[f]->n, o->seed);
			jv_set(a, rec, text_fields[f], jv_str(a, b->s, b->len));
		}
		jv_set(a, rec, "perturbation", jv_cstr(a, perturb_names[p]));
		jsonl_write(rec, in->l.name, in->l.lineno);
	}
	return 0;
}

int main(int argc, char **argv)
{
	enum { OPT_PERTURBATIONS = 256, OPT_SEED };
	static const struct option longopts[] = {
		OPTION_LENIENT,
		{.name = "perturbations", .has_arg = required_argument, .val = OPT_PERTURBATIONS},
		{.name = "seed", .has_arg = required_argument, .val = OPT_SEED},
		{.name = "with-original", .has_arg = no_argument, .val = 'o'},
		OPTION_HELP_VERSION,
		{0},
	};
	struct opts o = {.seed = 42};
	struct jsonl_in in;
	struct buf b = {0};
	int c, i, r, lenient = 0;
	jv *rec;

	diag_init(argv[0]);
	jsonl_stdio();
	parse_list(&o, "all");
	while ((c = opt_next(argc, argv, "hlo", longopts, NULL, usage_text)) != -1) {
		switch (c) {
		case 'l':
			lenient = 1;
			break;
		case 'o':
			o.original = 1;
			break;
		case OPT_PERTURBATIONS:
			parse_list(&o, optarg);
			break;
		case OPT_SEED:
			o.seed = (int64_t)opt_int("--seed", optarg, -LLONG_MAX, LLONG_MAX);
			break;
		}
	}

	for (i = optind; i < argc || i == optind; i++) {
		if (jsonl_open(&in, i < argc ? argv[i] : "-", want, lenient) < 0)
			continue;
		while ((r = jsonl_next(&in, &rec)) > 0)
			if (perturb_record(&in, &o, rec, &b) < 0)
				break;
		jsonl_close(&in);
		if (in.stopped)
			break;
	}
	buf_free(&b);
	return finish();
}
