/* puma-detect - describe this machine and choose its PUMA hardware profile.
 *
 * Prints one JSON object: OS, CPU, memory, disk, GPUs, Apple chip, the
 * probes that ran and what each gave, the inference server when asked,
 * the chosen profile with what it can run, and the problems found.
 * --format text prints the same as a report for people.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "backend.h"
#include "catalog.h"
#include "config.h"
#include "diag.h"
#include "hw.h"
#include "json.h"
#include "profile.h"
#include "sysroot.h"
#include "url.h"
#include "xalloc.h"

/* The help text on stdout (-h). */
static void usage(void)
{
	printf("Usage: %s [-f json|text] [-p NAME] [-s URL [--require-server]] [-d DIR]\n"
	       "                   [-t SECONDS] [--sysroot DIR] [--config-dir DIR]\n"
	       "       %s -f text --from FILE\n", progname, progname);
	fputs("Describe this machine (OS, CPU, memory, disk, GPUs, Apple chip), choose its\n"
	      "PUMA hardware profile, and print both as one JSON object.\n"
	      "\n"
	      "  -f, --format FMT        json (the default) or text, a report for people\n"
	      "      --from FILE         with --format text: show a description saved earlier\n"
	      "                          (a run's host.json) instead of probing this machine\n"
	      "  -p, --profile NAME      use this profile instead of choosing one\n"
	      "  -s, --server URL        also ask this inference server (default: $OLLAMA_HOST\n"
	      "                          when set) for its version and models\n"
	      "      --require-server    exit 1 when the server does not answer\n"
	      "  -d, --dir DIR           report the free disk where the run writes (default: .)\n"
	      "  -t, --timeout SECONDS   longest wait for each probe program and each request\n"
	      "                          (default: 10)\n"
	      "      --sysroot DIR       read /proc, /sys, /etc under DIR (default: $PUMA_SYSROOT)\n"
	      "      --config-dir DIR    where profiles.json is (default: $PUMA_CONFIG_DIR, else\n"
	      "                          the config directory next to the program or installed)\n"
	      "  -h, --help              show this help and exit\n"
	      "      --version           show the version and exit\n"
	      "\n"
	      "Exit status: 0 a profile was chosen; 1 insufficient hardware (under 8 GB of\n"
	      "RAM), RAM unknown, an unreadable profiles.json, a required server that does not\n"
	      "answer, or a write error; 2 a usage error.\n", stdout);
}

/* ---- the inference server ---- */

/* The "server" object: what the server at url said about itself
 * (backend_discover), where its URL came from, and the error if any.
 * *reachable says whether anything answered, *why what went wrong. */
static jv *query_server(struct arena *a, const char *url, const char *source, long timeout_ms,
			int *reachable, const char **why)
{
	jv *o = jv_obj(a);
	struct discovery d;
	char *shown = url_redact(url);

	backend_discover(a, url, timeout_ms, &d);
	*reachable = d.reachable;
	*why = d.why;
	jv_set(a, o, "url", jv_cstr(a, shown));
	free(shown);
	jv_set(a, o, "source", jv_cstr(a, source));
	jv_set(a, o, "reachable", jv_bool(d.reachable));
	jv_set(a, o, "backend", jv_cstr_or_null(a, d.backend));
	jv_set(a, o, "version", jv_cstr_or_null(a, d.version));
	jv_set(a, o, "models", d.models);
	jv_set(a, o, "error", jv_cstr_or_null(a, d.why));
	return o;
}

/* ---- the record ---- */

static jv *count_or_null(struct arena *a, long long n)
{
	return n >= 0 ? jv_int(a, n) : JV_NULL;
}

static jv *gib2_or_null(struct arena *a, long long bytes)
{
	return bytes >= 0 ? jv_num(a, hw_gib2(bytes)) : JV_NULL;
}

/* A size as "NAME_bytes" and "NAME_gib" in x (null when unknown). */
static void set_size(struct arena *a, jv *x, const char *name, long long bytes)
{
	char key[48];

	snprintf(key, sizeof(key), "%s_bytes", name);
	jv_set(a, x, key, count_or_null(a, bytes));
	snprintf(key, sizeof(key), "%s_gib", name);
	jv_set(a, x, key, gib2_or_null(a, bytes));
}

/* Which of the profile's recommended models (config/models.json, as
 * profiles.json lists them) the server has and which it lacks, added to
 * the server object when both its model list and a profile are known. */
static void recommended(struct arena *a, jv *server, const struct pick *pk)
{
	const jv *have = jv_get(server, "models"), *want = pk->p ? pk->p->models : NULL;
	jv *o, *present, *missing;
	size_t i, k;

	if (have == NULL || have->t != JARR || want == NULL || want->t != JARR)
		return;
	o = jv_obj(a);
	present = jv_arr(a);
	missing = jv_arr(a);
	for (i = 0; i < jv_len(want); i++) {
		jv *item = jv_item(want, i);
		const char *w = item->t == JSTR ? item->u.s : NULL;
		int found = 0;

		if (w == NULL)
			continue;
		for (k = 0; k < jv_len(have) && !found; k++) {
			const char *h = jv_getstr(jv_item(have, k), "name", NULL);

			found = h != NULL && catalog_same_model(h, w);
		}
		jv_push(a, found ? present : missing, item);
	}
	jv_set(a, o, "profile", jv_cstr(a, pk->p->name));
	jv_set(a, o, "present", present);
	jv_set(a, o, "missing", missing);
	jv_set(a, server, "recommended", o);
}

/* Everything learned, as one JSON object (text output is drawn from it,
 * so the two never disagree). */
static jv *build(struct arena *a, const struct hw *h, const struct pick *pk, jv *server)
{
	jv *o = jv_obj(a), *x, *arr;
	size_t i;

	x = jv_obj(a);
	jv_set(a, x, "name", jv_cstr_or_null(a, h->os_name));
	jv_set(a, x, "release", jv_cstr_or_null(a, h->os_release));
	jv_set(a, x, "version", jv_cstr_or_null(a, h->os_version));
	jv_set(a, x, "arch", jv_cstr_or_null(a, h->arch));
	jv_set(a, o, "os", x);

	x = jv_obj(a);
	jv_set(a, x, "model", jv_cstr_or_null(a, h->cpu_model));
	jv_set(a, x, "cores", count_or_null(a, h->cores));
	jv_set(a, x, "threads", count_or_null(a, h->threads));
	jv_set(a, o, "cpu", x);

	x = jv_obj(a);
	set_size(a, x, "total", h->ram_total);
	set_size(a, x, "available", h->ram_avail);
	jv_set(a, x, "source", jv_cstr_or_null(a, h->ram_source));
	jv_set(a, o, "ram", x);

	x = jv_obj(a);
	jv_set(a, x, "dir", jv_cstr_or_null(a, h->dir));
	set_size(a, x, "free", h->disk_free);
	jv_set(a, x, "total_bytes", count_or_null(a, h->disk_total));
	jv_set(a, o, "disk", x);

	arr = jv_arr(a);
	for (i = 0; i < h->ngpus; i++) {
		const struct hw_gpu *g = &h->gpus[i];

		x = jv_obj(a);
		jv_set(a, x, "vendor", jv_cstr_or_null(a, g->vendor));
		jv_set(a, x, "name", jv_cstr_or_null(a, g->name));
		jv_set(a, x, "vram_bytes", count_or_null(a, g->vram_bytes));
		jv_set(a, x, "vram_gib", g->vram_bytes >= 0 ? jv_num(a, hw_gib1(g->vram_bytes)) : JV_NULL);
		jv_set(a, x, "driver", jv_cstr_or_null(a, g->driver));
		jv_set(a, x, "unified_memory", jv_bool(g->unified));
		jv_set(a, x, "counts_for_profile", jv_bool(g->counts && g->vram_bytes >= 0));
		jv_set(a, x, "source", jv_cstr(a, g->source));
		jv_push(a, arr, x);
	}
	jv_set(a, o, "gpus", arr);

	if (h->apple_silicon) {
		x = jv_obj(a);
		jv_set(a, x, "chip", jv_cstr_or_null(a, h->apple_chip));
		set_size(a, x, "unified_memory", h->apple_memsize);
		jv_set(a, x, "profile", jv_cstr_or_null(a, pk->apple ? pk->apple->name : NULL));
		jv_set(a, o, "apple", x);
	} else {
		jv_set(a, o, "apple", JV_NULL);
	}

	arr = jv_arr(a);
	for (i = 0; i < h->nprobes; i++) {
		const struct hw_probe *p = &h->probes[i];

		x = jv_obj(a);
		jv_set(a, x, "name", jv_cstr(a, p->name));
		jv_set(a, x, "command", jv_cstr_or_null(a, p->command));
		jv_set(a, x, "status", jv_cstr(a, p->status));
		jv_set(a, x, "detail", jv_cstr_or_null(a, p->detail));
		jv_push(a, arr, x);
	}
	jv_set(a, o, "probes", arr);
	if (server != NULL) {
		recommended(a, server, pk);
		jv_set(a, o, "server", server);
	}

	jv_set(a, o, "profile", jv_cstr_or_null(a, pk->p ? pk->p->name : NULL));
	jv_set(a, o, "empirical_validation", jv_cstr_or_null(a, pk->p ? pk->p->validation : NULL));
	jv_set(a, o, "profile_selected_by", jv_cstr_or_null(a, pk->by));
	jv_set(a, o, "profile_reason", jv_cstr(a, pk->reason));
	jv_set(a, o, "scenarios", pk->p ? (jv *)pk->p->scenarios : jv_arr(a));
	jv_set(a, o, "models", pk->p ? (jv *)pk->p->models : jv_arr(a));
	jv_set(a, o, "requirements", pk->p ? (jv *)pk->p->requirements : JV_NULL);

	arr = jv_arr(a);
	for (i = 0; i < h->nproblems; i++) {
		x = jv_obj(a);
		jv_set(a, x, "severity", jv_cstr(a, h->problems[i].severity));
		jv_set(a, x, "message", jv_cstr(a, h->problems[i].message));
		jv_push(a, arr, x);
	}
	jv_set(a, o, "problems", arr);
	return o;
}

/* ---- the text report, drawn from the record ---- */

/* A member as text: strings as they are, numbers as written in JSON. */
static const char *txt(const jv *obj, const char *key, char tmp[48])
{
	const jv *v = jv_get(obj, key);

	if (v == NULL || v->t == JNULL)
		return "unknown";
	if (v->t == JSTR)
		return v->u.s;
	if (v->t == JNUM) {
		if (jv_numtext(v, NULL) != NULL)
			return jv_numtext(v, NULL);
		fmt_double(v->d, tmp);
		return tmp;
	}
	return v->t == JTRUE ? "yes" : "no";
}

/* A GiB figure with its unit, or "unknown". */
static const char *gib(const jv *obj, const char *key, char tmp[48])
{
	const jv *v = jv_get(obj, key);

	if (v == NULL || v->t != JNUM)
		return "unknown";
	{
		char num[32];

		fmt_double(v->d, num);
		snprintf(tmp, 48, "%s GiB", num);
	}
	return tmp;
}

/* "a, b, c" for the text report, "none" for an empty list. */
static void join_strings(struct buf *b, const jv *arr)
{
	size_t i;

	if (arr == NULL || arr->t != JARR || arr->n == 0) {
		buf_adds(b, "none");
		return;
	}
	for (i = 0; i < arr->n; i++) {
		if (i)
			buf_adds(b, ", ");
		buf_adds(b, jv_item(arr, i)->u.s);
	}
}

/* The preflight report for people, written from the JSON description (so
 * --from shows a saved one exactly as it was taken). */
static void report(struct buf *b, const jv *o)
{
	const jv *os = jv_get(o, "os"), *cpu = jv_get(o, "cpu"), *ram = jv_get(o, "ram");
	const jv *disk = jv_get(o, "disk"), *gpus = jv_get(o, "gpus"), *apple = jv_get(o, "apple");
	const jv *probes = jv_get(o, "probes"), *srv = jv_get(o, "server"), *probs = jv_get(o, "problems");
	char t1[48], t2[48], t3[48];
	size_t i;

	buf_printf(b, "PUMA preflight (%s %s)\n\nHardware\n", progname, PUMA_VERSION);
	buf_printf(b, "  OS          %s %s, %s, %s\n", txt(os, "name", t1), txt(os, "release", t2),
		   txt(os, "version", t3), txt(os, "arch", t1));
	buf_printf(b, "  CPU         %s (%s cores, ", txt(cpu, "model", t1), txt(cpu, "cores", t2));
	buf_printf(b, "%s threads)\n", txt(cpu, "threads", t3));
	buf_printf(b, "  RAM         %s total, ", gib(ram, "total_gib", t1));
	buf_printf(b, "%s available\n", gib(ram, "available_gib", t2));
	buf_printf(b, "  Disk        %s free in %s\n", gib(disk, "free_gib", t1), txt(disk, "dir", t2));
	if (gpus->n == 0)
		buf_adds(b, "  GPUs        none found\n");
	for (i = 0; i < gpus->n; i++) {
		const jv *g = jv_item(gpus, i);

		buf_printf(b, "  GPU %-7zu %s, ", i, txt(g, "name", t1));
		if (jv_get(g, "unified_memory")->t == JTRUE)
			buf_adds(b, "unified memory");
		else
			buf_printf(b, "%s VRAM", gib(g, "vram_gib", t2));
		buf_printf(b, ", driver %s (%s)\n", txt(g, "driver", t1), txt(g, "source", t2));
	}
	if (!jv_isnull(apple)) {
		buf_printf(b, "  Apple chip  %s, ", txt(apple, "chip", t1));
		buf_printf(b, "%s unified memory\n", gib(apple, "unified_memory_gib", t2));
	}
	buf_adds(b, "\nProbes\n");
	for (i = 0; i < probes->n; i++) {
		const jv *p = jv_item(probes, i);
		const char *d = jv_getstr(p, "detail", NULL);

		buf_printf(b, "  %-16s %-10s%s%s\n", txt(p, "name", t1), txt(p, "status", t2),
			   d ? "  " : "", d ? d : "");
	}
	if (srv != NULL) {
		const jv *models = jv_get(srv, "models");

		buf_printf(b, "\nServer\n  URL         %s (from %s)\n", txt(srv, "url", t1), txt(srv, "source", t2));
		if (jv_get(srv, "reachable")->t == JTRUE)
			buf_printf(b, "  Answers     yes: %s, version %s\n", txt(srv, "backend", t1),
				   txt(srv, "version", t2));
		else
			buf_adds(b, "  Answers     no\n");
		if (!jv_isnull(jv_get(srv, "error")))
			buf_printf(b, "  Error       %s\n", txt(srv, "error", t1));
		for (i = 0; models != NULL && models->t == JARR && i < models->n; i++)
			buf_printf(b, "  %-11s %s  %s\n", i == 0 ? "Models" : "",
				   txt(jv_item(models, i), "name", t1), txt(jv_item(models, i), "digest", t2));
		if (jv_get(srv, "recommended") != NULL) {
			const jv *rec = jv_get(srv, "recommended"), *miss = jv_get(rec, "missing");

			buf_printf(b, "  Has         of %s's recommended models: ", txt(rec, "profile", t1));
			join_strings(b, jv_get(rec, "present"));
			buf_adds(b, "\n  Lacks       ");
			join_strings(b, miss);
			if (jv_item(miss, 0) != NULL && jv_item(miss, 0)->t == JSTR)
				buf_printf(b, " (Ollama: ollama pull %s)", jv_item(miss, 0)->u.s);
			buf_addc(b, '\n');
		}
	}
	buf_adds(b, "\nProfile\n");
	if (jv_isnull(jv_get(o, "profile"))) {
		buf_adds(b, "  Chosen      none\n");
	} else {
		buf_printf(b, "  Chosen      %s (empirical validation: %s)\n", txt(o, "profile", t1),
			   txt(o, "empirical_validation", t2));
	}
	buf_printf(b, "  Why         %s\n", txt(o, "profile_reason", t1));
	buf_adds(b, "  Can run     ");
	join_strings(b, jv_get(o, "scenarios"));
	buf_adds(b, "\n  Models      ");
	join_strings(b, jv_get(o, "models"));
	buf_adds(b, "\n\nProblems\n");
	if (probs->n == 0)
		buf_adds(b, "  none\n");
	for (i = 0; i < probs->n; i++)
		buf_printf(b, "  %-8s %s\n", txt(jv_item(probs, i), "severity", t1),
			   txt(jv_item(probs, i), "message", t2));
}

/* ---- main ---- */

/* ---- main's steps ---- */

/* What main settled from the options. */
struct settings {
	const char *override;	/* --profile, or NULL: choose */
	const char *dir;	/* --dir, or NULL */
	char *url;		/* the server to ask (owned), or NULL */
	const char *server_src;	/* where url came from */
	int require_server, text;
	long timeout_ms;
};

/* --from: a description saved by an earlier run (a run's host.json),
 * shown as the report; nothing is probed.  Returns the exit status. */
static int show_saved(const char *from, int text)
{
	struct arena a = {0};
	struct buf out = {0};
	jv *saved;

	if (!text)
		usage_error("--from FILE shows a saved description as text: add --format text");
	saved = json_load(&a, from);
	if (saved == NULL || saved->t != JOBJ || jv_get(saved, "profile") == NULL) {
		if (saved != NULL)
			warn_at(from, 0, "not a description written by puma-detect");
		arena_free(&a);
		return EXIT_FAIL;
	}
	report(&out, saved);
	fwrite(out.s, 1, out.len, stdout);
	buf_free(&out);
	arena_free(&a);
	return finish();
}

/* --dir must name a directory: a usage error otherwise. */
static void check_dir(const char *dir)
{
	struct stat st;

	if (dir == NULL)
		return;
	if (stat(dir, &st) != 0)
		usage_error("--dir %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		usage_error("--dir %s: not a directory", dir);
}

/* The server to ask: --server, else OLLAMA_HOST, else none (NULL); *src
 * says which. */
static char *server_url(const char *arg, int require_server, const char **src)
{
	char *url;

	*src = NULL;
	if (arg != NULL) {
		if (*arg == '\0')
			usage_error("--server wants a URL such as http://127.0.0.1:11434");
		*src = "--server";
		return backend_base_url(BACKEND_ANY, arg);
	}
	url = backend_base_url(BACKEND_ANY, NULL);
	if (url != NULL)
		*src = "OLLAMA_HOST";
	else if (require_server)
		usage_error("--require-server needs --server URL (or OLLAMA_HOST)");
	return url;
}

/* profiles.json into ps, and --profile checked against it: a bad one is
 * a usage error before any probing.  0, or the exit status. */
static int load_profiles(struct arena *a, struct profiles *ps, const char *override)
{
	char *path = config_path("profiles.json");
	int rc = profiles_load(a, path, ps);

	free(path);
	if (rc != 0) {
		warn_msg("cannot go on without the profiles (set --config-dir or PUMA_CONFIG_DIR)");
		return EXIT_FAIL;
	}
	if (override != NULL && profiles_find(ps, override) == NULL) {
		char *names = profiles_names(ps);

		warn_msg("unknown profile '%s'; valid profiles: %s", override, names);
		fprintf(stderr, "Try '%s --help' for more information.\n", progname);
		free(names);
		profiles_free(ps);
		return EXIT_USAGE;
	}
	return 0;
}

/* Ask the server, and note in h what is wrong with it (an error when
 * --require-server).  The "server" object; *reachable and *why as
 * query_server gives them. */
static jv *ask_server(struct arena *a, struct hw *h, const struct settings *set, int *reachable,
		      const char **why)
{
	char *shown = url_redact(set->url);
	jv *server = query_server(a, set->url, set->server_src, set->timeout_ms, reachable, why);

	if (!*reachable)
		hw_problem(h, set->require_server ? "error" : "warning", "the server at %s does not answer: %s",
			   shown, *why);
	else if (*why != NULL)
		hw_problem(h, "warning", "the server at %s answers, but: %s", shown, *why);
	free(shown);
	return server;
}

/* Choose the profile; no profile (too little or unknown RAM) is a problem
 * and a failure. */
static void choose(struct profiles *ps, struct hw *h, const char *override, struct pick *pk)
{
	profile_pick(ps, h, override, pk);
	if (pk->status == PICK_INSUFFICIENT) {
		hw_problem(h, "error", "%s", pk->reason);
		warn_msg("%s (use --profile NAME to choose one anyway)", pk->reason);
		fail();
	} else if (pk->status == PICK_UNKNOWN) {
		hw_problem(h, "error", "no profile chosen: RAM unknown (use --profile NAME to choose one)");
		warn_msg("no profile chosen: RAM unknown (use --profile NAME to choose one)");
		fail();
	}
}

/* Probe the machine (and the server), choose the profile, and print the
 * description.  Returns the exit status. */
static int describe(const struct settings *set)
{
	/* a owns profiles.json's tree, the server's answers and the output
	 * tree; h owns the machine's facts; out the bytes written. */
	struct arena a = {0};
	struct profiles ps;
	struct hw_opts ho = {.dir = set->dir, .timeout_ms = set->timeout_ms};
	struct hw h;
	struct pick pk;
	struct buf out = {0};
	jv *server = NULL, *o;
	const char *why = NULL;
	int st = load_profiles(&a, &ps, set->override), reachable = 0;

	if (st != 0) {
		arena_free(&a);
		return st;
	}
	hw_detect(&h, &ho);
	if (set->url != NULL)
		server = ask_server(&a, &h, set, &reachable, &why);
	choose(&ps, &h, set->override, &pk);
	if (set->require_server && !reachable) {
		char *shown = url_redact(set->url);

		warn_msg("the server at %s does not answer: %s", shown, why);
		free(shown);
		fail();
	}
	o = build(&a, &h, &pk, server);
	if (set->text) {
		report(&out, o);
	} else {
		json_write(&out, o);
		buf_addc(&out, '\n');
	}
	fwrite(out.s, 1, out.len, stdout);
	buf_free(&out);
	hw_free(&h);
	profiles_free(&ps);
	arena_free(&a);
	return finish();
}

int main(int argc, char **argv)
{
	enum { OPT_REQUIRE = 256, OPT_SYSROOT, OPT_CONFIG, OPT_VERSION, OPT_FROM };
	static const struct option opts[] = {
		{"config-dir", required_argument, NULL, OPT_CONFIG},
		{"dir", required_argument, NULL, 'd'},
		{"format", required_argument, NULL, 'f'},
		{"from", required_argument, NULL, OPT_FROM},
		{"help", no_argument, NULL, 'h'},
		{"profile", required_argument, NULL, 'p'},
		{"require-server", no_argument, NULL, OPT_REQUIRE},
		{"server", required_argument, NULL, 's'},
		{"sysroot", required_argument, NULL, OPT_SYSROOT},
		{"timeout", required_argument, NULL, 't'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	const char *format = "json", *override = NULL, *server_arg = NULL, *dir = NULL;
	const char *from = NULL;
	int require_server = 0, text, c, st;
	double timeout = 10;
	struct settings set;

	diag_init(argv[0]);
	while ((c = getopt_long(argc, argv, "d:f:hp:s:t:", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'h':
			usage();
			return finish();
		case 'p':
			override = optarg;
			break;
		case 's':
			server_arg = optarg;
			break;
		case 't': {
			char *end;

			errno = 0;
			timeout = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(timeout > 0 && timeout <= 3600))
				usage_error("--timeout wants seconds between 0 and 3600, not '%s'", optarg);
			break;
		}
		case OPT_REQUIRE:
			require_server = 1;
			break;
		case OPT_SYSROOT:
			sysroot_set(optarg);
			break;
		case OPT_CONFIG:
			config_set_dir(optarg);
			break;
		case OPT_FROM:
			from = optarg;
			break;
		case OPT_VERSION:
			print_version();
			return finish();
		default:
			fprintf(stderr, "Try '%s --help' for more information.\n", progname);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (strcmp(format, "json") != 0 && strcmp(format, "text") != 0)
		usage_error("--format must be json or text, not '%s'", format);
	text = strcmp(format, "text") == 0;
	if (from != NULL)
		return show_saved(from, text);
	check_dir(dir);
	set = (struct settings){
		.override = override, .require_server = require_server, .text = text,
		.dir = dir, .timeout_ms = (long)(timeout * 1000),
	};
	if (set.timeout_ms < 1)
		set.timeout_ms = 1;
	set.url = server_url(server_arg, require_server, &set.server_src);
	st = describe(&set);
	free(set.url);
	return st;
}
