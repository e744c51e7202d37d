/* puma-pair - make the prioritization scenario's pairs of issues from
 * triage instance records: PUMA's pairing of consecutive records, or
 * mixed-class pairs with a balanced gold.  See puma-pair(1). */
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "jsonl.h"
#include "mt.h"
#include "opt.h"
#include "ucase.h"
#include "xalloc.h"

static const char usage_text[] =
	"Usage: puma-pair [-n N] [--pairs puma|mixed] [--seed S] [--lenient] [FILE]\n"
	"Pair triage instance records (JSON Lines) into prioritization_jira records:\n"
	"which of two issues, A or B, has the higher priority.\n"
	"\n"
	"  -n, --count N        at most N pairs (default: as many as the input makes)\n"
	"      --pairs MODE     puma: records 1 and 2, 3 and 4, ... as PUMA pairs them\n"
	"                       (feed it puma-sample -n 2N --stratify gold); mixed: two\n"
	"                       issues of different priorities each, gold half A, half B\n"
	"                       (default puma)\n"
	"      --seed S         mixed: the random state, 0 to 4294967295 (default 42)\n"
	"  -l, --lenient        skip (and count) bad records instead of stopping\n"
	"  -h, --help           show this help\n"
	"      --version        show the version\n"
	"\n"
	"Exit status: 0 success, 1 bad input or I/O failure, 2 usage error.\n";

/* The members this tool reads. */
static const char *const want[] = {"id", "title", "description", "gold", NULL};

/* One input issue, copied out of its record; all strings owned. */
struct issue {
	char *id;		/* NULL when the record has none */
	char *title, *desc, *gold;
	size_t id_len, title_len, desc_len, gold_len;
	int rank;
};

/* PUMA's rank of a priority after str.capitalize(): Blocker 5, Critical 4,
 * Major 3, Minor 2, Trivial 1, anything else 0.  A first character that is
 * not ASCII cannot title-case to one of those initials; the rest is
 * lowered with Python's full mapping (the Kelvin sign lowers to k). */
static int priority_rank(const char *s, size_t len)
{
	static const char *const names[5] = {"Trivial", "Minor", "Major", "Critical", "Blocker"};
	struct buf b = {0};
	int r = 0, i;

	if (len == 0 || (unsigned char)s[0] >= 0x80)
		return 0;
	buf_addc(&b, (char)(s[0] >= 'a' && s[0] <= 'z' ? s[0] - 'a' + 'A' : s[0]));
	ucase_map_text(&b, s + 1, len - 1, 0);
	for (i = 0; i < 5; i++)
		if (b.len == strlen(names[i]) && memcmp(b.s, names[i], b.len) == 0)
			r = i + 1;
	buf_free(&b);
	return r;
}

/* A text member as PUMA's row.get(key, "") sees it: a string, or "" when
 * absent or null.  Returns -1 for any other type. */
static int text_of(const jv *rec, const char *key, char **out, size_t *len)
{
	const jv *v = jv_get(rec, key);

	if (v != NULL && v->t != JSTR && v->t != JNULL)
		return -1;
	if (v == NULL || v->t == JNULL) {
		*out = xstrdup("");
		*len = 0;
	} else {
		*out = xstrndup(v->u.s, v->n);
		*len = v->n;
	}
	return 0;
}

static void issue_free(struct issue *x)
{
	free(x->id);
	free(x->title);
	free(x->desc);
	free(x->gold);
}

/* Read one record into an issue.  Returns 0, 1 (skipped) or -1 (stop). */
static int read_issue(struct jsonl_in *in, const jv *rec, struct issue *x)
{
	const jv *id = jv_get(rec, "id"), *gold = jv_get(rec, "gold");
	const char *bad = NULL;

	memset(x, 0, sizeof(*x));
	if (gold == NULL || gold->t != JSTR)
		return jsonl_bad(in, "\"gold\" is %s; a pair needs each issue's priority as a string",
				 gold == NULL ? "missing" : jv_typename(gold)) < 0 ? -1 : 1;
	if (id != NULL && id->t != JSTR && id->t != JNULL)
		return jsonl_bad(in, "\"id\" is %s, not a string", jv_typename(id)) < 0 ? -1 : 1;
	if (text_of(rec, "title", &x->title, &x->title_len) < 0)
		bad = "title";
	else if (text_of(rec, "description", &x->desc, &x->desc_len) < 0)
		bad = "description";
	if (bad != NULL) {
		issue_free(x);
		return jsonl_bad(in, "\"%s\" is %s, not a string", bad,
				 jv_typename(jv_get(rec, bad))) < 0 ? -1 : 1;
	}
	if (id != NULL && id->t == JSTR) {
		x->id = xstrndup(id->u.s, id->n);
		x->id_len = id->n;
	}
	x->gold = xstrndup(gold->u.s, gold->n);
	x->gold_len = gold->n;
	x->rank = priority_rank(gold->u.s, gold->n);
	return 0;
}

/* Write the pair (a, b); i is PUMA's index of a among the drawn rows,
 * which names an issue without an id (A_i, B_i). */
static void write_pair(struct arena *ar, const struct issue *a, const struct issue *b, size_t i,
		       const char *mode, const char *name, long line)
{
	jv *rec = jv_obj(ar), *ida, *idb;
	char *fa = a->id ? NULL : xasprintf("A_%zu", i), *fb = b->id ? NULL : xasprintf("B_%zu", i);
	struct buf id = {0};

	ida = a->id ? jv_str(ar, a->id, a->id_len) : jv_cstr(ar, fa);
	idb = b->id ? jv_str(ar, b->id, b->id_len) : jv_cstr(ar, fb);
	buf_add(&id, ida->u.s, ida->n);
	buf_addc(&id, '+');
	buf_add(&id, idb->u.s, idb->n);
	jv_set(ar, rec, "id", jv_str(ar, id.s, id.len));
	jv_set(ar, rec, "scenario", jv_cstr(ar, "prioritization_jira"));
	jv_set(ar, rec, "id_a", ida);
	jv_set(ar, rec, "id_b", idb);
	jv_set(ar, rec, "title_a", jv_str(ar, a->title, a->title_len));
	jv_set(ar, rec, "description_a", jv_str(ar, a->desc, a->desc_len));
	jv_set(ar, rec, "priority_a", jv_str(ar, a->gold, a->gold_len));
	jv_set(ar, rec, "rank_a", jv_int(ar, a->rank));
	jv_set(ar, rec, "title_b", jv_str(ar, b->title, b->title_len));
	jv_set(ar, rec, "description_b", jv_str(ar, b->desc, b->desc_len));
	jv_set(ar, rec, "priority_b", jv_str(ar, b->gold, b->gold_len));
	jv_set(ar, rec, "rank_b", jv_int(ar, b->rank));
	jv_set(ar, rec, "gold", jv_cstr(ar, a->rank >= b->rank ? "A" : "B"));
	jv_set(ar, rec, "pairing", jv_cstr(ar, mode));
	jsonl_write(rec, name, line);
	arena_reset(ar);
	buf_free(&id);
	free(fa);
	free(fb);
}

/* Mixed-class pairs: the issues in the order of
 * RandomState(seed).permutation(count); each pair takes the first unused
 * issue and the first unused one after it whose rank differs (an issue
 * with no such partner is passed over).  Then a gold list of ceil(m/2) A
 * and floor(m/2) B, shuffled by the same generator, orients the m pairs:
 * for A the higher-ranked issue comes first.  Fills pa/pb; returns m. */
static size_t mixed_pairs(const struct issue *x, size_t n, size_t want, uint32_t seed,
			  size_t *pa, size_t *pb)
{
	size_t *perm = xmalloc((n ? n : 1) * sizeof(*perm)), *gold, i, m = 0, k;
	size_t next_of_rank[6] = {0};
	unsigned char *used = xcalloc(n ? n : 1, 1);
	struct mt mt;
	int r;

	for (i = 0; i < n; i++)
		perm[i] = i;
	mt_seed(&mt, seed);
	mt_shuffle(&mt, perm, n);
	/* next_of_rank[r]: where in perm to look for the next unused issue of
	 * rank r after position i; it only moves forward. */
	for (i = 0; i < n && m < want; i++) {
		size_t best = n;

		if (used[perm[i]])
			continue;
		for (r = 0; r < 6; r++) {
			if (r == x[perm[i]].rank)
				continue;
			while (next_of_rank[r] < n &&
			       (used[perm[next_of_rank[r]]] || x[perm[next_of_rank[r]]].rank != r ||
				next_of_rank[r] <= i))
				next_of_rank[r]++;
			if (next_of_rank[r] < best)
				best = next_of_rank[r];
		}
		if (best == n)
			continue;
		used[perm[i]] = used[perm[best]] = 1;
		pa[m] = perm[i];
		pb[m++] = perm[best];
	}
	gold = xmalloc((m ? m : 1) * sizeof(*gold));
	for (k = 0; k < m; k++)
		gold[k] = k < m - m / 2 ? 0 : 1;
	mt_shuffle(&mt, gold, m);
	for (k = 0; k < m; k++) {
		int a_higher = x[pa[k]].rank > x[pb[k]].rank;

		if (a_higher != (gold[k] == 0)) {
			size_t t = pa[k];

			pa[k] = pb[k];
			pb[k] = t;
		}
	}
	free(gold);
	free(used);
	free(perm);
	return m;
}

int main(int argc, char **argv)
{
	enum { OPT_PAIRS = 256, OPT_SEED };
	static const struct option longopts[] = {
		OPTION_COUNT,
		OPTION_LENIENT,
		{.name = "pairs", .has_arg = required_argument, .val = OPT_PAIRS},
		{.name = "seed", .has_arg = required_argument, .val = OPT_SEED},
		OPTION_HELP_VERSION,
		{0},
	};
	struct jsonl_in in;
	struct arena out = {0};
	struct issue *x = NULL;
	size_t nx = 0, cap = 0, npairs = SIZE_MAX, m = 0, i, *pa, *pb;
	const char *mode = "puma";
	uint32_t seed = 42;
	int c, r, lenient = 0;
	jv *rec;

	diag_init(argv[0]);
	jsonl_stdio();
	while ((c = opt_next(argc, argv, "hln:", longopts, NULL, usage_text)) != -1) {
		switch (c) {
		case 'l':
			lenient = 1;
			break;
		case 'n':
			npairs = (size_t)opt_int("--count", optarg, 0, LONG_MAX / 4);
			break;
		case OPT_PAIRS:
			if (strcmp(optarg, "puma") != 0 && strcmp(optarg, "mixed") != 0)
				usage_error("--pairs: '%s' is not puma or mixed", optarg);
			mode = optarg;
			break;
		case OPT_SEED:
			seed = (uint32_t)opt_int("--seed", optarg, 0, 4294967295LL);
			break;
		}
	}
	if (argc - optind > 1)
		usage_error("one input file at most");

	if (jsonl_open(&in, optind < argc ? argv[optind] : "-", want, lenient) < 0)
		return finish();
	while ((r = jsonl_next(&in, &rec)) > 0) {
		x = xgrow(x, &cap, nx + 1, sizeof(*x));
		r = read_issue(&in, rec, &x[nx]);
		if (r < 0)
			break;
		if (r == 0)
			nx++;
	}
	pa = xmalloc((nx / 2 + 1) * sizeof(*pa));
	pb = xmalloc((nx / 2 + 1) * sizeof(*pb));
	if (!in.stopped && r == 0) {
		if (strcmp(mode, "mixed") == 0) {
			m = mixed_pairs(x, nx, npairs, seed, pa, pb);
		} else {
			for (i = 0; i + 1 < nx && m < npairs; i += 2, m++) {
				pa[m] = i;
				pb[m] = i + 1;
			}
		}
		for (i = 0; i < m && !ferror(stdout); i++)
			write_pair(&out, &x[pa[i]], &x[pb[i]], 2 * i, mode, in.l.name, in.l.lineno);
		if (npairs != SIZE_MAX && m < npairs)
			warn_msg("%zu pair%s asked for, %zu made from %zu issues", npairs,
			      npairs == 1 ? "" : "s", m, nx);
	}
	jsonl_close(&in);
	for (i = 0; i < nx; i++)
		issue_free(&x[i]);
	free(x);
	free(pa);
	free(pb);
	arena_free(&out);
	return finish();
}
