/* profile.h - the hardware profiles of config/profiles.json and the rules
 * that choose one for a machine (docs/HARDWARE.md tells the rules). */
#ifndef PUMA_PROFILE_H
#define PUMA_PROFILE_H

#include "hw.h"
#include "json.h"

/* One hardware profile of profiles.json; strings and trees live in the
 * arena profiles_load() was given. */
struct profile {
	const char *name;
	const char *family;	/* "standard" or "apple" */
	const char *description;
	const char *validation;	/* empirical_validation */
	double min_ram_gb;	/* host memory floor (standard profiles) */
	int gpu_required;
	double min_vram_gb;	/* when gpu_required */
	double min_disk_gb;
	const char *chip;	/* apple: the exact brand string */
	double min_unified_gb;	/* apple */
	int unified_confirmed;	/* apple: the minimum is checked against Apple's specs */
	const jv *requirements, *scenarios, *models;	/* as written in the file */
};

/* All the profiles and the RAM floor. */
struct profiles {
	struct profile *v;	/* malloc'd; strings and trees live in the caller's arena */
	size_t n;
	double min_ram_gb;	/* below this the machine is insufficient */
};

/* Load and check path.  On a problem it says "prog: path: what" and
 * returns -1 (ps is then empty). */
int profiles_load(struct arena *a, const char *path, struct profiles *ps);
void profiles_free(struct profiles *ps);
const struct profile *profiles_find(const struct profiles *ps, const char *name);
/* "cpu-lite, cpu-standard, ..." (the caller frees). */
char *profiles_names(const struct profiles *ps);

enum pick_status {
	PICK_CHOSEN,		/* p is set */
	PICK_INSUFFICIENT,	/* RAM below the floor */
	PICK_UNKNOWN,		/* RAM unknown: nothing to choose by */
};

/* The choice and why (profiles borrowed from the struct profiles). */
struct pick {
	enum pick_status status;
	const struct profile *p;
	const char *by;		/* "override", "apple", "gpu", "ram" (NULL if none) */
	char reason[320];	/* one sentence: why this profile (or none) */
	const struct profile *apple;	/* the Apple profile the chip names, if any */
};

/* Choose a profile for h in the order of PUMA: override, Apple chip,
 * insufficient RAM, GPU VRAM, RAM.  Problems found on the way (an
 * unknown Apple chip, a requirement the chosen profile sets that the
 * machine misses) are added to h. */
void profile_pick(const struct profiles *ps, struct hw *h, const char *override, struct pick *r);

#endif
