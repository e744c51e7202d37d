/* hw.c - host detection from system files and probe programs (see hw.h). */
#include "hw.h"
#include "config.h"
#include "json.h"
#include "sysroot.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Probe output beyond this is not kept (system_profiler can be chatty). */
#define PROBE_MAX_OUT (4u << 20)

static const char NVIDIA_QUERY[] = "--query-gpu=name,memory.total,driver_version";

/* ---- small text helpers ---- */

static const char *skip_blank(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* A copy of s[0..n) in the arena with surrounding white space removed. */
static const char *trimmed(struct arena *a, const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return arena_strndup(a, s, n);
}

/* One line of untrusted output made safe to show in a report: control
 * bytes become '?', and it is cut at 120 bytes. */
static const char *shown(struct arena *a, const char *s, size_t n)
{
	char *out;
	size_t i;

	n = utf8_cut(s, n, 120);
	out = arena_strndup(a, s, n);
	for (i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = '?';
	return out;
}

/* The first non-empty line of text, shown safely, or NULL. */
static const char *first_line(struct arena *a, const char *text)
{
	while (*text) {
		size_t n = strcspn(text, "\r\n");
		const char *t = trimmed(a, text, n);

		if (*t)
			return shown(a, t, strlen(t));
		text += n;
		text += strspn(text, "\r\n");
	}
	return NULL;
}

/* Parse a whole non-negative decimal integer in s[0..n) (blanks around
 * allowed).  Returns -1 when it is anything else or overflows. */
static long long parse_uint(const char *s, size_t n)
{
	long long v = 0;
	size_t i = 0;

	while (i < n && isspace((unsigned char)s[i]))
		i++;
	while (n > i && isspace((unsigned char)s[n - 1]))
		n--;
	if (i == n)
		return -1;
	for (; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		if (v > (LLONG_MAX - 9) / 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

long long hw_parse_count(const char *text)
{
	return parse_uint(text, strlen(text));
}

double hw_gib2(long long bytes)
{
	return rint((double)bytes * 100.0 / 1073741824.0) / 100.0;
}

double hw_gib1(long long bytes)
{
	return rint((double)bytes * 10.0 / 1073741824.0) / 10.0;
}

/* ---- the record of probes and problems ---- */

void hw_problem(struct hw *h, const char *severity, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	h->problems = xgrow(h->problems, &h->problem_cap, h->nproblems + 1, sizeof(*h->problems));
	h->problems[h->nproblems].severity = severity;
	h->problems[h->nproblems].message = arena_strndup(&h->a, msg, strlen(msg));
	h->nproblems++;
	free(msg);
}

/* A new entry in the probe log; its index. */
static size_t add_probe(struct hw *h, const char *name, const char *command, const char *status)
{
	struct hw_probe *p;

	h->probes = xgrow(h->probes, &h->probe_cap, h->nprobes + 1, sizeof(*h->probes));
	p = &h->probes[h->nprobes];
	p->name = arena_strndup(&h->a, name, strlen(name));
	p->command = command;
	p->status = status;
	p->detail = NULL;
	return h->nprobes++;
}

/* Log a probe that was not run, and why. */
static void hw_probe_skip(struct hw *h, const char *name, const char *why)
{
	size_t i = add_probe(h, name, NULL, "skipped");

	h->probes[i].detail = arena_strndup(&h->a, why, strlen(why));
}

/* Set a probe's detail text (copied). */
static void hw_probe_detail(struct hw *h, size_t idx, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(tmp))
		n = (int)sizeof(tmp) - 1;
	h->probes[idx].detail = arena_strndup(&h->a, tmp, utf8_cut(tmp, (size_t)n, (size_t)n));
}

/* Mark a probe that ran but printed something unreadable. */
static void hw_probe_garbage(struct hw *h, size_t idx, const char *why)
{
	h->probes[idx].status = "garbage";
	hw_probe_detail(h, idx, "%s", why);
}

/* Run a probe with h's conventions: argv[0] from PATH, bounded by
 * timeout_ms, logged in h->probes (status filled from how it ended; the
 * caller may later call hw_probe_garbage()).  Returns the entry index;
 * p receives the output (the caller frees p->out). */
static size_t hw_probe_run(struct hw *h, char *const argv[], long timeout_ms, struct probe *p)
{
	struct buf cmd = {0};
	const char *line;
	size_t i, idx;

	for (i = 0; argv[i] != NULL; i++) {
		if (i)
			buf_addc(&cmd, ' ');
		buf_adds(&cmd, argv[i]);
	}
	probe_run(p, argv, timeout_ms, PROBE_MAX_OUT);
	idx = add_probe(h, argv[0], arena_strndup(&h->a, cmd.s, cmd.len), probe_status_name(p->status));
	buf_free(&cmd);
	switch (p->status) {
	case PROBE_OK:
		break;
	case PROBE_MISSING:
		hw_probe_detail(h, idx, "%s", strerror(p->code));
		break;
	case PROBE_TIMEOUT:
		hw_probe_detail(h, idx, "no answer within %g s; killed", (double)timeout_ms / 1000.0);
		break;
	case PROBE_FAILED:
		line = first_line(&h->a, p->out.s);
		if (p->code < 0)
			hw_probe_detail(h, idx, "killed by signal %d%s%s", -p->code,
					line ? ": " : "", line ? line : "");
		else
			hw_probe_detail(h, idx, "exit status %d%s%s", p->code,
					line ? ": " : "", line ? line : "");
		break;
	}
	return idx;
}

/* A new GPU entry, VRAM unknown until the parser says. */
static struct hw_gpu *add_gpu(struct hw *h)
{
	struct hw_gpu *g;

	h->gpus = xgrow(h->gpus, &h->gpu_cap, h->ngpus + 1, sizeof(*h->gpus));
	g = &h->gpus[h->ngpus++];
	memset(g, 0, sizeof(*g));
	g->vram_bytes = HW_UNKNOWN;
	return g;
}

/* Read a system file (an absolute path such as /proc/meminfo) under the
 * system root.  Returns NULL with errno set on failure; the caller frees. */
static char *hw_read_sys(const char *abs, size_t *len)
{
	char *path = sysroot_path(abs);
	char *text = read_file(path, len);
	int saved = errno;

	free(path);
	errno = saved;
	return text;
}

/* ---- parsers ---- */

int hw_parse_meminfo(const char *text, long long *total, long long *avail, int *estimated)
{
	long long mtotal = -1, mavail = -1, mfree = -1, buffers = -1, cached = -1;
	const char *s = text;

	while (*s) {
		size_t n = strcspn(s, "\n");
		const char *colon = memchr(s, ':', n);

		if (colon != NULL) {
			size_t klen = (size_t)(colon - s);
			const char *v = skip_blank(colon + 1);
			size_t vlen = n - (size_t)(v - s), num;
			long long x, mult = 1;

			while (vlen > 0 && isspace((unsigned char)v[vlen - 1]))
				vlen--;
			num = vlen;
			if (vlen >= 2 && memcmp(v + vlen - 2, "kB", 2) == 0) {
				mult = 1024;
				num = vlen - 2;
			}
			x = parse_uint(v, num);
			if (x >= 0 && x <= LLONG_MAX / mult) {
				x *= mult;
#define KEY(k) (klen == sizeof(k) - 1 && memcmp(s, k, klen) == 0)
				if (KEY("MemTotal"))
					mtotal = x;
				else if (KEY("MemAvailable"))
					mavail = x;
				else if (KEY("MemFree"))
					mfree = x;
				else if (KEY("Buffers"))
					buffers = x;
				else if (KEY("Cached"))
					cached = x;
#undef KEY
			}
		}
		s += n;
		if (*s == '\n')
			s++;
	}
	*estimated = 0;
	*total = mtotal;
	*avail = mavail;
	if (mavail < 0 && mfree >= 0 && buffers >= 0 && cached >= 0) {
		*avail = mfree + buffers + cached;
		*estimated = 1;
	}
	return mtotal >= 0 ? 0 : -1;
}

/* A (package, core) pair of one logical CPU, to count distinct cores. */
struct pair {
	long long a, b;
};

/* Physical cores are the distinct pairs: hyperthreads share theirs.  The
 * quadratic scan is fine for the few hundred CPUs a host has. */
static size_t distinct_pairs(const struct pair *p, size_t n)
{
	size_t i, j, distinct = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (p[j].a == p[i].a && p[j].b == p[i].b)
				break;
		if (j == i)
			distinct++;
	}
	return distinct;
}

void hw_parse_cpuinfo(struct arena *a, const char *text, const char **model,
		      long long *cores, long long *threads)
{
	const char *model_name = NULL, *processor = NULL, *hardware = NULL, *cpu = NULL;
	const char *implementer = NULL, *part = NULL;
	struct pair *pairs = NULL;
	size_t npairs = 0, cap = 0;
	long long nproc = 0, phys = -1, core = -1;
	int blocks = 0, complete = 1, in_block = 0, has_proc = 0;
	const char *s = text;

	for (;;) {
		size_t n = strcspn(s, "\n");
		const char *colon = memchr(s, ':', n);
		int blank = trimmed(a, s, n)[0] == '\0';

		if (blank || *s == '\0') {
			if (in_block && has_proc) {
				blocks++;
				if (phys >= 0 && core >= 0) {
					pairs = xgrow(pairs, &cap, npairs + 1, sizeof(*pairs));
					pairs[npairs].a = phys;
					pairs[npairs].b = core;
					npairs++;
				} else {
					complete = 0;
				}
			}
			in_block = has_proc = 0;
			phys = core = -1;
		} else if (colon != NULL) {
			const char *key = trimmed(a, s, (size_t)(colon - s));
			const char *val = trimmed(a, colon + 1, n - (size_t)(colon - s) - 1);

			in_block = 1;
			if (strcmp(key, "processor") == 0) {
				nproc++;
				has_proc = 1;
				if (processor == NULL && parse_uint(val, strlen(val)) < 0 && *val)
					processor = val;	/* old ARM: "Processor : ARMv7 ..." */
			} else if (strcmp(key, "Processor") == 0 && processor == NULL && *val) {
				processor = val;
			} else if (strcmp(key, "model name") == 0 && model_name == NULL && *val) {
				model_name = val;
			} else if (strcmp(key, "Hardware") == 0 && hardware == NULL && *val) {
				hardware = val;
			} else if ((strcmp(key, "cpu model") == 0 || strcmp(key, "cpu") == 0) &&
				   cpu == NULL && *val) {
				cpu = val;
			} else if (strcmp(key, "CPU implementer") == 0 && implementer == NULL) {
				implementer = val;
			} else if (strcmp(key, "CPU part") == 0 && part == NULL) {
				part = val;
			} else if (strcmp(key, "physical id") == 0) {
				phys = parse_uint(val, strlen(val));
			} else if (strcmp(key, "core id") == 0) {
				core = parse_uint(val, strlen(val));
			}
		}
		if (*s == '\0')
			break;
		s += n;
		if (*s == '\n')
			s++;
	}
	*model = model_name ? model_name : processor ? processor : cpu ? cpu : hardware;
	if (*model != NULL)
		*model = shown(a, *model, strlen(*model));
	if (*model == NULL && implementer != NULL && part != NULL) {
		char tmp[160];

		snprintf(tmp, sizeof(tmp), "CPU implementer %s part %s", implementer, part);
		*model = arena_strndup(a, tmp, strlen(tmp));
	}
	*threads = nproc > 0 ? nproc : HW_UNKNOWN;
	*cores = (complete && blocks > 0 && npairs > 0) ? (long long)distinct_pairs(pairs, npairs)
						       : HW_UNKNOWN;
	free(pairs);
}

/* "81559 MiB" (or a bare number, with nounits) in MiB; -2 for a value
 * nvidia-smi marks unavailable ("[N/A]"); -1 for anything else. */
static long long nvidia_mib(const char *v)
{
	size_t n = strlen(v);
	long long mib;

	if (v[0] == '[' && n > 1 && v[n - 1] == ']')
		return -2;
	if (n > 4 && strcmp(v + n - 4, " MiB") == 0)
		n -= 4;
	mib = parse_uint(v, n);
	return mib > (1LL << 40) ? -1 : mib;	/* no GPU has an exbibyte */
}

int hw_parse_nvidia(struct hw *h, const char *text, char *err, size_t errlen)
{
	size_t start = h->ngpus;
	const char *s = text;
	long lineno = 0;

	while (*s) {
		size_t n = strcspn(s, "\n");
		const char *line = trimmed(&h->a, s, n);

		lineno++;
		if (*line) {
			const char *c1 = strrchr(line, ',');
			const char *c2 = NULL, *p;
			const char *name, *mem, *drv;
			long long mib;

			for (p = line; c1 != NULL && p < c1; p++)
				if (*p == ',')
					c2 = p;
			if (c1 == NULL || c2 == NULL) {
				snprintf(err, errlen, "line %ld has %s fields, expected name, memory, driver: %s",
					 lineno, c1 ? "2" : "1", shown(&h->a, line, strlen(line)));
				h->ngpus = start;
				return -1;
			}
			name = trimmed(&h->a, line, (size_t)(c2 - line));
			mem = trimmed(&h->a, c2 + 1, (size_t)(c1 - c2 - 1));
			drv = trimmed(&h->a, c1 + 1, strlen(c1 + 1));
			mib = nvidia_mib(mem);
			if (*name == '\0' || mib == -1) {
				snprintf(err, errlen, "line %ld: %s: %s", lineno,
					 *name ? "memory is not a number of MiB" : "empty GPU name",
					 shown(&h->a, line, strlen(line)));
				h->ngpus = start;
				return -1;
			}
			{
				struct hw_gpu *g = add_gpu(h);

				g->vendor = "nvidia";
				g->name = shown(&h->a, name, strlen(name));
				g->vram_bytes = mib >= 0 ? mib * 1048576LL : HW_UNKNOWN;
				g->driver = (*drv && drv[0] != '[') ? shown(&h->a, drv, strlen(drv)) : NULL;
				g->source = "nvidia-smi";
				g->counts = 1;
			}
		}
		s += n;
		if (*s == '\n')
			s++;
	}
	return (int)(h->ngpus - start);
}

/* Parse JSON that may follow a few lines of warnings; NULL with err set. */
static jv *json_after_noise(struct arena *a, const char *text, char *err, size_t errlen)
{
	const char *brace = strchr(text, '{');
	char perr[200];
	jv *v;

	if (brace == NULL) {
		snprintf(err, errlen, "no JSON object in the output");
		return NULL;
	}
	v = json_parse(a, brace, strlen(brace), NULL, perr, sizeof(perr));
	if (v == NULL || v->t != JOBJ) {
		snprintf(err, errlen, "unreadable JSON: %s", v ? "not an object" : perr);
		return NULL;
	}
	return v;
}

/* A string member, or a number member's text, of obj; NULL otherwise. */
static const char *member_text(const jv *obj, const char *key)
{
	const jv *v = jv_get(obj, key);

	if (v == NULL)
		return NULL;
	if (v->t == JSTR)
		return v->u.s;
	if (v->t == JNUM && v->raw != NULL)
		return v->raw;
	return NULL;
}

int hw_parse_rocm(struct hw *h, const char *text, char *err, size_t errlen)
{
	static const char *const names[] = {"Card Series", "Card series", "Card SKU", "Card Model",
					    "Card model", NULL};
	size_t start = h->ngpus, i, k;
	const char *driver = NULL;
	jv *root = json_after_noise(&h->a, text, err, errlen), *sys;

	if (root == NULL)
		return -1;
	sys = jv_get(root, "system");
	if (sys != NULL)
		driver = member_text(sys, "Driver version");
	for (i = 0; i < root->n; i++) {
		const char *key = root->u.mem[i].key;
		const jv *card = root->u.mem[i].val;
		const char *name = NULL, *vram;
		long long bytes = HW_UNKNOWN;
		struct hw_gpu *g;

		if (strncmp(key, "card", 4) != 0 || card == NULL || card->t != JOBJ)
			continue;
		for (k = 0; names[k] != NULL && (name == NULL || *name == '\0'); k++)
			name = member_text(card, names[k]);
		vram = member_text(card, "VRAM Total Memory (B)");
		if (vram != NULL) {
			bytes = parse_uint(vram, strlen(vram));
			if (bytes < 0) {
				snprintf(err, errlen, "%s: VRAM Total Memory (B) is not a number: %s",
					 shown(&h->a, key, strlen(key)), shown(&h->a, vram, strlen(vram)));
				h->ngpus = start;
				return -1;
			}
		}
		g = add_gpu(h);
		g->vendor = "amd";
		g->name = name && *name ? shown(&h->a, name, strlen(name)) : shown(&h->a, key, strlen(key));
		g->vram_bytes = bytes;
		g->driver = driver ? shown(&h->a, driver, strlen(driver)) : NULL;
		g->source = "rocm-smi";
		g->counts = 1;
	}
	return (int)(h->ngpus - start);
}

/* "8 GB", "1536 MB" as system_profiler writes VRAM; -1 if not that. */
static long long profiler_bytes(const char *v)
{
	const char *sp = strchr(v, ' ');
	long long n;

	if (sp == NULL)
		return -1;
	n = parse_uint(v, (size_t)(sp - v));
	if (n < 0 || n > (1LL << 40))
		return -1;
	if (strcmp(sp + 1, "GB") == 0)
		return n << 30;
	if (strcmp(sp + 1, "MB") == 0)
		return n << 20;
	return -1;
}

/* The vendor in our words from system_profiler's ("sppci_vendor_Apple",
 * "AMD (0x1002)") or from the name. */
static const char *profiler_vendor(struct arena *a, const char *vendor, const char *name)
{
	static const char *const known[][2] = {
		{"apple", "apple"}, {"amd", "amd"}, {"ati", "amd"}, {"intel", "intel"}, {"nvidia", "nvidia"},
	};
	const char *probe[2] = {vendor, name};
	size_t i, k;

	for (k = 0; k < 2; k++) {
		char low[64];
		size_t n;

		if (probe[k] == NULL)
			continue;
		for (n = 0; n + 1 < sizeof(low) && probe[k][n]; n++)
			low[n] = (char)tolower((unsigned char)probe[k][n]);
		low[n] = '\0';
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strstr(low, known[i][0]) != NULL)
				return known[i][1];
	}
	return vendor ? shown(a, vendor, strlen(vendor)) : NULL;
}

int hw_parse_profiler(struct hw *h, const char *text, char *err, size_t errlen)
{
	size_t start = h->ngpus, i;
	jv *root = json_after_noise(&h->a, text, err, errlen), *list;

	if (root == NULL)
		return -1;
	list = jv_get(root, "SPDisplaysDataType");
	if (list == NULL || list->t != JARR) {
		snprintf(err, errlen, "no SPDisplaysDataType list in the output");
		return -1;
	}
	for (i = 0; i < list->n; i++) {
		const jv *e = list->u.items[i];
		const char *name, *vendor, *vram, *shared;
		struct hw_gpu *g;

		if (e == NULL || e->t != JOBJ)
			continue;
		name = member_text(e, "sppci_model");
		if (name == NULL)
			name = member_text(e, "_name");
		if (name == NULL)
			continue;
		vendor = member_text(e, "spdisplays_vendor");
		if (vendor == NULL)
			vendor = member_text(e, "sppci_vendor");
		vram = member_text(e, "spdisplays_vram");
		if (vram == NULL)
			vram = member_text(e, "sppci_vram");
		shared = member_text(e, "spdisplays_vram_shared");
		g = add_gpu(h);
		g->name = shown(&h->a, name, strlen(name));
		g->vendor = profiler_vendor(&h->a, vendor, name);
		g->source = "system_profiler";
		g->counts = 0;
		if (vram != NULL && shared == NULL && profiler_bytes(vram) >= 0)
			g->vram_bytes = profiler_bytes(vram);
		g->unified = shared != NULL || (g->vendor != NULL && strcmp(g->vendor, "apple") == 0);
	}
	return (int)(h->ngpus - start);
}

long long hw_parse_vm_stat(const char *text)
{
	const char *p = strstr(text, "page size of ");
	long long page, freep = -1, inactive = -1;
	const char *s = text;

	if (p == NULL)
		return -1;
	p += strlen("page size of ");
	page = parse_uint(p, strspn(p, "0123456789"));
	if (page <= 0)
		return -1;
	while (*s) {
		size_t n = strcspn(s, "\n");
		const char *colon = memchr(s, ':', n);

		if (colon != NULL) {
			const char *v = skip_blank(colon + 1);
			size_t vlen = strspn(v, "0123456789");
			long long x = vlen ? parse_uint(v, vlen) : -1;

			if ((size_t)(colon - s) == 10 && memcmp(s, "Pages free", 10) == 0)
				freep = x;
			else if ((size_t)(colon - s) == 14 && memcmp(s, "Pages inactive", 14) == 0)
				inactive = x;
		}
		s += n;
		if (*s == '\n')
			s++;
	}
	if (freep < 0 || inactive < 0 || freep + inactive > LLONG_MAX / page)
		return -1;
	return (freep + inactive) * page;
}

/* ---- detection, one concern at a time ---- */

/* Kernel name, release and machine from the uname program (a test can put
 * a fake first on PATH), else from the uname(2) call. */
static void detect_uname(struct hw *h, long timeout_ms)
{
	char *argv[] = {"uname", "-s", "-r", "-m", NULL};
	struct probe p;
	size_t idx = hw_probe_run(h, argv, timeout_ms, &p);
	const char *f[3] = {NULL, NULL, NULL};
	int nf = 0;

	if (p.status == PROBE_OK) {
		const char *line = trimmed(&h->a, p.out.s, strcspn(p.out.s, "\n"));
		char *save = NULL, *copy = arena_strndup(&h->a, line, strlen(line)), *tok;

		for (tok = strtok_r(copy, " \t", &save); tok != NULL; tok = strtok_r(NULL, " \t", &save))
			if (nf < 3)
				f[nf++] = tok;
			else
				nf = 4;
		if (nf == 3) {
			h->os_name = shown(&h->a, f[0], strlen(f[0]));
			h->os_release = shown(&h->a, f[1], strlen(f[1]));
			h->arch = shown(&h->a, f[2], strlen(f[2]));
			hw_probe_detail(h, idx, "%s %s %s", h->os_name, h->os_release, h->arch);
		} else {
			hw_probe_garbage(h, idx, "expected three words (kernel, release, machine)");
		}
	}
	buf_free(&p.out);
	if (h->os_name == NULL) {
		struct utsname u;

		if (uname(&u) == 0) {
			h->os_name = arena_strndup(&h->a, u.sysname, strlen(u.sysname));
			h->os_release = arena_strndup(&h->a, u.release, strlen(u.release));
			h->arch = arena_strndup(&h->a, u.machine, strlen(u.machine));
			if (h->probes[idx].detail == NULL)
				hw_probe_detail(h, idx, "used the uname() system call instead");
		} else {
			hw_problem(h, "error", "cannot tell the operating system: uname failed");
		}
	}
}

/* The value of KEY=VALUE in os-release text, unquoted; NULL if absent. */
static const char *os_release_value(struct arena *a, const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *s = text;

	while (*s) {
		size_t n = strcspn(s, "\n");

		if (n > klen && memcmp(s, key, klen) == 0 && s[klen] == '=') {
			const char *v = s + klen + 1;
			size_t vlen = n - klen - 1;
			struct buf b = {0};
			const char *out;
			size_t i;

			while (vlen > 0 && isspace((unsigned char)v[vlen - 1]))
				vlen--;
			if (vlen >= 2 && (v[0] == '"' || v[0] == '\'') && v[vlen - 1] == v[0]) {
				v++;
				vlen -= 2;
			}
			buf_add(&b, "", 0);
			for (i = 0; i < vlen; i++) {
				if (v[i] == '\\' && i + 1 < vlen)
					i++;
				buf_addc(&b, v[i]);
			}
			out = shown(a, b.s, b.len);
			buf_free(&b);
			return out;
		}
		s += n;
		if (*s == '\n')
			s++;
	}
	return NULL;
}

/* The <string> that follows <key>KEY</key> in a property list. */
static const char *plist_value(struct arena *a, const char *text, const char *key)
{
	char want[96];
	const char *p, *end;

	snprintf(want, sizeof(want), "<key>%s</key>", key);
	p = strstr(text, want);
	if (p == NULL)
		return NULL;
	p += strlen(want);
	while (isspace((unsigned char)*p))
		p++;
	if (strncmp(p, "<string>", 8) != 0)
		return NULL;
	p += 8;
	end = strstr(p, "</string>");
	if (end == NULL)
		return NULL;
	return shown(a, p, (size_t)(end - p));
}

/* The distribution or macOS release, which uname does not tell. */
static void detect_os_version(struct hw *h)
{
	char *text;
	size_t len;

	if (h->os_name != NULL && strcmp(h->os_name, "Darwin") == 0) {
		const char *path = "/System/Library/CoreServices/SystemVersion.plist";
		const char *name, *ver;

		text = hw_read_sys(path, &len);
		if (text == NULL) {
			hw_problem(h, "warning", "cannot read %s%s: %s; macOS version unknown",
				   sysroot(), path, strerror(errno));
			return;
		}
		name = plist_value(&h->a, text, "ProductName");
		ver = plist_value(&h->a, text, "ProductVersion");
		if (ver != NULL) {
			char tmp[200];

			snprintf(tmp, sizeof(tmp), "%s %s", name ? name : "macOS", ver);
			h->os_version = arena_strndup(&h->a, tmp, strlen(tmp));
		} else {
			hw_problem(h, "warning", "%s%s has no ProductVersion; macOS version unknown",
				   sysroot(), path);
		}
		free(text);
		return;
	}
	text = hw_read_sys("/etc/os-release", &len);
	if (text == NULL)
		text = hw_read_sys("/usr/lib/os-release", &len);
	if (text == NULL) {
		hw_problem(h, "warning", "cannot read %s/etc/os-release or /usr/lib/os-release; "
			   "distribution unknown", sysroot());
		return;
	}
	h->os_version = os_release_value(&h->a, text, "PRETTY_NAME");
	if (h->os_version == NULL) {
		const char *name = os_release_value(&h->a, text, "NAME");
		const char *ver = os_release_value(&h->a, text, "VERSION_ID");

		if (name != NULL) {
			char tmp[200];

			snprintf(tmp, sizeof(tmp), "%s%s%s", name, ver ? " " : "", ver ? ver : "");
			h->os_version = arena_strndup(&h->a, tmp, strlen(tmp));
		}
	}
	free(text);
}

/* Distinct (package, core) pairs from sysfs, for when /proc/cpuinfo has
 * no topology (ARM); HW_UNKNOWN when a file is missing. */
static long long sysfs_cores(long long threads)
{
	struct pair *pairs;
	long long i, distinct;

	if (threads <= 0 || threads > 65536)
		return HW_UNKNOWN;
	pairs = xcalloc((size_t)threads, sizeof(*pairs));
	for (i = 0; i < threads; i++) {
		char path[128], *t1, *t2;
		size_t l1, l2;

		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%lld/topology/physical_package_id", i);
		t1 = hw_read_sys(path, &l1);
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%lld/topology/core_id", i);
		t2 = hw_read_sys(path, &l2);
		if (t1 == NULL || t2 == NULL) {
			free(t1);
			free(t2);
			free(pairs);
			return HW_UNKNOWN;
		}
		/* physical_package_id is -1 on some ARM boards: one package. */
		pairs[i].a = strcmp(t1, "-1\n") == 0 ? 0 : parse_uint(t1, l1);
		pairs[i].b = parse_uint(t2, l2);
		free(t1);
		free(t2);
		if (pairs[i].a < 0 || pairs[i].b < 0) {
			free(pairs);
			return HW_UNKNOWN;
		}
	}
	distinct = (long long)distinct_pairs(pairs, (size_t)threads);
	free(pairs);
	return distinct;
}

/* CPU and memory from /proc; a missing file is a problem, not a stop. */
static void detect_linux(struct hw *h)
{
	char *text;
	size_t len;
	int estimated;

	text = hw_read_sys("/proc/cpuinfo", &len);
	if (text == NULL) {
		hw_problem(h, "warning", "cannot read %s/proc/cpuinfo: %s; CPU model and cores unknown",
			   sysroot(), strerror(errno));
	} else {
		hw_parse_cpuinfo(&h->a, text, &h->cpu_model, &h->cores, &h->threads);
		free(text);
		if (h->cpu_model == NULL)
			hw_problem(h, "warning", "%s/proc/cpuinfo names no CPU model", sysroot());
		if (h->cores == HW_UNKNOWN)
			h->cores = sysfs_cores(h->threads);
		if (h->cores == HW_UNKNOWN)
			hw_problem(h, "note", "physical cores unknown: neither /proc/cpuinfo nor "
				   "/sys/devices/system/cpu/*/topology tells");
	}
	h->ram_source = "/proc/meminfo";
	text = hw_read_sys("/proc/meminfo", &len);
	if (text == NULL) {
		hw_problem(h, "error", "cannot read %s/proc/meminfo: %s; RAM unknown",
			   sysroot(), strerror(errno));
		return;
	}
	if (hw_parse_meminfo(text, &h->ram_total, &h->ram_avail, &estimated) != 0)
		hw_problem(h, "error", "%s/proc/meminfo has no readable MemTotal line; RAM unknown", sysroot());
	else if (h->ram_avail < 0)
		hw_problem(h, "note", "%s/proc/meminfo has no MemAvailable; available RAM unknown", sysroot());
	else if (estimated)
		hw_problem(h, "note", "no MemAvailable in /proc/meminfo (old kernel): available RAM "
			   "estimated as MemFree + Buffers + Cached");
	free(text);
}

/* sysctl -n KEY; the trimmed first line, or NULL (the probe log says why). */
static const char *sysctl_value(struct hw *h, const char *key, long timeout_ms, size_t *idx)
{
	char *argv[] = {"sysctl", "-n", (char *)key, NULL};
	struct probe p;
	const char *v = NULL;

	*idx = hw_probe_run(h, argv, timeout_ms, &p);
	if (p.status == PROBE_OK) {
		v = trimmed(&h->a, p.out.s, strcspn(p.out.s, "\n"));
		if (*v == '\0') {
			hw_probe_garbage(h, *idx, "empty output");
			v = NULL;
		} else {
			v = shown(&h->a, v, strlen(v));
			hw_probe_detail(h, *idx, "%s", v);
		}
	}
	buf_free(&p.out);
	return v;
}

/* A sysctl that must be a count; HW_UNKNOWN (and the probe marked) if not. */
static long long sysctl_count(struct hw *h, const char *key, long timeout_ms)
{
	size_t idx;
	const char *v = sysctl_value(h, key, timeout_ms, &idx);
	long long n;

	if (v == NULL)
		return HW_UNKNOWN;
	n = hw_parse_count(v);
	if (n < 0) {
		hw_probe_garbage(h, idx, "not a number");
		hw_probe_detail(h, idx, "not a number: %s", v);
		return HW_UNKNOWN;
	}
	return n;
}

/* CPU, memory and the Apple chip from sysctl and vm_stat (macOS has no /proc). */
static void detect_darwin(struct hw *h, long timeout_ms)
{
	char *argv[] = {"vm_stat", NULL};
	struct probe p;
	size_t idx;
	const char *brand = sysctl_value(h, "machdep.cpu.brand_string", timeout_ms, &idx);

	h->cpu_model = brand;
	if (brand == NULL)
		hw_problem(h, "warning", "sysctl gave no CPU brand string; CPU model unknown");
	h->ram_source = "sysctl hw.memsize";
	h->ram_total = sysctl_count(h, "hw.memsize", timeout_ms);
	if (h->ram_total < 0)
		hw_problem(h, "error", "sysctl gave no readable hw.memsize; RAM unknown");
	h->cores = sysctl_count(h, "hw.physicalcpu", timeout_ms);
	h->threads = sysctl_count(h, "hw.logicalcpu", timeout_ms);
	idx = hw_probe_run(h, argv, timeout_ms, &p);
	if (p.status == PROBE_OK) {
		h->ram_avail = hw_parse_vm_stat(p.out.s);
		if (h->ram_avail < 0)
			hw_probe_garbage(h, idx, "no page size, Pages free and Pages inactive lines");
		else
			hw_probe_detail(h, idx, "free + inactive pages: %lld bytes", h->ram_avail);
	}
	buf_free(&p.out);
	if (h->ram_avail < 0)
		hw_problem(h, "note", "available RAM unknown (vm_stat gave nothing usable)");
	if (h->arch != NULL && (strcmp(h->arch, "arm64") == 0 ||
				(brand != NULL && strncmp(brand, "Apple ", 6) == 0))) {
		h->apple_silicon = 1;
		h->apple_chip = brand;
		h->apple_memsize = h->ram_total;
		if (strcmp(h->arch, "arm64") != 0)
			hw_problem(h, "warning", "this is an Apple chip but the machine reports %s: "
				   "running under Rosetta translation; native arm64 tools are much faster",
				   h->arch);
	}
}

/* Free space for the unprivileged user, as df and Python's disk_usage count it. */
static void detect_disk(struct hw *h, const char *dir)
{
	struct statvfs st;

	h->dir = arena_strndup(&h->a, dir, strlen(dir));
	if (statvfs(dir, &st) != 0) {
		hw_problem(h, "error", "cannot see free disk space in %s: %s", dir, strerror(errno));
		return;
	}
	h->disk_free = (long long)st.f_bavail * (long long)st.f_frsize;
	h->disk_total = (long long)st.f_blocks * (long long)st.f_frsize;
}

/* One GPU probe: run it, parse what it printed, log what happened. */
static void gpu_probe(struct hw *h, char *const argv[], long timeout_ms,
		      int (*parse)(struct hw *, const char *, char *, size_t))
{
	struct probe p;
	size_t idx = hw_probe_run(h, argv, timeout_ms, &p);

	if (p.status == PROBE_OK) {
		char err[300];
		int n = parse(h, p.out.s, err, sizeof(err));

		if (n < 0) {
			hw_probe_garbage(h, idx, err);
			hw_problem(h, "warning", "%s printed output that cannot be read (%s); "
				   "no GPU taken from it", argv[0], err);
		} else {
			hw_probe_detail(h, idx, "%d GPU%s", n, n == 1 ? "" : "s");
		}
	}
	buf_free(&p.out);
}

void hw_detect(struct hw *h, const struct hw_opts *o)
{
	char *nvidia[] = {"nvidia-smi", (char *)NVIDIA_QUERY, "--format=csv,noheader", NULL};
	char *rocm[] = {"rocm-smi", "--showproductname", "--showmeminfo", "vram",
			"--showdriverversion", "--json", NULL};
	char *profiler[] = {"system_profiler", "SPDisplaysDataType", "-json", NULL};
	char cwd[PATH_MAX];
	const char *dir = o->dir;
	int darwin;

	memset(h, 0, sizeof(*h));
	h->cores = h->threads = HW_UNKNOWN;
	h->ram_total = h->ram_avail = HW_UNKNOWN;
	h->disk_free = h->disk_total = HW_UNKNOWN;
	h->apple_memsize = HW_UNKNOWN;

	detect_uname(h, o->timeout_ms);
	detect_os_version(h);
	darwin = h->os_name != NULL && strcmp(h->os_name, "Darwin") == 0;
	if (darwin)
		detect_darwin(h, o->timeout_ms);
	else
		detect_linux(h);
	if (dir == NULL)
		dir = getcwd(cwd, sizeof(cwd)) ? cwd : ".";
	detect_disk(h, dir);

	gpu_probe(h, nvidia, o->timeout_ms, hw_parse_nvidia);
	gpu_probe(h, rocm, o->timeout_ms, hw_parse_rocm);
	if (darwin)
		gpu_probe(h, profiler, o->timeout_ms, hw_parse_profiler);
	else
		hw_probe_skip(h, "system_profiler", "not macOS");
}

void hw_free(struct hw *h)
{
	free(h->gpus);
	free(h->probes);
	free(h->problems);
	arena_free(&h->a);
	memset(h, 0, sizeof(*h));
}
