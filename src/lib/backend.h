/* backend.h - the two inference APIs: Ollama's native /api/generate and
 * the OpenAI-compatible /v1/chat/completions (llama.cpp's llama-server,
 * vLLM, LM Studio, Ollama's /v1).  Request bodies are built here and
 * answers are read back into one shape, whatever the server. */
#ifndef PUMA_BACKEND_H
#define PUMA_BACKEND_H

#include "json.h"
#include "prompt.h"
#include "xalloc.h"

/* BACKEND_ANY: a server whose API is not known yet (puma-detect asks). */
enum backend { BACKEND_OLLAMA, BACKEND_OPENAI, BACKEND_ANY };

/* Everything sent with a prompt.  Strings belong to the caller. */
struct gen {
	enum backend kind;
	const char *model;
	double temperature;
	long seed;
	long num_predict;	/* Ollama num_predict, OpenAI max_tokens */
	long num_ctx;		/* Ollama only; 0: not sent */
	int logprobs;
	int top_logprobs;
	int llama_cpp;		/* the OpenAI server is llama.cpp's llama-server */
	int think;		/* 0: not sent (PUMA); 1: think true; -1: think false */
	int no_truncate;	/* Ollama: truncate:false (an over-long prompt fails) */
	const struct labels *constrain;	/* answer restricted to these; NULL: free */
};

/* What the server said about itself and the model at start-up; owned
 * strings, NULL when not told. */
struct server {
	char *version;
	char *digest;
	char *quant;
	int llama_cpp;
};

/* How start-up requests are retried. */
struct retry {
	int retries;
	double backoff;
	long timeout_ms;
};

/* Ask the server at base for its version and the model's digest and
 * quantisation; for the OpenAI API also whether it is llama-server (which
 * sets g->llama_cpp).  Returns 0, or -1 after saying what is wrong and how
 * to fix it (server down, model missing: "ollama pull MODEL").  auth, when
 * not NULL, goes with every request, whichever the API. */
int backend_probe(struct gen *g, const char *base, const char *auth, const struct retry *rt,
		  struct server *s);
void server_free(struct server *s);

/* Ollama: unload model (keep_alive 0, no prompt), so the run starts from
 * a freshly loaded model.  0, or -1 after saying why. */
int backend_unload(const char *base, const char *model, const char *auth, long timeout_ms);

/* The base URL of a server, "scheme://host:port[/path]" without a
 * trailing '/'; the caller frees it.  given is a --url or --server value:
 * without a scheme it is read for Ollama as Ollama reads OLLAMA_HOST, else
 * as http://GIVEN; for the OpenAI API a trailing "/v1" is dropped (its
 * paths start with it).  Not given (NULL): OLLAMA_HOST when set (not for
 * BACKEND_OPENAI), else the API's default (http://127.0.0.1:11434 for
 * Ollama, :8080 for OpenAI) or, for BACKEND_ANY, NULL: no server. */
char *backend_base_url(enum backend kind, const char *given);

/* What a server is and which models it has, whatever its API: Ollama's
 * /api/version and /api/tags first, else an OpenAI-compatible /v1/models
 * with the version from /version or llama-server's /props.  Each query is
 * asked once, with no key.  Strings and values live in the arena. */
struct discovery {
	int reachable;		/* anything answered at all */
	const char *backend;	/* "ollama", "openai", or NULL: neither API */
	const char *version;	/* NULL when not told */
	jv *models;		/* [{"name", "digest"}], or JV_NULL when unknown */
	const char *why;	/* what went wrong, or NULL */
};
void backend_discover(struct arena *a, const char *base, long timeout_ms, struct discovery *d);

/* The server OLLAMA_HOST names, read as Ollama reads it: "host",
 * "host:port", ":port", "[v6]" or a URL; http and port 11434 unless it
 * says otherwise; no trailing '/'.  The caller frees it. */
char *backend_ollama_host(const char *v);

/* The path requests go to: "/api/generate" or "/v1/chat/completions". */
const char *backend_path(enum backend kind);
const char *backend_name(enum backend kind);

/* The request body for one prompt, appended to out. */
void backend_body(const struct gen *g, const char *prompt, size_t len, struct buf *out);
/* The record's "options": every setting sent that can change the answer. */
jv *backend_options(struct arena *a, const struct gen *g);

/* One answer, in the record's shape (values live in the arena given to
 * backend_parse).  timings and logprobs are NULL when absent. */
struct answer {
	jv *response;
	jv *done_reason;
	jv *tokens_in;
	jv *tokens_out;
	jv *timings;
	jv *logprobs;
	jv *thinking;		/* the reasoning the server returned apart; NULL: none */
	int no_logprobs;	/* logprobs were asked for but did not come */
};

/* Read a 2xx body.  Returns 0, or -1 with a reason when it is not JSON,
 * lacks the fields it must have, or is cut short. */
int backend_parse(struct arena *a, const struct gen *g, const char *body, size_t len,
		  struct answer *ans, char *err, size_t errlen);
/* The server's own message from an error body ({"error": "..."},
 * {"error": {"message": "..."}}, {"detail": ...}, else the text itself,
 * shortened), as printable UTF-8 in out. */
void backend_error(const char *body, size_t len, char *out, size_t outlen);

#endif
