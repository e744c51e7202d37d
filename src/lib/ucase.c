/* ucase.c - Python's full case mappings over UTF-8 (see ucase.h). */
#include "ucase.h"

#include <stdlib.h>

uint32_t utf8_decode(const char *s, size_t *n)
{
	const unsigned char *u = (const unsigned char *)s;

	if (u[0] < 0x80) {
		*n = 1;
		return u[0];
	}
	if (u[0] < 0xE0) {
		*n = 2;
		return (uint32_t)(u[0] & 0x1F) << 6 | (u[1] & 0x3F);
	}
	if (u[0] < 0xF0) {
		*n = 3;
		return (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
	}
	*n = 4;
	return (uint32_t)(u[0] & 0x07) << 18 | (uint32_t)(u[1] & 0x3F) << 12 |
	       (uint32_t)(u[2] & 0x3F) << 6 | (u[3] & 0x3F);
}

/* Append the UTF-8 encoding of code point c to b. */
static void utf8_put(struct buf *b, uint32_t c)
{
	char t[4];
	size_t n;

	if (c < 0x80) {
		t[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		t[0] = (char)(0xC0 | c >> 6);
		t[1] = (char)(0x80 | (c & 0x3F));
		n = 2;
	} else if (c < 0x10000) {
		t[0] = (char)(0xE0 | c >> 12);
		t[1] = (char)(0x80 | (c >> 6 & 0x3F));
		t[2] = (char)(0x80 | (c & 0x3F));
		n = 3;
	} else {
		t[0] = (char)(0xF0 | c >> 18);
		t[1] = (char)(0x80 | (c >> 12 & 0x3F));
		t[2] = (char)(0x80 | (c >> 6 & 0x3F));
		t[3] = (char)(0x80 | (c & 0x3F));
		n = 4;
	}
	buf_add(b, t, n);
}

static int cmp_map(const void *key, const void *elem)
{
	uint32_t c = *(const uint32_t *)key, e = ((const struct ucase_map *)elem)->cp;

	return (c > e) - (c < e);
}

static int cmp_range(const void *key, const void *elem)
{
	uint32_t c = *(const uint32_t *)key;
	const struct ucase_range *r = elem;

	return c < r->lo ? -1 : c > r->hi ? 1 : 0;
}

/* The final-sigma class of c: 0 neither, 1 case-ignorable, 2 cased. */
static int sigma_class(uint32_t c)
{
	const struct ucase_range *r = bsearch(&c, ucase_sigma, ucase_sigma_n, sizeof(*r), cmp_range);

	return r != NULL ? r->cls : 0;
}

/* Start of the UTF-8 sequence that ends just before byte i (i > 0). */
static size_t prev_char(const char *s, size_t i)
{
	do
		i--;
	while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80);
	return i;
}

/* lower() of a capital sigma at byte i (2 bytes long) is final when a cased
 * character comes before it and none after, skipping case-ignorable ones
 * both ways, as CPython's handle_capital_sigma() decides. */
static int final_sigma(const char *s, size_t len, size_t i)
{
	size_t j = i, n;
	int k = 0;

	while (j > 0) {
		j = prev_char(s, j);
		k = sigma_class(utf8_decode(s + j, &n));
		if (k != 1)
			break;
	}
	if (k != 2)
		return 0;
	for (j = i + 2; j < len; j += n) {
		k = sigma_class(utf8_decode(s + j, &n));
		if (k != 1)
			return k != 2;
	}
	return 1;
}

void ucase_map_text(struct buf *b, const char *s, size_t len, int upper)
{
	const struct ucase_map *tab = upper ? ucase_upper : ucase_lower, *m;
	size_t ntab = upper ? ucase_upper_n : ucase_lower_n, i, n, k;
	uint32_t c;

	for (i = 0; i < len; i += n) {
		unsigned char u = (unsigned char)s[i];

		/* ASCII is most text: no table look-up for it. */
		if (u < 0x80) {
			n = 1;
			if (upper && u >= 'a' && u <= 'z')
				u = (unsigned char)(u - 'a' + 'A');
			else if (!upper && u >= 'A' && u <= 'Z')
				u = (unsigned char)(u - 'A' + 'a');
			buf_addc(b, (char)u);
			continue;
		}
		c = utf8_decode(s + i, &n);
		if (!upper && c == 0x03A3) {
			utf8_put(b, final_sigma(s, len, i) ? 0x03C2 : 0x03C3);
			continue;
		}
		m = bsearch(&c, tab, ntab, sizeof(*tab), cmp_map);
		if (m == NULL) {
			buf_add(b, s + i, n);
			continue;
		}
		for (k = 0; k < m->n; k++)
			utf8_put(b, m->to[k]);
	}
}
