/* opt.c - number option values (see opt.h). */
#include "opt.h"
#include "diag.h"

#include <errno.h>
#include <stdlib.h>

long long opt_int(const char *name, const char *s, long long lo, long long hi)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
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
	if (errno != 0 || end == s || *end != '\0' || !(v >= lo && v <= hi))
		usage_error("%s: '%s' is not a number from %g to %g", name, s, lo, hi);
	return v;
}
