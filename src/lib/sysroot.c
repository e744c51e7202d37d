/* sysroot.c - the prefix for system files (see sysroot.h). */
#include "sysroot.h"
#include "xalloc.h"

#include <stdlib.h>

static const char *root;	/* borrowed from argv or the environment */

void sysroot_set(const char *r)
{
	root = r;
}

const char *sysroot(void)
{
	if (root == NULL) {
		root = getenv("PUMA_SYSROOT");
		if (root == NULL)
			root = "";
	}
	return root;
}

char *sysroot_path(const char *abs)
{
	return xasprintf("%s%s", sysroot(), abs);
}
