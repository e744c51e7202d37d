/* puma-sweep - expand a sweep spec (models x scenarios x strategies x
 * seeds x other axes) into run units, find which are already complete or
 * unfinished in the runs directory, and print the plan: a Makefile for the
 * local engine, a job list for GNU parallel and Slurm, the sbatch
 * directives, or a table for people.
 *
 * Every value from the spec becomes a make variable on a command line, so
 * every value is checked against [A-Za-z0-9._:/-]+ (and numbers against
 * their syntax) before anything is printed: nothing from a spec ever
 * reaches a shell or make unchecked.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "diag.h"
#include "hash.h"
#include "json.h"
#include "sha256.h"
#include "xalloc.h"

static const char usage_text[] =
	"Usage: puma-sweep [--runs DIR] [--format make|jobs|table|sbatch] [--all] SPEC\n"
	"Expand a sweep spec into run units (make run settings)\n"
	"and print the plan, with each unit's state in the runs directory.\n"
	"\n"
	"  -r, --runs DIR     where the run directories are (default runs)\n"
	"  -f, --format FMT   make: a Makefile with one target per pending unit (default)\n"
	"                     jobs: one line per pending unit, its make variables tab-separated\n"
	"                     table: every unit with its state, for people\n"
	"                     sbatch: the #SBATCH lines of the spec's \"slurm\" object\n"
	"  -a, --all          jobs and make: complete units too (they do nothing)\n"
	"  -h, --help         this help\n"
	"      --version      version\n"
	"\n"
	"Exit status: 0 ok, 1 a bad spec or an unreadable runs directory, 2 usage.\n";

/* The make variables of protocol.mk a spec may set, and what each holds. */
enum kind { K_NAME, K_UINT, K_NUM };
static const struct var {
	const char *name;
	enum kind kind;
} vars[] = {
	{"BACKEND", K_NAME}, {"BINS", K_UINT}, {"CONSTRAIN", K_UINT}, {"COUNTRY", K_NAME},
	{"DATASET", K_NAME}, {"EXAMPLES", K_NAME}, {"INTENSITY", K_NUM}, {"JOBS", K_UINT},
	{"K", K_UINT}, {"LABELS", K_NAME}, {"LOGPROBS", K_UINT}, {"MAX_CHARS", K_UINT},
	{"MODEL", K_NAME}, {"MODEL_DIGEST", K_NAME}, {"N", K_UINT}, {"NUM_CTX", K_UINT},
	{"NUM_PREDICT", K_UINT}, {"PAIRS", K_NAME}, {"PERTURB", K_NAME}, {"PROFILE", K_NAME}, {"PUE", K_NUM},
	{"RETRIES", K_UINT},
	{"SCENARIO", K_NAME}, {"SEED", K_UINT}, {"STRATEGY", K_NAME}, {"TEMPERATURE", K_NUM},
	{"TIMEOUT", K_UINT}, {"TOP_LOGPROBS", K_UINT}, {"URL", K_NAME},
};
#define NVARS (sizeof(vars) / sizeof(vars[0]))

/* The spec's shorthand members and the variable each is an axis of. */
static const struct {
	const char *key, *var;
} axis_keys[] = {
	{"models", "MODEL"}, {"scenarios", "SCENARIO"}, {"strategies", "STRATEGY"},
	{"seeds", "SEED"}, {"datasets", "DATASET"}, {"perturbations", "PERTURB"},
};
/* ... and the single-valued ones. */
static const struct {
	const char *key, *var;
} fixed_keys[] = {
	{"n", "N"}, {"backend", "BACKEND"},
};

/* One axis: a variable and its values (the array and the strings live in the spec's arena). */
struct axis {
	int var;		/* index in vars[] */
	size_t n;
	const char **val;
};

/* One unit of the sweep, and what the runs directory says of it. */
struct unit {
	char name[96];
	size_t *pick;		/* value index per axis (nax of them) */
	int state;		/* 0 new, 1 unfinished, 2 complete */
};

static const char *spec_path;
static const char *const state_name[] = {"new", "unfinished", "complete"};

static noreturn void bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A spec error names the file; the member path is in the message. */
static noreturn void bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_at(spec_path, 0, fmt, ap);
	va_end(ap);
	exit(EXIT_FAIL);
}

/* The index of a make variable in vars[], or -1 when a spec may not set it. */
static int var_index(const char *name)
{
	size_t i;

	for (i = 0; i < NVARS; i++)
		if (strcmp(vars[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Is s a value that may go on a make command line as it is? */
static int safe_value(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 512)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == ':' || c == '/' || c == '-'))
			return 0;
	}
	return 1;
}

/* Check one value of variable v (a JSON string or number) and return its
 * text; where says which member it came from. */
static const char *value_text(const jv *x, int v, const char *where)
{
	const char *s;
	size_t n, i;

	/* A string, or a number as written in the spec. */
	if ((s = jv_string(x, &n)) == NULL && (s = jv_numtext(x, &n)) == NULL)
		bad("%s: %s, not a string or number", where, jv_typename(x));
	if (!safe_value(s, n) || strlen(s) != n)
		bad("%s: \"%.*s\" may hold only letters, digits and . _ : / - (at most 512)", where,
		    (int)(n > 80 ? 80 : n), s);
	if (vars[v].kind == K_UINT) {
		for (i = 0; i < n; i++)
			if (s[i] < '0' || s[i] > '9')
				bad("%s: %s wants a whole number >= 0, not \"%s\"", where, vars[v].name, s);
		if (n > 9)
			bad("%s: %s: %s is too large", where, vars[v].name, s);
	} else if (vars[v].kind == K_NUM) {
		char *end;

		errno = 0;
		(void)strtod(s, &end);
		if (*end != '\0' || errno != 0 || strchr(s, 'x') || strchr(s, 'X') || strchr(s, 'n') ||
		    strchr(s, 'N') || strchr(s, 'i') || strchr(s, 'I'))
			bad("%s: %s wants a finite decimal number, not \"%s\"", where, vars[v].name, s);
	} else if (s[0] == '-') {
		bad("%s: \"%s\" may not start with '-'", where, s);
	}
	return s;
}

/* Add an axis over variable v from member x (an array, or one value). */
static void add_axis(struct arena *a, struct axis *ax, size_t *nax, int v, const jv *x, const char *key)
{
	size_t i, j;
	char where[160];

	for (i = 0; i < *nax; i++)
		if (ax[i].var == v)
			bad("%s: %s is set twice in the spec", key, vars[v].name);
	ax[*nax].var = v;
	if (x->t == JARR) {
		if (x->n == 0)
			bad("%s: an empty list would make no runs", key);
		ax[*nax].n = x->n;
		ax[*nax].val = arena_alloc(a, x->n * sizeof(char *));
		for (i = 0; i < x->n; i++) {
			snprintf(where, sizeof(where), "%s[%zu]", key, i);
			ax[*nax].val[i] = value_text(jv_item(x, i), v, where);
			for (j = 0; j < i; j++)
				if (strcmp(ax[*nax].val[j], ax[*nax].val[i]) == 0)
					bad("%s: \"%s\" is listed twice", where, ax[*nax].val[i]);
		}
	} else {
		ax[*nax].n = 1;
		ax[*nax].val = arena_alloc(a, sizeof(char *));
		ax[*nax].val[0] = value_text(x, v, key);
	}
	(*nax)++;
}

/* Sort the axes by variable name, so a spec's member order changes no unit
 * name. */
static int axis_cmp(const void *a, const void *b)
{
	const struct axis *x = a, *y = b;

	return strcmp(vars[x->var].name, vars[y->var].name);
}

/* The sweep's own settings that are not make variables. */
struct sweep {
	const char *name;
	const jv *slurm;
	const char **urls;	/* spread over the units, round robin */
	size_t nurls;
	struct axis ax[NVARS];
	size_t nax;
};

/* Read the spec and check every member. */
static void load_spec(struct arena *a, struct sweep *sw, const jv *spec)
{
	size_t i, k;
	const char *name;
	size_t nlen;

	if (spec->t != JOBJ)
		bad("the spec is %s, not a JSON object", jv_typename(spec));
	for (i = 0; i < jv_len(spec); i++) {
		const char *key = jv_key(spec, i, NULL);
		int known = 0;

		for (k = 0; k < sizeof(axis_keys) / sizeof(axis_keys[0]); k++)
			known |= strcmp(key, axis_keys[k].key) == 0;
		for (k = 0; k < sizeof(fixed_keys) / sizeof(fixed_keys[0]); k++)
			known |= strcmp(key, fixed_keys[k].key) == 0;
		if (!known && strcmp(key, "name") && strcmp(key, "urls") && strcmp(key, "axes") &&
		    strcmp(key, "settings") && strcmp(key, "slurm") && strcmp(key, "description"))
			bad("unknown member \"%s\" (see docs/SWEEPS.md)", key);
	}
	name = jv_getstr(spec, "name", &nlen);
	if (name == NULL)
		bad("\"name\" is missing or not a string");
	if (!safe_value(name, nlen) || strchr(name, '/') || strchr(name, ':') || strstr(name, "__") ||
	    name[0] == '-' || name[0] == '.' || nlen > 60)
		bad("name: \"%s\" may hold only letters, digits and . _ - (no '__', at most 60)", name);
	sw->name = name;
	for (k = 0; k < sizeof(axis_keys) / sizeof(axis_keys[0]); k++) {
		const jv *x = jv_get(spec, axis_keys[k].key);

		if (x)
			add_axis(a, sw->ax, &sw->nax, var_index(axis_keys[k].var), x, axis_keys[k].key);
	}
	if (jv_get(spec, "models") == NULL)
		bad("\"models\" is missing: a sweep needs at least one model");
	for (k = 0; k < sizeof(fixed_keys) / sizeof(fixed_keys[0]); k++) {
		const jv *x = jv_get(spec, fixed_keys[k].key);

		if (x && x->t == JARR)
			bad("%s: one value, not a list (use \"axes\" for several)", fixed_keys[k].key);
		if (x)
			add_axis(a, sw->ax, &sw->nax, var_index(fixed_keys[k].var), x, fixed_keys[k].key);
	}
	for (k = 0; k < 2; k++) {
		const char *mk = k ? "settings" : "axes";
		const jv *o = jv_get(spec, mk);
		char where[160];

		if (o == NULL)
			continue;
		if (o->t != JOBJ)
			bad("%s: %s, not an object of make variables", mk, jv_typename(o));
		for (i = 0; i < jv_len(o); i++) {
			const jv *x = jv_val(o, i);
			int v = var_index(jv_key(o, i, NULL));

			snprintf(where, sizeof(where), "%s.%s", mk, jv_key(o, i, NULL));
			if (v < 0)
				bad("%s: not a variable a sweep may set (see docs/SWEEPS.md)", where);
			if (strcmp(vars[v].name, "URL") == 0)
				bad("%s: servers go in \"urls\"", where);
			if (k == 1 && x->t == JARR)
				bad("%s: one value, not a list (put it in \"axes\")", where);
			add_axis(a, sw->ax, &sw->nax, v, x, where);
		}
	}
	{
		const jv *u = jv_get(spec, "urls");

		if (u) {
			char where[64];

			if (u->t != JARR || u->n == 0)
				bad("urls: not a list of one or more URLs");
			sw->nurls = u->n;
			sw->urls = arena_alloc(a, u->n * sizeof(char *));
			for (i = 0; i < u->n; i++) {
				snprintf(where, sizeof(where), "urls[%zu]", i);
				sw->urls[i] = value_text(jv_item(u, i), var_index("URL"), where);
				if (strncmp(sw->urls[i], "http://", 7) && strncmp(sw->urls[i], "https://", 8))
					bad("%s: \"%s\" is not an http:// or https:// URL", where, sw->urls[i]);
			}
		}
	}
	sw->slurm = jv_get(spec, "slurm");
	if (sw->slurm && sw->slurm->t != JOBJ)
		bad("slurm: %s, not an object", jv_typename(sw->slurm));
	qsort(sw->ax, sw->nax, sizeof(sw->ax[0]), axis_cmp);
}

/* Name each unit: the sweep's name and 12 hex digits of the sha256 of its
 * variables, one VAR=value line each in name order (URLs left out: where a
 * run is served does not change its results). */
static void name_unit(const struct sweep *sw, struct unit *u)
{
	struct sha256 c;
	unsigned char d[32];
	size_t i;
	static const char hex[] = "0123456789abcdef";
	int n;

	sha256_init(&c);
	for (i = 0; i < sw->nax; i++) {
		const char *vn = vars[sw->ax[i].var].name, *val = sw->ax[i].val[u->pick[i]];

		sha256_update(&c, vn, strlen(vn));
		sha256_update(&c, "=", 1);
		sha256_update(&c, val, strlen(val));
		sha256_update(&c, "\n", 1);
	}
	sha256_final(&c, d);
	n = snprintf(u->name, sizeof(u->name), "%s-", sw->name);
	for (i = 0; i < 6; i++) {
		u->name[n++] = hex[d[i] >> 4];
		u->name[n++] = hex[d[i] & 15];
	}
	u->name[n] = '\0';
}

/* A table from unit name to unit, for the scan of the runs directory. */
struct index {
	size_t *slot;		/* 0 empty, else unit index + 1 */
	size_t cap;
};

/* The unit named by the first n bytes of name, or -1: a run directory's name
 * before its "__" is its unit's name. */
static long find_unit(const struct index *ix, const struct unit *u, const char *name, size_t n)
{
	size_t i;

	for (i = fnv1a(name, n) & (ix->cap - 1); ix->slot[i]; i = (i + 1) & (ix->cap - 1)) {
		const struct unit *x = &u[ix->slot[i] - 1];

		if (strlen(x->name) == n && memcmp(x->name, name, n) == 0)
			return (long)(ix->slot[i] - 1);
	}
	return -1;
}

/* Mark each unit complete (a run directory NAME__... with a manifest) or
 * unfinished (one without), reading the runs directory once. */
static void scan_runs(const char *runs, struct unit *u, size_t nu)
{
	struct index ix = {0};
	DIR *d;
	struct dirent *e;
	size_t i;
	struct buf p = {0};

	ix.cap = 16;
	while (ix.cap < nu * 2)
		ix.cap *= 2;
	ix.slot = xcalloc(ix.cap, sizeof(size_t));
	for (i = 0; i < nu; i++) {
		size_t j, n = strlen(u[i].name);

		if (find_unit(&ix, u, u[i].name, n) >= 0)
			bad("two units have the same name %s (a hash collision: rename the sweep)", u[i].name);
		for (j = fnv1a(u[i].name, n) & (ix.cap - 1); ix.slot[j]; j = (j + 1) & (ix.cap - 1))
			;
		ix.slot[j] = i + 1;
	}
	d = opendir(runs);
	if (d == NULL) {
		free(ix.slot);
		if (errno == ENOENT)
			return;
		die(EXIT_FAIL, "%s: %s", runs, strerror(errno));
	}
	while ((e = readdir(d)) != NULL) {
		const char *sep = strstr(e->d_name, "__");
		long k;
		struct stat st;

		if (sep == NULL || e->d_name[0] == '.')
			continue;
		k = find_unit(&ix, u, e->d_name, (size_t)(sep - e->d_name));
		if (k < 0 || u[k].state == 2)
			continue;
		buf_reset(&p);
		buf_printf(&p, "%s/%s/manifest.json", runs, e->d_name);
		u[k].state = stat(p.s, &st) == 0 ? 2 : 1;
	}
	closedir(d);
	buf_free(&p);
	free(ix.slot);
}

/* The unit's make variables, separated by sep: NAME first, then the axes,
 * then its server. */
static void unit_args(struct buf *b, const struct sweep *sw, const struct unit *u, size_t k,
		      const char *sep)
{
	size_t i;

	buf_printf(b, "NAME=%s", u->name);
	for (i = 0; i < sw->nax; i++)
		buf_printf(b, "%s%s=%s", sep, vars[sw->ax[i].var].name, sw->ax[i].val[u->pick[i]]);
	if (sw->nurls)
		buf_printf(b, "%sURL=%s", sep, sw->urls[k % sw->nurls]);
}

/* The #SBATCH lines for the spec's "slurm" object. */
static void sbatch(struct buf *b, const struct sweep *sw)
{
	static const char *const keys[] = {"partition", "gres", "time", "cpus_per_task", "mem", "account",
					    "qos", "constraint", NULL};
	static const char *const flags[] = {"partition", "gres", "time", "cpus-per-task", "mem", "account",
					     "qos", "constraint"};
	size_t i, k;

	buf_printf(b, "#SBATCH --job-name=puma-%s\n", sw->name);
	if (sw->slurm == NULL)
		return;
	for (i = 0; i < jv_len(sw->slurm); i++) {
		const char *key = jv_key(sw->slurm, i, NULL);
		const jv *x = jv_val(sw->slurm, i);
		char where[64];
		const char *s;

		for (k = 0; keys[k] && strcmp(keys[k], key); k++)
			;
		if (keys[k] == NULL)
			bad("slurm.%s: not a setting a sweep may give (see docs/SWEEPS.md)", key);
		snprintf(where, sizeof(where), "slurm.%s", key);
		s = value_text(x, var_index(k == 3 ? "JOBS" : "MODEL"), where);
		buf_printf(b, "#SBATCH --%s=%s\n", flags[k], s);
	}
}

int main(int argc, char **argv)
{
	enum { O_VER = 256 };
	static const struct option longopts[] = {
		{"all", no_argument, NULL, 'a'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{"runs", required_argument, NULL, 'r'},
		{"version", no_argument, NULL, O_VER},
		{NULL, 0, NULL, 0},
	};
	const char *runs = "runs", *fmt = "make";
	int c, all = 0;
	char *text;
	size_t len, nu, i, k;
	struct arena a = {0};
	struct sweep sw = {0};
	struct unit *u;
	struct buf b = {0};
	size_t count[3] = {0, 0, 0};
	char why[256];
	jv *spec;

	diag_init(argv[0]);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":af:hr:", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = 1;
			break;
		case 'f':
			if (strcmp(optarg, "make") && strcmp(optarg, "jobs") && strcmp(optarg, "table") &&
			    strcmp(optarg, "sbatch"))
				usage_error("--format: '%s' is not make, jobs, table or sbatch", optarg);
			fmt = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return finish();
		case 'r':
			runs = optarg;
			break;
		case O_VER:
			print_version();
			return finish();
		default:
			usage_bad_option(c, argv);
		}
	}
	if (argc - optind != 1)
		usage_error("give one spec file");
	spec_path = argv[optind];
	text = read_file(spec_path, &len);
	if (text == NULL)
		die(EXIT_FAIL, "%s: %s", spec_path, strerror(errno));
	spec = json_parse(&a, text, len, NULL, why, sizeof(why));
	if (spec == NULL)
		bad("not valid JSON: %s", why);
	load_spec(&a, &sw, spec);

	if (strcmp(fmt, "sbatch") == 0) {
		sbatch(&b, &sw);
		if (b.len > 0 && fwrite(b.s, 1, b.len, stdout) != b.len)
			fail();
		buf_free(&b);
		free(text);
		arena_free(&a);
		return finish();
	}

	/* The units: every combination of the axes, the last axis fastest. */
	for (nu = 1, i = 0; i < sw.nax; i++) {
		if (nu > 1000000 / sw.ax[i].n)
			bad("more than 1000000 runs: split the sweep");
		nu *= sw.ax[i].n;
	}
	u = xcalloc(nu, sizeof(*u));
	for (k = 0; k < nu; k++) {
		size_t r = k;

		u[k].pick = xcalloc(sw.nax ? sw.nax : 1, sizeof(size_t));
		for (i = sw.nax; i-- > 0;) {
			u[k].pick[i] = r % sw.ax[i].n;
			r /= sw.ax[i].n;
		}
		name_unit(&sw, &u[k]);
	}
	scan_runs(runs, u, nu);
	for (k = 0; k < nu; k++)
		count[u[k].state]++;

	if (strcmp(fmt, "table") == 0) {
		buf_printf(&b, "# sweep %s: %zu runs: %zu complete, %zu unfinished, %zu new\n", sw.name, nu,
			   count[2], count[1], count[0]);
		for (k = 0; k < nu; k++) {
			buf_printf(&b, "%-10s ", state_name[u[k].state]);
			unit_args(&b, &sw, &u[k], k, " ");
			buf_addc(&b, '\n');
		}
	} else if (strcmp(fmt, "jobs") == 0) {
		for (k = 0; k < nu; k++) {
			if (u[k].state == 2 && !all)
				continue;
			unit_args(&b, &sw, &u[k], k, "\t");
			buf_addc(&b, '\n');
		}
	} else {
		/* Each unit's recipe calls $(SWEEP_UNIT), never $(MAKE) by name, so
		 * make -n prints the plan instead of running it. */
		buf_printf(&b, "# sweep %s: %zu runs: %zu complete (skipped), %zu unfinished (resumed), %zu new\n",
			   sw.name, nu, count[2], count[1], count[0]);
		buf_printf(&b, ".PHONY: sweep-units\nsweep-units:");
		for (k = 0; k < nu; k++)
			if (u[k].state != 2 || all)
				buf_printf(&b, " %s", u[k].name);
		buf_printf(&b, "\n\t@echo 'sweep: %s: %zu runs, %zu were already complete'\n", sw.name, nu, count[2]);
		for (k = 0; k < nu; k++) {
			if (u[k].state == 2 && !all)
				continue;
			buf_printf(&b, ".PHONY: %s\n%s:\n\t@echo 'sweep: %s %s'\n\t@$(SWEEP_UNIT) ", u[k].name, u[k].name,
				   u[k].state == 1 ? "resuming" : u[k].state == 2 ? "complete" : "new", u[k].name);
			unit_args(&b, &sw, &u[k], k, " ");
			buf_addc(&b, '\n');
		}
	}
	/* Nothing to do leaves the buffer unallocated. */
	if (b.len > 0 && fwrite(b.s, 1, b.len, stdout) != b.len)
		fail();
	for (k = 0; k < nu; k++)
		free(u[k].pick);
	free(u);
	buf_free(&b);
	free(text);
	arena_free(&a);
	return finish();
}
