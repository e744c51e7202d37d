/* jsonecho - test driver for the record library: reads JSON Lines and
 * writes each record back through the parser and writer.  With -k KEYS
 * (comma-separated) only those members get trees; with -s KEY=NUMBER it
 * sets a member to a computed double; -d reads one double per line as
 * 16 hex digits of its bits and prints fmt_double() of it; -y parses with
 * yajl alone (no fast path). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "jfast.h"
#include "jsonl.h"

static int doubles(void)
{
	struct lines l;
	char out[32];
	int r;

	lines_open(&l, "-");
	while ((r = lines_next(&l)) > 0) {
		uint64_t bits = strtoull(l.buf, NULL, 16);
		double d;

		memcpy(&d, &bits, sizeof(d));
		fmt_double(d, out);
		printf("%s\n", out);
	}
	lines_close(&l);
	return finish();
}

int main(int argc, char **argv)
{
	const char *want[64] = {NULL};
	const char *setkey = NULL;
	double setval = 0;
	char *keys = NULL, *tok, *save;
	struct jsonl_in in;
	int c, n = 0, lenient = 0, r;
	jv *rec;

	diag_init(argv[0]);
	while ((c = getopt(argc, argv, "dk:ls:y")) != -1) {
		switch (c) {
		case 'd':
			return doubles();
		case 'k':
			keys = optarg;
			break;
		case 'l':
			lenient = 1;
			break;
		case 's':
			setkey = optarg;
			break;
		case 'y':
			json_fast_off = 1;
			break;
		default:
			return 2;
		}
	}
	if (keys) {
		for (tok = strtok_r(keys, ",", &save); tok && n < 63; tok = strtok_r(NULL, ",", &save))
			want[n++] = tok;
	}
	if (setkey) {
		char *eq = strchr(setkey, '=');

		if (eq == NULL)
			return 2;
		*eq = '\0';
		setval = strtod(eq + 1, NULL);
	}
	if (jsonl_open(&in, optind < argc ? argv[optind] : "-", keys ? want : NULL, lenient) < 0)
		return finish();
	while ((r = jsonl_next(&in, &rec)) > 0) {
		if (setkey)
			jv_set(&in.a, rec, setkey, jv_num(&in.a, setval));
		jsonl_write(rec, in.l.name, in.l.lineno);
	}
	jsonl_close(&in);
	return finish();
}
