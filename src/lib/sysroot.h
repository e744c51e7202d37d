/* sysroot.h - every file read from /proc, /sys or /etc goes through here,
 * so tests can point the tools at a fake tree: $PUMA_SYSROOT, or the
 * directory given to sysroot_set() (a --sysroot option), is put in front
 * of the absolute path. */
#ifndef PUMA_SYSROOT_H
#define PUMA_SYSROOT_H

void sysroot_set(const char *root);
/* The root in use ("" for the real one). */
const char *sysroot(void);
/* abs (starting with '/') under the root; the caller frees it. */
char *sysroot_path(const char *abs);

#endif
