/* opt.h - the command line as every tool reads it: one loop over the
 * options that answers --help, --version and bad options the same way in
 * every tool, and number option values that are the whole argument, in
 * range, or a usage error that names the option and the range (exit 2).
 * docs/CLI.md gives the short letters and what each means. */
#ifndef PUMA_OPT_H
#define PUMA_OPT_H

#include <getopt.h>

/* What getopt_long() gives for --version in every tool (--help is 'h');
 * tools number their own long-only options from 256, far below it. */
enum { OPT_VERSION = 0x7e00 };

/* --help and --version, for the end of a tool's long options. */
#define OPTION_HELP_VERSION \
	{.name = "help", .has_arg = no_argument, .val = 'h'}, \
	{.name = "version", .has_arg = no_argument, .val = OPT_VERSION}

/* The long options that share a letter across tools (docs/CLI.md), each
 * with its letter: a tool that has one takes it from here. */
#define OPTION_COUNT {.name = "count", .has_arg = required_argument, .val = 'n'}
#define OPTION_FORMAT {.name = "format", .has_arg = required_argument, .val = 'f'}
#define OPTION_GROUP_BY {.name = "group-by", .has_arg = required_argument, .val = 'g'}
#define OPTION_LENIENT {.name = "lenient", .has_arg = no_argument, .val = 'l'}
#define OPTION_PRETTY {.name = "pretty", .has_arg = no_argument, .val = 'p'}
#define OPTION_SCENARIO {.name = "scenario", .has_arg = required_argument, .val = 's'}

/* The next of the tool's own options, or -1 after the last.  shortopts
 * and longopts are getopt_long()'s (shortopts without a leading ':').
 * getopt's own messages are off: an unknown option or a missing value is
 * a usage error (usage_bad_option, exit 2).  -h prints help and exits 0
 * (when help is NULL, 'h' is returned instead); --version prints the
 * version line and exits 0.  longindex as getopt_long()'s, or NULL. */
int opt_next(int argc, char *const argv[], const char *shortopts,
	     const struct option *longopts, int *longindex, const char *help);

/* A whole decimal number from lo to hi:
 * "NAME: 'S' is not a whole number from LO to HI". */
long long opt_int(const char *name, const char *s, long long lo, long long hi);
/* A number from lo to hi (strtod's syntax, never NaN):
 * "NAME: 'S' is not a number from LO to HI". */
double opt_double(const char *name, const char *s, double lo, double hi);
/* A confidence level, strictly between 0 and 1 (--ci):
 * "NAME: 'S' is not a level between 0 and 1 (both excluded)". */
double opt_level(const char *name, const char *s);

#endif
