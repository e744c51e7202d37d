/* Unit tests for puma-infer's library parts: the retry policy, templates,
 * labels, request bodies and error messages.  Exit 0 when all pass. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "http.h"
#include "prompt.h"

static int failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		printf("%s:%d: failed: %s\n", __FILE__, __LINE__, #cond); \
		failures++; \
	} \
} while (0)

static void same(const char *got, const char *want, int line)
{
	if (strcmp(got, want) != 0) {
		printf("%s:%d:\n  got:  %s\n  want: %s\n", __FILE__, line, got, want);
		failures++;
	}
}

static void retry_policy(void)
{
	int i;

	CHECK(http_retryable(0, 500) && http_retryable(0, 503) && http_retryable(0, 599));
	CHECK(http_retryable(0, 408) && http_retryable(0, 425) && http_retryable(0, 429));
	CHECK(!http_retryable(0, 400) && !http_retryable(0, 401) && !http_retryable(0, 404));
	CHECK(!http_retryable(0, 200) && !http_retryable(0, 422));
	CHECK(http_retryable(CURLE_OPERATION_TIMEDOUT, 0) && http_retryable(CURLE_COULDNT_CONNECT, 0));
	CHECK(http_retryable(CURLE_PARTIAL_FILE, 0) && http_retryable(CURLE_GOT_NOTHING, 0));
	CHECK(!http_retryable(CURLE_URL_MALFORMAT, 0) && !http_retryable(CURLE_UNSUPPORTED_PROTOCOL, 0));
	for (i = 0; i < 50; i++) {
		double d1 = http_backoff(1, 1, -1), d3 = http_backoff(1, 3, -1);

		CHECK(d1 >= 1 && d1 <= 1.25);
		CHECK(d3 >= 4 && d3 <= 5);
	}
	CHECK(http_backoff(0.05, 1, 2) == 2);
	CHECK(http_backoff(1, 1, 1e9) == HTTP_MAX_RETRY_AFTER);
	CHECK(http_backoff(0, 5, -1) == 0);
}

static void render(const char *text, const char *rec, const char *labels, long max,
		   const char *want, int want_cut, int line)
{
	struct tmpl t = {(char *)text, strlen(text), (char *)"t.txt"};
	struct render r = {labels, "EX", max, 0};
	struct arena a = {0};
	struct buf out = {0};
	char err[200];
	jv *v = json_parse(&a, rec, strlen(rec), NULL, err, sizeof(err));

	if (tmpl_render(&t, v, &r, &out, err, sizeof(err)) < 0)
		same(err, want, line);
	else
		same(out.s, want, line);
	if (r.truncated != want_cut) {
		printf("%s:%d: truncated %d, want %d\n", __FILE__, line, r.truncated, want_cut);
		failures++;
	}
	buf_free(&out);
	arena_free(&a);
}

static void templates(void)
{
	struct tmpl t = {(char *)"a {{ x", 6, (char *)"t"};
	char err[100];

	render("T: {{ title }}|{{n}}|{{z}}|{{labels}}|{{examples}}", "{\"title\":\"Hi\",\"n\":1.50,\"z\":null}",
	       "A, B", -1, "T: Hi|1.50||A, B|EX", 0, __LINE__);
	render("{{description}}!", "{\"description\":\"a\\u00e9\\u20acb\"}", NULL, 3, "a\xc3\xa9\xe2\x82\xac!", 1,
	       __LINE__);
	render("{{description}}!", "{\"description\":\"abc\"}", NULL, 3, "abc!", 0, __LINE__);
	render("{{title}}", "{\"id\":1}", NULL, -1, "no \"title\" field, which the template uses", 0, __LINE__);
	render("{{title}}", "{\"title\":[1]}", NULL, -1,
	       "\"title\" is an array, not text, so the template cannot use it", 0, __LINE__);
	render("{{labels}}", "{}", NULL, -1, "the template uses {{labels}} but no label list is known", 0,
	       __LINE__);
	render("{ {x}} {{ }} no", "{}", NULL, -1, "t.txt: line 1: \"{{\" without a name and \"}}\"", 0, __LINE__);
	CHECK(tmpl_check(&t, err, sizeof(err)) < 0);
	CHECK(utf8_prefix_chars("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" "b", 11, 3) == 6);
	CHECK(utf8_prefix_chars("abc", 3, 0) == 0);
	CHECK(utf8_prefix_chars("abc", 3, 10) == 3);
}

static void labels(void)
{
	struct labels l;
	char *j;

	CHECK(labels_from_list(&l, " Critical , Major,,Minor ") == 0);
	j = labels_join(&l);
	same(j, "Critical, Major, Minor", __LINE__);
	CHECK(!l.numeric);
	free(j);
	labels_free(&l);
	CHECK(labels_from_list(&l, "1,2, 3") == 0 && l.numeric && l.n == 3);
	labels_free(&l);
	CHECK(labels_from_list(&l, " , ") < 0);
	labels_free(&l);
}

static void err_body(const char *body, char *msg, size_t n)
{
	backend_error(body, strlen(body), msg, n);
}

static void bodies(void)
{
	struct labels l;
	struct gen g;
	struct buf b = {0};
	char msg[100];

	memset(&g, 0, sizeof(g));
	g.kind = BACKEND_OLLAMA;
	g.model = "qwen2.5:3b";
	g.temperature = 0;
	g.seed = 42;
	g.num_predict = 256;
	backend_body(&g, "Say \"hi\"\n", 9, &b);
	same(b.s, "{\"model\":\"qwen2.5:3b\",\"prompt\":\"Say \\\"hi\\\"\\n\",\"stream\":false,"
		  "\"options\":{\"temperature\":0.0,\"seed\":42,\"num_predict\":256}}", __LINE__);
	labels_from_list(&l, "A\"1,B");
	g.num_ctx = 8192;
	g.logprobs = 1;
	g.top_logprobs = 3;
	g.constrain = &l;
	buf_reset(&b);
	backend_body(&g, "p", 1, &b);
	same(b.s, "{\"model\":\"qwen2.5:3b\",\"prompt\":\"p\",\"stream\":false,\"options\":{\"temperature\":0.0,"
		  "\"seed\":42,\"num_predict\":256,\"num_ctx\":8192},\"logprobs\":true,\"top_logprobs\":3,"
		  "\"format\":{\"type\":\"object\",\"properties\":{\"answer\":{\"enum\":[\"A\\\"1\",\"B\"]}},"
		  "\"required\":[\"answer\"],\"additionalProperties\":false}}", __LINE__);
	g.kind = BACKEND_OPENAI;
	g.llama_cpp = 1;
	g.temperature = 0.7;
	buf_reset(&b);
	backend_body(&g, "p", 1, &b);
	same(b.s, "{\"model\":\"qwen2.5:3b\",\"messages\":[{\"role\":\"user\",\"content\":\"p\"}],\"stream\":false,"
		  "\"temperature\":0.7,\"seed\":42,\"max_tokens\":256,\"logprobs\":true,\"top_logprobs\":3,"
		  "\"cache_prompt\":false,\"grammar\":\"root ::= \\\"A\\\\\\\"1\\\" | \\\"B\\\"\"}", __LINE__);
	labels_free(&l);
	buf_free(&b);

	err_body("{\"error\":{\"code\":500,\"message\":\"boom\"}}", msg, sizeof(msg));
	same(msg, "boom", __LINE__);
	err_body("{\"detail\":\"Not Found\"}", msg, sizeof(msg));
	same(msg, "Not Found", __LINE__);
	err_body("<html>\n<b>Bad\tgateway</b>\n", msg, sizeof(msg));
	same(msg, "<html> <b>Bad gateway</b>", __LINE__);
	err_body("\"x\xc3\xa9y\"", msg, 4);
	same(msg, "x\xc3\xa9", __LINE__);
}

/* One URL rule for every tool: what backend_base_url() makes of a value
 * given for each kind of server, and of OLLAMA_HOST when none is given. */
static void url(enum backend kind, const char *given, const char *want, int line)
{
	char *got = backend_base_url(kind, given);

	same(got != NULL ? got : "(none)", want, line);
	free(got);
}

static void base_urls(void)
{
	unsetenv("OLLAMA_HOST");
	url(BACKEND_OLLAMA, NULL, "http://127.0.0.1:11434", __LINE__);
	url(BACKEND_OPENAI, NULL, "http://127.0.0.1:8080", __LINE__);
	url(BACKEND_ANY, NULL, "(none)", __LINE__);
	url(BACKEND_OLLAMA, "box", "http://box:11434", __LINE__);
	url(BACKEND_OLLAMA, ":7777", "http://127.0.0.1:7777", __LINE__);
	url(BACKEND_OLLAMA, "http://box//", "http://box", __LINE__);
	url(BACKEND_OPENAI, "box:8080/v1/", "http://box:8080", __LINE__);
	url(BACKEND_OPENAI, "https://api.example/v1", "https://api.example", __LINE__);
	url(BACKEND_ANY, "box", "http://box", __LINE__);
	url(BACKEND_ANY, "http://box:8080/v1/", "http://box:8080/v1", __LINE__);
	setenv("OLLAMA_HOST", "http://box", 1);
	url(BACKEND_OLLAMA, NULL, "http://box:80", __LINE__);
	url(BACKEND_ANY, NULL, "http://box:80", __LINE__);
	url(BACKEND_OPENAI, NULL, "http://127.0.0.1:8080", __LINE__);
	url(BACKEND_OLLAMA, "other:1", "http://other:1", __LINE__);
	setenv("OLLAMA_HOST", "[::1]", 1);
	url(BACKEND_ANY, NULL, "http://[::1]:11434", __LINE__);
	setenv("OLLAMA_HOST", "", 1);
	url(BACKEND_ANY, NULL, "(none)", __LINE__);
	url(BACKEND_OLLAMA, NULL, "http://127.0.0.1:11434", __LINE__);
	unsetenv("OLLAMA_HOST");
}

int main(void)
{
	retry_policy();
	templates();
	labels();
	bodies();
	base_urls();
	return failures != 0;
}
