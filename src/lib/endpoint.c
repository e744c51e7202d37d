/* endpoint.c - least-outstanding dispatch (endpoint.h). */
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"
#include "xalloc.h"

/* Least outstanding first keeps fast servers busy and slow ones light;
 * the tie-break spreads a -j 1 run over every server. */
int endpoint_pick(const struct endpoint *e, size_t n)
{
	size_t i;
	int best = -1;

	for (i = 0; i < n; i++) {
		if (e[i].dead)
			continue;
		if (best < 0 || e[i].outstanding < e[best].outstanding ||
		    (e[i].outstanding == e[best].outstanding && e[i].sent < e[best].sent))
			best = (int)i;
	}
	return best;
}

/* Whether a failed server may leave the rotation depends on the others. */
size_t endpoint_alive(const struct endpoint *e, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += !e[i].dead;
	return k;
}

/* The strings an endpoint owns. */
void endpoint_free(struct endpoint *e)
{
	free(e->base);
	free(e->gen);
	free(e->shown);
	free(e->why);
}
