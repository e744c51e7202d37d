/* jtree.h - for the tests that hold the fast JSON path against yajl (the
 * unit test jfast_diff and the fuzz target fuzz_jfast): a description of
 * a parsed tree that shows everything two parsers could disagree on, and
 * the check of the members the fast path marks compact.  Header-only:
 * each test is one program. */
#ifndef PUMA_TEST_JTREE_H
#define PUMA_TEST_JTREE_H

#include <string.h>

#include "json.h"
#include "xalloc.h"

/* A full description of a tree: values, skipped members, raw texts. */
static void describe(struct buf *b, const jv *v, int top)
{
	size_t i;

	if (v == NULL) {
		buf_adds(b, "<skipped>");
		return;
	}
	switch (v->t) {
	case JNULL: buf_adds(b, "null"); break;
	case JTRUE: buf_adds(b, "true"); break;
	case JFALSE: buf_adds(b, "false"); break;
	case JNUM: buf_printf(b, "num(%.*s=%a)", (int)v->n, v->raw, v->d); break;
	case JSTR:
		buf_printf(b, "str(%zu:", v->n);
		buf_add(b, v->u.s, v->n);
		buf_adds(b, ")");
		if (v->u.s[v->n] != '\0')
			buf_adds(b, "<not NUL-ended>");
		break;
	case JARR:
		buf_addc(b, '[');
		for (i = 0; i < v->n; i++) {
			describe(b, v->u.items[i], 0);
			buf_addc(b, ',');
		}
		buf_addc(b, ']');
		break;
	case JOBJ:
		buf_addc(b, '{');
		for (i = 0; i < v->n; i++) {
			const struct jmember *m = &v->u.mem[i];

			buf_printf(b, "key(%zu:", m->klen);
			buf_add(b, m->key, m->klen);
			buf_adds(b, ")=");
			describe(b, m->val, 0);
			if (top && m->raw) {
				buf_adds(b, " raw(");
				buf_add(b, m->raw, m->rawlen);
				buf_adds(b, ")");
			} else if (top) {
				buf_adds(b, " noraw");
			}
			buf_addc(b, ',');
		}
		buf_addc(b, '}');
		break;
	}
}

/* A member marked compact must read the same after compaction. */
static int compact_ok(const jv *v)
{
	struct buf c = {0};
	size_t i;
	int ok = 1;

	if (v == NULL || v->t != JOBJ)
		return 1;
	for (i = 0; i < v->n && ok; i++) {
		const struct jmember *m = &v->u.mem[i];

		if (m->raw == NULL || !m->compact)
			continue;
		buf_reset(&c);
		json_write_compact(&c, m->raw, m->rawlen);
		ok = c.len == m->rawlen && memcmp(c.s, m->raw, m->rawlen) == 0;
	}
	buf_free(&c);
	return ok;
}

#endif
