/* Unit tests for the small shared helpers: FNV-1a against the published
 * test vectors, option numbers in range, jv_same() and the or-null
 * constructors, xvasprintf(), outfile (a file appears whole under its
 * name or not at all, nothing temporary is left behind, the mode follows
 * the umask), and that a probe inherits none of the tool's descriptors. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "hash.h"
#include "json.h"
#include "opt.h"
#include "outfile.h"
#include "probe.h"
#include "xalloc.h"
#include "check.h"

static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	s = xvasprintf(f, ap);
	va_end(ap);
	return s;
}

/* How many entries the directory holds besides . and .. */
static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void test_outfile(void)
{
	char dir[] = "/tmp/puma-outfile.XXXXXX";
	char *path, *missing, *text;
	struct outfile f;
	struct stat st;
	size_t len;
	mode_t old;

	if (mkdtemp(dir) == NULL) {
		check(0, "mkdtemp");
		return;
	}
	path = fmt("%s/out.json", dir);
	missing = fmt("%s/no/such/dir/out.json", dir);

	old = umask(027);
	check(outfile_write(path, "{}\n", 3) == 0, "outfile_write succeeds");
	umask(old);
	text = read_file(path, &len);
	check(text != NULL && len == 3 && memcmp(text, "{}\n", 3) == 0, "outfile_write: the bytes");
	free(text);
	check(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640, "outfile mode is 0666 less the umask");
	check(entries(dir) == 1, "outfile_write leaves only the target");

	/* Replacing: the old content stays until the commit. */
	check(outfile_open(&f, path) == 0, "outfile_open");
	fputs("new\n", f.fp);
	fflush(f.fp);
	text = read_file(path, &len);
	check(text != NULL && len == 3, "the target is untouched before the commit");
	free(text);
	check(entries(dir) == 2, "a temporary file beside the target while writing");
	check(outfile_commit(&f) == 0, "outfile_commit");
	text = read_file(path, &len);
	check(text != NULL && len == 4 && memcmp(text, "new\n", 4) == 0, "the target replaced by the commit");
	free(text);
	check(entries(dir) == 1 && f.tmp == NULL && f.fp == NULL, "commit frees and leaves nothing");

	/* Aborting leaves the target as it was. */
	check(outfile_open(&f, path) == 0, "outfile_open again");
	fputs("half", f.fp);
	outfile_abort(&f);
	text = read_file(path, &len);
	check(text != NULL && len == 4 && memcmp(text, "new\n", 4) == 0, "abort keeps the old target");
	free(text);
	check(entries(dir) == 1, "abort removes the temporary file");

	/* A directory that does not exist: -1 with errno, nothing held. */
	errno = 0;
	check(outfile_write(missing, "x", 1) == -1 && errno == ENOENT, "no directory: -1, ENOENT");

	unlink(path);
	rmdir(dir);
	free(path);
	free(missing);
}

/* A descriptor the tool holds open (no close-on-exec, as curl's sockets)
 * must not reach a probed program. */
static void test_probe_fds(void)
{
	char *const argv[] = {"sh", "-c", "[ -e /dev/fd/50 ] && echo open || echo closed", NULL};
	struct probe p;
	int fd = open("/dev/null", O_RDONLY);

	if (fd < 0 || dup2(fd, 50) < 0) {
		check(0, "open /dev/null as fd 50");
		return;
	}
	close(fd);
	probe_run(&p, argv, 5000, 100);
	check(p.status == PROBE_OK && strcmp(p.out.s, "closed\n") == 0,
	      "a probe does not inherit the tool's descriptors");
	if (p.status == PROBE_OK && strcmp(p.out.s, "closed\n") != 0)
		printf("# the probe said: %s", p.out.s);
	buf_free(&p.out);
	close(50);
}

int main(void)
{
	struct arena a = {0};
	jv *s1, *s2, *s3, *n1, *n2, *v;
	char *s;

	check(fnv1a("", 0) == 0xcbf29ce484222325ULL, "fnv1a('')");
	check(fnv1a("a", 1) == 0xaf63dc4c8601ec8cULL, "fnv1a('a')");
	check(fnv1a("foobar", 6) == 0x85944171f73967e8ULL, "fnv1a('foobar')");

	check(opt_int("--n", "42", 0, 100) == 42, "opt_int in range");
	check(opt_int("--n", "4294967295", 0, 4294967295LL) == 4294967295LL, "opt_int at the top");
	check(opt_int("--n", "-3", -5, 5) == -3, "opt_int negative");
	check(opt_double("--x", "0.5", 0, 1) == 0.5, "opt_double in range");
	check(opt_double("--x", "1e3", 0, INFINITY) == 1000.0, "opt_double with an open top");
	check(opt_level("--ci", "0.95") == 0.95, "opt_level(0.95)");

	s1 = jv_str(&a, "Major", 5);
	s2 = jv_cstr(&a, "Major");
	s3 = jv_str(&a, "Major\0x", 7);
	n1 = jv_num(&a, 3.0);
	n2 = jv_int(&a, 3);
	check(jv_same(s1, s2), "jv_same: equal strings");
	check(!jv_same(s1, s3), "jv_same: a string with more bytes after a NUL differs");
	check(jv_same(n1, n2), "jv_same: 3.0 and 3");
	check(!jv_same(s1, n1) && !jv_same(JV_NULL, JV_NULL), "jv_same: other types never");

	check(jv_cstr_or_null(&a, NULL) == JV_NULL, "jv_cstr_or_null(NULL)");
	v = jv_cstr_or_null(&a, "x");
	check(v->t == JSTR && v->n == 1, "jv_cstr_or_null(\"x\")");
	check(jv_num_or_null(&a, NAN) == JV_NULL, "jv_num_or_null(NaN)");
	check(jv_num_or_null(&a, INFINITY) == JV_NULL, "jv_num_or_null(inf)");
	v = jv_num_or_null(&a, 0.25);
	check(v->t == JNUM && v->d == 0.25, "jv_num_or_null(0.25)");
	arena_free(&a);

	s = fmt("%s-%d-%.1f", "a", 7, 0.5);
	check(strcmp(s, "a-7-0.5") == 0, "xvasprintf");
	free(s);

	test_outfile();
	test_probe_fds();
	return check_done();
}
