/* backend.c - request bodies, start-up queries and answers for Ollama and
 * OpenAI-compatible servers (field shapes: docs/inference.md). */
#include "backend.h"
#include "diag.h"
#include "http.h"
#include "url.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char *backend_ollama_host(const char *v)
{
	const char *scheme = "http", *hp = v, *sep = strstr(v, "://"), *port = "11434";
	char *host, *slash, *out, *path = NULL;
	const char *colon;

	while (*hp == ' ')
		hp++;
	if (sep != NULL) {
		scheme = strncmp(hp, "https", 5) == 0 ? "https" : "http";
		port = strcmp(scheme, "https") == 0 ? "443" : "80";
		hp = sep + 3;
	}
	host = xstrdup(hp);
	slash = strchr(host, '/');
	if (slash != NULL) {
		path = xstrdup(slash);
		*slash = '\0';
	}
	colon = strrchr(host, ':');
	if (colon != NULL && strchr(colon, ']') == NULL) {
		out = xasprintf("%s://%s%.*s%s%s", scheme, colon == host ? "127.0.0.1" : "",
				(int)(colon - host), host, colon, path ? path : "");
	} else {
		out = xasprintf("%s://%s:%s%s", scheme, *host ? host : "127.0.0.1", port, path ? path : "");
	}
	free(path);
	free(host);
	/* A trailing '/' would double the one each request path starts with. */
	if (out[strlen(out) - 1] == '/')
		out[strlen(out) - 1] = '\0';
	return out;
}

/* Drop trailing '/' (each request path starts with one). */
static void chop_slashes(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
}

char *backend_base_url(enum backend kind, const char *given)
{
	const char *env = getenv("OLLAMA_HOST");
	char *s;
	size_t n;

	if (given == NULL && kind != BACKEND_OPENAI && env != NULL && *env != '\0')
		s = backend_ollama_host(env);
	else if (given == NULL && kind == BACKEND_ANY)
		return NULL;
	else if (given == NULL || *given == '\0')
		s = xstrdup(kind == BACKEND_OLLAMA ? "http://127.0.0.1:11434" : "http://127.0.0.1:8080");
	else if (strstr(given, "://") != NULL)
		s = xstrdup(given);
	else if (kind == BACKEND_OLLAMA)
		s = backend_ollama_host(given);
	else
		s = xasprintf("http://%s", given);
	chop_slashes(s);
	/* The OpenAI paths already start with /v1. */
	n = strlen(s);
	if (kind == BACKEND_OPENAI && n >= 3 && strcmp(s + n - 3, "/v1") == 0)
		s[n - 3] = '\0';
	return s;
}

const char *backend_path(enum backend kind)
{
	return kind == BACKEND_OLLAMA ? "/api/generate" : "/v1/chat/completions";
}

const char *backend_name(enum backend kind)
{
	return kind == BACKEND_OLLAMA ? "ollama" : "openai";
}

void server_free(struct server *s)
{
	free(s->version);
	free(s->digest);
	free(s->quant);
	memset(s, 0, sizeof(*s));
}

/* Sleep s seconds whatever signals come (only an interruption is retried). */
static void sleep_secs(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* GET url with the retry policy; 0 when a 2xx came (body in r), else -1
 * with r holding the last answer or transport error. */
static int get_retry(const char *url, const char *auth, const struct retry *rt, struct http_resp *r)
{
	int attempt;

	for (attempt = 1;; attempt++) {
		int rc = http_request(url, NULL, 0, rt->timeout_ms, auth, r);

		if (rc == 0 && r->status >= 200 && r->status < 300)
			return 0;
		if (attempt > rt->retries || !http_retryable(r->transport, r->status))
			return -1;
		http_resp_free(r);
		sleep_secs(http_backoff(rt->backoff, attempt, -1));
	}
}

/* "HTTP 404: message" or the transport error, for start-up messages. */
static void what_failed(const struct http_resp *r, char *out, size_t n)
{
	char msg[300];

	if (r->status == 0) {
		snprintf(out, n, "%s", r->err);
		return;
	}
	backend_error(r->body.s, r->body.len, msg, sizeof(msg));
	snprintf(out, n, "HTTP %ld%s%s", r->status, msg[0] ? ": " : "", msg);
}

/* One start-up query: GET base+path with the retry policy.  0 when a 2xx
 * came: *v is its JSON (NULL, with the parser's reason in why, when it is
 * not JSON); else -1 with *status the HTTP status (0: no answer came) and
 * why what failed.  Every server
 * query, the probe's and discovery's, goes through here. */
static int fetch(struct arena *a, const char *base, const char *path, const char *auth,
		 const struct retry *rt, jv **v, long *status, char *why, size_t n)
{
	char *url = xasprintf("%s%s", base, path), perr[200];
	struct http_resp r;
	int rc = get_retry(url, auth, rt, &r);

	*v = NULL;
	*status = r.status;
	if (rc < 0)
		what_failed(&r, why, n);
	else if ((*v = json_parse(a, r.body.s, r.body.len, NULL, perr, sizeof(perr))) == NULL)
		snprintf(why, n, "%s", perr);
	http_resp_free(&r);
	free(url);
	return rc;
}

static char *dup_str(const jv *v)
{
	return v != NULL && v->t == JSTR && v->n > 0 ? xstrndup(v->u.s, v->n) : NULL;
}

/* Is version a (x.y.z) older than x.y.z b?  Unparseable: no. */
static int older(const char *a, int b0, int b1, int b2)
{
	int v[3] = {0, 0, 0};

	if (a == NULL || sscanf(a, "%d.%d.%d", &v[0], &v[1], &v[2]) < 2)
		return 0;
	if (v[0] != b0)
		return v[0] < b0;
	if (v[1] != b1)
		return v[1] < b1;
	return v[2] < b2;
}

/* Does an Ollama model entry's name stand for the name asked for?  A name
 * without a tag means ":latest", as the ollama command reads it. */
static int ollama_name_matches(const char *have, size_t hl, const char *want)
{
	size_t wl = strlen(want);

	if (hl == wl && memcmp(have, want, wl) == 0)
		return 1;
	return strchr(want, ':') == NULL && hl == wl + 7 && memcmp(have, want, wl) == 0 &&
	       memcmp(have + wl, ":latest", 7) == 0;
}

/* Ask an Ollama server who it is and whether it has the model (with its
 * digest and quantisation), saying how to fix what is wrong: -1 then. */
static int probe_ollama(struct gen *g, const char *base, const char *shown, const char *auth,
			const struct retry *rt, struct server *s)
{
	struct arena a = {0};
	char why[400];
	jv *v, *m;
	const jv *models;
	long status;
	size_t i;
	int rc = -1;

	if (fetch(&a, base, "/api/version", auth, rt, &v, &status, why, sizeof(why)) < 0) {
		if (status == 0)
			warn_msg("cannot reach an Ollama server at %s (GET /api/version: %s); "
			      "start it with 'ollama serve', or point --url or OLLAMA_HOST at it", shown, why);
		else
			warn_msg("%s does not answer GET /api/version as Ollama does (%s); "
			      "for llama-server, vLLM or LM Studio use --backend openai", shown, why);
		goto out;
	}
	s->version = dup_str(jv_get(v, "version"));
	if (fetch(&a, base, "/api/tags", auth, rt, &v, &status, why, sizeof(why)) < 0) {
		warn_msg("cannot list the models at %s (GET /api/tags: %s)", shown, why);
		goto out;
	}
	models = jv_get(v, "models");
	if (v == NULL || models == NULL || models->t != JARR) {
		warn_msg("%s/api/tags: the answer is not an Ollama model list (%s)", shown,
		      v == NULL ? why : "no \"models\" array");
		goto out;
	}
	for (i = 0; (m = jv_item(models, i)) != NULL; i++) {
		const char *name;
		size_t nl;

		name = jv_getstr(m, "name", &nl);
		if (name == NULL)
			name = jv_getstr(m, "model", &nl);
		if (name == NULL || !ollama_name_matches(name, nl, g->model))
			continue;
		s->digest = dup_str(jv_get(m, "digest"));
		if (s->digest != NULL && strncmp(s->digest, "sha256:", 7) == 0)
			memmove(s->digest, s->digest + 7, strlen(s->digest + 7) + 1);
		s->quant = dup_str(jv_get(jv_get(m, "details"), "quantization_level"));
		rc = 0;
		break;
	}
	if (rc < 0) {
		warn_msg("model '%s' is not on the Ollama server at %s; fetch it with: ollama pull %s",
		      g->model, shown, g->model);
		goto out;
	}
	if (g->logprobs && older(s->version, 0, 12, 11))
		warn_msg("Ollama %s may not return logprobs (they came in 0.12.11); "
		      "records will say \"logprobs\": null if it does not", s->version);
	if (g->no_truncate && older(s->version, 0, 12, 6))
		warn_msg("Ollama %s ignores truncate:false (it came in 0.12.6): a prompt longer than "
		      "the context is still cut there", s->version);
out:
	arena_free(&a);
	return rc;
}

/* The same for an OpenAI-compatible server: its /v1/models must list the
 * model; llama-server (owned_by "llamacpp") also tells its build. */
static int probe_openai(struct gen *g, const char *base, const char *shown, const char *auth,
			const struct retry *rt, struct server *s)
{
	struct arena a = {0};
	char why[400];
	jv *v, *item;
	const jv *data, *found = NULL;
	struct buf names = {0};
	long status;
	size_t i;
	int rc = -1;

	if (fetch(&a, base, "/v1/models", auth, rt, &v, &status, why, sizeof(why)) < 0) {
		if (status == 401 || status == 403)
			warn_msg("%s refused the request for its models (%s); "
			      "put the right API key in the variable --api-key-env names", shown, why);
		else if (status == 0)
			warn_msg("cannot reach a server at %s (GET /v1/models: %s); is it running?", shown, why);
		else
			warn_msg("%s does not answer GET /v1/models as an OpenAI-compatible server does (%s)",
			      shown, why);
		goto out;
	}
	data = jv_get(v, "data");
	if (v == NULL || data == NULL || data->t != JARR) {
		warn_msg("%s/v1/models: the answer is not a model list (%s)", shown,
		      v == NULL ? why : "no \"data\" array");
		goto out;
	}
	buf_add(&names, "", 0);
	for (i = 0; (item = jv_item(data, i)) != NULL; i++) {
		size_t nl;
		const char *id = jv_getstr(item, "id", &nl);

		if (id == NULL)
			continue;
		if (strlen(g->model) == nl && memcmp(id, g->model, nl) == 0)
			found = item;
		if (names.len < 400)
			buf_printf(&names, "%s'%.*s'", names.len ? ", " : "", (int)nl, id);
	}
	if (found == NULL) {
		warn_msg("model '%s' is not served at %s (it serves %s); pass one of these with --model%s",
		      g->model, shown, names.len ? names.s : "none",
		      jv_len(data) == 1 ? " (llama-server names its model with --alias)" : "");
		goto out;
	}
	s->digest = dup_str(jv_get(found, "digest"));
	{
		size_t ol;
		const char *owner = jv_getstr(found, "owned_by", &ol);

		s->llama_cpp = owner != NULL && ol == 8 && memcmp(owner, "llamacpp", 8) == 0;
	}
	/* The build is only a label for the record: no answer, no harm. */
	if (s->llama_cpp) {
		s->quant = dup_str(jv_get(jv_get(found, "meta"), "ftype"));
		if (fetch(&a, base, "/props", auth, rt, &v, &status, why, sizeof(why)) == 0)
			s->version = dup_str(jv_get(v, "build_info"));
	}
	g->llama_cpp = s->llama_cpp;
	rc = 0;
out:
	buf_free(&names);
	arena_free(&a);
	return rc;
}

int backend_probe(struct gen *g, const char *base, const char *auth, const struct retry *rt,
		  struct server *s)
{
	char *shown = url_redact(base);
	int rc;

	memset(s, 0, sizeof(*s));
	if (g->kind == BACKEND_OLLAMA)
		rc = probe_ollama(g, base, shown, auth, rt, s);
	else
		rc = probe_openai(g, base, shown, auth, rt, s);
	free(shown);
	return rc;
}

int backend_unload(const char *base, const char *model, const char *auth, long timeout_ms)
{
	struct buf body = {0};
	struct http_resp resp;
	char *url = xasprintf("%s/api/generate", base);
	int rc;

	buf_adds(&body, "{\"model\":");
	json_write_str(&body, model, strlen(model));
	buf_adds(&body, ",\"keep_alive\":0}");
	rc = http_request(url, body.s, body.len, timeout_ms, auth, &resp);
	if (rc != 0 || resp.status != 200) {
		char *shown = url_redact(url);

		warn_msg("%s: cannot unload the model: %s", shown,
		      rc != 0 ? resp.err : resp.body.len ? resp.body.s : "no answer");
		if (rc == 0)
			warn_msg("(HTTP %ld)", resp.status);
		free(shown);
		rc = -1;
	}
	http_resp_free(&resp);
	buf_free(&body);
	free(url);
	return rc;
}

/* ---- Discovery: what a server is, whatever its API ---- */

/* One discovery query, asked once: the JSON object GET base+path answers
 * with (HTTP 200), or NULL with why in err ("GET /path: HTTP 404", "...
 * not a JSON object", or the transport error with *transport set). */
static jv *get_object(struct arena *a, const char *base, const char *path, long timeout_ms,
		      char *err, size_t errlen, int *transport)
{
	const struct retry once = {.retries = 0, .backoff = 0, .timeout_ms = timeout_ms};
	char why[256];
	long status;
	jv *v;
	int rc = fetch(a, base, path, NULL, &once, &v, &status, why, sizeof(why));

	*transport = rc < 0 && status == 0;
	if (*transport)
		snprintf(err, errlen, "%s", why);
	else if (status != 200)
		snprintf(err, errlen, "GET %s: HTTP %ld", path, status);
	else if (v == NULL || v->t != JOBJ)
		snprintf(err, errlen, "GET %s: the answer is not a JSON object", path);
	else
		return v;
	return NULL;
}

/* The "models" entries of a list: {"name", "digest"} for each item that
 * has a string at key (the digest from Ollama's list, else null). */
static jv *model_list(struct arena *a, const jv *list, const char *key, int digests)
{
	jv *models = jv_arr(a), *item;
	size_t i;

	for (i = 0; (item = jv_item(list, i)) != NULL; i++) {
		jv *m;
		const char *name = jv_getstr(item, key, NULL);

		if (name == NULL)
			continue;
		m = jv_obj(a);
		jv_set(a, m, "name", jv_cstr(a, name));
		jv_set(a, m, "digest", digests ? jv_cstr_or_null(a, jv_getstr(item, "digest", NULL)) : JV_NULL);
		jv_push(a, models, m);
	}
	return models;
}

/* Ollama answered /api/version: its version and its model list. */
static void discover_ollama(struct arena *a, const char *base, long timeout_ms, const jv *ver,
			    struct discovery *d)
{
	char err[300] = "";
	int transport;
	jv *v;
	const jv *list;

	d->backend = "ollama";
	d->version = jv_getstr(ver, "version", NULL);
	v = get_object(a, base, "/api/tags", timeout_ms, err, sizeof(err), &transport);
	list = jv_get(v, "models");
	if (list == NULL || list->t != JARR) {
		d->why = v ? "GET /api/tags: the answer has no models list" : arena_strndup(a, err, strlen(err));
		d->models = JV_NULL;
		return;
	}
	d->models = model_list(a, list, "name", 1);
}

/* Not Ollama: an OpenAI-compatible /v1/models (llama-server, vLLM), with
 * the version from /version or llama-server's /props.  err1 says why
 * /api/version did not do. */
static void discover_openai(struct arena *a, const char *base, long timeout_ms, const char *err1,
			    struct discovery *d)
{
	char err[300] = "", tmp[700];
	int transport;
	jv *v = get_object(a, base, "/v1/models", timeout_ms, err, sizeof(err), &transport);
	const jv *list = jv_get(v, "data");

	if (v != NULL && (list == NULL || list->t != JARR))
		snprintf(err, sizeof(err), "GET /v1/models: the answer has no data list");
	if (list == NULL || list->t != JARR) {
		snprintf(tmp, sizeof(tmp), "no Ollama or OpenAI-compatible API answered (%s; %s)", err1, err);
		d->why = arena_strndup(a, tmp, strlen(tmp));
		d->models = JV_NULL;
		return;
	}
	d->backend = "openai";
	v = get_object(a, base, "/version", timeout_ms, err, sizeof(err), &transport);
	d->version = jv_getstr(v, "version", NULL);
	if (d->version == NULL) {
		v = get_object(a, base, "/props", timeout_ms, err, sizeof(err), &transport);
		d->version = jv_getstr(v, "build_info", NULL);
	}
	d->models = model_list(a, list, "id", 0);
}

void backend_discover(struct arena *a, const char *base, long timeout_ms, struct discovery *d)
{
	char err[300] = "";
	int transport;
	jv *v = get_object(a, base, "/api/version", timeout_ms, err, sizeof(err), &transport);

	memset(d, 0, sizeof(*d));
	if (transport) {
		d->why = arena_strndup(a, err, strlen(err));
		d->models = JV_NULL;
		return;
	}
	d->reachable = 1;
	if (jv_getstr(v, "version", NULL) != NULL) {
		discover_ollama(a, base, timeout_ms, v, d);
		return;
	}
	if (v != NULL)
		snprintf(err, sizeof(err), "GET /api/version: the answer has no version");
	discover_openai(a, base, timeout_ms, err, d);
}

/* ---- Requests ---- */

static void add_num(struct buf *b, double d)
{
	char num[32];

	buf_add(b, num, fmt_double(d, num));
}

/* A label as a JSON value: numbers bare, everything else a string. */
static void add_label(struct buf *b, const struct labels *l, size_t i)
{
	if (l->numeric)
		buf_adds(b, l->v[i]);
	else
		json_write_str(b, l->v[i], strlen(l->v[i]));
}

/* {"type":"object","properties":{"answer":{"enum":[...]}},"required":["answer"],
 *  "additionalProperties":false}: OpenAI's strict mode wants the last. */
static void add_schema(struct buf *b, const struct labels *l)
{
	size_t i;

	buf_adds(b, "{\"type\":\"object\",\"properties\":{\"answer\":{\"enum\":[");
	for (i = 0; i < l->n; i++) {
		if (i)
			buf_addc(b, ',');
		add_label(b, l, i);
	}
	buf_adds(b, "]}},\"required\":[\"answer\"],\"additionalProperties\":false}");
}

/* A GBNF grammar whose only sentences are the labels. */
static void add_grammar(struct buf *b, const struct labels *l)
{
	struct buf g = {0};
	size_t i;
	const char *p;

	buf_adds(&g, "root ::= ");
	for (i = 0; i < l->n; i++) {
		if (i)
			buf_adds(&g, " | ");
		buf_addc(&g, '"');
		for (p = l->v[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_addc(&g, '\\');
			buf_addc(&g, *p);
		}
		buf_addc(&g, '"');
	}
	json_write_str(b, g.s, g.len);
	buf_free(&g);
}

void backend_body(const struct gen *g, const char *prompt, size_t len, struct buf *b)
{
	buf_adds(b, "{\"model\":");
	json_write_str(b, g->model, strlen(g->model));
	if (g->kind == BACKEND_OLLAMA) {
		buf_adds(b, ",\"prompt\":");
		json_write_str(b, prompt, len);
		buf_adds(b, ",\"stream\":false,\"options\":{\"temperature\":");
		add_num(b, g->temperature);
		buf_printf(b, ",\"seed\":%ld,\"num_predict\":%ld", g->seed, g->num_predict);
		if (g->num_ctx > 0)
			buf_printf(b, ",\"num_ctx\":%ld", g->num_ctx);
		buf_addc(b, '}');
		if (g->logprobs)
			buf_printf(b, ",\"logprobs\":true,\"top_logprobs\":%d", g->top_logprobs);
		if (g->constrain != NULL) {
			buf_adds(b, ",\"format\":");
			add_schema(b, g->constrain);
		}
		/* Beyond PUMA's body, only when asked. */
		if (g->think != 0)
			buf_adds(b, g->think > 0 ? ",\"think\":true" : ",\"think\":false");
		if (g->no_truncate)
			buf_adds(b, ",\"truncate\":false");
	} else {
		buf_adds(b, ",\"messages\":[{\"role\":\"user\",\"content\":");
		json_write_str(b, prompt, len);
		buf_adds(b, "}],\"stream\":false,\"temperature\":");
		add_num(b, g->temperature);
		buf_printf(b, ",\"seed\":%ld,\"max_tokens\":%ld", g->seed, g->num_predict);
		if (g->logprobs)
			buf_printf(b, ",\"logprobs\":true,\"top_logprobs\":%d", g->top_logprobs);
		if (g->llama_cpp)
			buf_adds(b, ",\"cache_prompt\":false");
		/* The chat template's switch (Qwen3, DeepSeek-R1 distills, ...). */
		if (g->think != 0)
			buf_adds(b, g->think > 0 ? ",\"chat_template_kwargs\":{\"enable_thinking\":true}"
					     : ",\"chat_template_kwargs\":{\"enable_thinking\":false}");
		if (g->constrain != NULL && g->llama_cpp) {
			buf_adds(b, ",\"grammar\":");
			add_grammar(b, g->constrain);
		} else if (g->constrain != NULL) {
			buf_adds(b, ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":"
				    "{\"name\":\"answer\",\"strict\":true,\"schema\":");
			add_schema(b, g->constrain);
			buf_adds(b, "}}");
		}
	}
	buf_addc(b, '}');
}

jv *backend_options(struct arena *a, const struct gen *g)
{
	jv *o = jv_obj(a);

	jv_set(a, o, "temperature", jv_num(a, g->temperature));
	jv_set(a, o, "seed", jv_int(a, g->seed));
	if (g->kind == BACKEND_OLLAMA) {
		jv_set(a, o, "num_predict", jv_int(a, g->num_predict));
		if (g->num_ctx > 0)
			jv_set(a, o, "num_ctx", jv_int(a, g->num_ctx));
	} else {
		jv_set(a, o, "max_tokens", jv_int(a, g->num_predict));
	}
	if (g->logprobs) {
		jv_set(a, o, "logprobs", jv_bool(1));
		jv_set(a, o, "top_logprobs", jv_int(a, g->top_logprobs));
	}
	if (g->kind == BACKEND_OPENAI && g->llama_cpp)
		jv_set(a, o, "cache_prompt", jv_bool(0));
	if (g->think != 0)
		jv_set(a, o, "think", jv_bool(g->think > 0));
	if (g->kind == BACKEND_OLLAMA && g->no_truncate)
		jv_set(a, o, "truncate", jv_bool(0));
	return o;
}

/* ---- Answers ---- */

static int is_num(const jv *v)
{
	return v != NULL && v->t == JNUM;
}

/* A count the record carries as an integer (or null when absent). */
static jv *count(const jv *v)
{
	return is_num(v) ? (jv *)v : JV_NULL;
}

/* Ollama durations are nanoseconds; the record keeps milliseconds. */
static void ns_to_ms(struct arena *a, jv *t, const char *key, const jv *v)
{
	if (is_num(v))
		jv_set(a, t, key, jv_num(a, v->d / 1e6));
}

/* One logprob entry in the record's shape, or NULL when it is malformed. */
static jv *one_logprob(struct arena *a, const jv *e, int top)
{
	const jv *tok = jv_get(e, "token"), *lp = jv_get(e, "logprob"), *alts;
	jv *o;
	size_t i;

	if (tok == NULL || tok->t != JSTR || !is_num(lp))
		return NULL;
	o = jv_obj(a);
	jv_set(a, o, "token", (jv *)tok);
	jv_set(a, o, "logprob", (jv *)lp);
	if (!top)
		return o;
	alts = jv_get(e, "top_logprobs");
	{
		jv *arr = jv_arr(a);

		if (alts != NULL && alts->t == JARR) {
			for (i = 0; i < alts->n; i++) {
				jv *x = one_logprob(a, alts->u.items[i], 0);

				if (x == NULL)
					return NULL;
				jv_push(a, arr, x);
			}
		} else if (alts != NULL && alts->t != JNULL) {
			return NULL;
		}
		jv_set(a, o, "top_logprobs", arr);
	}
	return o;
}

/* The logprobs array in the record's shape; -1 when it is malformed. */
static int logprobs(struct arena *a, const jv *arr, struct answer *ans, char *err, size_t errlen)
{
	size_t i;

	if (arr == NULL || arr->t == JNULL) {
		ans->logprobs = JV_NULL;
		ans->no_logprobs = 1;
		return 0;
	}
	if (arr->t != JARR) {
		snprintf(err, errlen, "\"logprobs\" is %s, not an array", jv_typename(arr));
		return -1;
	}
	ans->logprobs = jv_arr(a);
	for (i = 0; i < arr->n; i++) {
		jv *e = one_logprob(a, arr->u.items[i], 1);

		if (e == NULL) {
			snprintf(err, errlen, "logprob entry %zu lacks a \"token\" string or a \"logprob\" number",
				 i + 1);
			return -1;
		}
		jv_push(a, ans->logprobs, e);
	}
	return 0;
}

static int parse_ollama(struct arena *a, const struct gen *g, const jv *v, struct answer *ans,
			char *err, size_t errlen)
{
	const jv *resp = jv_get(v, "response"), *done = jv_get(v, "done"), *dr;
	jv *t;

	if (resp == NULL || resp->t != JSTR) {
		snprintf(err, errlen, "the answer has no \"response\" string");
		return -1;
	}
	if (done != NULL && done->t == JFALSE) {
		snprintf(err, errlen, "the answer says \"done\": false (cut short)");
		return -1;
	}
	ans->response = (jv *)resp;
	if (jv_getstr(v, "thinking", NULL) != NULL)
		ans->thinking = jv_get(v, "thinking");
	dr = jv_get(v, "done_reason");
	ans->done_reason = dr != NULL && dr->t == JSTR ? (jv *)dr : JV_NULL;
	ans->tokens_in = count(jv_get(v, "prompt_eval_count"));
	ans->tokens_out = count(jv_get(v, "eval_count"));
	t = jv_obj(a);
	ns_to_ms(a, t, "total_ms", jv_get(v, "total_duration"));
	ns_to_ms(a, t, "load_ms", jv_get(v, "load_duration"));
	ns_to_ms(a, t, "prompt_ms", jv_get(v, "prompt_eval_duration"));
	ns_to_ms(a, t, "eval_ms", jv_get(v, "eval_duration"));
	ans->timings = t->n > 0 ? t : NULL;
	if (g->logprobs)
		return logprobs(a, jv_get(v, "logprobs"), ans, err, errlen);
	return 0;
}

static int parse_openai(struct arena *a, const struct gen *g, const jv *v, struct answer *ans,
			char *err, size_t errlen)
{
	const jv *choices = jv_get(v, "choices"), *c, *msg, *content, *fr, *usage, *tm;
	jv *t;

	if (choices == NULL || choices->t != JARR || choices->n == 0) {
		snprintf(err, errlen, "the answer has no \"choices\"");
		return -1;
	}
	c = choices->u.items[0];
	msg = jv_get(c, "message");
	content = jv_get(msg, "content");
	if (content == NULL || content->t != JSTR) {
		snprintf(err, errlen, "the answer has no \"choices[0].message.content\" string");
		return -1;
	}
	ans->response = (jv *)content;
	/* llama-server, vLLM and others return the reasoning apart here. */
	if (jv_getstr(msg, "reasoning_content", NULL) != NULL)
		ans->thinking = jv_get(msg, "reasoning_content");
	fr = jv_get(c, "finish_reason");
	ans->done_reason = fr != NULL && fr->t == JSTR ? (jv *)fr : JV_NULL;
	usage = jv_get(v, "usage");
	ans->tokens_in = count(jv_get(usage, "prompt_tokens"));
	ans->tokens_out = count(jv_get(usage, "completion_tokens"));
	/* llama-server adds its own timings, already in milliseconds. */
	tm = jv_get(v, "timings");
	t = jv_obj(a);
	if (is_num(jv_get(tm, "prompt_ms")))
		jv_set(a, t, "prompt_ms", jv_get(tm, "prompt_ms"));
	if (is_num(jv_get(tm, "predicted_ms")))
		jv_set(a, t, "eval_ms", jv_get(tm, "predicted_ms"));
	ans->timings = t->n > 0 ? t : NULL;
	if (g->logprobs)
		return logprobs(a, jv_get(jv_get(c, "logprobs"), "content"), ans, err, errlen);
	return 0;
}

/* A token count must be a whole number a model can produce; a duration
 * must be finite and not negative: a server saying otherwise is broken,
 * and its figures would skew the metrics. */
static int plausible(const struct answer *ans, char *err, size_t errlen)
{
	const jv *c[2] = {ans->tokens_in, ans->tokens_out};
	static const char *const name[2] = {"tokens_in", "tokens_out"};
	size_t i;

	for (i = 0; i < 2; i++) {
		double d = c[i] != NULL && c[i]->t == JNUM ? c[i]->d : 0;

		if (!(d >= 0 && d <= 1e9 && d == floor(d))) {
			snprintf(err, errlen, "the server sent an implausible token count (%s %s: not a "
				 "whole number from 0 to 1e9)", name[i], c[i]->raw ? c[i]->raw : "?");
			return -1;
		}
	}
	for (i = 0; ans->timings != NULL && i < ans->timings->n; i++) {
		const struct jmember *m = &ans->timings->u.mem[i];

		if (m->val != NULL && m->val->t == JNUM && !(m->val->d >= 0 && isfinite(m->val->d))) {
			snprintf(err, errlen, "the server sent an implausible duration (%s %g ms: "
				 "negative or not finite)", m->key, m->val->d);
			return -1;
		}
	}
	return 0;
}

int backend_parse(struct arena *a, const struct gen *g, const char *body, size_t len,
		  struct answer *ans, char *err, size_t errlen)
{
	char perr[200];
	const jv *v, *e;

	memset(ans, 0, sizeof(*ans));
	v = json_parse(a, body, len, NULL, perr, sizeof(perr));
	if (v == NULL) {
		snprintf(err, errlen, "the answer is not valid JSON (%s; %zu bytes)", perr, len);
		return -1;
	}
	if (v->t != JOBJ) {
		snprintf(err, errlen, "the answer is %s, not a JSON object", jv_typename(v));
		return -1;
	}
	/* Raw member text points into body, which the caller may reuse. */
	{
		size_t i;

		for (i = 0; i < v->n; i++)
			v->u.mem[i].raw = NULL;
	}
	e = jv_get(v, "error");
	if (e != NULL && e->t != JNULL) {
		char msg[300];
		struct buf tmp = {0};

		json_write(&tmp, e);
		backend_error(tmp.s, tmp.len, msg, sizeof(msg));
		buf_free(&tmp);
		snprintf(err, errlen, "the server answered with an error: %s", msg);
		return -1;
	}
	if ((g->kind == BACKEND_OLLAMA ? parse_ollama(a, g, v, ans, err, errlen)
				       : parse_openai(a, g, v, ans, err, errlen)) < 0)
		return -1;
	if (plausible(ans, err, errlen) < 0)
		return -1;
	/* yajl lets some invalid UTF-8 through (overlong forms, lone
	 * surrogates from \u escapes); a record must never carry it. */
	{
		struct buf tmp = {0};
		size_t bad = json_write(&tmp, ans->response);

		if (ans->thinking != NULL)
			bad += json_write(&tmp, ans->thinking);
		if (ans->logprobs != NULL)
			bad += json_write(&tmp, ans->logprobs);
		buf_free(&tmp);
		if (bad > 0) {
			snprintf(err, errlen, "the answer holds invalid UTF-8 (%zu sequence%s)", bad,
				 bad == 1 ? "" : "s");
			return -1;
		}
	}
	return 0;
}

/* Copy s into out as printable text: control characters become spaces,
 * the cut never splits a UTF-8 character. */
static void printable(const char *s, size_t len, char *out, size_t outlen)
{
	size_t n, i, good;

	if (outlen == 0)
		return;
	n = len < outlen - 1 ? len : outlen - 1;
	if (!utf8_valid(s, n, &good))
		n = good;
	n = utf8_cut(s, n, n);
	for (i = 0; i < n; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
	out[n] = '\0';
	while (n > 0 && out[n - 1] == ' ')
		out[--n] = '\0';
}

void backend_error(const char *body, size_t len, char *out, size_t outlen)
{
	struct arena a = {0};
	char perr[64];
	const jv *v, *m = NULL;

	out[0] = '\0';
	if (body == NULL || len == 0)
		return;
	v = json_parse(&a, body, len, NULL, perr, sizeof(perr));
	if (v != NULL && v->t == JSTR) {
		m = v;
	} else if (v != NULL && v->t == JOBJ) {
		const jv *e = jv_get(v, "error");

		if (e != NULL && e->t == JSTR)
			m = e;
		else if (e != NULL && e->t == JOBJ && jv_getstr(e, "message", NULL) != NULL)
			m = jv_get(e, "message");
		else if (jv_getstr(v, "message", NULL) != NULL)
			m = jv_get(v, "message");
		else if (jv_getstr(v, "detail", NULL) != NULL)
			m = jv_get(v, "detail");
	}
	if (m != NULL)
		printable(m->u.s, m->n, out, outlen);
	else
		printable(body, len, out, outlen);
	arena_free(&a);
}
