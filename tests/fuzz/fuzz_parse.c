/* libFuzzer target for the response parsers (src/lib/parse.c): any bytes as
 * a model's answer through strip_think(), parse_label() and parse_points(),
 * and as first-token candidates through label_confidence().  The label
 * found is checked against a plain search for the leftmost whole-word
 * occurrence, numbers must be finite, confidences must lie in [0, 1]. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

static char *labels4[] = {"Critical", "Major", "Minor", "Trivial"};
static size_t lens4[] = {8, 5, 5, 7};
static char *sp_c[] = {"Critical", "critical", "CRITICAL", "C", "c"};
static char *sp_j[] = {"Major", "major", "MAJOR", "M", "m"};
static char *sp_n[] = {"Minor", "minor", "MINOR", "M", "m"};
static char *sp_t[] = {"Trivial", "trivial", "TRIVIAL", "T", "t"};
static size_t spl_c[] = {8, 8, 8, 1, 1}, spl_j[] = {5, 5, 5, 1, 1};
static size_t spl_n[] = {5, 5, 5, 1, 1}, spl_t[] = {7, 7, 7, 1, 1};
static char **spell4[] = {sp_c, sp_j, sp_n, sp_t};
static size_t *spell_len4[] = {spl_c, spl_j, spl_n, spl_t};
static size_t nspell4[] = {5, 5, 5, 5};
static const struct labelset ls4 = {4, labels4, lens4, spell4, spell_len4, nspell4};

static double scale_v[] = {1, 2, 3, 5, 8, 13, 21};
static const struct scale sc = {scale_v, 7, 1};

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Does label l occur at pos as a whole word? */
static int occurs(const char *s, size_t len, size_t pos, const char *l, size_t ll)
{
	size_t i;

	if (pos + ll > len)
		return 0;
	for (i = 0; i < ll; i++)
		if (lower((unsigned char)s[pos + i]) != lower((unsigned char)l[i]))
			return 0;
	if (pos > 0 && is_word_byte((unsigned char)s[pos - 1]))
		return 0;
	return pos + ll == len || !is_word_byte((unsigned char)s[pos + ll]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *out = malloc(size + 1);
	struct cand c[16];
	size_t n, pos, i, nc = 0, start;
	int k, want = -1, pred;
	double v, conf;

	memcpy(text, data, size);
	text[size] = '\0';
	n = strip_think(text, size, out);
	if (n > size || out[n] != '\0')
		abort();

	/* The label: the first position where any label occurs, first label
	 * in list order there. */
	for (pos = 0; pos < n && want < 0; pos++)
		for (i = 0; i < ls4.n && want < 0; i++)
			if (occurs(out, n, pos, ls4.label[i], ls4.len[i]))
				want = (int)i;
	k = parse_label(&ls4, out, n);
	if (k != want)
		abort();

	if (parse_points(&sc, out, n, &v) && !isfinite(v))
		abort();

	/* Candidates: the input cut at 0x01 bytes, each piece's first byte
	 * giving its logprob. */
	for (start = 0, i = 0; i <= size && nc < 16; i++) {
		if (i == size || data[i] == 1) {
			if (i > start) {
				c[nc].tok = text + start + 1;
				c[nc].len = i - start - 1;
				c[nc].lp = data[start] == 0xFF ? -1e308 : -(double)data[start] / 8.0;
				nc++;
			}
			start = i + 1;
		}
	}
	for (pred = 0; pred < 4; pred++) {
		if (label_confidence(&ls4, CONF_PUMA, c, nc, pred, &conf) && !(conf >= 0 && conf <= 1))
			abort();
		if (label_confidence(&ls4, CONF_FIXED, c, nc, pred, &conf) && !(conf >= 0 && conf <= 1))
			abort();
	}
	free(text);
	free(out);
	return 0;
}
