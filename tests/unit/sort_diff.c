/* sort_diff - np_sort() against a plain stable insertion sort, bit for bit,
 * on random arrays of every length up to a few thousand (both the merge
 * sort of short arrays and the radix sort of long ones): values drawn
 * from a few dozen so that most repeat, negative and positive, -0.0 and
 * 0.0 (equal: they must keep their order), the infinities, subnormals.
 * With a NaN the order must be qsort's own. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "stats.h"

#define RND_SEED 0x9E3779B97F4A7C15ULL
#include "rnd.h"

/* The reference: stable, by < alone. */
static void insertion(double *a, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		double x = a[i];

		for (j = i; j > 0 && x < a[j - 1]; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

static int cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

static double draw(void)
{
	static const double special[] = {0.0, -0.0, INFINITY, -INFINITY, 5e-324, -5e-324,
					 2.2250738585072014e-308, 1.7976931348623157e308, 1e-300};

	if (rnd(8) == 0)
		return special[rnd(sizeof(special) / sizeof(special[0]))];
	return (rnd(2) ? -1.0 : 1.0) * (double)rnd(40) * (rnd(3) == 0 ? 0.001 : 17.25);
}

int main(void)
{
	size_t sizes[64], ns = 0, k, i, n;
	long bad = 0, runs = 0;
	double *a = malloc(5000 * sizeof(double)), *b = malloc(5000 * sizeof(double));

	for (n = 0; n <= 40; n++)
		sizes[ns++] = n;
	sizes[ns++] = 1023;
	sizes[ns++] = 1024;
	sizes[ns++] = 1025;
	sizes[ns++] = 3000;
	sizes[ns++] = 4999;
	for (k = 0; k < ns; k++) {
		int rep;

		for (rep = 0; rep < 20; rep++) {
			n = sizes[k];
			for (i = 0; i < n; i++)
				a[i] = b[i] = draw();
			np_sort(a, n);
			insertion(b, n);
			runs++;
			if (n > 0 && memcmp(a, b, n * sizeof(double)) != 0 && bad++ < 3)
				printf("# np_sort differs from a stable sort on %zu values\n", n);
		}
	}
	check(bad == 0, "np_sort equals a stable sort bit for bit (%ld arrays; -0.0 and 0.0 keep their order)", runs);

	/* A NaN: qsort's order. */
	n = 2000;
	for (i = 0; i < n; i++)
		a[i] = b[i] = i == 777 ? NAN : draw();
	np_sort(a, n);
	qsort(b, n, sizeof(double), cmp);
	check(memcmp(a, b, n * sizeof(double)) == 0, "with a NaN, np_sort gives qsort's order");
	free(a);
	free(b);
	return check_done();
}
