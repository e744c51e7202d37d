/* parse.h - turning a model's answer into a label or story points, and the
 * first token's logprobs into a confidence (PUMA's rules; see puma-parse(1)
 * and docs/metrics.md).
 *
 * The functions here work on bytes with explicit lengths (text may hold
 * NUL), allocate only scratch space they free (very long numbers, very
 * many candidates), and keep no state: the fuzzer and other tools call
 * them directly.
 * Letters, digits and case are ASCII: a non-ASCII character is never a
 * word character and matches only itself.
 */
#ifndef PUMA_PARSE_H
#define PUMA_PARSE_H

#include <stddef.h>

/* A label set: each label in its configured spelling, and the token
 * spellings whose probabilities add up to that label's confidence. */
struct labelset {
	size_t n;
	char **label;		/* n labels, NUL-ended */
	size_t *len;
	char ***spell;		/* spell[i]: nspell[i] spellings of label i */
	size_t **spell_len;
	size_t *nspell;
};

/* A story-point scale: values in order, and how far a number may be from
 * the nearest of them and still snap to it. */
struct scale {
	double *v;
	size_t n;
	double within;
};

/* Remove reasoning: each closed <think>...</think> (shortest, across
 * newlines, ASCII case-insensitive), then everything from a remaining
 * <think>, then every stray </think>; each step one left-to-right pass,
 * as Python's re.sub makes it.  out needs len + 1 bytes; returns the new
 * length (out is NUL-ended). */
size_t strip_think(const char *s, size_t len, char *out);

/* The leftmost whole-word, case-insensitive occurrence of any label (at a
 * position where several labels match, the first in list order wins).
 * Returns the label's index, or -1 when none occurs. */
int parse_label(const struct labelset *ls, const char *s, size_t len);

/* The leftmost number "digits [. [digits]]", snapped to the scale: kept
 * when it is on the scale, else the nearest scale value (ties to the
 * earlier one) when within sc->within, else kept as it is.  Returns 1 with
 * *out set, 0 when there is no number or it does not fit a double. */
int parse_points(const struct scale *sc, const char *s, size_t len, double *out);

/* How the confidence is computed; see puma-parse(1). */
enum conf_mode {
	CONF_PUMA,		/* PUMA's arithmetic, defects included */
	CONF_FIXED,		/* unknown when the first token is no label;
				 * a spelling of two labels counts for none */
	CONF_OFF
};

/* One candidate for the first generated token: the token itself first,
 * then its top_logprobs, in the order the record gives them. */
struct cand {
	const char *tok;
	size_t len;
	double lp;
};

struct arena;
struct jv;

/* The candidates of the first generated token from the text of a record's
 * "logprobs" member ("logprobs": [{"token": string, "logprob": number,
 * "top_logprobs": [...]}, ...]) as json_parse() kept it, already checked as
 * JSON.  Only the first entry matters and the array can be long: that
 * entry is read in place, without a tree.  Strings and the array live in
 * a (or point into text).  Returns the count (0 for null or an empty
 * array) or -1 when the first entry is malformed. */
long logprob_candidates(struct arena *a, const char *text, size_t len, struct cand **out);

/* The "token" of every entry of a "logprobs" member text (as for
 * logprob_candidates()), read in place: (*out)[i] holds entry i's token
 * (its logprob is not read), (*at)[i] where the entry's text starts, for
 * logprob_entry_candidates().  Returns the count (0 for null or an empty
 * array), -1 when an entry is no object with a "token" string, -2 when
 * only a tree can read a token (a \u escape of a surrogate). */
long logprob_tokens(struct arena *a, const char *text, size_t len, struct cand **out,
		    const char ***at);

/* The candidates of the entry whose text starts at entry (up to end), as
 * entry_candidates() gives them from its tree: the count, or -1 when it is
 * malformed. */
long logprob_entry_candidates(struct arena *a, const char *entry, const char *end,
			      struct cand **out);

/* The candidates of one entry's tree {"token": ..., "logprob": ...,
 * "top_logprobs": [...]}: the count, or -1 when it is malformed. */
long entry_candidates(struct arena *a, const struct jv *e, struct cand **out);

/* The probability of label pred (an index) from the first token's
 * candidates c[0..nc-1] (c[0] the generated token).  Returns 1 with *out
 * set, 0 when it is unknown (no candidates; in fixed mode also a first
 * token that is no unambiguous spelling, or no probability mass). */
int label_confidence(const struct labelset *ls, enum conf_mode mode,
		     const struct cand *c, size_t nc, int pred, double *out);

/* Is the byte an ASCII letter, digit or underscore? */
int is_word_byte(unsigned char c);

#endif
