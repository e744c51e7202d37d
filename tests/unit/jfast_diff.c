/* jfast_diff - the fast JSON path against yajl: on 200,000 random documents
 * (valid ones with every kind of escape, number and whitespace, and mutated
 * ones; a third of them long records whose strings and arrays cross the
 * structural index's 64-byte blocks at every offset), whenever
 * json_parse_fast() accepts a text, yajl must accept it too and build the
 * same tree, the same skipped members and the same raw member texts.  The
 * fast path must also take most valid documents (else it is no fast path
 * at all), and give the same answer with each of the index's classifiers
 * (the best one: AVX-512BW or AVX2; SSE2; the byte loop; AVX2).  The index
 * itself must find exactly the tokens, quotes and whitespace a plain
 * byte-by-byte reading finds.  The
 * cursor (struct jcur) must step over each member text yajl kept exactly,
 * and read its strings and numbers as yajl's tree holds them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jfast.h"
#include "jscan.h"
#include "check.h"
#include "jtree.h"
#include "json.h"
#include "xalloc.h"

#define RND_SEED 88172645463325252ULL
#include "rnd.h"

/* Plain documents use only what the fast path must take itself. */
static int plain;

static void ws(struct buf *b)
{
	static const char *const w[] = {"", "", "", " ", "\t", "\n", "\r\n", "  ", "\f", "\v"};

	buf_adds(b, w[rnd(plain ? 8 : 10)]);
}

static void str_n(struct buf *b, int n);

static void str(struct buf *b)
{
	str_n(b, (int)rnd(5));
}

/* A string of n random parts. */
static void str_n(struct buf *b, int n)
{
	static const char *const parts[] = {
		"a", "key", "logprobs", "token", " ", "\\n", "\\\"", "\\\\", "\\/", "\\t", "\\b", "\\f",
		"\\r", "\\u00e9", "\\u0000", "\\u4e2d", "\xc3\xa9", "\xe4\xb8\xad", "\xf0\x9f\x98\x80",
		"\x7f", "'",
		/* from here on, only in documents that are not plain */
		"\\ud83d\\ude00", "\\udc00", "\\ud800x",
		"\\uD834\\uDD1E", "\xc0\x80", "\xed\xa0\x80",
		"\xf5\x80\x80\x80", "\xe0\x80\x80", "\xff", "\x01", "\\x", "\\u12",
	};
	int i;

	buf_addc(b, '"');
	for (i = 0; i < n; i++)
		buf_adds(b, parts[rnd(plain ? 21 : sizeof(parts) / sizeof(parts[0]))]);
	buf_addc(b, '"');
}

static void num(struct buf *b)
{
	static const char *const nums[] = {
		"0", "-0", "1", "-1", "42", "0.5", "-0.215473", "1e5", "1E-3", "2.5e+10", "123456789012345678901234",
		"1.7976931348623157e308", "1e400", "5e-324", "0.1", "3.14159", "-3.00794", "100", "01", "1.",
		"-", ".5", "1e", "1e+", "--1", "0x10", "9007199254740993", "12345678901234567890",
		"0.000001234", "1234567.891", "1e22", "1e23", "4.35e-7", "-1000.0",
	};
	buf_adds(b, nums[rnd(sizeof(nums) / sizeof(nums[0]))]);
}

static void value(struct buf *b, int depth)
{
	unsigned k = rnd(depth > 4 ? 6 : 9), i, n;

	ws(b);
	switch (k) {
	case 0: buf_adds(b, "null"); break;
	case 1: buf_adds(b, rnd(2) ? "true" : "false"); break;
	case 2:
	case 3: num(b); break;
	case 4:
	case 5: str(b); break;
	case 6:
	case 7:
		buf_addc(b, '{');
		n = rnd(5);
		for (i = 0; i < n; i++) {
			if (i)
				buf_addc(b, ',');
			ws(b);
			str(b);
			ws(b);
			buf_addc(b, ':');
			value(b, depth + 1);
		}
		ws(b);
		buf_addc(b, '}');
		break;
	default:
		buf_addc(b, '[');
		n = rnd(5);
		for (i = 0; i < n; i++) {
			if (i)
				buf_addc(b, ',');
			value(b, depth + 1);
		}
		ws(b);
		buf_addc(b, ']');
	}
	ws(b);
}

/* A long record: whitespace of any length first (the blocks fall at every
 * offset), then members of every kind, long strings and logprobs-like
 * arrays of objects among them. */
static void record(struct buf *b)
{
	static const char *const keys[] = {"id", "a", "description", "token", "logprobs", "x", ""};
	unsigned i, j, n = 3 + rnd(12), pad = rnd(70);

	for (i = 0; i < pad; i++)
		buf_addc(b, plain || rnd(4) ? ' ' : "\t\n\r\f"[rnd(4)]);
	buf_addc(b, '{');
	for (i = 0; i < n; i++) {
		if (i)
			buf_addc(b, ',');
		ws(b);
		buf_printf(b, "\"%s\"", keys[rnd(sizeof(keys) / sizeof(keys[0]))]);
		ws(b);
		buf_addc(b, ':');
		switch (rnd(4)) {
		case 0:
			str_n(b, (int)rnd(200));
			break;
		case 1:
			buf_addc(b, '[');
			for (j = rnd(12); j > 0; j--) {
				buf_adds(b, "{\"token\":");
				str(b);
				buf_adds(b, ",\"logprob\":");
				num(b);
				buf_adds(b, j > 1 ? "}," : "}");
			}
			buf_addc(b, ']');
			break;
		default:
			value(b, 1);
		}
	}
	ws(b);
	buf_addc(b, '}');
}

/* The index as a byte-by-byte reading finds it: 0 when it agrees with
 * ix (built from doc), else 1 after a message. */
static int check_index(const struct jindex *ix, const char *doc, size_t len)
{
	size_t i, nb = (len + 63) / 64;
	uint64_t *tok = calloc(nb + 1, 8), *quo = calloc(nb + 1, 8), *wsp = calloc(nb + 1, 8);
	int in = 0, prev_scalar = 0, bad = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)doc[i];
		uint64_t bit = (uint64_t)1 << (i & 63);
		int scalar = 0;

		if (in) {
			if (c == '\\')
				i++;
			else if (c == '"') {
				quo[i >> 6] |= bit;
				in = 0;
			}
		} else if (c == '"') {
			quo[i >> 6] |= bit;
			tok[i >> 6] |= bit;
			in = 1;
		} else if (strchr("{}[]:,", c) != NULL && c != '\0') {
			tok[i >> 6] |= bit;
		} else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			wsp[i >> 6] |= bit;
		} else {
			scalar = 1;
			if (!prev_scalar)
				tok[i >> 6] |= bit;
		}
		prev_scalar = scalar;
	}
	for (i = 0; i < nb && !bad; i++)
		bad = tok[i] != ix->tok[i] || quo[i] != ix->quo[i] || wsp[i] != ix->wsp[i];
	if (bad)
		printf("# the index differs from a plain reading in block %zu of %s\n", i - 1, doc);
	free(tok);
	free(quo);
	free(wsp);
	return bad;
}

/* The cursor on each member text of a valid object yajl read: 0, or 1
 * after a message. */
static int check_cursor(struct arena *a, const char *doc, const jv *root)
{
	size_t i, len;

	for (i = 0; i < jv_len(root) && root->t == JOBJ; i++) {
		const char *text = jv_member_text(root, i, &len), *s;
		const jv *v = jv_val(root, i);
		struct jcur c;
		size_t sl;
		double d;
		int r;

		if (text == NULL)
			continue;
		if (jcur_member(&c, text, len) < 0) {
			printf("cursor: no member in %.*s (of %s)\n", (int)len, text, doc);
			return 1;
		}
		s = c.p;
		jcur_skip(&c);
		jcur_ws(&c);
		if (c.p != text + len) {
			printf("cursor: skip stopped %ld bytes short in %.*s (of %s)\n",
			       (long)(text + len - c.p), (int)len, text, doc);
			return 1;
		}
		c.p = s;
		if (v != NULL && v->t == JSTR) {
			r = jcur_string(a, &c, &s, &sl);
			if (r == -1 || (r == 0 && (sl != v->n || memcmp(s, v->u.s, sl) != 0))) {
				printf("cursor: string read differs in %.*s (of %s)\n", (int)len, text, doc);
				return 1;
			}
		} else if (v != NULL && v->t == JNUM) {
			if (jcur_number(&c, &d) < 0 || memcmp(&d, &v->d, sizeof(d)) != 0) {
				printf("cursor: number read differs in %.*s (of %s)\n", (int)len, text, doc);
				return 1;
			}
		}
	}
	return 0;
}

int main(void)
{
	static const char *const want[] = {"a", "token", "", NULL};
	struct arena a1 = {0}, a2 = {0};
	struct buf doc = {0}, d1 = {0}, d2 = {0};
	long valid_taken = 0, valid = 0, plain_valid = 0, plain_missed = 0, bad = 0, indexed = 0, i;
	char err[256];

	for (i = 0; i < 200000 && bad < 5; i++) {
		const char *const *w = rnd(2) ? want : NULL;
		jv *fast, *slow;
		int path, r0;

		buf_reset(&doc);
		plain = rnd(2);
		if (rnd(3) == 0) {
			record(&doc);
			w = want;
		} else if (rnd(3) == 0) {
			buf_addc(&doc, '{');
			ws(&doc);
			str(&doc);
			buf_addc(&doc, ':');
			value(&doc, 1);
			buf_adds(&doc, ",\"a\":");
			value(&doc, 1);
			buf_addc(&doc, '}');
		} else {
			value(&doc, 0);
		}
		if (rnd(plain ? 4 : 2) == 0 && doc.len > 0) {	/* mutate one byte */
			size_t at = rnd((unsigned)doc.len), k;

			/* Half the time a structural one, for the grammar. */
			if (rnd(2))
				for (k = 0; k < doc.len && strchr("{}[]:,\"", doc.s[at]) == NULL; k++)
					at = (at + 1) % doc.len;
			doc.s[at] = "{}[]\",:x0\\ \x80"[rnd(12)];
			plain = 0;	/* yajl takes some texts the fast path leaves */
		}
		/* The index: the same with every classifier, and as a plain
		 * reading finds it. */
		r0 = 0;
		for (path = 0; path < 4; path++) {
			struct jindex ix;
			int r;

			arena_reset(&a1);
			jindex_path = path;
			r = jindex_build(&ix, &a1, doc.s, doc.len);
			if (path == 0)
				r0 = r;
			if (r != r0) {
				printf("# classifier %d %s what the first one %s: %s\n", path,
				       r ? "refuses" : "takes", r0 ? "refuses" : "takes", doc.s);
				bad++;
			} else if (r == 0) {
				bad += check_index(&ix, doc.s, doc.len);
			}
			indexed += path == 0 && r == 0;
		}
		jindex_path = 0;
		/* The fast path with each classifier. */
		for (path = 1; path < 4; path++) {
			arena_reset(&a1);
			fast = json_parse_fast(&a1, doc.s, doc.len, w);
			buf_reset(&d1);
			if (fast != NULL)
				describe(&d1, fast, 1);
			arena_reset(&a1);
			jindex_path = path;
			fast = json_parse_fast(&a1, doc.s, doc.len, w);
			jindex_path = 0;
			buf_reset(&d2);
			if (fast != NULL)
				describe(&d2, fast, 1);
			if (d1.len != d2.len || memcmp(d1.s, d2.s, d1.len) != 0) {
				printf("# classifier %d changes the fast path's answer on %s\n", path, doc.s);
				bad++;
			}
		}
		arena_reset(&a1);
		arena_reset(&a2);
		fast = json_parse_fast(&a1, doc.s, doc.len, w);
		json_fast_off = 1;
		slow = json_parse(&a2, doc.s, doc.len, w, err, sizeof(err));
		json_fast_off = 0;
		if (slow != NULL) {
			valid++;
			bad += check_cursor(&a2, doc.s, slow);
		}
		if (slow != NULL && plain)
			plain_valid++;
		if (fast != NULL && !compact_ok(fast)) {
			printf("# a member marked compact is not: %s\n", doc.s);
			bad++;
		}
		if (fast == NULL) {
			if (slow != NULL && plain && plain_missed++ < 3)
				printf("# fast path declined a plain valid document: %s\n", doc.s);
			continue;
		}
		if (slow != NULL)
			valid_taken++;
		buf_reset(&d1);
		buf_reset(&d2);
		describe(&d1, fast, 1);
		if (slow != NULL)
			describe(&d2, slow, 1);
		if (slow == NULL || d1.len != d2.len || memcmp(d1.s, d2.s, d1.len) != 0) {
			printf("# mismatch on %s\n#   fast: %s\n#   yajl: %s\n", doc.s, d1.s,
			       slow ? d2.s : err);
			bad++;
		}
	}
	check(bad == 0, "%ld documents: the fast path agrees with yajl on every one it takes", i);
	check(plain_missed == 0, "the fast path takes every plain valid document (%ld of %ld)",
	      plain_valid - plain_missed, plain_valid);
	check(plain_valid > 30000, "enough plain valid documents to mean something (%ld > 30000)", plain_valid);
	check(indexed > 50000, "enough documents indexed to mean something (%ld > 50000)", indexed);
	printf("# %ld valid, %ld of them on the fast path\n", valid, valid_taken);
	arena_free(&a1);
	arena_free(&a2);
	buf_free(&doc);
	buf_free(&d1);
	buf_free(&d2);
	return check_done();
}
