/* perturb.h - PUMA's eight text perturbations, exactly as PUMA's Python
 * makes them (random draws included; see pyrandom.h), on UTF-8 text.
 * puma-perturb(1) describes each one. */
#ifndef PUMA_PERTURB_H
#define PUMA_PERTURB_H

#include <stddef.h>
#include <stdint.h>

#include "xalloc.h"

enum perturbation {
	PERT_TYPOS,		/* typos_5pct */
	PERT_UPPER,		/* case_upper */
	PERT_LOWER,		/* case_lower */
	PERT_TRUNCATE,		/* truncate_50pct */
	PERT_TECH_NOISE,	/* tech_noise */
	PERT_MALE,		/* gender_swap_prefix_male */
	PERT_FEMALE,		/* gender_swap_prefix_female */
	PERT_INFORMAL,		/* register_shift_informal */
	PERT_COUNT
};

/* The names, in PUMA's order (the order of -p all). */
extern const char *const perturb_names[PERT_COUNT];

/* The perturbation named by s[0..len-1], or -1. */
int perturb_find(const char *s, size_t len);

/* Append perturbation p of the valid UTF-8 text s[0..len-1], made with
 * seed (a fresh generator for each call, as PUMA makes one per field), to
 * out. */
void perturb_text(struct buf *out, enum perturbation p, const char *s, size_t len, int64_t seed);


#endif
