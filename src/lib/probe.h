/* probe.h - run a helper program (nvidia-smi, sysctl, ...) found on PATH,
 * with a bounded wait, and capture what it prints.  A probe that is
 * missing, hangs or fails is an answer too: the caller reports which. */
#ifndef PUMA_PROBE_H
#define PUMA_PROBE_H

#include "xalloc.h"

enum probe_status {
	PROBE_OK,		/* ran and exited 0 */
	PROBE_MISSING,		/* not found on PATH (or not executable) */
	PROBE_TIMEOUT,		/* killed after the wait ran out */
	PROBE_FAILED,		/* exited non-zero or died of a signal */
};

/* What one run of a program gave. */
struct probe {
	enum probe_status status;
	int code;		/* exit status, or the signal for PROBE_FAILED */
	struct buf out;		/* stdout (stderr is discarded); owned, free with buf_free */
};

/* Run argv[0] (looked up on PATH) with argv, stdin from /dev/null, for at
 * most timeout_ms; the whole process group is killed on timeout.  At most
 * max_out bytes of output are kept. */
void probe_run(struct probe *p, char *const argv[], long timeout_ms, size_t max_out);
const char *probe_status_name(enum probe_status s);

#endif
