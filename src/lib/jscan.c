/* jscan.c - the structural index (see jscan.h).
 *
 * Each 64-byte block is first classified into bitmasks, one bit a byte:
 * quotes, backslashes, the six structural characters, spaces, control
 * characters and non-ASCII bytes (AVX-512BW the whole block at once or
 * AVX2 thirty-two bytes at a time where the processor has it, SSE2 or
 * NEON sixteen at a time where the compiler targets them, else a byte
 * loop).  Then, on whole 64-bit words:
 * which bytes a backslash escapes (backslashes are few: one at a time),
 * which quotes are real, which bytes lie inside strings (a running XOR of
 * the quote bits), and from those the tokens.  What only a few bytes need
 * - an escape's letters, a UTF-8 sequence, a tab between tokens - is
 * checked byte by byte where the masks point. */
#include "jscan.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
/* AVX2, where the compiler can target it for one function and the
 * processor says it has it. */
#if defined(__GNUC__) && defined(__x86_64__) && defined(__SSE2__)
#define HAVE_AVX2_PATH 1
#include <immintrin.h>
#endif

int jindex_path;

/* The block loop inlined into each classifier's scan. */
#if defined(__GNUC__)
#define HOT static inline __attribute__((always_inline))
#else
#define HOT static inline
#endif

/* One block's byte classes. */
struct bclass {
	uint64_t quote, bslash, op, space, ctl, high;
};

/* The byte loop: the reference for the SIMD version, and the whole of it
 * where there is none. */
static void classify_bytes(const unsigned char *p, struct bclass *c)
{
	int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < 64; i++) {
		uint64_t bit = (uint64_t)1 << i;
		unsigned char b = p[i];

		if (b == '"')
			c->quote |= bit;
		else if (b == '\\')
			c->bslash |= bit;
		else if (b == '{' || b == '}' || b == '[' || b == ']' || b == ':' || b == ',')
			c->op |= bit;
		else if (b == ' ')
			c->space |= bit;
		else if (b < 0x20)
			c->ctl |= bit;
		else if (b >= 0x80)
			c->high |= bit;
	}
}

#if defined(__SSE2__)
/* Sixteen bytes at a time.  As signed bytes, control characters and
 * non-ASCII bytes are exactly those below 0x20; the sign bit tells them
 * apart.  [ and ] are { and } with bit 5 clear. */
static void classify_sse2(const unsigned char *p, struct bclass *c)
{
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
	const __m128i lbrace = _mm_set1_epi8('{'), rbrace = _mm_set1_epi8('}');
	const __m128i colon = _mm_set1_epi8(':'), comma = _mm_set1_epi8(',');
	const __m128i space = _mm_set1_epi8(' '), bit5 = _mm_set1_epi8(0x20);
	uint64_t q = 0, b = 0, o = 0, s = 0, lo = 0, h = 0;
	int k;

	for (k = 0; k < 4; k++) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
		__m128i x5 = _mm_or_si128(x, bit5);
		__m128i ops = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x5, lbrace), _mm_cmpeq_epi8(x5, rbrace)),
					   _mm_or_si128(_mm_cmpeq_epi8(x, colon), _mm_cmpeq_epi8(x, comma)));
		int sh = 16 * k;

		q |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, quote)) << sh;
		b |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, bslash)) << sh;
		o |= (uint64_t)(unsigned)_mm_movemask_epi8(ops) << sh;
		s |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, space)) << sh;
		lo |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(x, bit5)) << sh;
		h |= (uint64_t)(unsigned)_mm_movemask_epi8(x) << sh;
	}
	c->quote = q;
	c->bslash = b;
	c->op = o;
	c->space = s;
	c->ctl = lo & ~h;
	c->high = h;
}
#endif

#if defined(HAVE_AVX2_PATH)
/* The bytes of x equal to c, as a mask. */
#define EQ32(x, c) ((uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8((x), _mm256_set1_epi8(c))))

/* The structural characters among x (y: x with bit 5 set), as a mask. */
#define OPS32(x, y) ((uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_or_si256( \
	_mm256_or_si256(_mm256_cmpeq_epi8((y), _mm256_set1_epi8('{')), \
			_mm256_cmpeq_epi8((y), _mm256_set1_epi8('}'))), \
	_mm256_or_si256(_mm256_cmpeq_epi8((x), _mm256_set1_epi8(':')), \
			_mm256_cmpeq_epi8((x), _mm256_set1_epi8(','))))))

/* The same, thirty-two bytes at a time, each mask built in a register. */
__attribute__((target("avx2"), always_inline)) static inline void
classify_avx2(const unsigned char *p, struct bclass *c)
{
	const __m256i bit5 = _mm256_set1_epi8(0x20);
	__m256i x0 = _mm256_loadu_si256((const __m256i *)(const void *)p);
	__m256i x1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
	__m256i y0 = _mm256_or_si256(x0, bit5), y1 = _mm256_or_si256(x1, bit5);
	uint64_t lo;

	c->quote = EQ32(x0, '"') | EQ32(x1, '"') << 32;
	c->bslash = EQ32(x0, '\\') | EQ32(x1, '\\') << 32;
	c->op = OPS32(x0, y0) | OPS32(x1, y1) << 32;
	c->space = EQ32(x0, ' ') | EQ32(x1, ' ') << 32;
	c->high = (uint64_t)(uint32_t)_mm256_movemask_epi8(x0) |
		  (uint64_t)(uint32_t)_mm256_movemask_epi8(x1) << 32;
	lo = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpgt_epi8(bit5, x0)) |
	     (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpgt_epi8(bit5, x1)) << 32;
	c->ctl = lo & ~c->high;
}
#endif

#if defined(HAVE_AVX2_PATH)
/* The same, the whole block in one register: AVX-512BW compares give the
 * masks directly. */
#define EQ64(x, c) ((uint64_t)_mm512_cmpeq_epi8_mask((x), _mm512_set1_epi8(c)))

__attribute__((target("avx512f,avx512bw"), always_inline)) static inline void
classify_avx512(const unsigned char *p, struct bclass *c)
{
	__m512i x = _mm512_loadu_si512((const void *)p);
	__m512i y = _mm512_or_si512(x, _mm512_set1_epi8(0x20));

	c->quote = EQ64(x, '"');
	c->bslash = EQ64(x, '\\');
	c->op = EQ64(y, '{') | EQ64(y, '}') | EQ64(x, ':') | EQ64(x, ',');
	c->space = EQ64(x, ' ');
	c->high = (uint64_t)_mm512_movepi8_mask(x);
	c->ctl = (uint64_t)_mm512_cmplt_epu8_mask(x, _mm512_set1_epi8(0x20));
}
#endif

#if defined(__ARM_NEON) && defined(__aarch64__)
#define HAVE_NEON_PATH 1
#include <arm_neon.h>

/* Four compare results (bytes 0 or 0xff, sixteen bytes each, in order) as
 * a mask: each byte weighted by its bit within a group of eight, then
 * summed pairwise until one byte holds each group. */
static inline uint64_t neon_mask(uint8x16_t a, uint8x16_t b, uint8x16_t c, uint8x16_t d)
{
	static const uint8_t weights[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
	const uint8x16_t w = vld1q_u8(weights);
	uint8x16_t ab = vpaddq_u8(vandq_u8(a, w), vandq_u8(b, w));
	uint8x16_t cd = vpaddq_u8(vandq_u8(c, w), vandq_u8(d, w));
	uint8x16_t s = vpaddq_u8(ab, cd);

	s = vpaddq_u8(s, s);
	return vgetq_lane_u64(vreinterpretq_u64_u8(s), 0);
}

/* One class over the four vectors x[0..3] of a block, as a mask. */
#define NEON_CLASS(f) neon_mask(f(x[0]), f(x[1]), f(x[2]), f(x[3]))
#define N_QUOTE(v) vceqq_u8((v), vdupq_n_u8('"'))
#define N_BSLASH(v) vceqq_u8((v), vdupq_n_u8('\\'))
#define N_OPS(v) vorrq_u8(vorrq_u8(vceqq_u8(vorrq_u8((v), vdupq_n_u8(0x20)), vdupq_n_u8('{')), \
				   vceqq_u8(vorrq_u8((v), vdupq_n_u8(0x20)), vdupq_n_u8('}'))), \
			  vorrq_u8(vceqq_u8((v), vdupq_n_u8(':')), vceqq_u8((v), vdupq_n_u8(','))))
#define N_SPACE(v) vceqq_u8((v), vdupq_n_u8(' '))
#define N_CTL(v) vcltq_u8((v), vdupq_n_u8(0x20))
#define N_HIGH(v) vcgeq_u8((v), vdupq_n_u8(0x80))

/* The same with NEON, sixteen bytes at a time. */
static void classify_neon(const unsigned char *p, struct bclass *c)
{
	uint8x16_t x[4];
	int k;

	for (k = 0; k < 4; k++)
		x[k] = vld1q_u8(p + 16 * k);
	c->quote = NEON_CLASS(N_QUOTE);
	c->bslash = NEON_CLASS(N_BSLASH);
	c->op = NEON_CLASS(N_OPS);
	c->space = NEON_CLASS(N_SPACE);
	c->ctl = NEON_CLASS(N_CTL);
	c->high = NEON_CLASS(N_HIGH);
}
#endif

/* The length of the strict UTF-8 sequence at p, or 0 (jscan_utf8_len()). */
HOT size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
	size_t n = (size_t)(end - p);
	unsigned c = p[0];

	if (c >= 0xC2 && c <= 0xDF)
		return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0))
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

size_t jscan_utf8_len(const unsigned char *p, const unsigned char *end)
{
	return utf8_seq(p, end);
}

/* Is the escape whose backslash is at p (before end) one the fast reader
 * takes: \" \\ \/ \b \f \n \r \t, or \u with four hex digits that is no
 * UTF-16 surrogate? */
HOT int escape_ok(const unsigned char *p, const unsigned char *end)
{
	int i, h, cp = 0;

	if (end - p < 2)
		return 0;
	switch (p[1]) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
		return 1;
	case 'u':
		if (end - p < 6)
			return 0;
		for (i = 2; i < 6; i++) {
			if ((h = jscan_hexval(p[i])) < 0)
				return 0;
			cp = cp * 16 + h;
		}
		return cp < 0xD800 || cp > 0xDFFF;
	default:
		return 0;
	}
}

/* Bit i set when an odd number of the bits 0..i of m are: which bytes lie
 * between an opening quote (included) and its closing one. */
static uint64_t running_xor(uint64_t m)
{
	m ^= m << 1;
	m ^= m << 2;
	m ^= m << 4;
	m ^= m << 8;
	m ^= m << 16;
	m ^= m << 32;
	return m;
}

#if defined(HAVE_AVX2_PATH)
/* running_xor() as one carry-less multiplication by all ones. */
__attribute__((target("pclmul,sse2"))) static inline uint64_t running_xor_clmul(uint64_t m)
{
	return (uint64_t)_mm_cvtsi128_si64(_mm_clmulepi64_si128(_mm_set_epi64x(0, (long long)m),
								 _mm_set1_epi8(-1), 0));
}
#endif

/* What carries from one block to the next. */
struct carry {
	uint64_t escaped;	/* bit 0: the block's first byte is escaped */
	uint64_t inside;	/* all ones: the block starts inside a string */
	uint64_t scalar;	/* bit 0: the previous byte was in a number or literal */
	size_t utf8;		/* bytes of a UTF-8 sequence still to come */
};

/* The masks of one block (its bytes at p, base its offset, end the text's
 * end) from its classes; 0, or -1 when the text is refused. */
HOT int block(struct jindex *ix, size_t b, const struct bclass *c, struct carry *cy,
	      uint64_t valid, int clmul)
{
	const unsigned char *base = ix->text + 64 * b, *end = ix->text + ix->len;
	uint64_t esc = cy->escaped, quote, inside, white, scalar, m;

	/* Escapes: a backslash not itself escaped escapes the next byte. */
	cy->escaped = 0;
	for (m = c->bslash; m != 0; m &= m - 1) {
		int i = jscan_ctz64(m);

		if (esc >> i & 1)
			continue;
		if (!escape_ok(base + i, end))
			return -1;
		if (i == 63)
			cy->escaped = 1;
		else
			esc |= (uint64_t)2 << i;
	}
	quote = c->quote & ~esc;
#if defined(HAVE_AVX2_PATH)
	if (clmul)
		inside = running_xor_clmul(quote) ^ cy->inside;
	else
#endif
		inside = running_xor(quote) ^ cy->inside;
	(void)clmul;
	cy->inside = (uint64_t)0 - (inside >> 63);
	/* Control characters inside strings, backslashes and non-ASCII
	 * bytes outside them. */
	if ((c->ctl & inside) | ((c->bslash | c->high) & ~inside))
		return -1;
	/* Between tokens, only tab, newline and carriage return. */
	for (m = c->ctl & ~inside & valid; m != 0; m &= m - 1) {
		unsigned char ch = base[jscan_ctz64(m)];

		if (ch != '\t' && ch != '\n' && ch != '\r')
			return -1;
	}
	/* Strict UTF-8, from each sequence's first byte. */
	m = c->high;
	if (cy->utf8 > 0) {
		m &= ~(((uint64_t)1 << cy->utf8) - 1);
		cy->utf8 = 0;
	}
	while (m != 0) {
		int i = jscan_ctz64(m);
		size_t k = utf8_seq(base + i, end);

		if (k == 0)
			return -1;
		if ((size_t)i + k >= 64) {
			cy->utf8 = (size_t)i + k - 64;
			break;
		}
		m &= ~(((uint64_t)1 << (i + k)) - 1);
	}
	white = (c->space | c->ctl) & ~inside & valid;
	scalar = ~(inside | quote | c->op | white) & valid;
	ix->tok[b] = (c->op & ~inside) | (quote & inside) | (scalar & ~(scalar << 1 | cy->scalar));
	cy->scalar = scalar >> 63;
	ix->quo[b] = quote;
	ix->wsp[b] = white;
	ix->anyws |= white != 0;
	return 0;
}

/* Every block of the text: first each one's classes, by one classifier
 * inlined into a loop of its own (the last block, when it is short, from
 * tail, padded with spaces), then the masks block by block.  0, or -1
 * when the text is refused. */
#define SCAN(classify, clmul) do { \
		struct carry k = *cy; \
		size_t b, full = ix->len / 64; \
		for (b = 0; b < full; b++) \
			classify(ix->text + 64 * b, &cl[b]); \
		if (full < ix->nblk) \
			classify(tail, &cl[full]); \
		for (b = 0; b < ix->nblk; b++) \
			if (block(ix, b, &cl[b], &k, b < full ? ~(uint64_t)0 : \
				  ((uint64_t)1 << (ix->len & 63)) - 1, (clmul)) < 0) \
				return -1; \
		*cy = k; \
		return 0; \
	} while (0)

static int scan_bytes(struct jindex *ix, const unsigned char *tail, struct bclass *cl,
		      struct carry *cy)
{
	SCAN(classify_bytes, 0);
}

#if defined(__SSE2__)
static int scan_sse2(struct jindex *ix, const unsigned char *tail, struct bclass *cl,
		     struct carry *cy)
{
	SCAN(classify_sse2, 0);
}
#endif

#if defined(HAVE_NEON_PATH)
static int scan_neon(struct jindex *ix, const unsigned char *tail, struct bclass *cl,
		     struct carry *cy)
{
	SCAN(classify_neon, 0);
}
#endif

#if defined(HAVE_AVX2_PATH)
__attribute__((target("avx2,pclmul"))) static int scan_avx2(struct jindex *ix,
							    const unsigned char *tail,
							    struct bclass *cl, struct carry *cy)
{
	SCAN(classify_avx2, 1);
}
#endif

#if defined(HAVE_AVX2_PATH)
__attribute__((target("avx512f,avx512bw,pclmul"))) static int scan_avx512(struct jindex *ix,
									const unsigned char *tail,
									struct bclass *cl,
									struct carry *cy)
{
	SCAN(classify_avx512, 1);
}
#endif

/* The blocks by the best classifier at hand (and jindex_path). */
static int scan(struct jindex *ix, const unsigned char *tail, struct bclass *cl, struct carry *cy)
{
#if defined(HAVE_AVX2_PATH)
	static int have = -1;	/* 2: AVX-512BW, 1: AVX2, 0: neither (with PCLMUL) */

	if (have < 0) {
		__builtin_cpu_init();
		have = !__builtin_cpu_supports("pclmul") ? 0 :
		       __builtin_cpu_supports("avx512bw") ? 2 : __builtin_cpu_supports("avx2") ? 1 : 0;
	}
	if (jindex_path == 0 && have == 2)
		return scan_avx512(ix, tail, cl, cy);
	if ((jindex_path == 0 || jindex_path == 3) && have >= 1)
		return scan_avx2(ix, tail, cl, cy);
#endif
#if defined(__SSE2__)
	if (jindex_path != 2)
		return scan_sse2(ix, tail, cl, cy);
#endif
#if defined(HAVE_NEON_PATH)
	if (jindex_path != 2)
		return scan_neon(ix, tail, cl, cy);
#endif
	return scan_bytes(ix, tail, cl, cy);
}

int jindex_build(struct jindex *ix, struct arena *a, const char *text, size_t len)
{
	struct carry cy = {0, 0, 0, 0};
	unsigned char tail[64];

	ix->text = (const unsigned char *)text;
	ix->len = len;
	ix->nblk = (len + 63) / 64;
	ix->anyws = 0;
	ix->tok = arena_alloc(a, (ix->nblk * 3 + 1) * sizeof(uint64_t));
	ix->quo = ix->tok + ix->nblk;
	ix->wsp = ix->quo + ix->nblk;
	memset(tail, ' ', sizeof(tail));
	memcpy(tail, ix->text + (len & ~(size_t)63), len & 63);
	if (scan(ix, tail, arena_alloc(a, ix->nblk * sizeof(struct bclass) + 1), &cy) < 0)
		return -1;
	return cy.inside != 0 ? -1 : 0;
}
