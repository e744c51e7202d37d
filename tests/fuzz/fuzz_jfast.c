/* libFuzzer target for the fast JSON path: whenever json_parse_fast()
 * accepts the bytes, yajl must accept them too and build the same tree,
 * with the same skipped members and the same raw member texts.  The
 * structural index's portable classifier must give the fast path the same
 * answer as the one this processor uses. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jfast.h"
#include "jscan.h"
#include "json.h"
#include "../unit/jtree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const want[] = {"id", "logprobs", NULL};
	struct arena a1 = {0}, a2 = {0};
	struct buf d1 = {0}, d2 = {0};
	char *text = malloc(size + 1);
	int pass;

	memcpy(text, data, size);
	text[size] = '\0';
	for (pass = 0; pass < 2; pass++) {
		const char *const *w = pass ? want : NULL;
		jv *fast = json_parse_fast(&a1, text, size, w), *slow;

		json_fast_off = 1;
		slow = json_parse(&a2, text, size, w, NULL, 0);
		json_fast_off = 0;
		if (fast != NULL && !compact_ok(fast))
			abort();	/* a member marked compact is not */
		if (w != NULL) {
			struct arena a3 = {0};
			jv *port;

			jindex_path = 2;
			port = json_parse_fast(&a3, text, size, w);
			jindex_path = 0;
			buf_reset(&d1);
			buf_reset(&d2);
			if (fast != NULL)
				describe(&d1, fast, 1);
			if (port != NULL)
				describe(&d2, port, 1);
			if ((fast == NULL) != (port == NULL) || d1.len != d2.len ||
			    memcmp(d1.s, d2.s, d1.len) != 0)
				abort();	/* the classifiers disagree */
			arena_free(&a3);
		}
		if (fast != NULL) {
			if (slow == NULL)
				abort();	/* the fast path took what yajl rejects */
			buf_reset(&d1);
			buf_reset(&d2);
			describe(&d1, fast, 1);
			describe(&d2, slow, 1);
			if (d1.len != d2.len || memcmp(d1.s, d2.s, d1.len) != 0)
				abort();	/* different trees */
		}
		arena_reset(&a1);
		arena_reset(&a2);
	}
	arena_free(&a1);
	arena_free(&a2);
	buf_free(&d1);
	buf_free(&d2);
	free(text);
	return 0;
}
