/* outfile.h - files a pipeline keeps appear whole or not at all: they are
 * written under a temporary name beside the target (so on the same file
 * system), renamed over it at the end, and removed when anything failed.
 * An interrupted run never leaves a half file that looks whole. */
#ifndef PUMA_OUTFILE_H
#define PUMA_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

/* One file being written; outfile_open() fills it, outfile_commit() or
 * outfile_abort() frees what it holds. */
struct outfile {
	char *path;	/* the target (owned copy) */
	char *tmp;	/* the temporary name, PATH.PID.N.tmp (owned) */
	FILE *fp;	/* open for writing on tmp */
};

/* Create the temporary file (mode 0666 less the umask, closed on exec).
 * Returns -1 with errno set, and f holding nothing, when it cannot. */
int outfile_open(struct outfile *f, const char *path);
/* Close the stream and rename the file onto the target.  On any failure
 * (a write error included) the temporary file is removed and -1 returned
 * with errno set. */
int outfile_commit(struct outfile *f);
/* Close and remove the temporary file: the target is left as it was. */
void outfile_abort(struct outfile *f);
/* All three for n bytes already in memory: 0, or -1 with errno set. */
int outfile_write(const char *path, const void *p, size_t n);

#endif
