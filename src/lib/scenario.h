/* scenario.h - scenarios and label sets as data, one JSON file each under
 * config/scenarios (NAME.json).
 *
 *   {"scenario": "triage_jira", "task": "classification",
 *    "labels": ["Critical", ...],
 *    "spellings": {"Critical": ["Critical", "critical", "CRITICAL", "C", "c"], ...}}
 *   {"scenario": "estimation_tawos", "task": "regression",
 *    "scale": [1, 2, 3, 5, 8, 13, 21], "snap_within": 1,
 *    "bins": [{"name": "1-3", "lo": 1, "hi": 3}, ..., {"name": "34+", "lo": 34, "hi": null}]}
 *
 * A label without "spellings" gets PUMA's five: the label, its lower and
 * upper case, its first character and that character in lower case.
 * Loaded scenarios are cached for the life of the program and owned here.
 */
#ifndef PUMA_SCENARIO_H
#define PUMA_SCENARIO_H

#include "parse.h"

enum task { TASK_CLASSIFICATION, TASK_REGRESSION };

/* A bin of gold values [lo, hi] (hi may be infinity). */
struct vbin {
	char *name;
	double lo, hi;
};

/* A scenario's config, loaded once and owned by the cache of scenarios
 * (scenario_free_all()). */
struct scenario {
	char *name;		/* the config file's name, without .json */
	enum task task;
	struct labelset labels;	/* classification */
	struct scale scale;	/* regression */
	struct vbin *bins;	/* regression: mae_by_bin */
	size_t nbins;
};

/* The scenario NAME (config/scenarios/NAME.json), or a path to such a file
 * (containing '/' or ending in ".json").  Loaded once and cached; NULL
 * (reported as "prog: PATH: why") when it cannot be read or is invalid. */
struct scenario *scenario_get(const char *name);

/* Is s a scenario name a record may carry: [a-z0-9_]+, at most 64 bytes?
 * Only such a name is looked up, inside the config directory; a record
 * never names a path.  The message for one that is not: */
int scenario_name_ok(const char *s);
#define SCENARIO_NAME_BAD "\"scenario\" is not a scenario name (lower-case letters, digits and '_')"

/* A label set from a --labels argument: a comma-separated list of labels
 * (spaces around each trimmed, PUMA's default spellings), or the name or
 * path of a classification config.  Returns NULL with *why set. */
struct labelset *labels_from_arg(const char *arg, const char **why);

/* Index of label (exact bytes) in ls, or -1. */
int label_index(const struct labelset *ls, const char *s, size_t len);

/* Free every cached scenario and label set. */
void scenario_free_all(void);

#endif
