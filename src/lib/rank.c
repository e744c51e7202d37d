/* rank.c - NDCG and reciprocal rank of the model's order of a pair. */
#include "rank.h"

#include <math.h>

double pair_ndcg(double first, double second)
{
	double d2 = 1.0 / log2(3.0);
	double hi = first > second ? first : second, lo = first > second ? second : first;
	double ideal = hi * 1.0 + lo * d2;

	if (ideal == 0)
		return 0.0;
	return (first * 1.0 + second * d2) / ideal;
}

double pair_rr(double first, double second)
{
	return first >= second ? 1.0 : 0.5;
}
