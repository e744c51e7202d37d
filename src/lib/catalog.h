/* catalog.h - the model catalog, config/models.json: per model its family,
 * whether it reasons, its request timeout and the hardware profiles it is
 * recommended for (docs/inference.md). */
#ifndef PUMA_CATALOG_H
#define PUMA_CATALOG_H

/* PUMA's timeout for a model it does not list, in seconds. */
#define CATALOG_DEFAULT_TIMEOUT 120.0

/* The request timeout for model, in seconds: its catalog entry's
 * "timeout_s" (the name matched exactly, or NAME as NAME:latest), else the
 * catalog's "default_timeout_s", else CATALOG_DEFAULT_TIMEOUT.  *listed
 * says whether the model has an entry.  A catalog that cannot be read or
 * holds a bad value is reported (warn_msg) and the default used. */
double catalog_timeout(const char *model, int *listed);

/* Does the model name a server lists stand for want (a tag-less name being
 * NAME:latest, as Ollama reads it)? */
int catalog_same_model(const char *have, const char *want);

#endif
