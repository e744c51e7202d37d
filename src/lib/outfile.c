/* outfile.c - write to a temporary name, then rename (see outfile.h). */
#include "outfile.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static void release(struct outfile *f)
{
	free(f->path);
	free(f->tmp);
	f->path = f->tmp = NULL;
	f->fp = NULL;
}

/* O_EXCL rather than mkstemp(): the mode then follows the umask like any
 * file the user creates, and a name already taken (a stale file of a
 * killed run with the same process id) is never written through. */
int outfile_open(struct outfile *f, const char *path)
{
	static unsigned long seq;
	int fd = -1, tries, e;

	f->path = xstrdup(path);
	f->tmp = NULL;
	f->fp = NULL;
	for (tries = 0; tries < 100 && fd < 0; tries++) {
		free(f->tmp);
		f->tmp = xasprintf("%s.%ld.%lu.tmp", path, (long)getpid(), seq++);
		fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd >= 0 && (f->fp = fdopen(fd, "w")) != NULL)
		return 0;
	e = errno;
	if (fd >= 0) {
		close(fd);
		unlink(f->tmp);
	}
	release(f);
	errno = e;
	return -1;
}

int outfile_commit(struct outfile *f)
{
	int bad, e;

	/* fflush() first: fclose() alone may lose the error of the last
	 * buffered write on some C libraries. */
	errno = 0;
	bad = fflush(f->fp) != 0 || ferror(f->fp);
	e = errno;
	if (fclose(f->fp) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	if (!bad && rename(f->tmp, f->path) != 0) {
		bad = 1;
		e = errno;
	}
	if (bad) {
		unlink(f->tmp);
		/* ferror() without a failing call leaves no reason: say EIO. */
		errno = e != 0 ? e : EIO;
	}
	release(f);
	return bad ? -1 : 0;
}

void outfile_abort(struct outfile *f)
{
	fclose(f->fp);
	unlink(f->tmp);
	release(f);
}

int outfile_write(const char *path, const void *p, size_t n)
{
	struct outfile f;

	if (outfile_open(&f, path) != 0)
		return -1;
	if (n > 0 && fwrite(p, 1, n, f.fp) != n) {
		int e = errno;

		outfile_abort(&f);
		errno = e;
		return -1;
	}
	return outfile_commit(&f);
}
