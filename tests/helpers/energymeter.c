/* energymeter - test driver for the energy meter (src/lib/energy.c): starts
 * it with the energy options, runs a command or sleeps, stops it and prints
 * the energy summary as one JSON line.
 *
 *   energymeter [OPTION]... --sleep SECONDS
 *   energymeter [OPTION]... -- COMMAND [ARG]...
 *   energymeter [OPTION]... --ticks N [--tick-cmd CMD]
 *
 * --ticks is for tests: no sampling thread; the driver takes N samples at
 * times interval, 2 x interval, ... (exact, not the clock), running CMD with
 * sh -c before each, so a fake source can change between samples.
 * Exit status: 0, 1 when the command failed (the summary is still
 * printed), 2 for usage. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "energy.h"
#include "diag.h"
#include "sysroot.h"

static void usage(void)
{
	printf("usage: energymeter [OPTION]... (--sleep SECONDS | --ticks N [--tick-cmd CMD] | -- COMMAND [ARG]...)\n"
	       "Measure the energy of a command, a sleep or fed ticks; print the summary (JSON).\n\n"
	       ENERGY_USAGE
	       "  --sleep SECONDS        measure this long instead of a command\n"
	       "  --ticks N              manual time: N samples at interval steps (tests)\n"
	       "  --tick-cmd CMD         run CMD (sh -c) before each manual sample\n"
	       "  --sysroot DIR          read /sys under DIR (as $PUMA_SYSROOT)\n"
	       "  -h, --help             this help\n");
}

/* Sleep the whole time, through signals. */
static void sleep_for(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Run argv and wait; 0 when it exited 0. */
static int run(char **argv)
{
	pid_t pid = fork();
	int st;

	if (pid < 0) {
		warn_msg("fork: %s", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "energymeter: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 1;
	return !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(int argc, char **argv)
{
	static const struct option longs[] = {
		ENERGY_LONG_OPTIONS,
		{.name = "help", .has_arg = no_argument, .val = 'h'},
		{.name = "sleep", .has_arg = required_argument, .val = 's'},
		{.name = "sysroot", .has_arg = required_argument, .val = 'r'},
		{.name = "tick-cmd", .has_arg = required_argument, .val = 'c'},
		{.name = "ticks", .has_arg = required_argument, .val = 'n'},
		{0},
	};
	struct energy_opts eo;
	struct energy *en;
	struct arena a = {0};
	struct buf out = {0};
	const char *tick_cmd = NULL;
	double sleep_s = -1;
	long ticks = -1, k;
	int c, st, bad = 0;
	char *end;

	diag_init(argv[0]);
	energy_opts_init(&eo);
	while ((c = getopt_long(argc, argv, "+h", longs, NULL)) != -1) {
		if (energy_option(&eo, c, optarg))
			continue;
		switch (c) {
		case 'h':
			usage();
			return finish();
		case 's':
			sleep_s = strtod(optarg, &end);
			if (*end != '\0' || sleep_s < 0)
				usage_error("--sleep: '%s' is not a number of seconds", optarg);
			break;
		case 'r':
			sysroot_set(optarg);
			break;
		case 'c':
			tick_cmd = optarg;
			break;
		case 'n':
			ticks = strtol(optarg, &end, 10);
			if (*end != '\0' || ticks < 0)
				usage_error("--ticks: '%s' is not a count", optarg);
			break;
		default:
			usage_error("unknown option");
		}
	}
	if ((sleep_s >= 0) + (ticks >= 0) + (optind < argc) != 1)
		usage_error("give one of --sleep, --ticks or a command after --");
	eo.manual = ticks >= 0;

	en = energy_new(&eo, &st);
	if (en == NULL)
		return st;
	energy_start(en);
	if (ticks >= 0) {
		for (k = 1; k <= ticks; k++) {
			if (tick_cmd && system(tick_cmd) != 0)
				fail_at(NULL, 0, "--tick-cmd failed before tick %ld", k);
			energy_sample(en, (double)k * eo.interval_s);
		}
	} else if (sleep_s >= 0) {
		sleep_for(sleep_s);
	} else {
		bad = run(argv + optind);
	}
	energy_stop(en);
	json_write(&out, energy_summary(en, &a));
	buf_addc(&out, '\n');
	fwrite(out.s, 1, out.len, stdout);
	buf_free(&out);
	arena_free(&a);
	energy_free(en);
	if (bad) {
		warn_msg("%s failed", argv[optind]);
		fail();
	}
	return finish();
}
