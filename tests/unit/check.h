/* check.h - how the unit programs check: each check prints one TAP line,
 * "ok N - what" or "not ok N - what", so a failure names its check, and
 * anything else a program prints starts with "# ".  tests/unit.t passes
 * the lines on under the program's name.  A program ends with
 * "return check_done();": 1 when a check failed or none ran. */
#ifndef PUMA_UNIT_CHECK_H
#define PUMA_UNIT_CHECK_H

#include <stdarg.h>
#include <stdio.h>

static int check_count, check_failures;

/* One check: passes when cond is true; what (a printf format) names it.
 * Returns cond, so a failure can add diagnostics. */
static int check(int cond, const char *what, ...) __attribute__((format(printf, 2, 3)));
static int check(int cond, const char *what, ...)
{
	va_list ap;

	check_count++;
	if (!cond)
		check_failures++;
	printf("%sok %d - ", cond ? "" : "not ", check_count);
	va_start(ap, what);
	vprintf(what, ap);
	va_end(ap);
	putchar('\n');
	return cond;
}

static int check_done(void)
{
	printf("1..%d\n", check_count);
	return check_failures != 0 || check_count == 0;
}

#endif
