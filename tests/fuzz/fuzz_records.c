/* libFuzzer target for the record reader: any bytes, parsed as one JSON
 * Lines record with and without a member filter, then written back; what
 * is written must parse again to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const want[] = {"id", "response", NULL};
	struct arena a = {0};
	struct buf b1 = {0}, b2 = {0};
	char err[256];
	char *text = malloc(size + 1);
	int pass;

	memcpy(text, data, size);
	text[size] = '\0';
	for (pass = 0; pass < 2; pass++) {
		jv *v = json_parse(&a, text, size, pass ? want : NULL, err, sizeof(err));

		if (v != NULL) {
			jv *w;

			buf_reset(&b1);
			json_write(&b1, v);
			w = json_parse(&a, b1.s, b1.len, NULL, err, sizeof(err));
			if (w == NULL)
				abort();	/* we wrote something we cannot read */
			buf_reset(&b2);
			json_write(&b2, w);
			if (b1.len != b2.len || memcmp(b1.s, b2.s, b1.len) != 0)
				abort();	/* writing is not stable */
		}
		arena_reset(&a);
	}
	arena_free(&a);
	buf_free(&b1);
	buf_free(&b2);
	free(text);
	return 0;
}
