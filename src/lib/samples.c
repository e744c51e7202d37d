/* samples.c - self-consistency's seeds, record and vote; see samples.h. */
#include "samples.h"

#include <stdio.h>
#include <string.h>

#include "sha256.h"

long sample_seed(long base, long i)
{
	char text[64];
	unsigned char d[32];
	struct sha256 c;
	int n = snprintf(text, sizeof(text), "%ld:%ld", base, i);

	sha256_init(&c);
	sha256_update(&c, text, (size_t)n);
	sha256_final(&c, d);
	return (long)((((unsigned long)d[0] & 0x7f) << 24) | ((unsigned long)d[1] << 16) |
		      ((unsigned long)d[2] << 8) | (unsigned long)d[3]);
}

/* The sum of a numeric member over the samples; null when one lacks it. */
static jv *sum_of(struct arena *a, jv *const *rec, size_t k, const char *key, int integer)
{
	double s = 0;
	size_t i;

	for (i = 0; i < k; i++) {
		const jv *v = jv_get(rec[i], key);

		if (v == NULL || v->t != JNUM)
			return JV_NULL;
		s += v->d;
	}
	return integer ? jv_int(a, (long long)s) : jv_num(a, s);
}

void samples_merge(struct arena *a, jv *const *rec, const long *seeds, size_t k, long base)
{
	static const char *const keep[] = {"response", "done_reason", "latency_ms", "tokens_in",
		"tokens_out", "timings", "logprobs", "attempts", "cached", "error", NULL};
	jv *arr = jv_arr(a), *opts, *first_err = JV_NULL;
	int all_cached = 1;
	size_t i;

	for (i = 0; i < k; i++) {
		jv *s = jv_obj(a), *v;
		const char *const *key;

		jv_set(a, s, "seed", jv_int(a, seeds[i]));
		for (key = keep; *key != NULL; key++)
			if ((v = jv_get(rec[i], *key)) != NULL)
				jv_set(a, s, *key, v);
		v = jv_get(rec[i], "cached");
		all_cached &= v != NULL && v->t == JTRUE;
		v = jv_get(rec[i], "error");
		if (first_err == JV_NULL && v != NULL && v->t == JSTR) {
			struct buf b = {0};

			buf_printf(&b, "sample %zu: %s", i, v->u.s);
			first_err = jv_str(a, b.s, b.len);
			buf_free(&b);
		}
		jv_push(a, arr, s);
	}
	jv_set(a, rec[0], "latency_ms", sum_of(a, rec, k, "latency_ms", 0));
	jv_set(a, rec[0], "tokens_in", sum_of(a, rec, k, "tokens_in", 1));
	jv_set(a, rec[0], "tokens_out", sum_of(a, rec, k, "tokens_out", 1));
	jv_set(a, rec[0], "attempts", sum_of(a, rec, k, "attempts", 1));
	jv_set(a, rec[0], "cached", jv_bool(all_cached));
	jv_set(a, rec[0], "error", first_err);
	jv_set(a, rec[0], "samples", arr);
	opts = jv_get(rec[0], "options");
	if (opts != NULL && opts->t == JOBJ) {
		jv_set(a, opts, "seed", jv_int(a, base));
		jv_set(a, opts, "samples", jv_int(a, (long long)k));
	}
}

/* Whether two parsed predictions are the same answer. */
static int same_pred(const jv *x, const jv *y)
{
	return x->t == y->t && (x->t == JNULL || jv_same(x, y));
}

long vote_majority(struct arena *a, const struct vote *v, size_t k, long *winner_n, jv **votes)
{
	long best = -1, bestn = 0;
	size_t i, j;

	*votes = jv_arr(a);
	for (i = 0; i < k; i++) {
		long n = 0;
		jv *pair;

		if (v[i].pred->t == JNULL)
			continue;
		for (j = 0; j < i; j++)
			if (same_pred(v[j].pred, v[i].pred))
				break;
		if (j < i)
			continue;	/* counted at its first vote */
		for (j = i; j < k; j++)
			n += same_pred(v[j].pred, v[i].pred);
		pair = jv_arr(a);
		jv_push(a, pair, (jv *)v[i].pred);
		jv_push(a, pair, jv_int(a, n));
		jv_push(a, *votes, pair);
		if (n > bestn) {
			best = (long)i;
			bestn = n;
		}
	}
	*winner_n = bestn;
	return best;
}
