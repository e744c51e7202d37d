/* Unit tests for the small library pieces with fixed known answers:
 * SHA-256 (FIPS 180-4 examples), MT19937 (the 10000th output for
 * seed 5489), and NumPy's RandomState(42) draws. */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "mt.h"
#include "sha256.h"
#include "check.h"

int main(void)
{
	char hex[65];
	struct mt m;
	uint32_t v = 0;
	int i;
	size_t idx[10];
	struct sha256 c;
	unsigned char out[32];
	char big[1001];

	sha256_hex("abc", 3, hex);
	check(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0, "sha256(abc)");
	sha256_hex("", 0, hex);
	check(strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0, "sha256('')");
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	check(strcmp(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1") == 0, "sha256(448 bits)");
	/* A million 'a's fed in uneven pieces. */
	memset(big, 'a', sizeof(big));
	sha256_init(&c);
	for (i = 0; i < 1000; i++)
		sha256_update(&c, big, i % 2 ? 999 : 1001);
	sha256_final(&c, out);
	check(out[0] == 0xcd && out[1] == 0xc7 && out[31] == 0xd0, "sha256(million a)");

	/* The 10000th output for the default seed 5489 (the figure the C++
	 * standard requires of std::mt19937). */
	mt_seed(&m, 5489);
	for (i = 0; i < 10000; i++)
		v = mt_next(&m);
	check(v == 4123659995U, "mt19937 10000th output for seed 5489");
	/* numpy.random.RandomState(42).randint(0, 2**32, dtype=np.uint64)... and
	 * RandomState(42).random_sample() == 0.3745401188473625. */
	mt_seed(&m, 42);
	check(mt_double(&m) == 0.3745401188473625, "RandomState(42).random_sample()");
	/* RandomState(42).permutation(10) == [8 1 5 0 7 2 9 4 3 6]. */
	mt_seed(&m, 42);
	for (i = 0; i < 10; i++)
		idx[i] = (size_t)i;
	mt_shuffle(&m, idx, 10);
	{
		static const size_t want[10] = {8, 1, 5, 0, 7, 2, 9, 4, 3, 6};

		check(memcmp(idx, want, sizeof(want)) == 0, "RandomState(42).permutation(10)");
	}
	{
		char b[32];

		fmt_double(0.5867181234963913, b);
		check(strcmp(b, "0.5867181234963913") == 0, "fmt_double(0.5867181234963913)");
		fmt_double(2.0, b);
		check(strcmp(b, "2.0") == 0, "fmt_double(2.0)");
	}
	check(utf8_cut("a\xc3\xa9z", 4, 2) == 1, "utf8_cut stops before a split character");
	check(utf8_cut("a\xc3\xa9z", 4, 3) == 3, "utf8_cut keeps a whole character");
	return check_done();
}
