/* group.h - records grouped by the JSON text of some of their members
 * (--group-by), in a hash table that grows with the groups: puma-metrics
 * and puma-ece find a record's group the same way, in constant time, and
 * puma-sample its --stratify classes. */
#ifndef PUMA_GROUP_H
#define PUMA_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"

/* A table from keys to the caller's values (never freed here). */
struct group_table {
	struct group_slot {
		char *key;	/* owned; NULL: an empty slot */
		size_t len;
		uint64_t h;
		void *val;
	} *slots;
	size_t n, cap;
	struct buf key, text;	/* scratch for group_key() */
};

/* The key of rec: the compact JSON text of each field (absent and null
 * both "null") followed by \x1e, which JSON text escapes.  Valid until
 * the next call; *len gets its length. */
const char *group_key(struct group_table *t, const jv *rec, const char *const *fields,
		      size_t nfields, size_t *len);

/* The value slot for key: *slot is NULL for a key not seen before (it is
 * then added, the key copied), and the caller stores its value there. */
void **group_slot(struct group_table *t, const char *key, size_t len);

/* Free the table and its keys (not the values). */
void group_free(struct group_table *t);

#endif
