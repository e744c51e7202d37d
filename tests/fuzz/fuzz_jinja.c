/* libFuzzer target for the Jinja renderer (src/lib/jinja.c): any bytes as a
 * template, parsed and, when they parse, rendered against a fixed context.
 * Every error must be one line naming the template; a failed render must
 * leave the output buffer exactly as it was; a render must be repeatable
 * byte for byte (the parsed template is never changed by rendering). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jinja.h"

static const char ctx_text[] =
	"{\"instance\":{\"title\":\"Crash \\u2028 on {{ save }}\",\"description\":\"d\\u00e9j\\u00e0 vu\","
	"\"story_points\":5.0,\"n\":3,\"none\":null,\"flag\":true,\"big\":123456789012345678901234},"
	"\"examples\":[{\"title\":\"t1\",\"priority\":\"Blocker\",\"story_points\":2.0},"
	"{\"title\":\"t2\",\"priority\":\"Minor\",\"story_points\":13}],"
	"\"labels\":[\"Critical\",\"Major\",\"Minor\",\"Trivial\"],\"scenario\":\"triage_jira\"}";

/* Loops multiply: more than a few nested ones only time out. */
static int too_many_loops(const uint8_t *d, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i + 3 <= n; i++)
		if (memcmp(d + i, "for", 3) == 0 && ++c > 3)
			return 1;
	return 0;
}

static void check_err(const char *err)
{
	if (strncmp(err, "fz.jinja:", 9) != 0 || strchr(err, '\n') != NULL)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena a;
	static jv *ctx;
	struct buf out = {0}, again = {0};
	char err[256];
	struct jinja *t;
	int r1, r2;

	if (ctx == NULL && (ctx = json_parse(&a, ctx_text, sizeof(ctx_text) - 1, NULL, NULL, 0)) == NULL)
		abort();
	t = jinja_parse("fz.jinja", (const char *)data, size, err, sizeof(err));
	if (t == NULL) {
		check_err(err);
		return 0;
	}
	if (strcmp(jinja_name(t), "fz.jinja") != 0)
		abort();
	(void)jinja_uses(t, "instance");
	if (!too_many_loops(data, size)) {
		buf_adds(&out, "kept");
		r1 = jinja_render(t, ctx, &out, err, sizeof(err));
		if (r1 < 0) {
			check_err(err);
			if (out.len != 4 || memcmp(out.s, "kept", 5) != 0)
				abort();
		}
		buf_adds(&again, "kept");
		r2 = jinja_render(t, ctx, &again, err, sizeof(err));
		if (r1 != r2 || out.len != again.len || memcmp(out.s, again.s, out.len) != 0)
			abort();
	}
	buf_free(&out);
	buf_free(&again);
	jinja_free(t);
	return 0;
}
