/* probe.c - fork, exec from PATH, read with poll() until a deadline. */
#include "probe.h"
#include "clock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
	return (long)(clock_mono() * 1000);
}

/* The highest file descriptor open now, so the child can close every one
 * it should not inherit (curl's sockets, another probe's pipe) without
 * calling anything unsafe after fork() or looping to a huge OPEN_MAX. */
static int highest_fd(void)
{
	DIR *d = opendir("/dev/fd");
	struct dirent *e;
	long v, top = -1;
	char *end;

	if (d == NULL) {
		v = sysconf(_SC_OPEN_MAX);
		return v > 0 && v < 65536 ? (int)v - 1 : 65535;
	}
	while ((e = readdir(d)) != NULL) {
		v = strtol(e->d_name, &end, 10);
		if (end != e->d_name && *end == '\0' && v > top)
			top = v;
	}
	closedir(d);
	return (int)top;
}

void probe_run(struct probe *p, char *const argv[], long timeout_ms, size_t max_out)
{
	int fds[2], err[2], st = 0, n, top, fd;
	long deadline;
	pid_t pid;
	char chunk[4096];

	memset(p, 0, sizeof(*p));
	buf_add(&p->out, "", 0);
	/* A second pipe tells the parent whether exec worked. */
	if (pipe(fds) != 0 || pipe(err) != 0) {
		p->status = PROBE_FAILED;
		p->code = -1;
		return;
	}
	fcntl(err[1], F_SETFD, FD_CLOEXEC);
	/* A little headroom for what another thread opens meanwhile. */
	top = highest_fd() + 64;
	pid = fork();
	if (pid < 0) {
		close(fds[0]); close(fds[1]); close(err[0]); close(err[1]);
		p->status = PROBE_FAILED;
		p->code = -1;
		return;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);

		setpgid(0, 0);
		/* Never the tool's own input: /dev/null or nothing. */
		if (devnull < 0 || dup2(devnull, 0) < 0)
			close(0);
		dup2(fds[1], 1);
		if (devnull < 0 || dup2(devnull, 2) < 0)
			close(2);
		/* Only 0, 1, 2 and the exec report go on (err[1] closes on exec). */
		for (fd = 3; fd <= top; fd++)
			if (fd != err[1])
				close(fd);
		execvp(argv[0], argv);
		n = errno;
		if (write(err[1], &n, sizeof(n)) < 0)
			_exit(127);
		_exit(127);
	}
	close(fds[1]);
	close(err[1]);
	if (read(err[0], &n, sizeof(n)) == (ssize_t)sizeof(n)) {
		close(err[0]);
		close(fds[0]);
		waitpid(pid, &st, 0);
		p->status = PROBE_MISSING;
		p->code = n;
		return;
	}
	close(err[0]);

	deadline = now_ms() + timeout_ms;
	for (;;) {
		struct pollfd pfd = {fds[0], POLLIN, 0};
		long left = deadline - now_ms();
		ssize_t r;

		if (left <= 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			close(fds[0]);
			waitpid(pid, &st, 0);
			p->status = PROBE_TIMEOUT;
			return;
		}
		n = poll(&pfd, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			continue;
		r = read(fds[0], chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (p->out.len < max_out)
			buf_add(&p->out, chunk, (size_t)r < max_out - p->out.len ? (size_t)r : max_out - p->out.len);
	}
	close(fds[0]);
	/* Output closed; the program should exit now, but still bounded. */
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			break;
		if (now_ms() >= deadline) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			p->status = PROBE_TIMEOUT;
			return;
		}
		{
			struct timespec ts = {0, 10 * 1000000L};

			nanosleep(&ts, NULL);
		}
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		p->status = PROBE_OK;
	} else {
		p->status = PROBE_FAILED;
		p->code = WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
	}
}

const char *probe_status_name(enum probe_status s)
{
	switch (s) {
	case PROBE_OK: return "ok";
	case PROBE_MISSING: return "not found";
	case PROBE_TIMEOUT: return "timed out";
	case PROBE_FAILED: return "failed";
	}
	return "?";
}
