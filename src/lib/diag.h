/* diag.h - one way to complain, and the exit status that remembers it.
 *
 * Every message starts with the program name; data errors name the input
 * and the line.  Exit codes: 0 success, 1 data/network/I-O failure,
 * 2 usage error.  A failure is sticky: nothing clears it.
 */
#ifndef PUMA_DIAG_H
#define PUMA_DIAG_H

#include <stdarg.h>
#include <stdnoreturn.h>

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

extern const char *progname;

/* Set progname from argv[0] (its last path component). */
void diag_init(const char *argv0);

/* "prog: message" on stderr. */
void warn_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: file:line: message" on stderr; line 0 leaves out the line. */
void warn_at(const char *file, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void vwarn_at(const char *file, long line, const char *fmt, va_list ap);

/* Record a failure; the exit status only ever grows to 1 (usage is 2). */
void fail(void);
/* warn_at() and fail() together. */
void fail_at(const char *file, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Print and exit with the given status, after flushing stdout. */
noreturn void die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "prog: message" plus "Try 'prog --help'." and exit 2. */
noreturn void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The usage error for what getopt_long() returned on a bad option (':' for
 * a missing value, '?' for an unknown option), naming the option: getopt
 * run with opterr = 0 and a ':' first in its option string, as opt_next()
 * runs it.  The same two lines in every tool, for example
 *   puma-sample: unknown option '--bogus'
 *   Try 'puma-sample --help' for more information. */
noreturn void usage_bad_option(int c, char *const argv[]);

/* Flush and close stdout; on failure say "write error" and return 1.
 * Every tool returns through this so a full disk never exits 0. */
int finish(void);

/* The version line all tools print for --version. */
void print_version(void);

#endif
