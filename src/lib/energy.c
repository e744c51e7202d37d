/* energy.c - the energy sources, the sampling thread and the summary.
 *
 * Memory: struct energy owns its sources and every string in them (freed
 * by energy_free); the summary is built in the caller's arena.  While the
 * thread runs, only it touches the sources; the caller reads them after
 * the join in energy_stop().
 */
#include "energy.h"
#include "carbon.h"
#include "clock.h"
#include "diag.h"
#include "opt.h"
#include "probe.h"
#include "sysroot.h"
#include "xalloc.h"

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define J_PER_KWH 3.6e6
#define PROBE_WAIT_MS 5000L	/* longest wait for one nvidia-smi or powermetrics run */
#define PROBE_MAX_OUT 65536
#define PM_WINDOW_MS "200"	/* powermetrics averages power over this window */
#define POWERCAP "/sys/class/powercap"

enum kind { K_RAPL, K_NVML, K_SMI, K_PM, K_TDP };
enum state { S_MEASURED, S_ESTIMATED, S_UNAVAILABLE, S_SKIPPED };

static const char *const kind_name[] = {"rapl", "nvml", "nvidia-smi", "powermetrics", "tdp-estimate"};
static const char *const state_name[] = {"measured", "estimated", "unavailable", "skipped"};

/* NVML, declared here so nothing of it is needed to build (nvml.h values). */
typedef int nvml_ret;
typedef struct nvml_device *nvml_dev;
#define NVML_OK 0

/* The NVML functions found by dlopen(); lib is closed by energy_free(). */
struct nvml {
	void *lib;
	nvml_ret (*init)(void);
	nvml_ret (*shutdown)(void);
	nvml_ret (*count)(unsigned int *);
	nvml_ret (*handle)(unsigned int, nvml_dev *);
	nvml_ret (*energy)(nvml_dev, unsigned long long *);
	nvml_ret (*name)(nvml_dev, char *, unsigned int);
	const char *(*errstr)(nvml_ret);
	int up;			/* nvmlInit succeeded: shut it down at the end */
};

/* One place energy comes from (a RAPL domain, a GPU, the TDP estimate) and
 * what was read from it; its strings are owned here, freed by energy_free(). */
struct source {
	enum kind kind;
	enum state state;
	char *device;		/* "package-0", "gpu0"; NULL for a whole kind */
	char *name;		/* GPU model, when known */
	char *shown;		/* path shown in messages (without the sysroot) */
	char *file;		/* RAPL: energy_uj as opened (with the sysroot) */
	char *reason;		/* unavailable or skipped: why; else the first failure */
	int counted;		/* adds to the total */
	long failed;		/* readings that failed during the run */
	/* RAPL: micro-joules, summed as integers */
	unsigned long long max_uj, last_uj, sum_uj;
	long wraps;
	double limit_w;		/* long-term power limit, 0 if unknown (for --estimate) */
	/* NVML: milli-joules since the driver loaded */
	nvml_dev dev;
	unsigned long long first_mj, last_mj;
	/* sampled power (nvidia-smi, powermetrics), integrated by trapezoids */
	int have;
	double t_first, t_last, w_last, joules;
	long samples;
	/* TDP estimate */
	double tdp_w;
	char *tdp_from;
};

/* The meter: its sources (owned), the carbon figures, and the sampling
 * thread.  The thread alone touches the sources between energy_start()
 * and energy_stop(); the caller only after the join. */
struct energy {
	const struct energy_opts *o;
	struct source *src;
	size_t n, cap;
	struct nvml nvml;
	char *pm_line;		/* which powermetrics line gives the power */
	int pm_sudo;		/* run powermetrics through sudo -n */
	struct carbon carbon;	/* the intensity the CO2 is reckoned with */
	/* time, in seconds since energy_start() */
	double mono0, t_end;
	int started, stopped;
	/* the sampling thread */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int thread_up, stopping;
};

/* ---- options ---- */

void energy_opts_init(struct energy_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->interval_s = 1.0;
	o->gpu = ENERGY_GPU_AUTO;
	o->intensity = -1;
	o->pue = 1.0;
}

int energy_option(struct energy_opts *o, int opt, const char *arg)
{
	static const char *const gpus[] = {"auto", "nvml", "nvidia-smi", "both", "off"};
	size_t i;

	switch (opt) {
	case ENERGY_OPT_COUNTRY:
		if (strlen(arg) != 3 || !isalpha((unsigned char)arg[0]) ||
		    !isalpha((unsigned char)arg[1]) || !isalpha((unsigned char)arg[2]))
			usage_error("--country: '%s' is not an ISO 3166 alpha-3 code (ESP, USA, DEU ...)", arg);
		if (o->intensity >= 0)
			usage_error("give --country or --intensity, not both");
		o->country = arg;
		return 1;
	case ENERGY_OPT_INTENSITY:
		if (o->country != NULL)
			usage_error("give --country or --intensity, not both");
		o->intensity = opt_double("--intensity", arg, 0, 1e5);
		return 1;
	case ENERGY_OPT_PUE:
		o->pue = opt_double("--pue", arg, 1, 10);
		return 1;
	case ENERGY_OPT_ESTIMATE:
		o->estimate = 1;
		o->tdp_w = arg ? opt_double("--estimate", arg, 0.001, 1e5) : 0;
		return 1;
	case ENERGY_OPT_INTERVAL:
		o->interval_s = opt_double("--energy-interval", arg, 0.05, 60);
		return 1;
	case ENERGY_OPT_GPU:
		for (i = 0; i < sizeof(gpus) / sizeof(gpus[0]); i++)
			if (strcmp(arg, gpus[i]) == 0) {
				o->gpu = (enum energy_gpu)i;
				return 1;
			}
		usage_error("--gpu-energy: '%s' is not one of auto, nvml, nvidia-smi, both, off", arg);
	case ENERGY_OPT_TABLE:
		o->table = arg;
		return 1;
	}
	return 0;
}

/* ---- small helpers ---- */

static struct source *add_source(struct energy *e, enum kind k, enum state st)
{
	struct source *s;

	e->src = xgrow(e->src, &e->cap, e->n + 1, sizeof(*e->src));
	s = &e->src[e->n++];
	memset(s, 0, sizeof(*s));
	s->kind = k;
	s->state = st;
	s->counted = 1;
	return s;
}

static void set_reason(struct source *s, char *why)
{
	free(s->reason);
	s->reason = why;
}

/* Read a small text file whole (at most 255 bytes); -1 with errno. */
static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	int saved;

	if (fd < 0)
		return -1;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	saved = errno;
	close(fd);
	if (n < 0) {
		errno = saved;
		return -1;
	}
	buf[n] = '\0';
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	return 0;
}

/* An unsigned decimal file (energy_uj and friends): 0, or -1 with errno
 * (EINVAL when the text is not a number). */
static int read_ull(const char *path, unsigned long long *v)
{
	char buf[256], *end;

	if (read_small(path, buf, sizeof(buf)) != 0)
		return -1;
	errno = 0;
	*v = strtoull(buf, &end, 10);
	if (end == buf || *end != '\0' || errno != 0 || buf[0] == '-') {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* Why a sysfs file could not be read, in words that say how to fix it. */
static char *read_failure(const char *shown, int err)
{
	if (err == EACCES || err == EPERM)
		return xasprintf("needs root: %s is readable by root only (Linux 5.10 and later); "
				 "run as root or make it readable (see docs/sustainability.md)", shown);
	if (err == EINVAL)
		return xasprintf("%s does not hold a number", shown);
	return xasprintf("cannot read %s: %s", shown, strerror(err));
}

/* Is prog an executable file in one of $PATH's directories? */
static int on_path(const char *prog)
{
	const char *path = getenv("PATH"), *p, *colon;
	int found = 0;

	if (path == NULL)
		path = "/usr/bin:/bin";
	for (p = path; !found; p = colon + 1) {
		size_t len;
		char *cand;

		colon = strchr(p, ':');
		len = colon ? (size_t)(colon - p) : strlen(p);
		cand = len ? xasprintf("%.*s/%s", (int)len, p, prog) : xasprintf("./%s", prog);
		found = access(cand, X_OK) == 0;
		free(cand);
		if (colon == NULL)
			break;
	}
	return found;
}

/* The first line of a program's output, for a message ("" if none). */
static char *first_line(const char *out)
{
	size_t n = strcspn(out, "\r\n");

	return xstrndup(out, n > 200 ? 200 : n);
}

/* "exit 6", "killed by signal 9" ... for a failed probe. */
static char *probe_failure(const char *prog, const struct probe *p)
{
	char *line, *msg;

	switch (p->status) {
	case PROBE_MISSING:
		return xasprintf("%s not found on PATH", prog);
	case PROBE_TIMEOUT:
		return xasprintf("%s did not answer within %ld s", prog, PROBE_WAIT_MS / 1000);
	default:
		break;
	}
	line = first_line(p->out.s ? p->out.s : "");
	if (p->code < 0)
		msg = xasprintf("%s was killed by signal %d%s%s", prog, -p->code, *line ? ": " : "", line);
	else
		msg = xasprintf("%s failed (exit %d)%s%s", prog, p->code, *line ? ": " : "", line);
	free(line);
	return msg;
}

/* ---- RAPL ---- */

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* The package domains intel-rapl:N (not sub-domains N:M, not psys or
 * dram), in order of N; one unavailable entry when there are none. */
static void rapl_find(struct energy *e)
{
	char *dir = sysroot_path(POWERCAP);
	DIR *d = opendir(dir);
	struct dirent *de;
	long *ids = NULL;
	size_t nids = 0, cap = 0, i, before = e->n;

	while (d != NULL && (de = readdir(d)) != NULL) {
		const char *p = de->d_name;
		char *end;
		long id;

		if (strncmp(p, "intel-rapl:", 11) != 0 || !isdigit((unsigned char)p[11]))
			continue;
		id = strtol(p + 11, &end, 10);
		if (*end != '\0')
			continue;
		ids = xgrow(ids, &cap, nids + 1, sizeof(*ids));
		ids[nids++] = id;
	}
	if (d != NULL)
		closedir(d);
	if (nids > 0)
		qsort(ids, nids, sizeof(*ids), cmp_long);
	for (i = 0; i < nids; i++) {
		char name[256], *shown = xasprintf(POWERCAP "/intel-rapl:%ld", ids[i]);
		char *real = sysroot_path(shown), *f;
		unsigned long long v;
		struct source *s;
		int r;

		f = xasprintf("%s/name", real);
		if (read_small(f, name, sizeof(name)) != 0 || strncmp(name, "package-", 8) != 0) {
			free(f);
			free(real);
			free(shown);
			continue;
		}
		free(f);
		s = add_source(e, K_RAPL, S_MEASURED);
		s->device = xstrdup(name);
		s->file = xasprintf("%s/energy_uj", real);
		s->shown = xasprintf("%s/energy_uj", shown);
		/* PL1 (long term), for --estimate when the counter is closed. */
		f = xasprintf("%s/constraint_0_power_limit_uw", real);
		if (read_ull(f, &v) == 0 && v > 0)
			s->limit_w = (double)v / 1e6;
		free(f);
		f = xasprintf("%s/max_energy_range_uj", real);
		if ((r = read_ull(f, &s->max_uj)) != 0 || s->max_uj == 0) {
			int err = r != 0 ? errno : EINVAL;
			char *m = xasprintf("%s/max_energy_range_uj", shown);

			s->state = S_UNAVAILABLE;
			set_reason(s, read_failure(m, err));
			free(m);
		} else if (read_ull(s->file, &v) != 0) {
			s->state = S_UNAVAILABLE;
			set_reason(s, read_failure(s->shown, errno));
		}
		free(f);
		free(real);
		free(shown);
	}
	free(ids);
	free(dir);
	if (e->n == before) {
		struct source *s = add_source(e, K_RAPL, S_UNAVAILABLE);

		s->reason = xstrdup("no RAPL package domain under " POWERCAP
				    " (not an Intel or AMD CPU with RAPL, the powercap driver is not loaded, "
				    "or a virtual machine)");
	}
}

/* One reading of a RAPL counter: the increase since the last one, with
 * at most one wrap at max_energy_range_uj between two readings. */
static void rapl_read(struct source *s)
{
	unsigned long long v = 0;
	int bad = read_ull(s->file, &v) != 0;

	if (bad || v > s->max_uj) {
		if (s->failed++ == 0)
			set_reason(s, bad ? read_failure(s->shown, errno)
					  : xasprintf("%s exceeds max_energy_range_uj", s->shown));
		return;
	}
	if (s->samples++ > 0) {
		if (v >= s->last_uj) {
			s->sum_uj += v - s->last_uj;
		} else {
			s->sum_uj += s->max_uj - s->last_uj + v;
			s->wraps++;
		}
	}
	s->last_uj = v;
}

/* ---- NVML ---- */

/* dlsym() into a function pointer without the object-to-function cast
 * ISO C does not define. */
#define NVML_SYM(e, field, sym) do { \
	void *p_ = dlsym((e)->nvml.lib, sym); \
	if (p_ == NULL) { missing = sym; break; } \
	memcpy(&(e)->nvml.field, &p_, sizeof(p_)); \
} while (0)

static const char *nvml_err(struct energy *e, nvml_ret r)
{
	const char *s = e->nvml.errstr ? e->nvml.errstr(r) : NULL;

	return s ? s : "unknown NVML error";
}

/* Load NVML and find its GPUs; returns NULL or why it cannot be used. */
static char *nvml_find(struct energy *e)
{
	const char *missing = NULL;
	unsigned int n, i;
	nvml_ret r;
	size_t first = e->n;

	e->nvml.lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
	if (e->nvml.lib == NULL) {
		const char *why = dlerror();

		return xasprintf("libnvidia-ml.so.1 cannot be loaded (%s)", why ? why : "not found");
	}
	NVML_SYM(e, init, "nvmlInit_v2");
	if (!missing) NVML_SYM(e, shutdown, "nvmlShutdown");
	if (!missing) NVML_SYM(e, count, "nvmlDeviceGetCount_v2");
	if (!missing) NVML_SYM(e, handle, "nvmlDeviceGetHandleByIndex_v2");
	if (!missing) NVML_SYM(e, energy, "nvmlDeviceGetTotalEnergyConsumption");
	if (!missing) NVML_SYM(e, name, "nvmlDeviceGetName");
	if (!missing) NVML_SYM(e, errstr, "nvmlErrorString");
	if (missing)
		return xasprintf("libnvidia-ml.so.1 has no %s (driver too old)", missing);
	if ((r = e->nvml.init()) != NVML_OK)
		return xasprintf("nvmlInit: %s", nvml_err(e, r));
	e->nvml.up = 1;
	if ((r = e->nvml.count(&n)) != NVML_OK)
		return xasprintf("nvmlDeviceGetCount: %s", nvml_err(e, r));
	if (n == 0)
		return xstrdup("NVML sees no GPU");
	for (i = 0; i < n; i++) {
		const char *call = "nvmlDeviceGetHandleByIndex";
		char name[96] = "";
		nvml_dev dev;
		unsigned long long mj;
		struct source *s;

		if ((r = e->nvml.handle(i, &dev)) != NVML_OK ||
		    (call = "nvmlDeviceGetTotalEnergyConsumption", r = e->nvml.energy(dev, &mj)) != NVML_OK) {
			char *why = xasprintf("GPU %u: %s: %s", i, call, nvml_err(e, r));
			/* All or none: a mix of methods would be hard to read. */
			while (e->n > first) {
				e->n--;
				free(e->src[e->n].device);
				free(e->src[e->n].name);
			}
			return why;
		}
		if (e->nvml.name(dev, name, sizeof(name)) != NVML_OK)
			name[0] = '\0';
		s = add_source(e, K_NVML, S_MEASURED);
		s->device = xasprintf("gpu%u", i);
		s->name = name[0] ? xstrdup(name) : NULL;
		s->dev = dev;
	}
	return NULL;
}

/* NVML's counter is read at the start and at the stop only: both must
 * succeed (samples == 2) for a difference. */
static void nvml_read(struct energy *e, struct source *s, int first)
{
	unsigned long long mj;
	nvml_ret r = e->nvml.energy(s->dev, &mj);

	if (r != NVML_OK) {
		if (s->failed++ == 0)
			set_reason(s, xasprintf("nvmlDeviceGetTotalEnergyConsumption (at %s): %s",
						first ? "start" : "stop", nvml_err(e, r)));
		return;
	}
	if (first)
		s->first_mj = mj;
	else if (s->samples == 0)
		return;		/* no start reading: a difference would be made up */
	s->last_mj = mj;
	s->samples++;
}

/* ---- sampled power: nvidia-smi and powermetrics ---- */

/* One power sample at time t: add the trapezoid since the last one. */
static void feed(struct source *s, double t, double w)
{
	if (s->have) {
		s->joules += (s->w_last + w) / 2 * (t - s->t_last);
	} else {
		s->have = 1;
		s->t_first = t;
	}
	s->t_last = t;
	s->w_last = w;
	s->samples++;
}

/* A failed reading: counted, and the first one's reason kept. */
static void sample_failed(struct source *s, const char *why)
{
	if (s->failed++ == 0 && why != NULL)
		set_reason(s, xstrdup(why));
}

/* List the GPUs nvidia-smi knows; NULL or why it cannot be used. */
static char *smi_find(struct energy *e, int counted)
{
	char *argv[] = {"nvidia-smi", "--query-gpu=index,name", "--format=csv,noheader", NULL};
	struct probe p;
	char *line, *save = NULL, *why = NULL;
	size_t before = e->n;

	probe_run(&p, argv, PROBE_WAIT_MS, PROBE_MAX_OUT);
	if (p.status != PROBE_OK) {
		why = probe_failure("nvidia-smi", &p);
		buf_free(&p.out);
		return why;
	}
	for (line = strtok_r(p.out.s, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		char *comma = strchr(line, ',');
		const char *name = comma ? comma + 1 : "";
		struct source *s;

		while (*name == ' ')
			name++;
		s = add_source(e, K_SMI, S_MEASURED);
		s->device = xasprintf("gpu%zu", e->n - before - 1);
		s->name = *name ? xstrdup(name) : NULL;
		s->counted = counted;
	}
	buf_free(&p.out);
	if (e->n == before)
		return xstrdup("nvidia-smi lists no GPU");
	return NULL;
}

/* Time of a sample: given (manual mode), else the middle of the probe. */
static double stamp(const struct energy *e, double t, double before)
{
	return t >= 0 ? t : (before + clock_mono()) / 2 - e->mono0;
}

/* One nvidia-smi run: a power.draw value (W) per GPU, in index order. */
static void smi_sample(struct energy *e, double t)
{
	char *argv[] = {"nvidia-smi", "--query-gpu=power.draw", "--format=csv,noheader,nounits", NULL};
	struct probe p;
	double before = clock_mono(), when;
	char *line, *save = NULL, *why = NULL;
	size_t i = 0, k;

	probe_run(&p, argv, PROBE_WAIT_MS, PROBE_MAX_OUT);
	when = stamp(e, t, before);
	if (p.status != PROBE_OK)
		why = probe_failure("nvidia-smi", &p);
	for (line = why ? NULL : strtok_r(p.out.s, "\r\n", &save); line;
	     line = strtok_r(NULL, "\r\n", &save)) {
		char *end;
		double w;

		while (i < e->n && e->src[i].kind != K_SMI)
			i++;
		if (i == e->n)
			break;
		while (*line == ' ')
			line++;
		w = strtod(line, &end);
		while (*end == ' ')
			end++;
		if (end == line || *end != '\0' || !isfinite(w) || w < 0) {
			char *msg = xasprintf("nvidia-smi reports power.draw as '%s'", line);

			sample_failed(&e->src[i], msg);
			free(msg);
		} else {
			feed(&e->src[i], when, w);
		}
		i++;
	}
	/* GPUs without a line (or all of them, when the run failed). */
	for (k = i; k < e->n; k++)
		if (e->src[k].kind == K_SMI)
			sample_failed(&e->src[k], why ? why : "nvidia-smi printed fewer lines than GPUs");
	free(why);
	buf_free(&p.out);
}

/* Power in watts from one "LABEL: 123 mW" line, or -1. */
static double pm_value(const char *rest)
{
	char *end;
	double v = strtod(rest, &end);

	if (end == rest || !isfinite(v) || v < 0)
		return -1;
	while (*end == ' ')
		end++;
	if (strncmp(end, "mW", 2) == 0)
		return v / 1000;
	if (*end == 'W')
		return v;
	return -1;
}

/* The power powermetrics printed: "Combined Power (CPU + GPU + ANE)",
 * else "Package Power", else CPU + GPU + ANE (Apple silicon), else the
 * Intel package line.  Averages when it printed several samples. */
static double pm_parse(const char *out, const char **which)
{
	static const char *const labels[] = {
		"Combined Power (CPU + GPU + ANE):", "Package Power:", "CPU Power:", "GPU Power:",
		"ANE Power:", "Intel energy model derived package power (CPUs+GT+SA):",
	};
	double sum[6] = {0}, v;
	int cnt[6] = {0};
	const char *line = out;
	size_t i;

	while (*line) {
		size_t len = strcspn(line, "\n");

		for (i = 0; i < 6; i++) {
			size_t ll = strlen(labels[i]);

			if (len > ll && strncmp(line, labels[i], ll) == 0 && (v = pm_value(line + ll)) >= 0) {
				sum[i] += v;
				cnt[i]++;
			}
		}
		line += len;
		if (*line == '\n')
			line++;
	}
	if (cnt[0]) {
		*which = "Combined Power (CPU + GPU + ANE)";
		return sum[0] / cnt[0];
	}
	if (cnt[1]) {
		*which = "Package Power";
		return sum[1] / cnt[1];
	}
	if (cnt[2]) {
		*which = "CPU Power + GPU Power + ANE Power";
		return sum[2] / cnt[2] + (cnt[3] ? sum[3] / cnt[3] : 0) + (cnt[4] ? sum[4] / cnt[4] : 0);
	}
	if (cnt[5]) {
		*which = "Intel energy model derived package power";
		return sum[5] / cnt[5];
	}
	*which = NULL;
	return -1;
}

/* Run powermetrics once (through sudo -n unless root). */
static void pm_run(struct energy *e, struct probe *p)
{
	char *with_sudo[] = {"sudo", "-n", "powermetrics", "--samplers", "cpu_power,gpu_power",
			     "-i", PM_WINDOW_MS, "-n", "1", NULL};

	probe_run(p, e->pm_sudo ? with_sudo : with_sudo + 2, PROBE_WAIT_MS, PROBE_MAX_OUT);
}

/* Apple: is powermetrics there, and does it run without a password? */
static void pm_find(struct energy *e)
{
	struct source *s;
	struct probe p;
	const char *which;

	if (!on_path("powermetrics")) {
		s = add_source(e, K_PM, S_UNAVAILABLE);
		s->reason = xstrdup("powermetrics not found on PATH (it comes with macOS)");
		return;
	}
	e->pm_sudo = geteuid() != 0;
	pm_run(e, &p);
	s = add_source(e, K_PM, S_MEASURED);
	s->device = xstrdup("soc");
	if (p.status != PROBE_OK) {
		s->state = S_UNAVAILABLE;
		if (e->pm_sudo && p.status == PROBE_FAILED)
			s->reason = xstrdup("powermetrics needs root and 'sudo -n' asks for a password: "
					    "run as root or allow it without one in sudoers "
					    "(see docs/sustainability.md)");
		else
			s->reason = probe_failure(e->pm_sudo ? "sudo -n powermetrics" : "powermetrics", &p);
	} else if (pm_parse(p.out.s, &which) < 0) {
		s->state = S_UNAVAILABLE;
		s->reason = xstrdup("powermetrics printed no CPU or GPU power line");
	} else {
		e->pm_line = xstrdup(which);
	}
	buf_free(&p.out);
}

/* One powermetrics reading: the program runs for a short window and
 * prints the mean power over it, fed to the trapezoids at its midpoint. */
static void pm_sample(struct energy *e, struct source *s, double t)
{
	struct probe p;
	double before = clock_mono(), w, when;
	const char *which;

	pm_run(e, &p);
	when = stamp(e, t, before);
	if (p.status != PROBE_OK) {
		char *why = probe_failure("powermetrics", &p);

		sample_failed(s, why);
		free(why);
	} else if ((w = pm_parse(p.out.s, &which)) < 0) {
		sample_failed(s, "powermetrics printed no power line");
	} else {
		feed(s, when, w);
	}
	buf_free(&p.out);
}

/* ---- the meter ---- */

/* GPUs, by the method asked for. */
static void gpu_find(struct energy *e)
{
	enum energy_gpu g = e->o->gpu;
	char *why;
	struct source *s;
	int nvml_ok = 0;

	if (g == ENERGY_GPU_OFF) {
		s = add_source(e, K_NVML, S_SKIPPED);
		s->reason = xstrdup("GPU measurement turned off (--gpu-energy off)");
		return;
	}
	if (g != ENERGY_GPU_SMI) {
		why = nvml_find(e);
		nvml_ok = why == NULL;
		if (why != NULL) {
			s = add_source(e, K_NVML, S_UNAVAILABLE);
			s->reason = why;
			if (g == ENERGY_GPU_AUTO)
				g = ENERGY_GPU_SMI;	/* fall back */
		}
	}
	/* With both, nvidia-smi is a cross-check unless NVML failed. */
	if (g == ENERGY_GPU_SMI || g == ENERGY_GPU_BOTH) {
		why = smi_find(e, !nvml_ok);
		if (why != NULL) {
			s = add_source(e, K_SMI, S_UNAVAILABLE);
			s->reason = why;
			s->counted = !nvml_ok;
		}
	}
}

/* --estimate: half the TDP over the run, only where no CPU is measured. */
static void tdp_find(struct energy *e)
{
	struct buf from = {0};
	struct source *s;
	double tdp = 0;
	size_t i;

	for (i = 0; i < e->n; i++) {
		const struct source *c = &e->src[i];

		if ((c->kind == K_RAPL || c->kind == K_PM) && c->state == S_MEASURED) {
			s = add_source(e, K_TDP, S_SKIPPED);
			s->reason = xasprintf("the CPU is measured (%s); no estimate needed",
					      kind_name[c->kind]);
			return;
		}
	}
	if (e->o->tdp_w > 0) {
		tdp = e->o->tdp_w;
		buf_adds(&from, "given with --estimate");
	} else {
		for (i = 0; i < e->n; i++)
			if (e->src[i].kind == K_RAPL && e->src[i].limit_w > 0) {
				tdp += e->src[i].limit_w;
				buf_printf(&from, "%s%s", from.len ? " + " : "RAPL long-term power limit of ",
					   e->src[i].device);
			}
	}
	if (tdp <= 0) {
		s = add_source(e, K_TDP, S_UNAVAILABLE);
		s->reason = xstrdup("no TDP known: give it as --estimate=WATTS");
		buf_free(&from);
		return;
	}
	s = add_source(e, K_TDP, S_ESTIMATED);
	s->device = xstrdup("cpu");
	s->tdp_w = tdp;
	s->tdp_from = from.s;
}

struct energy *energy_new(const struct energy_opts *o, int *status)
{
	struct energy *e = xcalloc(1, sizeof(*e));

	e->o = o;
	*status = carbon_resolve(&e->carbon, o->country, o->intensity, o->table);
	if (*status != 0) {
		energy_free(e);
		return NULL;
	}
	rapl_find(e);
	gpu_find(e);
	pm_find(e);
	if (o->estimate)
		tdp_find(e);
	return e;
}

/* One reading of every sampled source; t < 0 means "now". */
static void sample_all(struct energy *e, double t)
{
	size_t i;
	int smi = 0;

	for (i = 0; i < e->n; i++) {
		struct source *s = &e->src[i];

		if (s->state != S_MEASURED)
			continue;
		if (s->kind == K_RAPL)
			rapl_read(s);
		else if (s->kind == K_SMI)
			smi = 1;
		else if (s->kind == K_PM)
			pm_sample(e, s, t);
	}
	if (smi)
		smi_sample(e, t);
}

/* NVML counts joules itself: read it only at the start and the end. */
static void nvml_all(struct energy *e, int first)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (e->src[i].kind == K_NVML && e->src[i].state == S_MEASURED)
			nvml_read(e, &e->src[i], first);
}

/* An absolute deadline rel seconds ahead, on the clock the condition
 * variable waits on. */
static void deadline(struct timespec *ts, double rel)
{
#ifdef __APPLE__
	clock_gettime(CLOCK_REALTIME, ts);
#else
	clock_gettime(CLOCK_MONOTONIC, ts);
#endif
	ts->tv_sec += (time_t)rel;
	ts->tv_nsec += (long)((rel - floor(rel)) * 1e9);
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* The sampling thread: sleep on the condition variable until the next
 * tick or until energy_stop() wakes it, sample, repeat. */
static void *sampler(void *arg)
{
	struct energy *e = arg;
	double next = e->o->interval_s, now;

	pthread_mutex_lock(&e->mu);
	while (!e->stopping) {
		now = clock_mono() - e->mono0;
		if (now < next) {
			struct timespec ts;

			deadline(&ts, next - now);
			pthread_cond_timedwait(&e->cv, &e->mu, &ts);
			continue;
		}
		pthread_mutex_unlock(&e->mu);
		sample_all(e, -1);
		pthread_mutex_lock(&e->mu);
		next += e->o->interval_s;
		now = clock_mono() - e->mono0;
		if (next <= now)	/* a slow sample: skip the ticks it missed */
			next = now + e->o->interval_s;
	}
	pthread_mutex_unlock(&e->mu);
	return NULL;
}

/* Does any source need readings between the start and the stop? */
static int needs_thread(const struct energy *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (e->src[i].state == S_MEASURED &&
		    (e->src[i].kind == K_RAPL || e->src[i].kind == K_SMI || e->src[i].kind == K_PM))
			return 1;
	return 0;
}

void energy_start(struct energy *e)
{
	pthread_condattr_t ca;
	sigset_t all, old;

	e->started = 1;
	e->mono0 = clock_mono();
	nvml_all(e, 1);
	sample_all(e, e->o->manual ? 0 : -1);
	if (e->o->manual || !needs_thread(e))
		return;
	pthread_mutex_init(&e->mu, NULL);
	pthread_condattr_init(&ca);
#ifndef __APPLE__
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
#endif
	pthread_cond_init(&e->cv, &ca);
	pthread_condattr_destroy(&ca);
	/* Signals stay with the tool's own threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e->thread_up = pthread_create(&e->thread, NULL, sampler, e) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!e->thread_up) {
		/* Without a thread only the first and last readings count:
		 * still right for counters unless they wrap twice. */
		pthread_cond_destroy(&e->cv);
		pthread_mutex_destroy(&e->mu);
	}
}

void energy_sample(struct energy *e, double t)
{
	if (!e->o->manual || !e->started || e->stopped)
		return;
	sample_all(e, t);
	e->t_end = t;
}

void energy_stop(struct energy *e)
{
	if (!e->started || e->stopped)
		return;
	e->stopped = 1;
	if (e->thread_up) {
		pthread_mutex_lock(&e->mu);
		e->stopping = 1;
		pthread_cond_signal(&e->cv);
		pthread_mutex_unlock(&e->mu);
		pthread_join(e->thread, NULL);
		pthread_cond_destroy(&e->cv);
		pthread_mutex_destroy(&e->mu);
		e->thread_up = 0;
	}
	if (!e->o->manual) {
		sample_all(e, -1);
		e->t_end = clock_mono() - e->mono0;
	}
	nvml_all(e, 0);
}

/* ---- the summary ---- */

/* Joules of a measured source, or -1 when it has nothing to show. */
static double source_joules(struct energy *e, struct source *s, double *span)
{
	*span = e->t_end;
	switch (s->kind) {
	case K_RAPL:
		return s->samples < 2 ? -1 : (double)s->sum_uj / 1e6;
	case K_NVML:
		return s->samples < 2 || s->last_mj < s->first_mj ? -1
			: (double)(s->last_mj - s->first_mj) / 1e3;
	case K_SMI:
	case K_PM:
		if (s->samples < 2)
			return -1;
		*span = s->t_last - s->t_first;
		return s->joules;
	case K_TDP:
		return s->tdp_w / 2 * e->t_end;
	}
	return -1;
}

/* How a source's number was made, in words, for its "method". */
static const char *method(struct energy *e, struct source *s, struct arena *a)
{
	char iv[32], w[32];
	char *m;
	const char *r;

	fmt_double(e->o->interval_s, iv);
	switch (s->kind) {
	case K_RAPL:
		m = xasprintf("RAPL package energy counter %s, read every %s s; wraps at max_energy_range_uj",
			      s->shown, iv);
		break;
	case K_NVML:
		m = xasprintf("NVML total energy counter (nvmlDeviceGetTotalEnergyConsumption, mJ), "
			      "read at start and stop");
		break;
	case K_SMI:
		m = xasprintf("nvidia-smi power.draw sampled every %s s, integrated over time (trapezoids)", iv);
		break;
	case K_PM:
		m = xasprintf("powermetrics %s averaged over " PM_WINDOW_MS " ms every %s s, "
			      "integrated over time (trapezoids)", e->pm_line ? e->pm_line : "power", iv);
		break;
	case K_TDP:
		fmt_double(s->tdp_w, w);
		m = xasprintf("estimate, not a measurement: half the TDP (%s W, %s) times the wall time, "
			      "as CodeCarbon's constant mode", w, s->tdp_from ? s->tdp_from : "");
		break;
	default:
		m = xstrdup("");
	}
	r = arena_strndup(a, m, strlen(m));
	free(m);
	return r;
}

/* One entry of "sources"; its energy is added to *total (and *any set)
 * when it counts toward the total. */
static jv *source_json(struct energy *e, struct source *s, struct arena *a, double *total, int *est,
		       int *any)
{
	jv *o = jv_obj(a);
	enum state st = s->state;
	double j = -1, span = 0;

	if (st == S_MEASURED || st == S_ESTIMATED) {
		j = source_joules(e, s, &span);
		if (j < 0)
			st = S_UNAVAILABLE;
	}
	jv_set(a, o, "source", jv_cstr(a, kind_name[s->kind]));
	if (s->device)
		jv_set(a, o, "device", jv_cstr(a, s->device));
	if (s->name)
		jv_set(a, o, "name", jv_cstr(a, s->name));
	jv_set(a, o, "status", jv_cstr(a, state_name[st]));
	if (st == S_MEASURED || st == S_ESTIMATED) {
		jv_set(a, o, "kwh", jv_num_or_null(a, j / J_PER_KWH));
		jv_set(a, o, "joules", jv_num_or_null(a, j));
		if (span > 0)
			jv_set(a, o, "mean_w", jv_num_or_null(a, j / span));
		jv_set(a, o, "counted", jv_bool(s->counted));
		jv_set(a, o, "method", jv_cstr(a, method(e, s, a)));
		if (s->kind == K_SMI || s->kind == K_PM) {
			jv_set(a, o, "samples", jv_int(a, s->samples));
			jv_set(a, o, "covered_s", jv_num_or_null(a, span));
		}
		if (s->kind == K_RAPL)
			jv_set(a, o, "wraps", jv_int(a, s->wraps));
		if (s->failed) {
			jv_set(a, o, "failed_readings", jv_int(a, s->failed));
			if (s->reason)
				jv_set(a, o, "first_failure", jv_cstr(a, s->reason));
		}
		if (s->counted) {
			*total += j;
			*est |= st == S_ESTIMATED;
			*any = 1;
		}
	} else {
		/* A source found readable that then gave fewer than two
		 * readings says why its readings failed. */
		jv_set(a, o, "kwh", JV_NULL);
		jv_set(a, o, "reason", jv_cstr(a, s->reason ? s->reason : "fewer than two readings"));
	}
	return o;
}

jv *energy_summary(struct energy *e, struct arena *a)
{
	jv *o = jv_obj(a), *arr = jv_arr(a);
	double joules = 0;
	int est = 0, any = 0;
	size_t i;

	for (i = 0; i < e->n; i++) {
		jv_push(a, arr, source_json(e, &e->src[i], a, &joules, &est, &any));
	}
	jv_set(a, o, "duration_s", jv_num_or_null(a, e->t_end));
	jv_set(a, o, "interval_s", jv_num_or_null(a, e->o->interval_s));
	if (any) {
		double kwh = joules / J_PER_KWH;

		jv_set(a, o, "kwh", jv_num_or_null(a, kwh));
		jv_set(a, o, "co2_kg", jv_num_or_null(a, kwh * e->o->pue * e->carbon.g_per_kwh / 1000));
		jv_set(a, o, "estimated", jv_bool(est));
	} else {
		jv_set(a, o, "kwh", JV_NULL);
		jv_set(a, o, "co2_kg", JV_NULL);
		jv_set(a, o, "reason", jv_cstr(a, "no energy source could be read (see \"sources\" for why)"));
	}
	jv_set(a, o, "pue", jv_num_or_null(a, e->o->pue));
	jv_set(a, o, "carbon_intensity", carbon_json(&e->carbon, a));
	jv_set(a, o, "sources", arr);
	return o;
}

void energy_free(struct energy *e)
{
	size_t i;

	if (e == NULL)
		return;
	energy_stop(e);
	for (i = 0; i < e->n; i++) {
		struct source *s = &e->src[i];

		free(s->device);
		free(s->name);
		free(s->shown);
		free(s->file);
		free(s->reason);
		free(s->tdp_from);
	}
	free(e->src);
	if (e->nvml.up && e->nvml.shutdown)
		e->nvml.shutdown();
	if (e->nvml.lib)
		dlclose(e->nvml.lib);
	free(e->pm_line);
	carbon_free(&e->carbon);
	free(e);
}
