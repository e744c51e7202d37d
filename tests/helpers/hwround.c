/* hwround - print hw_gib2() and hw_gib1() of each byte count read from
 * stdin (one per line), for tests/detect-round.t to compare with Python's
 * round(). */
#include <stdio.h>
#include <stdlib.h>

#include "diag.h"
#include "hw.h"
#include "json.h"

int main(int argc, char **argv)
{
	char line[64], a[32], b[32];

	(void)argc;
	diag_init(argv[0]);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		long long n = hw_parse_count(line);

		if (n < 0)
			die(EXIT_FAIL, "not a byte count: %s", line);
		fmt_double(hw_gib2(n), a);
		fmt_double(hw_gib1(n), b);
		printf("%s %s\n", a, b);
	}
	return finish();
}
