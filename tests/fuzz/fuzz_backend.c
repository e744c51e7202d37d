/* libFuzzer target for what servers send back: any bytes read as an
 * Ollama answer and as an OpenAI one (with and without logprobs), and as an
 * error body.  A parsed answer must write out as valid JSON, and an error
 * message must be printable UTF-8. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"

static void check(const jv *v, struct arena *a)
{
	struct buf b = {0};
	char err[64];

	if (v == NULL)
		return;
	if (json_write(&b, v) != 0)
		abort();	/* the parser let invalid UTF-8 through */
	if (json_parse(a, b.s, b.len, NULL, err, sizeof(err)) == NULL)
		abort();	/* we would write a record we cannot read */
	buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a = {0};
	struct gen g;
	struct answer ans;
	char err[300], msg[200];
	char *text = malloc(size + 1);
	size_t i, good;
	int kind, lp;

	memcpy(text, data, size);
	text[size] = '\0';
	memset(&g, 0, sizeof(g));
	g.model = "m";
	for (kind = 0; kind < 2; kind++) {
		for (lp = 0; lp < 2; lp++) {
			g.kind = kind ? BACKEND_OPENAI : BACKEND_OLLAMA;
			g.logprobs = lp;
			if (backend_parse(&a, &g, text, size, &ans, err, sizeof(err)) == 0) {
				if (ans.response == NULL || ans.response->t != JSTR)
					abort();
				check(ans.response, &a);
				check(ans.timings, &a);
				check(ans.logprobs, &a);
			}
			arena_reset(&a);
		}
	}
	backend_error(text, size, msg, sizeof(msg));
	if (!utf8_valid(msg, strlen(msg), &good))
		abort();
	for (i = 0; msg[i]; i++)
		if ((unsigned char)msg[i] < 0x20)
			abort();
	arena_free(&a);
	free(text);
	return 0;
}
