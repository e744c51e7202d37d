/* rank.h - ranking metrics for the prioritization scenario: each pair is a
 * query whose two issues the model orders (its answer first), judged
 * against the issues' priority ranks.  See docs/metrics.md. */
#ifndef PUMA_RANK_H
#define PUMA_RANK_H

/* NDCG of one pair: the issue put first has relevance first, the other
 * second.  DCG = first + second / log2(3), divided by the DCG of the ideal
 * order; 0 when both relevances are 0 (as scikit-learn's ndcg_score). */
double pair_ndcg(double first, double second);

/* Reciprocal rank of the most relevant issue in the model's order: 1 when
 * the issue put first is at least as relevant as the other, else 1/2. */
double pair_rr(double first, double second);

#endif
