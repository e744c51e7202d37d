/* lineio.c - getline into one reused buffer; a last line without a newline
 * counts; a CR before the newline is dropped so CRLF input reads the same. */
#include "lineio.h"
#include "diag.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"

int lines_open(struct lines *l, const char *path)
{
	memset(l, 0, sizeof(*l));
	if (path == NULL || strcmp(path, "-") == 0) {
		l->fp = stdin;
		l->name = "<stdin>";
		return 0;
	}
	l->name = path;
	l->fp = fopen(path, "r");
	if (l->fp == NULL) {
		fail_at(path, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	l->owns_fp = 1;
	return 0;
}

void lines_raw(struct lines *l)
{
	l->raw = 1;
}

/* Room to read into: the partial line moved to the front, the buffer
 * grown when the line fills it (one byte is kept for a NUL). */
static void raw_room(struct lines *l)
{
	if (l->rpos > 0) {
		memmove(l->rb, l->rb + l->rpos, l->rlen - l->rpos);
		l->rlen -= l->rpos;
		l->rpos = 0;
	}
	if (l->rcap - l->rlen < 4096) {
		l->rcap = l->rcap ? 2 * l->rcap : (size_t)1 << 20;
		l->rb = xrealloc(l->rb, l->rcap);
	}
}

/* lines_read() in raw mode. */
static int raw_read(struct lines *l)
{
	int fd = fileno(l->fp);

	for (;;) {
		char *at = l->rb + l->rpos;
		char *nl = l->rpos < l->rlen ? memchr(at, '\n', l->rlen - l->rpos) : NULL;
		size_t n;
		ssize_t got;

		if (nl != NULL || (l->reof && l->rpos < l->rlen)) {
			n = nl != NULL ? (size_t)(nl - at) : l->rlen - l->rpos;
			l->rpos += n + (nl != NULL);
			l->lineno++;
			if (n > 0 && at[n - 1] == '\r')
				n--;
			at[n] = '\0';	/* the newline, or the byte kept free */
			l->buf = at;
			l->len = n;
			return 1;
		}
		if (l->reof)
			return 0;
		raw_room(l);
		got = read(fd, l->rb + l->rlen, l->rcap - l->rlen - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			fail_at(l->name, l->lineno + 1, "read error: %s", strerror(errno));
			return -1;
		}
		if (got == 0)
			l->reof = 1;
		l->rlen += (size_t)got;
	}
}

int lines_read(struct lines *l)
{
	ssize_t n;

	if (l->raw)
		return raw_read(l);

	errno = 0;
	n = getline(&l->buf, &l->cap, l->fp);
	if (n < 0) {
		if (ferror(l->fp)) {
			fail_at(l->name, l->lineno + 1, "read error: %s",
				strerror(errno ? errno : EIO));
			return -1;
		}
		return 0;
	}
	l->lineno++;
	if (n > 0 && l->buf[n - 1] == '\n')
		n--;
	if (n > 0 && l->buf[n - 1] == '\r')
		n--;
	l->buf[n] = '\0';
	l->len = (size_t)n;
	return 1;
}

int lines_next(struct lines *l)
{
	int r = lines_read(l);

	return r == 1 && memchr(l->buf, '\0', l->len) != NULL ? -2 : r;
}

void lines_close(struct lines *l)
{
	if (l->owns_fp && l->fp != NULL)
		fclose(l->fp);
	if (!l->raw)
		free(l->buf);
	free(l->rb);
	l->rb = NULL;
	l->buf = NULL;
	l->fp = NULL;
}

int line_blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}
