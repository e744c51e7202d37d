/* instance.h - instance records (docs/records.md) from a CSV file of
 * issues: the layout is found from the header, each data row becomes one
 * JSON record, and rows that cannot be scored are rejected with a reason.
 *
 * The caller feeds bytes and receives finished records through callbacks,
 * so the same code serves puma-prep and the CSV fuzz target.  Nothing here
 * prints or exits: errors come back as a message and a line.
 */
#ifndef PUMA_INSTANCE_H
#define PUMA_INSTANCE_H

#include <stddef.h>
#include <stdint.h>

#include "csvin.h"
#include "xalloc.h"

enum inst_scenario { INST_ANY, INST_TRIAGE, INST_ESTIMATION };

/* Parse a scenario name; returns -1 if it is neither. */
int inst_scenario_parse(const char *s, enum inst_scenario *out);

/* A row that is not emitted: where it is, why, and the record it would
 * have been (gold as the CSV text, plus "line" and "error"), one line of
 * JSON with its newline. */
struct inst_reject {
	long line, row;
	const char *id;
	size_t idlen;
	const char *why;
	const char *rec;
	size_t reclen;
};

/* What the converter is told, and where its output goes (borrowed). */
struct prep_opts {
	const char *name;	/* the input's name: messages, project from file name */
	enum inst_scenario scenario;	/* INST_ANY: from the header */
	const char *project;	/* project for rows without a project column */
	int replace_invalid;	/* write U+FFFD for invalid UTF-8 instead of failing */
	/* One record, a JSON line with its newline; return -1 to stop. */
	int (*emit)(void *ctx, const char *rec, size_t len);
	/* A rejected row; return -1 to stop. */
	int (*reject)(void *ctx, const struct inst_reject *r);
	/* A warning that does not stop (invalid UTF-8 replaced). */
	void (*note)(void *ctx, long line, const char *msg);
	void *ctx;
};

enum inst_role { R_KEY, R_PROJECT, R_CREATED, R_TITLE, R_DESC, R_PRIORITY, R_POINTS, R_NROLES };

/* The converter owns its reader and buffers; free with prep_free(). */
struct prep {
	struct prep_opts o;
	enum inst_scenario scenario;	/* chosen once the header is read */
	long rows, emitted, rejected, replaced;

	/* Private. */
	struct csvin in;
	int col[R_NROLES];	/* column of each role, -1 when absent */
	int rank[R_NROLES];
	char *colname[R_NROLES];	/* the header's spelling, for messages */
	size_t ncols;
	char *project;		/* fallback project: option, else file name */
	struct buf rec, tmp;
	int stopped_by_caller;
	/* Emitted ids as 64-bit hashes (0: empty slot) with the line of
	 * their row: 12 bytes an id, so memory stays small on big files. */
	uint64_t *idh;
	uint32_t *idline;
	size_t nids, capids;
};

void prep_init(struct prep *p, const struct prep_opts *o);
/* Feed bytes; returns 0, or -1 once conversion has stopped. */
int prep_feed(struct prep *p, const void *data, size_t n);
/* End of input; returns 0 when every row was emitted or rejected. */
int prep_end(struct prep *p);
/* After -1: the message and its line (0: the file as a whole); NULL when
 * a callback stopped the conversion and has said why itself. */
const char *prep_error(const struct prep *p, long *line);
void prep_free(struct prep *p);


#endif
