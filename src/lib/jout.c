/* jout.c - indented JSON, in Python's json.dumps(indent=N) layout. */
#include "jout.h"

/* A line break and the indentation of the given depth. */
static void newline(struct buf *b, int indent, int level)
{
	int i;

	buf_addc(b, '\n');
	for (i = 0; i < indent * level; i++)
		buf_addc(b, ' ');
}

/* Containers open on the current line, put each item on its own line one
 * level deeper, and close on a line of their own; empty ones stay "[]". */
static size_t pretty(struct buf *b, const jv *v, int indent, int level)
{
	size_t i, bad = 0;

	if (v->t == JARR && v->n > 0) {
		buf_addc(b, '[');
		for (i = 0; i < v->n; i++) {
			if (i)
				buf_addc(b, ',');
			newline(b, indent, level + 1);
			bad += pretty(b, v->u.items[i], indent, level + 1);
		}
		newline(b, indent, level);
		buf_addc(b, ']');
	} else if (v->t == JOBJ && v->n > 0) {
		buf_addc(b, '{');
		for (i = 0; i < v->n; i++) {
			const struct jmember *m = &v->u.mem[i];

			if (i)
				buf_addc(b, ',');
			newline(b, indent, level + 1);
			if (m->raw != NULL) {
				json_write_compact(b, m->raw, m->rawlen);
				continue;
			}
			bad += json_write_str(b, m->key, m->klen);
			buf_add(b, ": ", 2);
			bad += pretty(b, m->val ? m->val : JV_NULL, indent, level + 1);
		}
		newline(b, indent, level);
		buf_addc(b, '}');
	} else {
		bad += json_write(b, v);
	}
	return bad;
}

size_t json_write_pretty(struct buf *b, const jv *v, int indent)
{
	return pretty(b, v, indent, 0);
}
