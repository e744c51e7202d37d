/* pyrand - test driver for pyrandom.c: each input line is
 * "SEED OP [A [B]]", answered by one line computed by a fresh
 * random.Random(SEED), for tests/ref/pyrandom_ref.py to compare with:
 *   random N       N doubles from random(), as 17 significant digits
 *   bits K N       N values of getrandbits(K)
 *   below N M      M values of _randbelow(N)
 *   randint A B    five values of randint(A, B)
 *   choice N       five indices from choice() over N items
 *   sample N K     sample(range(N), K)
 *   perturb P HEX  perturbation number P (perturb.h's order) of the UTF-8
 *                  text given in hex, with SEED, printed in hex */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "json.h"
#include "perturb.h"
#include "lineio.h"
#include "pyrandom.h"
#include "xalloc.h"

int main(int argc, char **argv)
{
	struct lines l;
	struct pyrandom r;
	char op[16], hex[3] = {0};
	long long seed, a, b;
	long long i;
	int r2;

	(void)argc;
	diag_init(argv[0]);
	if (lines_open(&l, "-") < 0)
		return 1;
	while ((r2 = lines_next(&l)) > 0) {
		a = b = 0;
		if (sscanf(l.buf, "%lld %15s %lld %lld", &seed, op, &a, &b) < 2)
			die(EXIT_FAIL, "line %ld: bad case", l.lineno);
		pyr_seed(&r, seed);
		if (strcmp(op, "random") == 0) {
			for (i = 0; i < a; i++)
				printf("%s%.17g", i ? " " : "", pyr_random(&r));
		} else if (strcmp(op, "bits") == 0) {
			for (i = 0; i < b; i++)
				printf("%s%" PRIu64, i ? " " : "", pyr_getrandbits(&r, (int)a));
		} else if (strcmp(op, "below") == 0) {
			for (i = 0; i < b; i++)
				printf("%s%" PRIu64, i ? " " : "", pyr_randbelow(&r, (uint64_t)a));
		} else if (strcmp(op, "randint") == 0) {
			for (i = 0; i < 5; i++)
				printf("%s%" PRId64, i ? " " : "", pyr_randint(&r, a, b));
		} else if (strcmp(op, "choice") == 0) {
			for (i = 0; i < 5; i++)
				printf("%s%zu", i ? " " : "", pyr_choice(&r, (size_t)a));
		} else if (strcmp(op, "sample") == 0) {
			size_t *out = xmalloc(((size_t)b + 1) * sizeof(*out));

			pyr_sample(&r, (size_t)a, (size_t)b, out);
			for (i = 0; i < b; i++)
				printf("%s%zu", i ? " " : "", out[i]);
			free(out);
		} else if (strcmp(op, "perturb") == 0) {
			const char *h = strrchr(l.buf, ' ') + 1;
			struct buf in = {0}, out = {0};
			size_t k, good;

			for (k = 0; h[k] && h[k + 1]; k += 2) {
				hex[0] = h[k];
				hex[1] = h[k + 1];
				buf_addc(&in, (char)strtol(hex, NULL, 16));
			}
			if (!utf8_valid(in.s ? in.s : "", in.len, &good) || a < 0 || a >= PERT_COUNT)
				die(EXIT_FAIL, "line %ld: bad perturbation case", l.lineno);
			perturb_text(&out, (enum perturbation)a, in.s ? in.s : "", in.len, seed);
			for (k = 0; k < out.len; k++)
				printf("%02x", (unsigned char)out.s[k]);
			buf_free(&in);
			buf_free(&out);
		} else {
			die(EXIT_FAIL, "line %ld: unknown op %s", l.lineno, op);
		}
		putchar('\n');
	}
	lines_close(&l);
	return finish();
}
