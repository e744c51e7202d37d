/* puma-parse - read response records, add "pred" (a label or story points,
 * null on a parse failure) and "confidence" (from the first generated
 * token's logprobs), pass every other field through. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "jfast.h"
#include "diag.h"
#include "jsonl.h"
#include "opt.h"
#include "parse.h"
#include "samples.h"
#include "scenario.h"
#include "xalloc.h"

static const char usage_text[] =
	"Usage: puma-parse [--scenario NAME] [--labels LIST|SET] [--confidence puma|fixed|off]\n"
	"                  [--config-dir DIR] [--lenient] [FILE...]\n"
	"Add \"pred\" and \"confidence\" to each response record (JSON Lines).\n"
	"\n"
	"  -s, --scenario NAME     scenario for records without a \"scenario\" member\n"
	"      --labels LIST|SET   labels for classification: Critical,Major,... or a\n"
	"                          label set under config/scenarios (triage_jira_5)\n"
	"  -c, --confidence MODE   puma (default), fixed or off; see puma-parse(1)\n"
	"      --config-dir DIR    where scenarios/*.json live\n"
	"  -l, --lenient           skip bad records (counted) instead of stopping\n"
	"  -h, --help              show this help\n"
	"      --version           show the version\n";

/* Options, fixed after parsing the command line. */
struct opts {
	const char *scenario;
	struct labelset *labels;	/* owned by the scenario cache */
	enum conf_mode mode;
	int lenient;
};

/* The members this tool reads; everything else passes through raw. */
static const char *const want[] = {"scenario", "gold", "response", "error", "thinking", "samples", NULL};

/* The candidates for the first token from the "logprobs" member at index
 * at: it, then its top_logprobs (see logprob_candidates()).  Returns the
 * count (0: no logprobs) or -1 when malformed. */
static long candidates(struct arena *a, const jv *rec, size_t at, struct cand **out)
{
	size_t len;
	const char *text = jv_member_text(rec, at, &len);

	if (text == NULL)
		return jv_isnull(jv_val(rec, at)) ? 0 : -1;
	return logprob_candidates(a, text, len, out);
}

/* Case-insensitive search for needle (lower case ASCII, starting with a
 * byte that has no case) in s; NULL if absent. */
static const char *find_ci(const char *s, size_t len, const char *needle)
{
	size_t nl = strlen(needle), i, k;
	const char *p;

	for (i = 0; i + nl <= len; i++) {
		if ((p = memchr(s + i, needle[0], len - nl + 1 - i)) == NULL)
			return NULL;
		i = (size_t)(p - s);
		for (k = 1; k < nl; k++) {
			unsigned char c = (unsigned char)s[i + k];

			if ((c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c) != (unsigned char)needle[k])
				break;
		}
		if (k == nl)
			return s + i;
	}
	return NULL;
}

/* Which of the n tokens (tok[i], laid end to end) holds the first byte of
 * the ANSWER when the model reasoned first: the answer starts after the
 * first "</think>" among them (reasoning inline in the response) or, when
 * the server returned the reasoning apart ("thinking") and its tokens come
 * first, where the response's text starts; leading white space is skipped.
 * n when no token reaches the answer. */
static size_t answer_entry(const struct cand *tok, size_t n, const jv *response)
{
	struct buf t = {0};
	size_t i, start, *ends = xmalloc(n * sizeof(*ends));
	const char *close;

	buf_add(&t, "", 0);
	for (i = 0; i < n; i++) {
		buf_add(&t, tok[i].tok, tok[i].len);
		ends[i] = t.len;
	}
	close = find_ci(t.s, t.len, "</think>");
	if (close != NULL)
		start = (size_t)(close - t.s) + 8;
	else if (t.len >= jv_len(response))
		start = t.len - jv_len(response);	/* the thinking's tokens, then the answer's */
	else
		start = 0;
	while (start < t.len && (t.s[start] == ' ' || t.s[start] == '\n' || t.s[start] == '\t' ||
				 t.s[start] == '\r'))
		start++;
	buf_free(&t);
	for (i = 0; i < n && ends[i] <= start; i++)
		;
	free(ends);
	return i;
}

/* answer_candidates() from a tree of the whole "logprobs" array, for the
 * tokens only a tree reads (surrogate escapes). */
static long answer_candidates_tree(struct arena *a, const char *mtext, size_t mlen,
				   const jv *response, struct cand **out)
{
	const char *colon = memchr(mtext, ':', mlen);
	const jv *arr;
	char err[128];
	struct cand *tok;
	size_t i, n;

	arr = json_parse(a, arena_strndup(a, colon + 1, (size_t)(mtext + mlen - colon - 1)),
			 (size_t)(mtext + mlen - colon - 1), NULL, err, sizeof(err));
	if (arr == NULL || (arr->t != JARR && arr->t != JNULL))
		return -1;
	if ((n = jv_len(arr)) == 0)
		return 0;
	tok = arena_alloc(a, n * sizeof(*tok));
	for (i = 0; i < n; i++)
		if ((tok[i].tok = jv_getstr(jv_item(arr, i), "token", &tok[i].len)) == NULL)
			return -1;
	if ((i = answer_entry(tok, n, response)) == n)
		return 0;
	return entry_candidates(a, jv_item(arr, i), out);
}

/* The candidates of the first ANSWER token when the model reasoned first
 * (see answer_entry()): that token's, never a reasoning token's.  The
 * tokens are read in place, without a tree.  0 when no token reaches the
 * answer, -1 when malformed. */
static long answer_candidates(struct arena *a, const jv *rec, size_t at, const jv *response,
			      struct cand **out)
{
	size_t mlen = 0, i;
	const char *mtext = jv_member_text(rec, at, &mlen);
	const char **pos;
	struct cand *tok;
	long n;

	if (mtext == NULL)
		return jv_isnull(jv_val(rec, at)) ? 0 : -1;
	n = logprob_tokens(a, mtext, mlen, &tok, &pos);
	if (n == -2)
		return answer_candidates_tree(a, mtext, mlen, response, out);
	if (n <= 0)
		return n;
	if ((i = answer_entry(tok, (size_t)n, response)) == (size_t)n)
		return 0;
	return logprob_entry_candidates(a, pos[i], mtext + mlen, out);
}

/* Story points print as integers when they are whole. */
static jv *points_value(struct arena *a, double v)
{
	/* The range first: casting a double out of range is undefined. */
	if (v < 9007199254740992.0 && v > -9007199254740992.0 && v == (double)(long long)v)
		return jv_int(a, (long long)v);
	return jv_num(a, v);
}

/* The prediction in one sample's answer: null when it failed or parsed
 * to nothing. */
static jv *sample_pred(struct arena *a, const struct opts *o, const struct scenario *sc, const jv *smp)
{
	const jv *resp = jv_get(smp, "response");
	char *text;
	size_t rlen;

	if (resp == NULL || resp->t != JSTR || !jv_isnull(jv_get(smp, "error")))
		return JV_NULL;
	text = arena_alloc(a, resp->n + 1);
	rlen = strip_think(resp->u.s, resp->n, text);
	if (sc->task == TASK_REGRESSION) {
		double v;

		return parse_points(&sc->scale, text, rlen, &v) ? points_value(a, v) : JV_NULL;
	} else {
		const struct labelset *ls = o->labels ? o->labels : &sc->labels;
		int k = parse_label(ls, text, rlen);

		return k >= 0 ? jv_str(a, ls->label[k], ls->len[k]) : JV_NULL;
	}
}

/* Self-consistency (puma-infer --samples): the majority of the samples'
 * predictions, its vote share as the confidence, and the counts for
 * "votes".  Returns 0, or after a bad-record message 1 (skip) or -1 (stop). */
static int vote(struct jsonl_in *in, const struct opts *o, const struct scenario *sc,
		const jv *samples, jv **pred, jv **conf, jv **votes)
{
	struct arena *a = &in->a;
	struct vote *v;
	long w, n;
	size_t i;

	if (samples->t != JARR || jv_len(samples) == 0)
		return jsonl_bad(in, "\"samples\" is %s, not a non-empty array (of puma-infer --samples)",
				 samples->t == JARR ? "empty" : jv_typename(samples)) < 0 ? -1 : 1;
	v = arena_alloc(a, jv_len(samples) * sizeof(*v));
	for (i = 0; i < jv_len(samples); i++) {
		const jv *smp = jv_item(samples, i), *resp = jv_get(smp, "response");

		if (smp->t != JOBJ || resp == NULL || (resp->t != JSTR && resp->t != JNULL))
			return jsonl_bad(in, "\"samples\"[%zu] is not an object with a \"response\" string or null",
					 i) < 0 ? -1 : 1;
		v[i].pred = sample_pred(a, o, sc, smp);
	}
	w = vote_majority(a, v, jv_len(samples), &n, votes);
	*pred = w >= 0 ? (jv *)v[w].pred : JV_NULL;
	*conf = w >= 0 ? jv_num(a, (double)n / (double)jv_len(samples)) : JV_NULL;
	return 0;
}

/* The scenario name of the last record whose name was checked and
 * looked up (records of a file name one scenario), and its cache entry. */
static char last_name[64];
static size_t last_len;
static struct scenario *last_sc;

/* Is name (n bytes) the last record's scenario name, already checked?  A
 * name holding a NUL byte never is: the remembered one holds none. */
static int same_scenario(const char *name, size_t n)
{
	return last_sc != NULL && n == last_len && memcmp(name, last_name, n) == 0;
}

/* scenario_get(), remembering a name that fits for same_scenario(). */
static struct scenario *scenario_of(const char *name)
{
	size_t n = strlen(name);

	if (same_scenario(name, n))
		return last_sc;
	last_sc = NULL;
	if (n >= sizeof(last_name))
		return scenario_get(name);
	memcpy(last_name, name, n);
	last_len = n;
	return last_sc = scenario_get(name);
}

/* Check one record and add pred and confidence; returns 0 to write it,
 * 1 to skip it (lenient), -1 to stop. */
static int parse_record(struct jsonl_in *in, const struct opts *o, jv *rec)
{
	struct arena *a = &in->a;
	const char *name = NULL;
	const jv *scen = NULL, *gold = NULL, *response = NULL, *error = NULL, *thinking = NULL;
	const jv *samples = NULL;
	const struct jmember *logprobs = NULL;	/* read in place, by the fast path */
	struct scenario *sc;
	size_t i, lp_at = 0, n = jv_len(rec);
	jv *pred = JV_NULL, *conf = JV_NULL, *votes = NULL;
	int ours = 0;	/* the record has a member of a name this tool writes */

	/* One pass over the members; the first of a repeated key counts, as
	 * jv_get() would find it. */
	for (i = 0; i < n; i++) {
		size_t klen;
		const char *key = jv_key(rec, i, &klen);

#define IS(k) (klen == sizeof(k) - 1 && memcmp(key, k, klen) == 0)
#define TAKE(var, k) if (var == NULL && IS(k)) var = jv_val(rec, i)
		TAKE(scen, "scenario");
		else TAKE(gold, "gold");
		else TAKE(response, "response");
		else TAKE(error, "error");
		else if (logprobs == NULL && IS("logprobs"))
			logprobs = jv_member(rec, lp_at = i);
		else TAKE(thinking, "thinking");
		else TAKE(samples, "samples");
		else if (IS("pred") || IS("confidence") || IS("votes"))
			ours = 1;
#undef TAKE
#undef IS
	}
	if (scen != NULL && scen->t != JSTR)
		return jsonl_bad(in, "\"scenario\" is %s, not a string", jv_typename(scen)) < 0 ? -1 : 1;
	if (scen != NULL)
		name = scen->u.s;
	if (name != NULL && !same_scenario(name, scen->n) &&
	    (memchr(name, '\0', scen->n) != NULL || !scenario_name_ok(name)))
		return jsonl_bad(in, SCENARIO_NAME_BAD) < 0 ? -1 : 1;
	if (name == NULL && o->scenario == NULL)
		return jsonl_bad(in, "no \"scenario\" member (give --scenario NAME)") < 0 ? -1 : 1;
	if (name != NULL && o->scenario != NULL && strcmp(name, o->scenario) != 0)
		return jsonl_bad(in, "scenario \"%s\" differs from --scenario %s", name, o->scenario) < 0 ? -1 : 1;
	if (name == NULL)
		name = o->scenario;
	sc = scenario_of(name);
	if (sc == NULL)
		return jsonl_bad(in, "unknown scenario \"%s\": no readable config/scenarios/%s.json (see --config-dir)", name, name) < 0 ? -1 : 1;
	if (gold == NULL)
		return jsonl_bad(in, "no \"gold\" member") < 0 ? -1 : 1;
	if (sc->task == TASK_REGRESSION && gold->t != JNUM)
		return jsonl_bad(in, "\"gold\" is %s, not a number (story points)", jv_typename(gold)) < 0 ? -1 : 1;
	if (sc->task == TASK_CLASSIFICATION && gold->t != JSTR)
		return jsonl_bad(in, "\"gold\" is %s, not a label string", jv_typename(gold)) < 0 ? -1 : 1;
	if (response == NULL)
		return jsonl_bad(in, "no \"response\" member") < 0 ? -1 : 1;
	if (response->t != JSTR && response->t != JNULL)
		return jsonl_bad(in, "\"response\" is %s, not a string or null", jv_typename(response)) < 0 ? -1 : 1;
	if (samples != NULL) {
		int r = vote(in, o, sc, samples, &pred, &conf, &votes);

		if (r != 0)
			return r;
	} else if (response->t == JSTR && jv_isnull(error)) {
		char *text = arena_alloc(a, response->n + 1);
		size_t rlen = strip_think(response->u.s, response->n, text);

		if (sc->task == TASK_REGRESSION) {
			double v;

			if (parse_points(&sc->scale, text, rlen, &v))
				pred = points_value(a, v);
		} else {
			const struct labelset *ls = o->labels ? o->labels : &sc->labels;
			int k = parse_label(ls, text, rlen);

			if (k >= 0) {
				struct cand *c = NULL;
				long nc = 0;
				double p;

				pred = jv_str(a, ls->label[k], ls->len[k]);
				/* A model that reasoned first: the confidence is
				 * the first answer token's, never a reasoning one's. */
				size_t ws = strspn(response->u.s, " \t\n\r");
				int reasoned = (thinking != NULL && thinking->t == JSTR && thinking->n > 0) ||
					       (response->n - ws >= 6 &&
						find_ci(response->u.s + ws, 6, "<think") != NULL);

				if (o->mode != CONF_OFF && logprobs != NULL &&
				    (nc = reasoned ? answer_candidates(a, rec, lp_at, response, &c)
						   : candidates(a, rec, lp_at, &c)) < 0)
					return jsonl_bad(in, "\"logprobs\" does not start with {\"token\": string, \"logprob\": number, \"top_logprobs\": [...]}") < 0 ? -1 : 1;
				if (nc > 0 && label_confidence(ls, o->mode, c, (size_t)nc, k, &p))
					conf = jv_num(a, p);
			}
		}
	}
	if (ours) {
		jv_set(a, rec, "pred", pred);
		jv_set(a, rec, "confidence", conf);
		if (votes != NULL)
			jv_set(a, rec, "votes", votes);
	} else {
		jv_append(a, rec, "pred", pred);
		jv_append(a, rec, "confidence", conf);
		if (votes != NULL)
			jv_append(a, rec, "votes", votes);
	}
	return 0;
}

/* Parse one record and write it unless it was skipped. */
static int take_record(struct jsonl_in *in, jv *rec, void *ctx)
{
	int r = parse_record(in, ctx, rec);

	if (r == 0)
		jsonl_write(rec, in->l.name, in->l.lineno);
	return r;
}

int main(int argc, char **argv)
{
	enum { OPT_CONFIG_DIR = 256, OPT_LABELS };
	static const struct option longopts[] = {
		{.name = "confidence", .has_arg = required_argument, .val = 'c'},
		{.name = "config-dir", .has_arg = required_argument, .val = OPT_CONFIG_DIR},
		{.name = "labels", .has_arg = required_argument, .val = OPT_LABELS},
		OPTION_LENIENT,
		OPTION_SCENARIO,
		OPTION_HELP_VERSION,
		{0},
	};
	struct opts o = {.mode = CONF_PUMA};
	const char *labels_arg = NULL, *why = NULL;
	/* A file that cannot be opened fails the run; the others are read. */
	struct jsonl_pass jp = {.want = want, .past_unreadable = 1};
	int c;

	diag_init(argv[0]);
	jsonl_stdio();
	while ((c = opt_next(argc, argv, "c:hls:", longopts, NULL, usage_text)) != -1) {
		switch (c) {
		case 'c':
			if (strcmp(optarg, "puma") == 0)
				o.mode = CONF_PUMA;
			else if (strcmp(optarg, "fixed") == 0)
				o.mode = CONF_FIXED;
			else if (strcmp(optarg, "off") == 0)
				o.mode = CONF_OFF;
			else
				usage_error("--confidence: '%s' is not puma, fixed or off", optarg);
			break;
		case OPT_CONFIG_DIR:
			config_set_dir(optarg);
			break;
		case OPT_LABELS:
			labels_arg = optarg;
			break;
		case 'l':
			o.lenient = 1;
			break;
		case 's':
			o.scenario = optarg;
			break;
		}
	}
	if (labels_arg != NULL && (o.labels = labels_from_arg(labels_arg, &why)) == NULL) {
		scenario_free_all();
		usage_error("--labels: '%s' %s", labels_arg, why);
	}

	jp.lenient = o.lenient;
	jsonl_each(&jp, argv + optind, argc - optind, take_record, &o);
	scenario_free_all();
	return finish();
}
