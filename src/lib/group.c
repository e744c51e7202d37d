/* group.c - the --group-by table (see group.h). */
#include "group.h"
#include "hash.h"

#include <stdlib.h>
#include <string.h>

const char *group_key(struct group_table *t, const jv *rec, const char *const *fields,
		      size_t nfields, size_t *len)
{
	size_t i;

	buf_reset(&t->key);
	buf_add(&t->key, "", 0);
	for (i = 0; i < nfields; i++) {
		const jv *v = jv_get(rec, fields[i]);

		buf_reset(&t->text);
		json_write(&t->text, v ? v : JV_NULL);
		buf_add(&t->key, t->text.s, t->text.len);
		buf_addc(&t->key, '\x1e');
	}
	*len = t->key.len;
	return t->key.s;
}

/* Open addressing with linear probing, doubled at half full. */
static void grow(struct group_table *t)
{
	size_t ncap = t->cap ? t->cap * 2 : 64, i, j;
	struct group_slot *ns = xcalloc(ncap, sizeof(*ns));

	for (i = 0; i < t->cap; i++) {
		if (t->slots[i].key == NULL)
			continue;
		for (j = t->slots[i].h & (ncap - 1); ns[j].key != NULL; j = (j + 1) & (ncap - 1))
			;
		ns[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = ns;
	t->cap = ncap;
}

void **group_slot(struct group_table *t, const char *key, size_t len)
{
	uint64_t h = fnv1a(key, len);
	size_t i;

	if (2 * (t->n + 1) > t->cap)
		grow(t);
	for (i = h & (t->cap - 1); t->slots[i].key != NULL; i = (i + 1) & (t->cap - 1))
		if (t->slots[i].h == h && t->slots[i].len == len &&
		    memcmp(t->slots[i].key, key, len) == 0)
			return &t->slots[i].val;
	t->slots[i].key = xmalloc(len + 1);
	memcpy(t->slots[i].key, key, len);
	t->slots[i].key[len] = '\0';
	t->slots[i].len = len;
	t->slots[i].h = h;
	t->slots[i].val = NULL;
	t->n++;
	return &t->slots[i].val;
}

void group_free(struct group_table *t)
{
	size_t i;

	for (i = 0; i < t->cap; i++)
		free(t->slots[i].key);
	free(t->slots);
	buf_free(&t->key);
	buf_free(&t->text);
	memset(t, 0, sizeof(*t));
}
