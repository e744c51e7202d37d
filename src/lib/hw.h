/* hw.h - what the machine is: OS, CPU, memory, disk, GPUs, Apple chip.
 *
 * Every fact comes from a file read under the system root (sysroot.h) or
 * from a program found on PATH (probe.h): nothing else.  A test fakes a
 * whole machine with a directory tree and a few scripts first on PATH.
 * What could not be learned stays unknown (HW_UNKNOWN, NULL) and a
 * problem says why; nothing is guessed.
 */
#ifndef PUMA_HW_H
#define PUMA_HW_H

#include <stddef.h>

#include "probe.h"
#include "xalloc.h"

#define HW_UNKNOWN (-1LL)

/* One GPU as a probe reported it; strings live in the hw's arena. */
struct hw_gpu {
	const char *vendor;	/* "nvidia", "amd", "apple", "intel" or as reported */
	const char *name;
	long long vram_bytes;	/* HW_UNKNOWN when not reported (Apple: unified) */
	const char *driver;	/* NULL when not reported */
	const char *source;	/* the probe that reported it */
	int unified;		/* shares the system's memory (Apple Silicon) */
	int counts;		/* may select a GPU profile (see HARDWARE.md) */
};

/* One program run (or not run) and what it gave. */
struct hw_probe {
	const char *name;	/* "nvidia-smi" */
	const char *command;	/* the command line as run */
	const char *status;	/* ok, not found, timed out, failed, garbage, skipped */
	const char *detail;	/* what it gave or why not; NULL if nothing to add */
};

/* Something the report must say (message in the hw's arena). */
struct hw_problem {
	const char *severity;	/* "error", "warning" or "note" */
	const char *message;
};

/* Everything learned about the machine; hw_free() releases it. */
struct hw {
	struct arena a;		/* owns every string below */
	const char *os_name;	/* "Linux", "Darwin" (uname -s) */
	const char *os_release;	/* kernel release (uname -r) */
	const char *os_version;	/* "Debian GNU/Linux 12 (bookworm)", "macOS 14.4" */
	const char *arch;	/* uname -m */
	const char *cpu_model;
	long long cores, threads;
	long long ram_total, ram_avail;	/* bytes */
	const char *ram_source;	/* where the figures came from */
	const char *dir;	/* where the run writes */
	long long disk_free, disk_total;	/* bytes, for dir */
	int apple_silicon;	/* macOS on an Apple chip */
	const char *apple_chip;	/* sysctl machdep.cpu.brand_string, or NULL */
	long long apple_memsize;	/* sysctl hw.memsize, bytes */
	/* Arrays below are malloc'd and owned here; hw_free() frees them. */
	struct hw_gpu *gpus;
	size_t ngpus, gpu_cap;
	struct hw_probe *probes;
	size_t nprobes, probe_cap;
	struct hw_problem *problems;
	size_t nproblems, problem_cap;
};

/* How to look (strings borrowed). */
struct hw_opts {
	const char *dir;	/* NULL: the current directory */
	long timeout_ms;	/* bound on each probe */
};

/* Learn everything about this machine into h (zeroed first). */
void hw_detect(struct hw *h, const struct hw_opts *o);
void hw_free(struct hw *h);

/* Record a problem; severity is a string constant. */
void hw_problem(struct hw *h, const char *severity, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Parsers of the text the system gives.  They take untrusted text
 * (NUL-ended) and never fail on it: what cannot be read is reported.
 * Each is exposed for the fuzz target and for other tools. */

/* /proc/meminfo: MemTotal and MemAvailable in bytes.  Without
 * MemAvailable (kernels before 3.14) avail is estimated from MemFree,
 * Buffers and Cached and *estimated is set.  Returns 0 when MemTotal was
 * found, -1 when not. */
int hw_parse_meminfo(const char *text, long long *total, long long *avail, int *estimated);
/* /proc/cpuinfo: the model string, distinct physical cores (physical id,
 * core id pairs; HW_UNKNOWN when the file lacks them) and threads
 * (processor entries).  model is NULL when the file names none. */
void hw_parse_cpuinfo(struct arena *a, const char *text, const char **model,
		      long long *cores, long long *threads);
/* nvidia-smi --query-gpu=name,memory.total,driver_version
 * --format=csv,noheader: appends one GPU per line to h.  Returns the
 * number added, or -1 (nothing added) with a reason in err when a line
 * cannot be read. */
int hw_parse_nvidia(struct hw *h, const char *text, char *err, size_t errlen);
/* rocm-smi --showproductname --showmeminfo vram --showdriverversion --json. */
int hw_parse_rocm(struct hw *h, const char *text, char *err, size_t errlen);
/* system_profiler SPDisplaysDataType -json. */
int hw_parse_profiler(struct hw *h, const char *text, char *err, size_t errlen);
/* vm_stat: (pages free + pages inactive) * page size, in bytes; -1 if unreadable. */
long long hw_parse_vm_stat(const char *text);
/* One decimal integer, surrounding blanks allowed (sysctl -n output);
 * -1 when it is not exactly that. */
long long hw_parse_count(const char *text);

/* Figures as PUMA compares them: bytes in GiB rounded half-even to 2
 * decimals (memory, disk) or to 1 decimal (VRAM), as Python's round(). */
double hw_gib2(long long bytes);
double hw_gib1(long long bytes);

#endif
