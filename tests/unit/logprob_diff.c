/* logprob_diff - the in-place readers of a "logprobs" member (parse.c:
 * logprob_candidates(), logprob_tokens(), logprob_entry_candidates())
 * against the tree of the same text (json_parse() and entry_candidates()),
 * on 100,000 random valid members: the compact entries puma-infer writes,
 * which the byte-matching reader takes, and every departure from them it
 * must leave to the cursor reader - whitespace, other key orders, extra
 * and repeated keys, escapes and surrogate pairs in tokens, null or empty
 * top_logprobs, tokens that are no strings, more alternatives than it
 * holds.  Both must give the same count (or both call the member
 * malformed) and the same tokens and logprobs, bit for bit.  The one-pass
 * number reader they use (json_number_scan()) must end each number where
 * the grammar does and read it as strtod() does, on 1,000,000 random
 * numbers of every length, with and without fraction and exponent. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "jfast.h"
#include "json.h"
#include "parse.h"
#include "xalloc.h"

#define RND_SEED 0x9E3779B97F4A7C15ULL
#include "rnd.h"

/* Whether this member keeps to the compact form (no departures). */
static int compact;

static void ws(struct buf *b)
{
	static const char *const w[] = {" ", "\n", "\t", "  ", "\r\n"};

	if (!compact && rnd(6) == 0)
		buf_adds(b, w[rnd(5)]);
}

static void token(struct buf *b)
{
	static const char *const plain[] = {"Major", "M", "**", "Critical", " Minor", "<think>",
					    "caf\xc3\xa9", "", "T", "I"};
	static const char *const escaped[] = {"\\n", "\\\"", "\\\\", "\\u00e9", "\\ud83d\\ude00",
					      "\\/", "a\\tb", "\\u0000"};

	buf_addc(b, '"');
	buf_adds(b, rnd(5) == 0 ? escaped[rnd(8)] : plain[rnd(10)]);
	buf_addc(b, '"');
}

static void number(struct buf *b)
{
	static const char *const n[] = {"-0.215473", "-6.407675", "0", "-1", "-1e-3", "-2.5E+1",
					"-0.0", "-12345678901234567890", "-3.14159265358979323846"};
	char t[32];

	if (rnd(3) == 0) {
		buf_adds(b, n[rnd(9)]);
	} else {
		snprintf(t, sizeof(t), "-%u.%06u", rnd(10), rnd(1000000));
		buf_adds(b, t);
	}
}

static void key(struct buf *b, const char *k)
{
	ws(b);
	buf_addc(b, '"');
	buf_adds(b, k);
	buf_addc(b, '"');
	ws(b);
	buf_addc(b, ':');
	ws(b);
}

/* One entry: {"token":..,"logprob":..} with tops alternatives (-1: no
 * top_logprobs member, -2: null). */
static void entry(struct buf *b, int tops)
{
	int swap = !compact && rnd(8) == 0, extra = !compact && rnd(8) == 0;
	int i;

	buf_addc(b, '{');
	if (extra && rnd(2)) {
		key(b, "bytes");
		buf_adds(b, "[77,97]");
		buf_addc(b, ',');
	}
	if (swap) {
		key(b, "logprob");
		number(b);
		buf_addc(b, ',');
		key(b, "token");
		token(b);
	} else {
		key(b, "token");
		if (!compact && rnd(40) == 0)
			buf_adds(b, "7");	/* no string: malformed */
		else
			token(b);
		buf_addc(b, ',');
		key(b, "logprob");
		number(b);
	}
	if (!compact && rnd(12) == 0) {	/* a repeated key: the last counts */
		buf_addc(b, ',');
		key(b, rnd(2) ? "token" : "logprob");
		if (rnd(2))
			token(b);
		else
			number(b);
	}
	if (tops == -2) {
		buf_addc(b, ',');
		key(b, "top_logprobs");
		buf_adds(b, "null");
	} else if (tops >= 0) {
		buf_addc(b, ',');
		key(b, "top_logprobs");
		buf_addc(b, '[');
		for (i = 0; i < tops; i++) {
			if (i)
				buf_addc(b, ',');
			ws(b);
			entry(b, -1);
			ws(b);
		}
		buf_addc(b, ']');
	}
	if (extra && rnd(2)) {
		buf_addc(b, ',');
		key(b, "bytes");
		buf_adds(b, "null");
	}
	ws(b);
	buf_addc(b, '}');
}

/* A whole member "logprobs":[...] of n entries. */
static void member(struct buf *b, int n)
{
	int i, tops;

	buf_adds(b, "\"logprobs\":");
	ws(b);
	buf_addc(b, '[');
	for (i = 0; i < n; i++) {
		if (i)
			buf_addc(b, ',');
		ws(b);
		tops = rnd(10) == 0 ? (compact ? 0 : -1 - (int)rnd(2)) : (int)rnd(7);
		if (!compact && rnd(30) == 0)
			tops = 70;	/* more than the byte-matching reader holds */
		entry(b, tops);
		ws(b);
	}
	buf_addc(b, ']');
}

/* Do two candidate lists agree (count, tokens, logprobs bit for bit)? */
static int same(long n1, const struct cand *c1, long n2, const struct cand *c2, int lps)
{
	long i;

	if (n1 != n2)
		return 0;
	for (i = 0; i < n1; i++)
		if (c1[i].len != c2[i].len || memcmp(c1[i].tok, c2[i].tok, c1[i].len) != 0 ||
		    (lps && memcmp(&c1[i].lp, &c2[i].lp, sizeof(double)) != 0))
			return 0;
	return 1;
}

/* json_number_scan() on random numbers against strtod() and
 * json_number_end(): the count that differ. */
static long numbers(void)
{
	char t[100];
	long i, bad = 0;

	for (i = 0; i < 1000000; i++) {
		size_t n = 0, k, nd = 1 + rnd(rnd(2) ? 8 : 24);
		const char *end;
		double v = 0, ref;

		if (rnd(2))
			t[n++] = '-';
		for (k = 0; k < nd; k++)
			t[n++] = (char)('0' + (k == 0 && nd > 1 ? 1 + rnd(9) : rnd(10)));
		if (rnd(4) == 0 && nd == 1)
			t[n - 1] = '0';
		if (rnd(3)) {
			t[n++] = '.';
			for (k = 1 + rnd(rnd(2) ? 7 : 25); k > 0; k--)
				t[n++] = (char)('0' + rnd(10));
		}
		if (rnd(8) == 0)
			n += (size_t)snprintf(t + n, sizeof(t) - n, "e%s%u", rnd(2) ? "-" : "", rnd(30));
		/* What follows the number in a record, so that a word read past
		 * it stays inside the text. */
		t[n] = rnd(2) ? ',' : '}';
		memcpy(t + n + 1, "\"top_logprobs\":[", 17);
		end = json_number_scan(t, t + n + 1 + rnd(18), &v);
		t[n] = '\0';
		ref = strtod(t, NULL);	/* bit for bit: -0.0 is not 0.0 */
		t[n] = ',';
		if (end != t + n || end != json_number_end(t, t + n + 1 + rnd(18)) ||
		    memcmp(&ref, &v, sizeof(v)) != 0) {
			t[n] = '\0';
			if (bad++ < 3)
				printf("# number %s: read as %.17g\n", t, v);
		}
	}
	return bad;
}

int main(void)
{
	struct arena a = {0};
	struct buf doc = {0};
	long i, bad_first = 0, bad_tokens = 0, bad_entry = 0, compact_n = 0, n_bad;
	char err[256];

	for (i = 0; i < 100000; i++) {
		const jv *root, *arr;
		struct cand *c1, *c2, *toks;
		const char **at;
		long n1, n2, nt, k;
		size_t j, len;
		const char *text;

		arena_reset(&a);
		buf_reset(&doc);
		compact = rnd(2);
		compact_n += compact;
		buf_addc(&doc, '{');
		member(&doc, 1 + (int)rnd(4));
		buf_addc(&doc, '}');
		root = json_parse(&a, doc.s, doc.len, NULL, err, sizeof(err));
		if (root == NULL || root->t != JOBJ || (text = jv_member_text(root, 0, &len)) == NULL) {
			printf("# not valid JSON: %s (%s)\n", doc.s, err);
			bad_first++;
			continue;
		}
		arr = jv_val(root, 0);
		/* The first entry's candidates. */
		n1 = logprob_candidates(&a, text, len, &c1);
		n2 = entry_candidates(&a, jv_item(arr, 0), &c2);
		if (!(n1 < 0 && n2 < 0) && !same(n1, c1, n2, c2, 1)) {
			if (bad_first++ < 3)
				printf("# first entry: %ld candidates in place, %ld by the tree: %s\n", n1,
				       n2, doc.s);
		}
		/* Every entry's token, and the candidates of each from its place. */
		nt = logprob_tokens(&a, text, len, &toks, &at);
		if (nt == -2)
			continue;	/* left to the tree by the caller */
		if (nt != (long)jv_len(arr)) {
			int malformed = 0;

			for (j = 0; j < jv_len(arr); j++)
				malformed |= jv_getstr(jv_item(arr, j), "token", NULL) == NULL;
			if (!(nt < 0 && malformed) && bad_tokens++ < 3)
				printf("# %ld tokens in place, %zu entries: %s\n", nt, jv_len(arr), doc.s);
			continue;
		}
		for (k = 0; k < nt; k++) {
			struct cand t;

			t.tok = jv_getstr(jv_item(arr, (size_t)k), "token", &t.len);
			if (t.tok == NULL || !same(1, &toks[k], 1, &t, 0)) {
				if (bad_tokens++ < 3)
					printf("# token %ld differs: %s\n", k, doc.s);
				break;
			}
			n1 = logprob_entry_candidates(&a, at[k], text + len, &c1);
			n2 = entry_candidates(&a, jv_item(arr, (size_t)k), &c2);
			if (!(n1 < 0 && n2 < 0) && !same(n1, c1, n2, c2, 1)) {
				if (bad_entry++ < 3)
					printf("# entry %ld: %ld candidates in place, %ld by the tree: %s\n",
					       k, n1, n2, doc.s);
				break;
			}
		}
	}
	n_bad = numbers();
	check(n_bad == 0, "1,000,000 numbers read in one pass as strtod() reads them (%ld differ)", n_bad);
	check(compact_n > 40000, "%ld of 100,000 members in the compact form", compact_n);
	check(bad_first == 0, "first-entry candidates as the tree reads them (%ld differ)", bad_first);
	check(bad_tokens == 0, "every entry's token as the tree reads it (%ld differ)", bad_tokens);
	check(bad_entry == 0, "each entry's candidates from its place as the tree reads them (%ld differ)",
	      bad_entry);
	arena_free(&a);
	buf_free(&doc);
	return check_done();
}
