/* opt.c - the options loop and number option values (see opt.h). */
#include "opt.h"
#include "diag.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int opt_next(int argc, char *const argv[], const char *shortopts,
	     const struct option *longopts, int *longindex, const char *help)
{
	/* A leading ':' makes getopt tell a missing value (':') from an
	 * unknown option ('?'). */
	char spec[128];
	int c;

	if (snprintf(spec, sizeof(spec), ":%s", shortopts) >= (int)sizeof(spec))
		die(EXIT_USAGE, "opt_next: option string too long");
	opterr = 0;
	c = getopt_long(argc, argv, spec, longopts, longindex);
	if (c == '?' || c == ':')
		usage_bad_option(c, argv);
	if (c == 'h' && help != NULL) {
		fputs(help, stdout);
		exit(finish());
	}
	if (c == OPT_VERSION) {
		print_version();
		exit(finish());
	}
	return c;
}

/* A number is the whole argument: strto* would skip leading spaces. */
static int starts_number(const char *s)
{
	return *s != '\0' && !isspace((unsigned char)*s);
}

long long opt_int(const char *name, const char *s, long long lo, long long hi)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (!starts_number(s) || errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		usage_error("%s: '%s' is not a whole number from %lld to %lld", name, s, lo, hi);
	return v;
}

double opt_double(const char *name, const char *s, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	/* The negated test also turns NaN away. */
	if (!starts_number(s) || errno != 0 || end == s || *end != '\0' || !(v >= lo && v <= hi))
		usage_error("%s: '%s' is not a number from %g to %g", name, s, lo, hi);
	return v;
}

double opt_level(const char *name, const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!starts_number(s) || errno != 0 || end == s || *end != '\0' || !(v > 0 && v < 1))
		usage_error("%s: '%s' is not a level between 0 and 1 (both excluded)", name, s);
	return v;
}
