/* samples.h - self-consistency: the seeds of a record's samples, the
 * samples gathered into one record (puma-infer --samples), and the vote
 * over their parsed answers (puma-parse).  docs/inference.md and
 * docs/metrics.md describe the rules. */
#ifndef PUMA_SAMPLES_H
#define PUMA_SAMPLES_H

#include <stddef.h>
#include "json.h"

/* The seed of sample i of a record run with --seed base: the first four
 * bytes of sha256("<base>:<i>"), big-endian, with the top bit cleared (a
 * non-negative 31-bit integer, never llama.cpp's "random" seed). */
long sample_seed(long base, long i);

/* Gather the answers of k sample records (rec[0] is the record written)
 * into rec[0]: "samples" gets one object per sample in order (seed and the
 * answer fields); the top level keeps the first sample's response,
 * done_reason and logprobs, and gets the sums of latency_ms, tokens_in,
 * tokens_out and attempts (null when one is null), cached when all were,
 * and the first failed sample's error.  options.seed becomes base and
 * options.samples k.  Values of rec[1..] are referenced, not copied: write
 * rec[0] before their arenas go. */
void samples_merge(struct arena *a, jv *const *rec, const long *seeds, size_t k, long base);

/* One answer's vote: its prediction (null: unparsed) as parsed. */
struct vote {
	const jv *pred;
};

/* The majority over k votes: the prediction with the most votes among
 * the parsed ones, ties to the one voted first (sample order), as
 * collections.Counter(votes).most_common(1) picks.  Returns the index of
 * the winning vote's first occurrence, or -1 when none parsed; *winner_n
 * gets its count, and votes (an array of [prediction, count] in order of
 * first vote) is built in a. */
long vote_majority(struct arena *a, const struct vote *v, size_t k, long *winner_n, jv **votes);

#endif
