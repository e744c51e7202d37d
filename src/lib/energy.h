/* energy.h - measure the energy a run uses, and its CO2.
 *
 * A tool creates a meter after reading its options, starts it before the
 * first request, stops it after the last, and puts the summary (a JSON
 * object) into its run summary:
 *
 *	struct energy_opts eo;			// energy_opts_init(&eo) first
 *	... in the getopt_long loop: if (energy_option(&eo, c, optarg)) continue;
 *	struct energy *en = energy_new(&eo, &st);	// NULL: exit with st
 *	energy_start(en);
 *	... the work ...
 *	energy_stop(en);
 *	jv_set(a, summary, "energy", energy_summary(en, a));
 *	energy_free(en);
 *
 * Sources, each reported as measured or as unavailable with the reason:
 * RAPL package counters under /sys/class/powercap (through sysroot.h),
 * NVIDIA GPUs through NVML's total-energy counter (libnvidia-ml loaded at
 * run time) or else nvidia-smi's power.draw sampled and integrated, Apple's
 * powermetrics when it runs without a password, and a TDP estimate only
 * when --estimate asks for it.  A sampling thread wakes every interval on
 * a condition variable; nothing busy-waits.  docs/sustainability.md says
 * how each number is made.
 */
#ifndef PUMA_ENERGY_H
#define PUMA_ENERGY_H

#include <getopt.h>

#include "json.h"

/* How NVIDIA GPUs are measured. */
enum energy_gpu {
	ENERGY_GPU_AUTO,	/* NVML's energy counter, else nvidia-smi */
	ENERGY_GPU_NVML,	/* NVML only */
	ENERGY_GPU_SMI,		/* nvidia-smi power.draw only */
	ENERGY_GPU_BOTH,	/* NVML counted, nvidia-smi beside it as a cross-check */
	ENERGY_GPU_OFF,		/* no GPU measurement */
};

/* Options; strings are borrowed (argv) and must outlive the meter. */
struct energy_opts {
	double interval_s;	/* sampling interval, 0.05 to 60 s; default 1 */
	enum energy_gpu gpu;
	int estimate;		/* --estimate: a TDP estimate where the CPU is not measured */
	double tdp_w;		/* --estimate=WATTS; 0: the RAPL long-term power limit */
	const char *country;	/* ISO 3166 alpha-3 code, or NULL */
	double intensity;	/* g CO2/kWh given, or < 0 when not given */
	double pue;		/* power usage effectiveness, >= 1; default 1 */
	const char *table;	/* carbon table; NULL: config/carbon_intensity.json */
	int manual;		/* tests: no thread; the caller feeds time with energy_sample() */
};

/* getopt_long values of the energy options (outside the char range). */
enum {
	ENERGY_OPT_COUNTRY = 0x4e00,
	ENERGY_OPT_INTENSITY,
	ENERGY_OPT_PUE,
	ENERGY_OPT_ESTIMATE,
	ENERGY_OPT_INTERVAL,
	ENERGY_OPT_GPU,
	ENERGY_OPT_TABLE,
};

/* Entries for a tool's struct option array. */
#define ENERGY_LONG_OPTIONS \
	{.name = "carbon-table", .has_arg = required_argument, .val = ENERGY_OPT_TABLE}, \
	{.name = "country", .has_arg = required_argument, .val = ENERGY_OPT_COUNTRY}, \
	{.name = "energy-interval", .has_arg = required_argument, .val = ENERGY_OPT_INTERVAL}, \
	{.name = "estimate", .has_arg = optional_argument, .val = ENERGY_OPT_ESTIMATE}, \
	{.name = "gpu-energy", .has_arg = required_argument, .val = ENERGY_OPT_GPU}, \
	{.name = "intensity", .has_arg = required_argument, .val = ENERGY_OPT_INTENSITY}, \
	{.name = "pue", .has_arg = required_argument, .val = ENERGY_OPT_PUE}

/* The lines a tool's --help prints for them. */
#define ENERGY_USAGE \
	"  --country ISO3         carbon intensity of this country (config/carbon_intensity.json)\n" \
	"  --intensity G          carbon intensity in g CO2 per kWh (default: world average 475)\n" \
	"  --pue X                power usage effectiveness of the site, >= 1 (default 1.0)\n" \
	"  --estimate[=WATTS]     if the CPU cannot be measured, estimate it as half its TDP\n" \
	"                         (WATTS, else the RAPL power limit); labelled an estimate\n" \
	"  --energy-interval S    sampling interval in seconds, 0.05 to 60 (default 1)\n" \
	"  --gpu-energy METHOD    auto, nvml, nvidia-smi, both or off (default auto)\n" \
	"  --carbon-table FILE    carbon intensity table (default config/carbon_intensity.json)\n"

void energy_opts_init(struct energy_opts *o);
/* Take one getopt_long result: 1 when opt was an energy option (a bad
 * value is a usage error, exit 2), 0 when it was not. */
int energy_option(struct energy_opts *o, int opt, const char *arg);

struct energy;

/* Resolve the carbon intensity and find the sources (no measuring yet).
 * NULL after a message when the settings cannot be used: *status is then
 * EXIT_USAGE (unknown country) or EXIT_FAIL (unreadable table).  The meter
 * keeps a pointer to o. */
struct energy *energy_new(const struct energy_opts *o, int *status);
/* First reading of every source; starts the sampling thread. */
void energy_start(struct energy *e);
/* Manual mode only: one sample at t seconds after energy_start(). */
void energy_sample(struct energy *e, double t);
/* Stops the thread (promptly: it is woken) and takes the last reading.
 * In manual mode the last energy_sample() is the end. */
void energy_stop(struct energy *e);
/* The energy part of a run summary, allocated in a:
 * {"duration_s", "interval_s", "kwh", "co2_kg", "pue", "carbon_intensity",
 *  "sources": [...]} - kwh and co2_kg are null, with "reason", when no
 * source could be read; never a made-up zero. */
jv *energy_summary(struct energy *e, struct arena *a);
void energy_free(struct energy *e);

#endif
