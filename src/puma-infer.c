/* puma-infer - send each instance record's prompt to an LLM server and
 * write the record back with the answer.  See puma-infer(1).
 *
 * The loop keeps a window of records in input order: each is read, its
 * prompt rendered, its answer looked up in the cache, and, when not there,
 * sent through the multi-transfer engine with up to -j requests in flight.
 * Finished records leave the window from the front only, so the output
 * order is the input order whatever the order answers come back in.  A
 * failed request is retried (with backoff) while the policy allows, and
 * otherwise becomes a record with "response": null and "error".
 *
 * Memory: each record in the window owns an arena (the record and what is
 * added to it) and its request and response buffers; the window holds at
 * most a fixed number of records, so memory does not grow with the input.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "cache.h"
#include "catalog.h"
#include "clock.h"
#include "config.h"
#include "endpoint.h"
#include "energy.h"
#include "diag.h"
#include "http.h"
#include "jsonl.h"
#include "opt.h"
#include "outfile.h"
#include "prompt.h"
#include "pumaprompt.h"
#include "samples.h"
#include "scenario.h"
#include "scenprompt.h"
#include "sha256.h"
#include "url.h"

static const char usage_text[] =
	"Usage: puma-infer -m MODEL [-b ollama|openai] [-u URL] [-s SCENARIO] [-S STRATEGY]\n"
	"                  [-j N] [OPTION]... [FILE]\n"
	"Send each instance record of FILE (or standard input) to an LLM server and\n"
	"write it back with the answer, in input order.\n"
	"\n"
	"Server:\n"
	"  -b, --backend NAME     ollama (default: /api/generate) or openai\n"
	"                         (/v1/chat/completions: llama-server, vLLM, LM Studio)\n"
	"  -u, --url URL          server(s), -u per server (default: $OLLAMA_HOST or\n"
	"                         http://127.0.0.1:11434 for ollama, http://127.0.0.1:8080 for openai)\n"
	"  -m, --model NAME       the model to ask (required)\n"
	"      --api-key-env VAR  send the key in environment variable VAR as a bearer token\n"
	"                         (openai default: OPENAI_API_KEY, when set)\n"
	"Prompt:\n"
	"  -s, --scenario NAME    triage_jira, estimation_tawos, ... (default: each record's\n"
	"                         \"scenario\")\n"
	"  -S, --strategy NAME    the prompt strategy (default zero-shot)\n"
	"      --prompts SET      own: config/prompts/SCENARIO/STRATEGY.txt (default);\n"
	"                         puma: PUMA's SCENARIO/TEMPLATE.jinja as PUMA maps the strategy\n"
	"      --prompts-dir DIR  where PUMA's templates are (default: $PUMA_PROMPTS_DIR,\n"
	"                         else data/prompts/puma; fetch them with make prompts)\n"
	"  -t, --template FILE    use this template instead (FILE.jinja: a Jinja template\n"
	"                         rendered as PUMA renders its own)\n"
	"      --labels LIST      comma-separated labels (default: the scenario's config)\n"
	"      --examples FILE    solved examples (instance records with gold) for few-shot\n"
	"  -k, --k K              examples per prompt (default: from the strategy)\n"
	"      --max-chars N      cut each description to N characters\n"
	"      --keep-prompt      put the prompt itself into each record\n"
	"      --constrain        restrict the answer to the labels\n"
	"      --dry-run          contact no server: write each record with its \"prompt\"\n"
	"                         and the \"request\" it would send\n"
	"Generation:\n"
	"      --temperature X    sampling temperature (default 0)\n"
	"      --seed N           sampling seed, also for picking examples (default 42)\n"
	"      --samples K        K answers per record at T > 0 (self-consistency)\n"
	"  -n, --num-predict N    most tokens to generate (default 256)\n"
	"      --num-ctx N        Ollama's context window (default: the server's)\n"
	"      --think on|off     ask a reasoning model to think first, or not (default: not\n"
	"                         sent, as PUMA; the reasoning goes to \"thinking\")\n"
	"      --no-truncate      Ollama >= 0.12.6: a prompt longer than the context is an\n"
	"                         error record, not silently cut (truncate:false)\n"
	"      --logprobs         ask for each generated token's log-probability\n"
	"      --top-logprobs K   and the K most likely alternatives, 0 to 20 (default 5)\n"
	;
/* The rest of the help (one string literal may hold only 4095 bytes). */
static const char usage_more[] =
	"Running:\n"
	"  -j, --jobs N           requests in flight (default 1; more changes results on\n"
	"                         Ollama and llama.cpp)\n"
	"      --timeout SECS     per request (default: the model's in config/models.json,\n"
	"                         else 120)\n"
	"      --retries N        retries of a failed request (default 3)\n"
	"      --backoff SECS     first retry delay, doubled each time (default 1)\n"
	"      --max-failures N   stop after N failed records in a row (default 10; 0: never)\n"
	"      --max-response B   a larger answer (bytes) is a failed record (default 8 MiB)\n"
	"      --unload           Ollama: unload the model first, so the run starts from a\n"
	"                         fresh model state (keep_alive 0)\n"
	"      --model-digest HEX the model's sha256 when the server does not tell it\n"
	"                         (llama-server, vLLM: e.g. sha256sum of the GGUF file)\n"
	"      --cache DIR        answer cache (default ~/.cache/puma/infer)\n"
	"      --no-cache         neither read nor write the cache\n"
	"      --summary FILE     write a summary of the run (JSON) to FILE, with the energy\n"
	"                         it used and its CO2, measured while the requests run\n"
	"      --config-dir DIR   configuration directory (default: $PUMA_CONFIG_DIR, ../config)\n"
	"  -l, --lenient          skip (and count) bad input lines instead of stopping\n"
	"  -q, --quiet            no progress line\n"
	"  -h, --help             show this help\n"
	"      --version          show the version\n"
	"Energy (with --summary):\n"
	ENERGY_USAGE
	"\n"
	"Exit status: 0 every record answered; 3 every record written, but some failed\n"
	"(they carry their \"error\"); 1 the run did not finish (an unreachable server,\n"
	"a missing model, bad input, a write error, or it stopped early): rerun it to\n"
	"resume from the cache; 2 usage error.\n";

/* The exit status beyond diag.h's: the run got through its whole input,
 * but some records failed (each written with its "error").  Every other
 * failure exits EXIT_FAIL, so 0 and this are the only "finished" ones. */
enum { EXIT_SOME_FAILED = 3 };

enum {
	OPT_API_KEY_ENV = 0x100, OPT_BACKOFF, OPT_CACHE, OPT_CONFIG_DIR, OPT_CONSTRAIN,
	OPT_EXAMPLES, OPT_KEEP_PROMPT, OPT_LABELS, OPT_LOGPROBS, OPT_MAX_CHARS,
	OPT_MAX_FAILURES, OPT_NO_CACHE, OPT_NUM_CTX, OPT_RETRIES, OPT_SEED, OPT_SUMMARY,
	OPT_TEMPERATURE, OPT_TIMEOUT, OPT_TOP_LOGPROBS, OPT_VERSION, OPT_UNLOAD, OPT_MODEL_DIGEST,
	OPT_PROMPTS, OPT_PROMPTS_DIR, OPT_DRY_RUN, OPT_THINK, OPT_NO_TRUNCATE, OPT_SAMPLES,
	OPT_MAX_RESPONSE
};

static const struct option longopts[] = {
	{"api-key-env", required_argument, NULL, OPT_API_KEY_ENV},
	{"backend", required_argument, NULL, 'b'},
	{"backoff", required_argument, NULL, OPT_BACKOFF},
	{"cache", required_argument, NULL, OPT_CACHE},
	{"config-dir", required_argument, NULL, OPT_CONFIG_DIR},
	{"constrain", no_argument, NULL, OPT_CONSTRAIN},
	{"dry-run", no_argument, NULL, OPT_DRY_RUN},
	{"examples", required_argument, NULL, OPT_EXAMPLES},
	{"help", no_argument, NULL, 'h'},
	{"jobs", required_argument, NULL, 'j'},
	{"k", required_argument, NULL, 'k'},
	{"keep-prompt", no_argument, NULL, OPT_KEEP_PROMPT},
	{"labels", required_argument, NULL, OPT_LABELS},
	{"lenient", no_argument, NULL, 'l'},
	{"logprobs", no_argument, NULL, OPT_LOGPROBS},
	{"max-chars", required_argument, NULL, OPT_MAX_CHARS},
	{"max-failures", required_argument, NULL, OPT_MAX_FAILURES},
	{"max-response", required_argument, NULL, OPT_MAX_RESPONSE},
	{"model-digest", required_argument, NULL, OPT_MODEL_DIGEST},
	{"model", required_argument, NULL, 'm'},
	{"no-cache", no_argument, NULL, OPT_NO_CACHE},
	{"no-truncate", no_argument, NULL, OPT_NO_TRUNCATE},
	{"num-ctx", required_argument, NULL, OPT_NUM_CTX},
	{"num-predict", required_argument, NULL, 'n'},
	{"prompts", required_argument, NULL, OPT_PROMPTS},
	{"prompts-dir", required_argument, NULL, OPT_PROMPTS_DIR},
	{"quiet", no_argument, NULL, 'q'},
	{"retries", required_argument, NULL, OPT_RETRIES},
	{"scenario", required_argument, NULL, 's'},
	{"samples", required_argument, NULL, OPT_SAMPLES},
	{"seed", required_argument, NULL, OPT_SEED},
	{"strategy", required_argument, NULL, 'S'},
	{"summary", required_argument, NULL, OPT_SUMMARY},
	{"temperature", required_argument, NULL, OPT_TEMPERATURE},
	{"template", required_argument, NULL, 't'},
	{"think", required_argument, NULL, OPT_THINK},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"top-logprobs", required_argument, NULL, OPT_TOP_LOGPROBS},
	{"unload", no_argument, NULL, OPT_UNLOAD},
	{"url", required_argument, NULL, 'u'},
	{"version", no_argument, NULL, OPT_VERSION},
	ENERGY_LONG_OPTIONS,
	{NULL, 0, NULL, 0}
};

/* Options as given; strings borrowed from argv or the environment. */
struct opts {
	const char *model, *url, *key_env, *scenario, *strategy, *template, *labels;
	const char *examples, *cache, *summary, *input, *model_digest;
	const char *urls[16];	/* every -u, in order; more than one: several endpoints */
	int nurls;
	const char *prompts_dir;	/* PUMA's templates (--prompts puma) */
	int unload;
	int puma;		/* --prompts puma */
	int dry_run;
	long k;			/* -1: from the strategy */
	long max_chars;		/* -1: no cut */
	int keep_prompt, constrain, lenient, quiet, no_cache;
	int jobs, retries;
	long max_failures;
	long samples;		/* answers per record (--samples) */
	long max_response;	/* bytes */
	double timeout, backoff;
	struct energy_opts eo;	/* the energy options, used with --summary */
	const char *energy_opt;	/* the last energy option given, for a message */
};

enum jstate { J_QUEUED, J_RUNNING, J_DONE };

/* A record on its way through: it owns its arena, which holds the record
 * and everything added to it, and its request and response buffers. */
struct job {
	struct arena a;
	jv *rec;
	long line;
	enum jstate st;
	double not_before;	/* monotonic seconds: a retry waits until then */
	int attempts;
	int failed;
	int ep;			/* the endpoint of the request in flight, or -1 */
	long seed;		/* --samples: this sample's seed */
	struct buf body;
	char key[65];
	struct http_xfer x;
};

/* The whole run: settings, server, engine, window and counters. */
struct run {
	struct opts o;
	struct gen g;
	struct server srv;
	struct retry rt;
	enum backend kind;
	char *base;		/* the server's base URL, no trailing slash */
	char *endpoint;		/* base + the generate path */
	const char *key;	/* the API key (environment), or NULL */
	const char *strategy;	/* for the record */
	struct http_multi *m;
	struct endpoint *eps;	/* with two or more -u: the servers, eps[0] at base */
	size_t neps;
	struct cache cache;
	int use_cache;
	struct energy *en;	/* the energy meter, with --summary only */
	int digest_given;	/* the digest came from --model-digest */
	int unloaded;		/* --unload unloaded the model before the run */
	struct scen_opts so;	/* how prompts are made, from the options */
	struct scens scens;	/* each scenario's material, loaded on first use */
	struct jsonl_in in;
	int eof;

	struct job **win;	/* ring buffer of records in input order */
	size_t whead, wlen, wcap;

	char *stop_reason;	/* set once the run gives up on the server */
	int write_failed;	/* the output failed: nothing more is read or sent */
	long consec;		/* failed records in a row */
	long total;		/* records in the input, when known; -1 otherwise */
	long done, ok, failed, requests, retried, hits, not_sent;
	double t0, t_end, last_progress;
	int progress;
	int warned_logprobs;
	char started[32];
};

/* ---- Options ---- */

/* A name used as a path component must not climb out of config/. */
static void check_name(const char *what, const char *s)
{
	if (*s == '\0' || *s == '.' || strchr(s, '/') != NULL)
		usage_error("%s '%s' is not a plain name", what, s);
}

/* Examples per prompt that a strategy implies; -1 for few-shot-K with a
 * K outside --k's range (a huge K would size the example list). */
static long strategy_k(const char *s)
{
	if (strcmp(s, "one-shot") == 0)
		return 1;
	if (strcmp(s, "cot-few-shot") == 0)
		return 3;
	if (strncmp(s, "few-shot-", 9) == 0 && s[9] >= '0' && s[9] <= '9') {
		char *end;
		long k;

		errno = 0;
		k = strtol(s + 9, &end, 10);
		if (*end == '\0')
			return errno == 0 && k >= 1 && k <= 1000 ? k : -1;
	}
	return 0;
}

/* Read the options into r over PUMA's canonical settings (temperature 0,
 * seed 42, 256 tokens), and check that they fit together. */
static void parse_opts(struct run *r, int argc, char **argv)
{
	struct opts *o = &r->o;
	int c, li = 0;

	memset(o, 0, sizeof(*o));
	o->k = -1;
	o->max_chars = -1;
	o->jobs = 1;
	o->retries = 3;
	o->max_failures = 10;
	o->samples = 1;
	o->max_response = 8L << 20;
	o->timeout = -1;	/* from the model catalog */
	o->backoff = 1;
	r->kind = BACKEND_OLLAMA;
	r->g.temperature = 0;
	r->g.seed = 42;
	r->g.num_predict = 256;
	r->g.top_logprobs = 5;
	energy_opts_init(&o->eo);
	while ((c = getopt_long(argc, argv, "b:hj:k:lm:n:qS:s:t:u:", longopts, &li)) != -1) {
		if (energy_option(&o->eo, c, optarg)) {
			o->energy_opt = longopts[li].name;	/* all of them are long only */
			continue;
		}
		switch (c) {
		case OPT_API_KEY_ENV:
			o->key_env = optarg;
			break;
		case 'b':
			if (strcmp(optarg, "ollama") == 0)
				r->kind = BACKEND_OLLAMA;
			else if (strcmp(optarg, "openai") == 0)
				r->kind = BACKEND_OPENAI;
			else
				usage_error("--backend: '%s' is neither ollama nor openai", optarg);
			break;
		case OPT_BACKOFF:
			o->backoff = opt_double("--backoff", optarg, 0, 3600);
			break;
		case OPT_CACHE:
			o->cache = optarg;
			break;
		case OPT_CONFIG_DIR:
			config_set_dir(optarg);
			break;
		case OPT_CONSTRAIN:
			o->constrain = 1;
			break;
		case OPT_EXAMPLES:
			o->examples = optarg;
			break;
		case OPT_DRY_RUN:
			o->dry_run = 1;
			break;
		case OPT_PROMPTS:
			if (strcmp(optarg, "puma") == 0)
				o->puma = 1;
			else if (strcmp(optarg, "own") == 0)
				o->puma = 0;
			else
				usage_error("--prompts: '%s' is neither puma nor own", optarg);
			break;
		case OPT_PROMPTS_DIR:
			o->prompts_dir = optarg;
			break;
		case OPT_THINK:
			if (strcmp(optarg, "on") == 0)
				r->g.think = 1;
			else if (strcmp(optarg, "off") == 0)
				r->g.think = -1;
			else
				usage_error("--think: '%s' is neither on nor off", optarg);
			break;
		case OPT_NO_TRUNCATE:
			r->g.no_truncate = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			fputs(usage_more, stdout);
			exit(finish());
		case 'j':
			o->jobs = (int)opt_int("--jobs", optarg, 1, 256);
			break;
		case 'k':
			o->k = opt_int("--k", optarg, 0, 1000);
			break;
		case OPT_KEEP_PROMPT:
			o->keep_prompt = 1;
			break;
		case OPT_LABELS:
			o->labels = optarg;
			break;
		case 'l':
			o->lenient = 1;
			break;
		case OPT_LOGPROBS:
			r->g.logprobs = 1;
			break;
		case OPT_MAX_CHARS:
			o->max_chars = opt_int("--max-chars", optarg, 0, LONG_MAX);
			break;
		case OPT_MAX_FAILURES:
			o->max_failures = opt_int("--max-failures", optarg, 0, LONG_MAX);
			break;
		case OPT_MAX_RESPONSE:
			o->max_response = opt_int("--max-response", optarg, 1024, 1L << 30);
			break;
		case 'm':
			o->model = optarg;
			break;
		case OPT_NO_CACHE:
			o->no_cache = 1;
			break;
		case OPT_UNLOAD:
			o->unload = 1;
			break;
		case OPT_MODEL_DIGEST:
			o->model_digest = optarg;
			if (strncmp(o->model_digest, "sha256:", 7) == 0)
				o->model_digest += 7;
			if (strlen(o->model_digest) != 64 ||
			    strspn(o->model_digest, "0123456789abcdef") != 64)
				usage_error("--model-digest: '%s' is not a sha256 (64 lower-case hex digits)", optarg);
			break;
		case OPT_NUM_CTX:
			r->g.num_ctx = opt_int("--num-ctx", optarg, 1, LONG_MAX);
			break;
		case 'n':
			r->g.num_predict = opt_int("--num-predict", optarg, 1, LONG_MAX);
			break;
		case 'q':
			o->quiet = 1;
			break;
		case OPT_RETRIES:
			o->retries = (int)opt_int("--retries", optarg, 0, 100);
			break;
		case 's':
			check_name("--scenario", optarg);
			o->scenario = optarg;
			break;
		case OPT_SAMPLES:
			o->samples = opt_int("--samples", optarg, 1, 1000);
			break;
		case OPT_SEED:
			r->g.seed = opt_int("--seed", optarg, 0, 4294967295L);
			break;
		case 'S':
			check_name("--strategy", optarg);
			o->strategy = optarg;
			break;
		case OPT_SUMMARY:
			o->summary = optarg;
			break;
		case OPT_TEMPERATURE:
			r->g.temperature = opt_double("--temperature", optarg, 0, 100);
			break;
		case 't':
			o->template = optarg;
			break;
		case OPT_TIMEOUT:
			o->timeout = opt_double("--timeout", optarg, 0.001, 86400);
			break;
		case OPT_TOP_LOGPROBS:
			r->g.top_logprobs = (int)opt_int("--top-logprobs", optarg, 0, 20);
			r->g.logprobs = 1;
			break;
		case 'u':
			if (o->nurls == 16)
				usage_error("--url: at most 16 servers");
			if (o->nurls == 0)
				o->url = optarg;
			o->urls[o->nurls++] = optarg;
			break;
		case OPT_VERSION:
			print_version();
			exit(finish());
		default:
			usage_error("unknown option");
		}
	}
	if (optind < argc)
		o->input = argv[optind++];
	if (optind < argc)
		usage_error("one input file at most ('%s' is one too many)", argv[optind]);
	if (o->model == NULL)
		usage_error("no model: name one with -m MODEL (e.g. -m qwen2.5:3b)");
	if (o->no_cache && o->cache != NULL)
		usage_error("--cache and --no-cache contradict each other");
	if (o->unload && r->kind != BACKEND_OLLAMA)
		usage_error("--unload works with the ollama backend only (an OpenAI-compatible server has no unload request)");
	if (o->energy_opt != NULL && o->summary == NULL)
		usage_error("--%s: energy is measured only for the run summary: add --summary FILE",
			    o->energy_opt);
	if (o->strategy == NULL && o->template == NULL)
		o->strategy = "zero-shot";
	if (o->puma && o->strategy != NULL && strcmp(o->strategy, "self-consistency") == 0 &&
	    r->g.temperature == 0)
		usage_error("--prompts puma: PUMA refuses self-consistency at temperature 0 (at a "
			    "higher one it sends one zero_shot request, and votes on nothing)");
	if (o->strategy != NULL && strcmp(o->strategy, "self-consistency") == 0 && o->template == NULL &&
	    !o->puma)
		usage_error("self-consistency is a way of sampling, not a prompt: give a strategy "
			    "with --samples K and --temperature above 0; puma-parse votes");
	/* As PUMA's RunSpec: at temperature 0 every sample is the same answer. */
	if (o->samples > 1 && r->g.temperature == 0)
		usage_error("--samples %ld: self-consistency needs --temperature above 0 "
			    "(at 0 every sample gives the same answer)", o->samples);
	if (o->dry_run && o->samples > 1)
		usage_error("--dry-run shows one request per record: --samples does not go with it");
	if (o->puma && o->template != NULL)
		usage_error("--prompts puma and --template contradict each other: PUMA's templates "
			    "are chosen by --strategy");
	if (o->puma && o->strategy != NULL && puma_template_of(o->strategy) == NULL)
		usage_error("--prompts puma: PUMA has no strategy '%s' (zero-shot, zero-shot-cot, "
			    "one-shot, few-shot-K, cot-few-shot, rcoif, contextual-anchoring, "
			    "self-consistency, egi)", o->strategy);
	if (o->prompts_dir != NULL && !o->puma)
		usage_error("--prompts-dir is where PUMA's templates are: add --prompts puma");
	if (o->puma && o->prompts_dir == NULL) {
		o->prompts_dir = getenv("PUMA_PROMPTS_DIR");
		if (o->prompts_dir == NULL || *o->prompts_dir == '\0')
			o->prompts_dir = "data/prompts/puma";
	}
	if (prompt_is_jinja(o->template) || o->puma) {
		/* PUMA's runner passes no examples: none unless --examples gives
		 * some, then as many as the strategy keeps (cot-few-shot: all). */
		if (o->k < 0)
			o->k = o->examples == NULL ? 0 : o->strategy != NULL &&
			       puma_examples_cut(o->strategy) > 0 ? puma_examples_cut(o->strategy) : 1000;
	} else if (o->k < 0 && (o->k = o->strategy != NULL ? strategy_k(o->strategy) : 0) < 0) {
		usage_error("--strategy %s: K of few-shot-K is a whole number from 1 to 1000",
			    o->strategy);
	}
	if (o->timeout < 0) {
		int listed;

		o->timeout = catalog_timeout(o->model, &listed);
	}
	if (o->dry_run && (o->unload || o->summary != NULL))
		usage_error("--dry-run sends nothing: --%s does not go with it",
			    o->unload ? "unload" : "summary");
	if (o->k > 0 && o->examples == NULL)
		usage_error("%s places %ld solved example%s in each prompt: give them with "
			    "--examples FILE (instance records with \"gold\"), or set --k 0",
			    o->strategy != NULL ? o->strategy : "--k", o->k, o->k == 1 ? "" : "s");
}

/* The strategy's name for the record: --strategy, else the template's
 * file name without ".txt". */
static const char *strategy_name(struct run *r, char **owned)
{
	const char *b, *dot;

	*owned = NULL;
	if (r->o.strategy != NULL)
		return r->o.strategy;
	b = strrchr(r->o.template, '/');
	b = b ? b + 1 : r->o.template;
	dot = strrchr(b, '.');
	*owned = dot != NULL && (strcmp(dot, ".txt") == 0 || strcmp(dot, ".jinja") == 0)
		 ? xstrndup(b, (size_t)(dot - b)) : xstrdup(b);
	return *owned;
}

/* ---- Records ---- */

/* Replace every occurrence of the API key in s (a server's error text may
 * quote it) so it never reaches a record or a message.  The text never
 * grows (s is a full buffer): "[key]", or asterisks for a shorter key; the
 * search goes on after the replacement, which may itself hold the key. */
static void scrub_key(const struct run *r, char *s)
{
	size_t kl;
	char *p = s;

	if (r->key == NULL || (kl = strlen(r->key)) < 4)
		return;
	while ((p = strstr(p, r->key)) != NULL) {
		if (kl >= 5) {
			memcpy(p, "[key]", 5);
			memmove(p + 5, p + kl, strlen(p + kl) + 1);
			p += 5;
		} else {
			memset(p, '*', kl);
			p += kl;
		}
	}
}

/* Render rec's prompt, fill in the fields known before the request and
 * the request body and cache key.  -1 with a reason: a bad record. */
static int prepare(struct run *r, struct job *j, char *err, size_t errlen)
{
	const char *sname = r->o.scenario;
	struct scen *s;
	struct buf prompt = {0}, keym = {0};
	char sha[65];
	struct gen g = r->g;
	struct arena *a = &j->a;
	jv *rec = j->rec, *ids;
	int rc = -1, truncated;

	if (r->o.samples > 1)
		g.seed = j->seed;

	if (sname == NULL) {
		size_t n;

		sname = jv_getstr(rec, "scenario", &n);
		/* A record's scenario names a directory of templates: never a path. */
		if (sname != NULL && (strlen(sname) != n || !scenario_name_ok(sname))) {
			snprintf(err, errlen, SCENARIO_NAME_BAD);
			return -1;
		}
	}
	if (sname == NULL && r->o.template == NULL) {
		snprintf(err, errlen, "no \"scenario\" string in the record; name it with --scenario");
		return -1;
	}
	/* A template of one's own may do without a scenario ("" below). */
	if (sname == NULL)
		sname = "";
	s = scens_get(&r->scens, sname, err, errlen);
	if (s == NULL)
		return -1;
	if (scen_render(&r->so, s, a, rec, sname, &prompt, &ids, &truncated, err, errlen) < 0)
		goto out;
	sha256_hex(prompt.s, prompt.len, sha);
	g.constrain = r->o.constrain ? &s->labels : NULL;
	backend_body(&g, prompt.s, prompt.len, &j->body);
	/* The key: everything that can change the answer, which is the body
	 * (model, prompt, options, logprob settings, constraint) sent to
	 * this kind of server, and the model's identity there. */
	buf_printf(&keym, "puma-infer cache 1\n%s %s\n", backend_name(r->kind), backend_path(r->kind));
	if (r->srv.digest != NULL)
		buf_printf(&keym, "digest %s\n", r->srv.digest);
	else
		buf_printf(&keym, "server %s\n", r->base);
	buf_add(&keym, j->body.s, j->body.len);
	sha256_hex(keym.s, keym.len, j->key);

	jv_set(a, rec, "model", jv_cstr(a, r->o.model));
	jv_set(a, rec, "model_digest", jv_cstr_or_null(a, r->srv.digest));
	jv_set(a, rec, "quantization", jv_cstr_or_null(a, r->srv.quant));
	jv_set(a, rec, "backend", jv_cstr(a, backend_name(r->kind)));
	jv_set(a, rec, "server_version", jv_cstr_or_null(a, r->srv.version));
	jv_set(a, rec, "strategy", jv_cstr(a, r->strategy));
	jv_set(a, rec, "prompt_sha256", jv_cstr(a, sha));
	if (r->o.keep_prompt || r->o.dry_run)
		jv_set(a, rec, "prompt", jv_str(a, prompt.s, prompt.len));
	else
		jv_unset(rec, "prompt");
	if (ids != NULL)
		jv_set(a, rec, "examples", ids);
	else
		jv_unset(rec, "examples");
	if (truncated)
		jv_set(a, rec, "truncated", jv_bool(1));
	else
		jv_unset(rec, "truncated");
	jv_set(a, rec, "constrained", jv_bool(r->o.constrain));
	jv_set(a, rec, "options", backend_options(a, &g));
	if (r->o.dry_run) {
		jv *req = jv_obj(a);
		char perr[200];
		jv *body = json_parse(a, j->body.s, j->body.len, NULL, perr, sizeof(perr));

		jv_set(a, req, "url", jv_cstr(a, r->endpoint));
		jv_set(a, req, "body", body != NULL ? body : JV_NULL);
		jv_set(a, rec, "request", req);
	}
	rc = 0;
out:
	buf_free(&prompt);
	buf_free(&keym);
	return rc;
}

/* The answer fields, in the record's order. */
static void set_answer(struct run *r, struct job *j, jv *response, jv *done_reason, jv *latency,
		       jv *tin, jv *tout, jv *timings, jv *logprobs, jv *attempts, int cached,
		       const char *error)
{
	struct arena *a = &j->a;
	jv *rec = j->rec;

	jv_set(a, rec, "response", response);
	jv_set(a, rec, "done_reason", done_reason);
	jv_set(a, rec, "latency_ms", latency);
	jv_set(a, rec, "tokens_in", tin);
	jv_set(a, rec, "tokens_out", tout);
	if (timings != NULL)
		jv_set(a, rec, "timings", timings);
	else
		jv_unset(rec, "timings");
	if (r->g.logprobs && logprobs != NULL)
		jv_set(a, rec, "logprobs", logprobs);
	else
		jv_unset(rec, "logprobs");
	jv_set(a, rec, "attempts", attempts);
	jv_set(a, rec, "cached", jv_bool(cached));
	jv_set(a, rec, "error", jv_cstr_or_null(a, error));
}

/* The reasoning a server returned apart from the answer ("thinking"),
 * recorded right after "response"; removed when there is none. */
static void set_thinking(struct job *j, jv *thinking)
{
	jv_unset(j->rec, "thinking");
	if (thinking == NULL)
		return;
	jv_set(&j->a, j->rec, "thinking", thinking);
	jv_move_after(j->rec, "thinking", "response");
}

/* Fill the answer from a cache entry; 0, or -1 when the entry is not one
 * we wrote (it is then fetched again). */
static int from_cache(struct run *r, struct job *j)
{
	const jv *e;

	if (!r->use_cache)
		return -1;
	e = cache_get(&r->cache, &j->a, j->key);
	if (e == NULL || jv_getstr(e, "response", NULL) == NULL || jv_get(e, "attempts") == NULL)
		return -1;
	set_answer(r, j, jv_get(e, "response"), jv_get(e, "done_reason") ? jv_get(e, "done_reason") : JV_NULL,
		   jv_get(e, "latency_ms") ? jv_get(e, "latency_ms") : JV_NULL,
		   jv_get(e, "tokens_in") ? jv_get(e, "tokens_in") : JV_NULL,
		   jv_get(e, "tokens_out") ? jv_get(e, "tokens_out") : JV_NULL,
		   jv_get(e, "timings"), jv_get(e, "logprobs"), jv_get(e, "attempts"), 1, NULL);
	set_thinking(j, jv_get(e, "thinking"));
	r->hits++;
	return 0;
}

/* A record whose request failed for good. */
static void fail_job(struct run *r, struct job *j, const char *why, long long usec, int sent)
{
	char msg[600];

	snprintf(msg, sizeof(msg), "%s", why);
	scrub_key(r, msg);
	set_answer(r, j, JV_NULL, JV_NULL, sent ? jv_num(&j->a, (double)usec / 1000.0) : JV_NULL, JV_NULL,
		   JV_NULL, NULL, NULL, jv_int(&j->a, j->attempts), 0, msg);
	set_thinking(j, NULL);
	j->failed = 1;
	j->st = J_DONE;
}

/* Count a finished record toward the consecutive-failure limit. */
static void tally(struct run *r, struct job *j, const char *why)
{
	if (!j->failed) {
		r->consec = 0;
		return;
	}
	r->consec++;
	if (r->stop_reason == NULL && r->o.max_failures > 0 && r->consec >= r->o.max_failures)
		r->stop_reason = xasprintf("%ld records failed in a row (the last: %s)", r->consec, why);
}

/* Keep a good answer in the cache: the answer fields as the record has
 * them, so that a cached record is the same bytes as the original. */
static void store(struct run *r, struct job *j)
{
	static const char *const keep[] = {"response", "thinking", "done_reason", "latency_ms", "tokens_in",
		"tokens_out", "timings", "logprobs", "attempts", NULL};
	const char *const *k;
	struct buf e = {0};

	buf_adds(&e, "{\"key\":\"");
	buf_adds(&e, j->key);
	buf_addc(&e, '"');
	for (k = keep; *k != NULL; k++) {
		const jv *v = jv_get(j->rec, *k);

		if (v == NULL)
			continue;
		buf_printf(&e, ",\"%s\":", *k);
		json_write(&e, v);
	}
	buf_adds(&e, "}\n");
	cache_put(&r->cache, j->key, e.s, e.len);
	buf_free(&e);
}

/* With several endpoints, a request that could not reach its server
 * takes that server out of rotation and goes back in the queue for the
 * others, its attempt not counted: nothing is lost while one is alive.
 * Returns 1 when the job was requeued so. */
static int endpoint_done(struct run *r, struct job *j)
{
	struct endpoint *e = &r->eps[j->ep];
	struct http_xfer *x = &j->x;

	e->outstanding--;
	if (x->transport == 0 || endpoint_alive(r->eps, r->neps) - !e->dead == 0)
		return 0;
	if (!e->dead) {
		char why[600];

		snprintf(why, sizeof(why), "%s", x->err);
		scrub_key(r, why);
		e->dead = 1;
		e->why = xstrdup(why);
		warn_msg("%s failed (%s): taken out of rotation; its requests go to the other servers", e->shown,
		      why);
	}
	j->attempts--;
	j->ep = -1;
	j->not_before = 0;
	return 1;
}

/* A transfer ended: a good answer, a retry, or a failure. */
static void completed(struct run *r, struct job *j)
{
	struct http_xfer *x = &j->x;
	char why[600], err[400], msg[320];
	struct answer ans;

	j->st = J_QUEUED;
	if (r->neps > 0 && j->ep >= 0 && endpoint_done(r, j))
		return;
	if (x->transport == 0 && x->status >= 200 && x->status < 300) {
		if (backend_parse(&j->a, &r->g, x->resp.s, x->resp.len, &ans, err, sizeof(err)) < 0) {
			snprintf(why, sizeof(why), "HTTP %ld: %s", x->status, err);
			scrub_key(r, why);
			fail_job(r, j, why, x->usec, 1);
			tally(r, j, why);
			return;
		}
		if (ans.no_logprobs && r->g.logprobs && !r->warned_logprobs) {
			warn_msg("the server sent no logprobs although asked (an older server, or "
			      "--top-logprobs 0 on llama-server): records say \"logprobs\": null");
			r->warned_logprobs = 1;
		}
		set_answer(r, j, ans.response, ans.done_reason, jv_num(&j->a, (double)x->usec / 1000.0),
			   ans.tokens_in, ans.tokens_out, ans.timings, ans.logprobs,
			   jv_int(&j->a, j->attempts), 0, NULL);
		if (r->neps > 0) {
			jv_set(&j->a, j->rec, "endpoint", jv_cstr(&j->a, r->eps[j->ep].shown));
			r->eps[j->ep].answered++;
		}
		set_thinking(j, ans.thinking);
		j->st = J_DONE;
		r->consec = 0;
		if (r->use_cache)
			store(r, j);
		return;
	}
	if (x->transport != 0) {
		snprintf(why, sizeof(why), "%s", x->err);
	} else {
		backend_error(x->resp.s, x->resp.len, msg, sizeof(msg));
		snprintf(why, sizeof(why), "HTTP %ld%s%s", x->status, msg[0] ? ": " : "", msg);
	}
	/* why also goes into the reason the run stops (tally). */
	scrub_key(r, why);
	if (j->attempts <= r->o.retries && http_retryable(x->transport, x->status) &&
	    r->stop_reason == NULL) {
		j->not_before = clock_mono() + http_backoff(r->o.backoff, j->attempts, x->retry_after);
		r->retried++;
		return;
	}
	fail_job(r, j, why, x->usec, 1);
	tally(r, j, why);
}

/* ---- The window ---- */

static struct job *win_at(struct run *r, size_t i)
{
	return r->win[(r->whead + i) % r->wcap];
}

static void job_free(struct job *j)
{
	arena_free(&j->a);
	buf_free(&j->body);
	buf_free(&j->x.resp);
	free(j);
}

static void enqueue(struct run *r, struct job *j);

/* Sample i (i >= 1) of --samples: the same input line parsed again into a
 * job of its own, prepared with its own seed. */
static struct job *sample_job(struct run *r, const struct job *lead, long i)
{
	struct job *j = xcalloc(1, sizeof(*j));
	char err[700];
	char *text = arena_strndup(&j->a, r->in.l.buf, r->in.l.len);

	j->ep = -1;
	j->rec = json_parse(&j->a, text, r->in.l.len, NULL, err, sizeof(err));
	j->line = lead->line;
	j->seed = sample_seed(r->g.seed, i);
	/* The line and the template were fine for the first sample. */
	if (j->rec == NULL || prepare(r, j, err, sizeof(err)) < 0)
		die(EXIT_FAIL, "%s:%ld: sample %ld: %s", r->in.l.name, j->line, i, err);
	return j;
}

/* Read the next good record into new jobs at the back of the window, one
 * per sample.  Returns 1, or 0 at the end of the input (a strict stop
 * included). */
static int read_job(struct run *r)
{
	char err[700];
	jv *rec;
	struct job *j;
	size_t i;

	for (;;) {
		int rc = jsonl_next(&r->in, &rec);

		if (rc <= 0)
			return 0;
		/* Take the record's arena from the reader, and a copy of the line
		 * that raw member text points into. */
		j = xcalloc(1, sizeof(*j));
		j->ep = -1;
		j->a = r->in.a;
		memset(&r->in.a, 0, sizeof(r->in.a));
		j->rec = rec;
		j->line = r->in.l.lineno;
		jv_rebase(rec, r->in.l.buf, r->in.l.len, arena_strndup(&j->a, r->in.l.buf, r->in.l.len));
		j->seed = sample_seed(r->g.seed, 0);
		if (prepare(r, j, err, sizeof(err)) < 0) {
			job_free(j);
			if (jsonl_bad(&r->in, "%s", err) < 0)
				return 0;
			continue;
		}
		enqueue(r, j);
		for (i = 1; i < (size_t)r->o.samples; i++)
			enqueue(r, sample_job(r, j, (long)i));
		return 1;
	}
}

/* Put a prepared job at the back of the window: answered from the cache,
 * failed when the run has stopped, else queued. */
static void enqueue(struct run *r, struct job *j)
{
	r->win[(r->whead + r->wlen) % r->wcap] = j;
	r->wlen++;
	if (r->o.dry_run) {
		j->st = J_DONE;	/* written as prepared: nothing is sent */
	} else if (from_cache(r, j) == 0) {
		j->st = J_DONE;
	} else if (r->stop_reason != NULL) {
		char why[700];

		snprintf(why, sizeof(why), "not sent: puma-infer stopped after %s", r->stop_reason);
		fail_job(r, j, why, 0, 0);
		r->not_sent++;
	} else {
		j->st = J_QUEUED;
	}
}

/* Give up on the server: every record not yet answered fails. */
static void stop_all(struct run *r)
{
	size_t i;
	char why[700];

	for (i = 0; i < r->wlen; i++) {
		struct job *j = win_at(r, i);

		int measured = j->st == J_QUEUED && j->attempts > 0;

		/* A running request is cut off: its time is unknown.  One waiting
		 * to be retried keeps the time of its last attempt. */
		if (j->st == J_RUNNING)
			http_multi_abort(r->m, &j->x);
		if (j->st == J_DONE)
			continue;
		snprintf(why, sizeof(why), "%s: puma-infer stopped after %s",
			 j->attempts == 0 ? "not sent" : "not completed", r->stop_reason);
		if (j->attempts == 0)
			r->not_sent++;
		fail_job(r, j, why, j->x.usec, measured);
	}
}

/* The progress line on a terminal's stderr, redrawn at most four times a
 * second; the last call ends it with a newline. */
static void progress(struct run *r, int last)
{
	double t = clock_mono(), el = t - r->t0, rate;
	char eta[48] = "";

	if (!r->progress || (!last && t - r->last_progress < 0.25))
		return;
	r->last_progress = t;
	rate = el > 0 ? (double)r->done / el : 0;
	if (r->total > 0 && rate > 0 && r->done < r->total)
		snprintf(eta, sizeof(eta), ", ETA %.0f s", (double)(r->total - r->done) / rate);
	fprintf(stderr, "\r%s: %ld", progname, r->done);
	if (r->total >= 0)
		fprintf(stderr, "/%ld", r->total);
	fprintf(stderr, " records, %.1f/s%s, %ld failed, %ld cached\033[K", rate, eta, r->failed,
		r->hits);
	if (last)
		fputc('\n', stderr);
}

/* Whether the k jobs of the record at the front are all done. */
static int front_done(struct run *r, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++)
		if (win_at(r, i)->st != J_DONE)
			return 0;
	return 1;
}

/* --samples: gather the front record's k answers into its first job's
 * record; the record failed when one of its samples did. */
static void merge_samples(struct run *r, size_t k)
{
	struct job *j = win_at(r, 0);
	jv **recs = xcalloc(k, sizeof(*recs));
	long *seeds = xcalloc(k, sizeof(*seeds));
	size_t i;

	for (i = 0; i < k; i++) {
		recs[i] = win_at(r, i)->rec;
		seeds[i] = win_at(r, i)->seed;
		j->failed |= win_at(r, i)->failed;
	}
	samples_merge(&j->a, recs, seeds, k, r->g.seed);
	free(recs);
	free(seeds);
}

/* Write finished records from the front of the window, and push them out
 * at once: a full disk or a closed pipe stops the run before it asks the
 * server for answers nobody can keep. */
static void flush_front(struct run *r)
{
	size_t k = (size_t)r->o.samples;
	int wrote = 0;

	while (r->wlen >= k && front_done(r, k)) {
		struct job *j = win_at(r, 0);

		wrote = 1;
		if (r->progress)
			fputs("\r\033[K", stderr);
		if (k > 1)
			merge_samples(r, k);
		jsonl_write(j->rec, r->in.l.name, j->line);
		if (j->failed) {
			r->failed++;
		} else {
			r->ok++;
		}
		r->done++;
		for (; k > 1; k--) {
			job_free(win_at(r, k - 1));
			r->wlen--;
		}
		k = (size_t)r->o.samples;
		job_free(j);
		r->whead = (r->whead + k) % r->wcap;
		r->wlen--;
		r->last_progress = 0;
	}
	if (wrote && !r->write_failed && (fflush(stdout) != 0 || ferror(stdout))) {
		r->write_failed = 1;
		r->eof = 1;
		if (r->stop_reason == NULL)
			r->stop_reason = xasprintf("a write error on the output (%s)",
						   errno ? strerror(errno) : "stdout");
	}
}

/* Start queued records whose time has come, in input order.  A record
 * waiting to be retried keeps its slot: -j N bounds the records being
 * worked on, so backing off really lightens the server's load. */
static void start_ready(struct run *r)
{
	double t = clock_mono();
	size_t i;
	int active = 0;

	for (i = 0; i < r->wlen; i++) {
		struct job *j = win_at(r, i);

		if (j->st == J_RUNNING || (j->st == J_QUEUED && j->attempts > 0))
			active++;
	}
	for (i = 0; i < r->wlen; i++) {
		struct job *j = win_at(r, i);

		if (j->st != J_QUEUED || j->not_before > t)
			continue;
		if (j->attempts == 0) {
			if (active >= r->o.jobs)
				continue;
			active++;
		}
		j->x.url = r->endpoint;
		if (r->neps > 0) {
			int e = endpoint_pick(r->eps, r->neps);

			if (e < 0)
				break;
			j->ep = e;
			j->x.url = r->eps[e].gen;
			r->eps[e].outstanding++;
			r->eps[e].sent++;
		}
		j->x.body = j->body.s;
		j->x.len = j->body.len;
		j->x.timeout_ms = (long)(r->o.timeout * 1000);
		j->x.max_resp = (size_t)r->o.max_response;
		j->x.user = j;
		j->attempts++;
		r->requests++;
		j->st = J_RUNNING;
		http_multi_start(r->m, &j->x);
	}
}

/* How long the loop may sleep: until the next retry is due, at most a
 * quarter second (the progress line). */
static long wait_ms(struct run *r)
{
	double t = clock_mono(), next = t + 0.25;
	size_t i;

	for (i = 0; i < r->wlen; i++) {
		struct job *j = win_at(r, i);

		/* New records wait for a slot, which only a finished transfer
		 * frees: only retries have a time of their own. */
		if (j->st == J_QUEUED && j->attempts > 0 && j->not_before < next)
			next = j->not_before;
	}
	if (next <= t)
		return 0;
	return (long)((next - t) * 1000) + 1;
}

/* The loop: read ahead into the window, start requests, collect answers,
 * write finished records in order. */
static void run_loop(struct run *r)
{
	struct http_xfer *x;

	for (;;) {
		while (!r->eof && r->wlen + (size_t)r->o.samples <= r->wcap)
			if (!read_job(r))
				r->eof = 1;
		if (r->stop_reason == NULL)
			start_ready(r);
		flush_front(r);
		if (r->write_failed && r->wlen > 0)
			stop_all(r);
		flush_front(r);
		if (r->eof && r->wlen == 0)
			break;
		if (r->wlen == 0)
			continue;
		http_multi_wait(r->m, wait_ms(r));
		while ((x = http_multi_done(r->m)) != NULL)
			completed(r, x->user);
		if (r->stop_reason != NULL)
			stop_all(r);
		progress(r, 0);
	}
	progress(r, 1);
}

/* ---- Start, summary, end ---- */

/* Several endpoints: each is asked what it serves, and every one must
 * serve the same model: the digests they report must agree, and one that
 * reports none beside one that does cannot be told apart from another
 * model, so the run refuses.  Where none reports a digest, --model-digest
 * stands for all of them (and without it the run says it cannot check). */
static int endpoints_check(struct run *r)
{
	char *known = r->digest_given || r->srv.digest == NULL ? NULL : xstrdup(r->srv.digest);
	int st = 0, any_none = known == NULL;
	size_t i;

	r->neps = (size_t)r->o.nurls;
	r->eps = xcalloc(r->neps, sizeof(*r->eps));
	for (i = 0; i < r->neps; i++) {
		struct endpoint *e = &r->eps[i];

		e->base = backend_base_url(r->kind, r->o.urls[i]);
		e->gen = xasprintf("%s%s", e->base, backend_path(r->kind));
		e->shown = url_redact(e->base);
	}
	for (i = 1; i < r->neps && st == 0; i++) {
		struct endpoint *e = &r->eps[i];
		struct server s;

		if (backend_probe(&r->g, e->base, r->key, &r->rt, &s) < 0)
			return free(known), -1;
		if (s.digest == NULL) {
			any_none = 1;
		} else if (r->o.model_digest != NULL && strcmp(s.digest, r->o.model_digest) != 0) {
			warn_msg("%s says model '%s' has digest %s, not %s as --model-digest says: the run refuses",
			      e->shown, r->o.model, s.digest, r->o.model_digest);
			st = -1;
		} else if (known != NULL && strcmp(s.digest, known) != 0) {
			warn_msg("the servers do not serve the same model: %s says '%s' has digest %s, %s says %s; "
			      "the run refuses", r->eps[0].shown, r->o.model, known, e->shown, s.digest);
			st = -1;
		} else if (known == NULL) {
			known = xstrdup(s.digest);
		}
		server_free(&s);
	}
	if (st == 0 && known != NULL && any_none) {
		warn_msg("some of the servers report model '%s' with digest %s and some report none: they cannot be "
		      "shown to serve the same model; the run refuses", r->o.model, known);
		st = -1;
	}
	if (st == 0 && known == NULL && r->o.model_digest == NULL)
		warn_msg("none of the %zu servers reports a model digest: give --model-digest to record which model "
		      "they serve", r->neps);
	free(known);
	return st;
}

/* What each endpoint did, for the summary. */
static jv *endpoints_summary(struct run *r, struct arena *a)
{
	jv *arr = jv_arr(a);
	size_t i;

	for (i = 0; i < r->neps; i++) {
		jv *o = jv_obj(a);

		jv_set(a, o, "url", jv_cstr(a, r->eps[i].shown));
		jv_set(a, o, "requests", jv_int(a, r->eps[i].sent));
		jv_set(a, o, "answered", jv_int(a, r->eps[i].answered));
		jv_set(a, o, "out_of_rotation", jv_cstr_or_null(a, r->eps[i].why));
		jv_push(a, arr, o);
	}
	return arr;
}

/* --unload on every server of the run. */
static int unload(struct run *r);
static int unload_all(struct run *r)
{
	char *first = r->base;
	size_t i;
	int st = 0;

	if (r->neps == 0)
		return unload(r);
	for (i = 0; i < r->neps && st == 0; i++) {
		r->base = r->eps[i].base;
		st = unload(r);
	}
	r->base = first;
	return st;
}

/* A digest given with --model-digest stands in for the one the server
 * does not tell (llama-server, vLLM); one that contradicts the server's
 * means the wrong model file, and the run does not start. */
static int use_digest(struct run *r)
{
	if (r->o.model_digest == NULL)
		return 0;
	if (r->srv.digest == NULL) {
		r->srv.digest = xstrdup(r->o.model_digest);
		r->digest_given = 1;
		return 0;
	}
	if (strcmp(r->srv.digest, r->o.model_digest) != 0) {
		warn_msg("the server says model '%s' has digest %s, not %s as --model-digest says; "
		      "check which model file it serves", r->o.model, r->srv.digest, r->o.model_digest);
		return -1;
	}
	return 0;
}

/* Ollama unloads a model asked for with keep_alive 0 and no prompt: the
 * run then starts from a freshly loaded model, as PUMA's protocol asks
 * (a run before it had moved PUMA's MAE from 5.7150 to 6.3150). */
static int unload(struct run *r)
{
	if (backend_unload(r->base, r->o.model, r->key, r->rt.timeout_ms) < 0)
		return -1;
	r->unloaded = 1;
	return 0;
}

/* The number of records in the input, when it is a regular file we can
 * count without moving its offset; -1 otherwise. */
static long count_records(const char *path)
{
	int fd = path == NULL || strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY);
	struct stat st;
	char buf[65536];
	off_t off = 0;
	ssize_t n;
	long count = 0;
	int inside = 0;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd != 0)
			close(fd);
		return -1;
	}
	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		ssize_t i;

		for (i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				count += inside;
				inside = 0;
			} else if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r') {
				inside = 1;
			}
		}
		off += n;
	}
	count += inside;
	if (fd != 0)
		close(fd);
	return count;
}

/* Hooks around the requests, for whatever must see exactly the inference
 * and nothing else (an energy meter): run_begin() comes just before the
 * first request, run_end() just after the last answer, and
 * summary_extras() adds such a meter's part to the run summary. */
static void run_begin(struct run *r)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(r->started, sizeof(r->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* The meter's window encloses the requests': its first readings
	 * come before the first request, its last after the last answer. */
	if (r->en != NULL)
		energy_start(r->en);
	r->t0 = clock_mono();
}

static void run_end(struct run *r)
{
	r->t_end = clock_mono();
	if (r->en != NULL)
		energy_stop(r->en);
}

static void summary_extras(struct run *r, struct arena *a, jv *s)
{
	if (r->en != NULL)
		jv_set(a, s, "energy", energy_summary(r->en, a));
}

/* The templates the run used, one per scenario: path, sha256, origin. */
static jv *templates_used(struct run *r, struct arena *a)
{
	jv *arr = jv_arr(a);
	size_t i;

	for (i = 0; i < r->scens.n; i++) {
		const struct scen *sc = &r->scens.v[i];
		jv *t = jv_obj(a);

		jv_set(a, t, "scenario", jv_cstr(a, sc->name));
		jv_set(a, t, "path", jv_cstr_or_null(a, sc->t.path));
		jv_set(a, t, "sha256", sc->sha[0] ? jv_cstr(a, sc->sha) : JV_NULL);
		jv_set(a, t, "origin", jv_cstr_or_null(a, sc->origin));
		jv_push(a, arr, t);
	}
	return arr;
}

/* The run's figures as one JSON object, allocated in a. */
static jv *summary_new(struct run *r, struct arena *a)
{
	jv *s = jv_obj(a);

	jv_set(a, s, "tool", jv_cstr(a, "puma-infer"));
	jv_set(a, s, "version", jv_cstr(a, PUMA_VERSION));
	jv_set(a, s, "backend", jv_cstr(a, backend_name(r->kind)));
	{
		char *shown = url_redact(r->base);

		jv_set(a, s, "url", jv_cstr(a, shown));
		free(shown);
	}
	jv_set(a, s, "model", jv_cstr(a, r->o.model));
	jv_set(a, s, "model_digest", jv_cstr_or_null(a, r->srv.digest));
	jv_set(a, s, "model_digest_source", r->srv.digest == NULL ? JV_NULL :
	       jv_cstr(a, r->digest_given ? "--model-digest" : "server"));
	jv_set(a, s, "unloaded", jv_bool(r->unloaded));
	jv_set(a, s, "quantization", jv_cstr_or_null(a, r->srv.quant));
	jv_set(a, s, "server_version", jv_cstr_or_null(a, r->srv.version));
	jv_set(a, s, "strategy", jv_cstr(a, r->strategy));
	jv_set(a, s, "prompts", jv_cstr(a, r->o.puma ? "puma" : "own"));
	jv_set(a, s, "templates", templates_used(r, a));
	jv_set(a, s, "timeout_s", jv_num(a, r->o.timeout));
	jv_set(a, s, "jobs", jv_int(a, r->o.jobs));
	jv_set(a, s, "started", jv_cstr(a, r->started));
	jv_set(a, s, "wall_s", jv_num(a, r->t_end - r->t0));
	jv_set(a, s, "records", jv_int(a, r->done));
	jv_set(a, s, "ok", jv_int(a, r->ok));
	jv_set(a, s, "failed", jv_int(a, r->failed));
	jv_set(a, s, "not_sent", jv_int(a, r->not_sent));
	jv_set(a, s, "skipped", jv_int(a, r->in.skipped));
	jv_set(a, s, "cache_hits", jv_int(a, r->hits));
	jv_set(a, s, "requests", jv_int(a, r->requests));
	jv_set(a, s, "retries", jv_int(a, r->retried));
	jv_set(a, s, "stopped", jv_cstr_or_null(a, r->stop_reason));
	return s;
}

/* Write the summary to a temporary name and rename it, so that a reader
 * never sees half of it. */
static void write_summary(struct run *r, const jv *s)
{
	struct buf b = {0};

	json_write(&b, s);
	buf_addc(&b, '\n');
	if (outfile_write(r->o.summary, b.s, b.len) != 0)
		fail_at(r->o.summary, 0, "cannot write the summary: %s", strerror(errno));
	buf_free(&b);
}

int main(int argc, char **argv)
{
	struct run r;
	char *strat_owned, *cdir = NULL, err[700];
	struct arena sa = {0};
	jv *summary;
	size_t i;
	int st;

	diag_init(argv[0]);
	memset(&r, 0, sizeof(r));
	parse_opts(&r, argc, argv);
	/* The meter finds its sources now (an unknown --country is a usage
	 * error before any request); it samples only between run_begin()
	 * and run_end(). */
	if (r.o.summary != NULL) {
		r.en = energy_new(&r.o.eo, &st);
		if (r.en == NULL) {
			int w = finish();

			return w > st ? w : st;
		}
	}
	r.base = backend_base_url(r.kind, r.o.url);
	r.endpoint = xasprintf("%s%s", r.base, backend_path(r.kind));
	r.strategy = strategy_name(&r, &strat_owned);
	if (r.o.key_env != NULL || r.kind == BACKEND_OPENAI) {
		const char *k = getenv(r.o.key_env != NULL ? r.o.key_env : "OPENAI_API_KEY");

		if (k != NULL && *k != '\0')
			r.key = k;
		else if (r.o.key_env != NULL)
			usage_error("--api-key-env: the environment variable %s is not set", r.o.key_env);
	}
	r.g.kind = r.kind;
	r.g.model = r.o.model;
	r.rt.retries = r.o.retries;
	r.rt.backoff = r.o.backoff;
	r.rt.timeout_ms = (long)(r.o.timeout * 1000);

	/* A bad --scenario or --strategy is a usage error, found before any
	 * request; a record's own scenario is checked when it comes. */
	r.so = (struct scen_opts){
		.strategy = r.o.strategy, .template = r.o.template, .labels = r.o.labels,
		.examples = r.o.examples, .prompts_dir = r.o.prompts_dir, .puma = r.o.puma,
		.constrain = r.o.constrain, .k = r.o.k, .max_chars = r.o.max_chars,
		.seed = (uint32_t)r.g.seed,
	};
	r.scens.o = &r.so;
	if (r.o.scenario != NULL && scens_get(&r.scens, r.o.scenario, err, sizeof(err)) == NULL)
		usage_error("%s", err);
	if (jsonl_open(&r.in, r.o.input, NULL, r.o.lenient) < 0)
		goto out;
	if (!r.o.no_cache && !r.o.dry_run) {
		cdir = r.o.cache != NULL ? xstrdup(r.o.cache) : cache_default_dir();
		if (cdir == NULL) {
			warn_msg("neither XDG_CACHE_HOME nor HOME is set: running without a cache");
		} else if (cache_open(&r.cache, cdir) < 0) {
			fail();
			goto out;
		} else {
			r.use_cache = 1;
		}
	}
	if (r.o.dry_run) {
		/* No server: the digest is the one given, if any. */
		if (r.o.model_digest != NULL) {
			r.srv.digest = xstrdup(r.o.model_digest);
			r.digest_given = 1;
		}
	} else if (backend_probe(&r.g, r.base, r.key, &r.rt, &r.srv) < 0) {
		fail();
		goto out;
	}
	if (!r.o.dry_run && (use_digest(&r) < 0 || (r.o.nurls > 1 && endpoints_check(&r) < 0) ||
			     (r.o.unload && unload_all(&r) < 0))) {
		fail();
		goto out;
	}
	r.m = http_multi_new(r.o.jobs, r.key);
	if (r.m == NULL)
		die(EXIT_FAIL, "cannot start curl");
	r.wcap = ((size_t)r.o.jobs * 4 + 8) * (size_t)r.o.samples;
	r.win = xcalloc(r.wcap, sizeof(*r.win));
	r.progress = !r.o.quiet && isatty(2);
	r.total = r.progress ? count_records(r.o.input) : -1;

	run_begin(&r);
	run_loop(&r);
	run_end(&r);

	if (r.stop_reason != NULL) {
		fail();
		warn_msg("stopped early: %s; %ld record%s not sent%s; %s, then rerun%s", r.stop_reason,
		      r.not_sent, r.not_sent == 1 ? " was" : "s were",
		      r.write_failed ? "" : " (they say so in \"error\")",
		      r.write_failed ? "fix the output (a full disk? a closed pipe?)" : "check the server",
		      r.use_cache ? ": answers already received come from the cache" : "");
	} else if (r.failed > 0) {
		warn_msg("%ld of %ld record%s failed (see their \"error\" field)", r.failed, r.done,
		      r.done == 1 ? "" : "s");
	}
	if (r.o.summary != NULL) {
		summary = summary_new(&r, &sa);
		if (r.neps > 0)
			jv_set(&sa, summary, "endpoints", endpoints_summary(&r, &sa));
		summary_extras(&r, &sa, summary);
		write_summary(&r, summary);
	}
	for (i = 0; i < r.wlen; i++)
		job_free(win_at(&r, i));
	free(r.win);
	http_multi_free(r.m);
out:
	jsonl_close(&r.in);
	if (r.use_cache)
		cache_close(&r.cache);
	free(cdir);
	scens_free(&r.scens);
	server_free(&r.srv);
	for (i = 0; i < r.neps; i++)
		endpoint_free(&r.eps[i]);
	free(r.eps);
	free(r.base);
	free(r.endpoint);
	free(strat_owned);
	free(r.stop_reason);
	energy_free(r.en);
	arena_free(&sa);
	st = finish();
	return st == EXIT_OK && r.failed > 0 ? EXIT_SOME_FAILED : st;
}
