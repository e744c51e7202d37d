/* prepfeed - test driver for CSV ingestion: converts FILE as puma-prep
 * does, but feeds it to the converter STEP bytes at a time, and writes the
 * records and rejected rows in order, then the error (if any) and the
 * counts.  The result must not depend on STEP. */
#include <stdio.h>
#include <stdlib.h>

#include "diag.h"
#include "instance.h"

static int emit(void *ctx, const char *rec, size_t len)
{
	(void)ctx;
	fwrite(rec, 1, len, stdout);
	return 0;
}

static int reject(void *ctx, const struct inst_reject *r)
{
	(void)ctx;
	printf("rejected line %ld row %ld: ", r->line, r->row);
	fwrite(r->rec, 1, r->reclen, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct prep_opts o = {0};
	struct prep p;
	FILE *fp;
	char *chunk;
	size_t step, n;
	long line;
	int r = 0;
	const char *msg;

	diag_init(argv[0]);
	if (argc != 3 || (step = strtoul(argv[1], NULL, 10)) == 0)
		die(EXIT_USAGE, "usage: prepfeed STEP FILE");
	if ((fp = fopen(argv[2], "rb")) == NULL)
		die(EXIT_FAIL, "%s: cannot open", argv[2]);
	o.name = argv[2];
	o.emit = emit;
	o.reject = reject;
	prep_init(&p, &o);
	chunk = xmalloc(step);
	while (r == 0 && (n = fread(chunk, 1, step, fp)) > 0)
		r = prep_feed(&p, chunk, n);
	if (r == 0)
		r = prep_end(&p);
	if (r < 0) {
		msg = prep_error(&p, &line);
		printf("error at line %ld: %s\n", line, msg ? msg : "(none)");
	}
	printf("%ld rows, %ld emitted, %ld rejected\n", p.rows, p.emitted, p.rejected);
	free(chunk);
	fclose(fp);
	prep_free(&p);
	return finish();
}
