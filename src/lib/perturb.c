/* perturb.c - PUMA's text perturbations (see perturb.h and puma-perturb(1)). */
#include "perturb.h"
#include "pyrandom.h"
#include "sha256.h"
#include "ucase.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const perturb_names[PERT_COUNT] = {
	"typos_5pct", "case_upper", "case_lower", "truncate_50pct", "tech_noise",
	"gender_swap_prefix_male", "gender_swap_prefix_female", "register_shift_informal",
};

int perturb_find(const char *s, size_t len)
{
	int i;

	for (i = 0; i < PERT_COUNT; i++)
		if (strlen(perturb_names[i]) == len && memcmp(perturb_names[i], s, len) == 0)
			return i;
	return -1;
}

/* Is code point c whitespace for Python's str.split() and str.strip()? */
static int py_isspace(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
	       c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
	       c == 0x202F || c == 0x205F || c == 0x3000;
}

/* The homoglyph of an ASCII byte in PUMA's 18-entry typo map, or 0. */
static char homoglyph(unsigned char c)
{
	static const char from[] = "aeiostbglzAEIOSTBG", to[] = "431057691243105786";
	const char *p = c != 0 ? strchr(from, c) : NULL;

	return p != NULL ? to[p - from] : 0;
}

/* typos(): 5% of the characters that have a homoglyph, at least one, at
 * positions random.sample() picks from the list of candidates.  Every
 * candidate is ASCII, so byte offsets stand for Python's character indices:
 * the order and the count are the same. */
static void typos(struct buf *out, const char *s, size_t len, int64_t seed)
{
	size_t nc = 0, i, k, *cand, *pick;
	struct pyrandom r;
	char *t;

	for (i = 0; i < len; i++)
		if (homoglyph((unsigned char)s[i]))
			nc++;
	if (nc == 0) {
		buf_add(out, s, len);
		return;
	}
	cand = xmalloc(nc * sizeof(*cand));
	for (i = 0, nc = 0; i < len; i++)
		if (homoglyph((unsigned char)s[i]))
			cand[nc++] = i;
	k = (size_t)((double)nc * 0.05);	/* int(len(candidates) * rate) */
	if (k < 1)
		k = 1;
	pick = xmalloc(k * sizeof(*pick));
	pyr_seed(&r, seed);
	pyr_sample(&r, nc, k, pick);
	t = xmalloc(len);
	memcpy(t, s, len);
	for (i = 0; i < k; i++)
		t[cand[pick[i]]] = homoglyph((unsigned char)s[cand[pick[i]]]);
	buf_add(out, t, len);
	free(t);
	free(pick);
	free(cand);
}

/* The first max(1, int(n * 0.5)) of the text's n code points. */
static void truncate_half(struct buf *out, const char *s, size_t len)
{
	size_t n = 0, keep, i;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	if (n == 0)
		return;
	keep = (size_t)((double)n * 0.5);
	if (keep < 1)
		keep = 1;
	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80 && keep-- == 0)
			break;
	buf_add(out, s, i);
}

/* A word of the text, or an inserted term: bytes, not owned. */
struct word {
	const char *p;
	size_t n;
};

/* tech_noise(): the words (split on Python's whitespace), three times a
 * term from TODO, FIXME, deprecated inserted at randint(0, len(words)),
 * joined with single spaces; blank text is left as it is. */
static void tech_noise(struct buf *out, const char *s, size_t len, int64_t seed)
{
	static const char *const terms[3] = {"TODO", "FIXME", "deprecated"};
	struct word *w = NULL;
	size_t nw = 0, cap = 0, i, n, start = 0;
	int inword = 0, t;
	struct pyrandom r;

	for (i = 0; i <= len; i += n) {
		int sp = 1;

		n = 1;
		if (i < len)
			sp = py_isspace(utf8_decode(s + i, &n));
		if (sp && inword) {
			w = xgrow(w, &cap, nw + 1, sizeof(*w));
			w[nw].p = s + start;
			w[nw++].n = i - start;
			inword = 0;
		} else if (!sp && !inword) {
			start = i;
			inword = 1;
		}
	}
	if (nw == 0) {
		buf_add(out, s, len);
		free(w);
		return;
	}
	pyr_seed(&r, seed);
	for (t = 0; t < 3; t++) {
		size_t pos = (size_t)pyr_randint(&r, 0, (int64_t)nw);
		const char *term = terms[pyr_choice(&r, 3)];

		w = xgrow(w, &cap, nw + 1, sizeof(*w));
		memmove(w + pos + 1, w + pos, (nw - pos) * sizeof(*w));
		w[pos].p = term;
		w[pos].n = strlen(term);
		nw++;
	}
	for (i = 0; i < nw; i++) {
		if (i > 0)
			buf_addc(out, ' ');
		buf_add(out, w[i].p, w[i].n);
	}
	free(w);
}

/* "<Name> Smith reported: <text>", the name chosen by the first four bytes
 * (big-endian) of sha256("<seed>:<text>") modulo 5. */
static void gender_prefix(struct buf *out, const char *s, size_t len, int64_t seed, int female)
{
	static const char *const male[5] = {"John", "Michael", "David", "James", "Robert"};
	static const char *const fem[5] = {"Mary", "Patricia", "Jennifer", "Linda", "Elizabeth"};
	unsigned char d[32];
	char pre[32];
	struct sha256 c;
	uint32_t v;
	int n = snprintf(pre, sizeof(pre), "%" PRId64 ":", seed);

	sha256_init(&c);
	sha256_update(&c, pre, (size_t)n);
	sha256_update(&c, s, len);
	sha256_final(&c, d);
	v = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
	buf_adds(out, (female ? fem : male)[v % 5]);
	buf_adds(out, " Smith reported: ");
	buf_add(out, s, len);
}

/* The first occurrence of w (wl > 0 bytes) in s[0..n-1], or NULL. */
static const char *find(const char *s, size_t n, const char *w, size_t wl)
{
	const char *p = s, *end = s + n;

	while ((size_t)(end - p) >= wl && (p = memchr(p, w[0], (size_t)(end - p) - wl + 1)) != NULL) {
		if (memcmp(p, w, wl) == 0)
			return p;
		p++;
	}
	return NULL;
}

/* The 19 replacements of PUMA's register shift, each applied to the whole
 * text in turn, left to right without overlaps (str.replace()). */
static void informal(struct buf *out, const char *s, size_t len)
{
	static const char *const rep[19][2] = {
		{"is experiencing", "is having"}, {"has been observed", "we saw"},
		{"exhausted", "dying"}, {"cannot establish", "can't make"},
		{"is unable to", "can't"}, {"has encountered", "hit"},
		{"is failing", "is broken"}, {"investigation required", "need to check"},
		{"production server", "prod box"}, {"intermittently", "on and off"},
		{"immediate", "ASAP"}, {"configuration", "config"}, {"application", "app"},
		{"database", "DB"}, {"request", "call"}, {"response", "reply"},
		{"endpoint", "URL"}, {"deployment", "rollout"}, {"currently", "right now"},
	};
	struct buf a = {0}, b = {0}, *cur = &a, *next = &b, *t;
	size_t k, i, fl;

	buf_add(cur, s, len);
	for (k = 0; k < 19; k++) {
		fl = strlen(rep[k][0]);
		buf_reset(next);
		for (i = 0; i < cur->len;) {
			const char *hit = find(cur->s + i, cur->len - i, rep[k][0], fl);
			size_t at = hit != NULL ? (size_t)(hit - cur->s) : cur->len;

			buf_add(next, cur->s + i, at - i);
			if (hit == NULL)
				break;
			buf_adds(next, rep[k][1]);
			i = at + fl;
		}
		t = cur;
		cur = next;
		next = t;
	}
	buf_add(out, cur->s, cur->len);
	buf_free(&a);
	buf_free(&b);
}

void perturb_text(struct buf *out, enum perturbation p, const char *s, size_t len, int64_t seed)
{
	switch (p) {
	case PERT_TYPOS:
		typos(out, s, len, seed);
		break;
	case PERT_UPPER:
	case PERT_LOWER:
		ucase_map_text(out, s, len, p == PERT_UPPER);
		break;
	case PERT_TRUNCATE:
		truncate_half(out, s, len);
		break;
	case PERT_TECH_NOISE:
		tech_noise(out, s, len, seed);
		break;
	case PERT_MALE:
	case PERT_FEMALE:
		gender_prefix(out, s, len, seed, p == PERT_FEMALE);
		break;
	case PERT_INFORMAL:
		informal(out, s, len);
		break;
	case PERT_COUNT:
		break;
	}
}
