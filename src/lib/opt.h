/* opt.h - number option values: the whole argument, in range, or a usage
 * error that names the option and the range (exit 2). */
#ifndef PUMA_OPT_H
#define PUMA_OPT_H

/* A whole decimal number from lo to hi:
 * "NAME: 'S' is not a whole number from LO to HI". */
long long opt_int(const char *name, const char *s, long long lo, long long hi);
/* A number from lo to hi (strtod's syntax, never NaN):
 * "NAME: 'S' is not a number from LO to HI". */
double opt_double(const char *name, const char *s, double lo, double hi);

#endif
