/* lineio.c - getline into one reused buffer; a last line without a newline
 * counts; a CR before the newline is dropped so CRLF input reads the same. */
#include "lineio.h"
#include "diag.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

int lines_read(struct lines *l)
{
	ssize_t n;

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
	free(l->buf);
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
