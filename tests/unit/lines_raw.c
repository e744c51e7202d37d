/* lines_raw - raw line reading (lines_raw(): the descriptor read in large
 * blocks, lines handed out in place) against the getline reading every
 * other reader uses: the same lines, lengths and line numbers, from a
 * file and from a pipe fed a few bytes at a time, over lines of every
 * length (empty, CRLF, longer than the 1 MiB block, a last line with no
 * newline, a line that is only a CR, NUL bytes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "lineio.h"
#include "xalloc.h"

#define RND_SEED 2463534242ULL
#include "rnd.h"

/* The test input: lines of random lengths and endings. */
static void make_input(struct buf *b)
{
	int i;

	for (i = 0; i < 3000; i++) {
		/* Line 1000 is longer than the first block, and a few more. */
		unsigned len = i == 1000 ? 3u << 19 : rnd(400) == 0 ? rnd(3u << 20) : rnd(300), k;

		for (k = 0; k < len; k++)
			buf_addc(b, rnd(500) == 0 ? '\0' : (char)('a' + rnd(26)));
		switch (rnd(8)) {
		case 0:
			buf_adds(b, "\r\n");
			break;
		case 1:
			buf_adds(b, "\r\r\n");
			break;
		default:
			buf_addc(b, '\n');
		}
	}
	buf_adds(b, "the last line, no newline\r");
}

/* Read all lines of f (raw or not) into one description: each line's
 * number, length and bytes.  Returns the line count, -1 on an error. */
static long read_all(FILE *f, int raw, struct buf *out)
{
	struct lines l;
	long n = 0;
	int r;

	memset(&l, 0, sizeof(l));
	l.fp = f;
	l.name = "test";
	if (raw)
		lines_raw(&l);
	while ((r = lines_read(&l)) == 1) {
		buf_printf(out, "%ld %zu:", l.lineno, l.len);
		buf_add(out, l.buf, l.len);
		if (l.buf[l.len] != '\0')
			buf_adds(out, "<no NUL after the line>");
		buf_addc(out, '\n');
		n++;
	}
	lines_close(&l);
	return r < 0 ? -1 : n;
}

/* A pipe fed with b a few bytes (up to 5000) at a time by a child. */
static FILE *trickle(const struct buf *b, pid_t *pid)
{
	int fd[2];
	size_t at = 0;

	if (pipe(fd) != 0 || (*pid = fork()) < 0)
		return NULL;
	if (*pid == 0) {
		close(fd[0]);
		while (at < b->len) {
			size_t n = 1 + rnd(5000);

			if (n > b->len - at)
				n = b->len - at;
			if (write(fd[1], b->s + at, n) != (ssize_t)n)
				_exit(1);
			at += n;
		}
		_exit(0);
	}
	close(fd[1]);
	return fdopen(fd[0], "r");
}

int main(void)
{
	struct buf in = {0}, ref = {0}, got = {0};
	char path[] = "/tmp/lines_raw.XXXXXX";
	int fd = mkstemp(path), st;
	long n_ref, n_file, n_pipe;
	FILE *f;
	pid_t pid = -1;

	make_input(&in);
	if (fd < 0 || write(fd, in.s, in.len) != (ssize_t)in.len) {
		check(0, "a temporary file to read");
		return check_done();
	}
	close(fd);
	f = fopen(path, "r");
	n_ref = read_all(f, 0, &ref);
	f = fopen(path, "r");
	n_file = read_all(f, 1, &got);
	check(n_ref == 3001 && n_file == n_ref, "a file: %ld lines raw, %ld by getline", n_file, n_ref);
	check(got.len == ref.len && memcmp(got.s, ref.s, ref.len) == 0,
	      "a file: the same lines, lengths and numbers");
	buf_reset(&got);
	f = trickle(&in, &pid);
	n_pipe = f != NULL ? read_all(f, 1, &got) : -1;
	if (pid > 0)
		waitpid(pid, &st, 0);
	check(n_pipe == n_ref && got.len == ref.len && memcmp(got.s, ref.s, ref.len) == 0,
	      "a pipe fed a few bytes at a time: the same lines (%ld)", n_pipe);
	unlink(path);
	buf_free(&in);
	buf_free(&ref);
	buf_free(&got);
	return check_done();
}
