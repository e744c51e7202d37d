/* libFuzzer target for the perturbations (src/lib/perturb.c, ucase.c,
 * pyrandom.c): any valid UTF-8 text through all eight, with a seed from
 * the first bytes.  Every output must be valid UTF-8; upper() of lower()'s
 * output and the truncation must keep their documented lengths in code
 * points; typos must keep the byte length. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "perturb.h"

static size_t cps(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct buf b = {0};
	int64_t seed = 0;
	size_t good, n;
	int p;

	if (size >= 2) {
		seed = (int16_t)(data[0] | data[1] << 8);
		s += 2;
		size -= 2;
	}
	if (!utf8_valid(s, size, &good))
		return 0;
	n = cps(s, size);
	for (p = 0; p < PERT_COUNT; p++) {
		buf_reset(&b);
		perturb_text(&b, (enum perturbation)p, s, size, seed);
		if (!utf8_valid(b.s, b.len, &good))
			abort();
		if (p == PERT_TYPOS && b.len != size)
			abort();
		if (p == PERT_TRUNCATE && cps(b.s, b.len) != (n == 0 ? 0 : n / 2 ? n / 2 : 1))
			abort();
		if ((p == PERT_UPPER || p == PERT_LOWER) && cps(b.s, b.len) < n)
			abort();
	}
	buf_free(&b);
	return 0;
}
