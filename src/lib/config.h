/* config.h - find and read the JSON files under config/. */
#ifndef PUMA_CONFIG_H
#define PUMA_CONFIG_H

#include "json.h"

/* The config directory: $PUMA_CONFIG_DIR if set; else ../config next to
 * the running program (a build tree), or ../share/puma/config (an
 * installation, even a moved one); else the share directory set at build
 * time (PUMA_DATADIR).  An explicit directory given to
 * config_set_dir() (a --config-dir option) wins over all of them. */
void config_set_dir(const char *dir);

/* Path of a file under the config directory; the caller frees it. */
char *config_path(const char *rel);

/* Read a whole file (any size); returns NULL and sets errno on failure.
 * The caller frees the result; *len gets its length (NUL-ended). */
char *read_file(const char *path, size_t *len);

/* Read and parse a JSON file into a tree in a.  On failure it reports
 * "prog: PATH: why" and returns NULL (the failure is not set: the caller
 * decides how bad that is). */
jv *json_load(struct arena *a, const char *path);

#endif
