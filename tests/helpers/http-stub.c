/* http-stub - an LLM server stand-in that answers at once, for measuring
 * puma-infer's own overhead (bench/infer.sh).  One thread per connection,
 * HTTP/1.1 keep-alive, a fixed answer in Ollama's or the OpenAI shape.
 *
 * usage: http-stub [-d DELAY_MS] [-m MODEL]
 * Prints the port it listens on (127.0.0.1, chosen by the kernel), then
 * serves until killed.  -d adds a fixed delay to every generate request,
 * as a model's compute time would. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long delay_ms;
static const char *model = "bench";

/* Write all of p, or fail. */
static int put(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int reply(int fd, const char *body)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\nConnection: keep-alive\r\n\r\n", strlen(body));
	char *all = malloc((size_t)n + strlen(body));
	int rc;

	if (all == NULL)
		return -1;
	memcpy(all, head, (size_t)n);
	memcpy(all + n, body, strlen(body));
	rc = put(fd, all, (size_t)n + strlen(body));
	free(all);
	return rc;
}

/* The end of the headers ("\r\n\r\n") in p[0..n-1], or NULL. */
static char *headers_end(char *p, size_t n)
{
	size_t i;

	for (i = 0; i + 4 <= n; i++)
		if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' && p[i + 3] == '\n')
			return p + i;
	return NULL;
}

/* The Content-Length of NUL-ended headers h (0 when absent). */
static size_t content_length(const char *h)
{
	static const char name[] = "\r\ncontent-length:";
	size_t i, k, n = sizeof(name) - 1;

	for (i = 0; h[i]; i++) {
		for (k = 0; k < n && h[i + k] && (h[i + k] | 0x20) == (name[k] | 0x20); k++)
			;
		if (k == n)
			return strtoul(h + i + n, NULL, 10);
	}
	return 0;
}

/* Serve one connection: requests one after another until it closes. */
static void *serve(void *arg)
{
	int fd = (int)(long)arg;
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	char body[512];

	while (buf != NULL) {
		char *end = NULL;
		size_t hlen, blen = 0;

		/* Read until the end of the headers, then the body. */
		while ((end = headers_end(buf, len)) == NULL) {
			ssize_t r;

			if (len == cap && (buf = realloc(buf, cap *= 2)) == NULL)
				goto out;
			r = read(fd, buf + len, cap - len);
			if (r <= 0)
				goto out;
			len += (size_t)r;
		}
		hlen = (size_t)(end - buf) + 4;
		*end = '\0';
		blen = content_length(buf);
		while (len < hlen + blen) {
			ssize_t r;

			if (hlen + blen > cap) {
				cap = hlen + blen;
				if ((buf = realloc(buf, cap)) == NULL)
					goto out;
			}
			r = read(fd, buf + len, cap - len);
			if (r <= 0)
				goto out;
			len += (size_t)r;
		}
		if (strncmp(buf, "GET /api/version", 16) == 0) {
			snprintf(body, sizeof(body), "{\"version\":\"0.12.11\"}");
		} else if (strncmp(buf, "GET /api/tags", 13) == 0) {
			snprintf(body, sizeof(body), "{\"models\":[{\"name\":\"%s\",\"digest\":\"%064d\","
				 "\"details\":{\"quantization_level\":\"Q4_0\"}}]}", model, 0);
		} else if (strncmp(buf, "GET /v1/models", 14) == 0) {
			snprintf(body, sizeof(body), "{\"data\":[{\"id\":\"%s\",\"owned_by\":\"stub\"}]}", model);
		} else if (strncmp(buf, "POST /api/generate", 18) == 0) {
			snprintf(body, sizeof(body), "{\"model\":\"%s\",\"response\":\"Major\",\"done\":true,"
				 "\"done_reason\":\"stop\",\"prompt_eval_count\":50,\"eval_count\":2,"
				 "\"total_duration\":1000,\"eval_duration\":500}", model);
		} else if (strncmp(buf, "POST /v1/chat/completions", 25) == 0) {
			snprintf(body, sizeof(body), "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\","
				 "\"message\":{\"role\":\"assistant\",\"content\":\"Major\"}}],"
				 "\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":2}}");
		} else {
			snprintf(body, sizeof(body), "{\"error\":\"no such path\"}");
		}
		if (delay_ms > 0 && strncmp(buf, "POST", 4) == 0) {
			struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};

			nanosleep(&ts, NULL);
		}
		if (reply(fd, body) < 0)
			goto out;
		memmove(buf, buf + hlen + blen, len - hlen - blen);
		len -= hlen + blen;
	}
out:
	free(buf);
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int one = 1, s, c;

	while ((c = getopt(argc, argv, "d:m:")) != -1) {
		if (c == 'd')
			delay_ms = strtol(optarg, NULL, 10);
		else if (c == 'm')
			model = optarg;
		else
			return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	s = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(s, 128) != 0 ||
	    getsockname(s, (struct sockaddr *)&sa, &sl) != 0) {
		perror("http-stub");
		return 1;
	}
	printf("%d\n", ntohs(sa.sin_port));
	fflush(stdout);
	for (;;) {
		pthread_t t;
		int fd = accept(s, NULL, NULL);

		if (fd < 0)
			continue;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (pthread_create(&t, NULL, serve, (void *)(long)fd) == 0)
			pthread_detach(t);
		else
			close(fd);
	}
}
