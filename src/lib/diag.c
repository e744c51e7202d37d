/* diag.c - diagnostics and the sticky exit status. */
#include "diag.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef PUMA_VERSION
#define PUMA_VERSION "0.0.0"
#endif

const char *progname = "puma";
static int status = EXIT_OK;

void diag_init(const char *argv0)
{
	const char *slash;

	if (argv0 == NULL || *argv0 == '\0')
		return;
	slash = strrchr(argv0, '/');
	progname = slash ? slash + 1 : argv0;
}

void vwarn_at(const char *file, long line, const char *fmt, va_list ap)
{
	/* stdout may be a terminal too: keep the two streams in order. */
	fflush(stdout);
	fprintf(stderr, "%s: ", progname);
	if (file != NULL && line > 0)
		fprintf(stderr, "%s:%ld: ", file, line);
	else if (file != NULL)
		fprintf(stderr, "%s: ", file);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void warn_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_at(NULL, 0, fmt, ap);
	va_end(ap);
}

void warn_at(const char *file, long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_at(file, line, fmt, ap);
	va_end(ap);
}

void fail(void)
{
	if (status == EXIT_OK)
		status = EXIT_FAIL;
}

void fail_at(const char *file, long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_at(file, line, fmt, ap);
	va_end(ap);
	fail();
}

void die(int st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_at(NULL, 0, fmt, ap);
	va_end(ap);
	fflush(stdout);
	exit(st);
}

void usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_at(NULL, 0, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", progname);
	exit(EXIT_USAGE);
}

void usage_bad_option(int c, char *const argv[])
{
	/* getopt has moved past the word it complained about, except for an
	 * unknown letter inside a cluster (-xq): optopt names that one. */
	const char *w = optind > 0 ? argv[optind - 1] : "";
	int is_long = strncmp(w, "--", 2) == 0;
	int len = (int)strcspn(w, "=");

	if (c == ':' && is_long)
		usage_error("option '%s' needs a value", w);
	if (c == ':')
		usage_error("option '-%c' needs a value", optopt);
	if (is_long && optopt != 0 && w[len] == '=')
		usage_error("option '%.*s' takes no value", len, w);
	if (is_long && optopt == 0)
		usage_error("unknown option '%.*s'", len, w);
	if (optopt > 0 && optopt < 0x80)
		usage_error("unknown option '-%c'", optopt);
	usage_error("unknown option '%s'", w);
}

int finish(void)
{
	int bad = 0;

	if (fflush(stdout) != 0 || ferror(stdout))
		bad = 1;
	if (fclose(stdout) != 0)
		bad = 1;
	if (bad) {
		fprintf(stderr, "%s: write error: %s\n", progname,
			errno ? strerror(errno) : "stdout");
		return EXIT_FAIL;
	}
	return status;
}

void print_version(void)
{
	printf("%s (PUMA) %s\n", progname, PUMA_VERSION);
}
