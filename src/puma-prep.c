/* puma-prep - convert a CSV file of issues into instance records (JSON
 * Lines), one per data row, in file order.  See puma-prep(1). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "instance.h"
#include "json.h"
#include "opt.h"
#include "outfile.h"

#define CHUNK (256 * 1024)

static const char usage_text[] =
	"Usage: puma-prep [-s SCENARIO] [--project NAME] [--rejects FILE] [--replace-invalid] [FILE]\n"
	"Convert a CSV file of issues (FILE, or standard input) into instance records,\n"
	"one JSON object per line on standard output.\n"
	"\n"
	"  -s, --scenario NAME    triage_jira or estimation_tawos (default: from the header)\n"
	"      --project NAME     project for rows without a project column\n"
	"                         (default: KEY of a file named KEY_deep-se.csv)\n"
	"      --rejects FILE     write rejected rows to FILE as JSON Lines, not to stderr\n"
	"      --replace-invalid  write invalid UTF-8 as U+FFFD (and say so) instead of failing\n"
	"  -h, --help             show this help\n"
	"      --version          show the version\n"
	"\n"
	"Layouts: issue_key,title,description,priority; issuekey,created,title,description,\n"
	"storypoint; project,title,description,story_points.  Estimation rows whose story\n"
	"points are not a number > 0 are rejected: reported with their line and counted.\n"
	"Exit status: 0 success, 1 bad input or I/O failure, 2 usage error.\n";

/* Where rejected rows go: stderr lines, or a JSON Lines file written under
 * a temporary name and renamed once the input is converted. */
struct sink {
	const char *name;	/* the input, for messages */
	const char *rejects;	/* the reject file asked for, or NULL */
	struct outfile rj;	/* its temporary file; rj.fp NULL without one */
	int out_failed;
};

/* The converter's output: a record to stdout, stopping at a write error. */
static int emit(void *ctx, const char *rec, size_t len)
{
	struct sink *k = ctx;

	if (fwrite(rec, 1, len, stdout) != len) {
		k->out_failed = 1;
		return -1;
	}
	return 0;
}

/* A rejected row: a message on stderr, or a record in the reject file. */
static int reject(void *ctx, const struct inst_reject *r)
{
	struct sink *k = ctx;

	if (k->rj.fp == NULL) {
		warn_at(k->name, r->line, "row %ld (%.*s): %s; not emitted", r->row,
			(int)r->idlen, r->id, r->why);
		return 0;
	}
	if (fwrite(r->rec, 1, r->reclen, k->rj.fp) != r->reclen) {
		warn_msg("%s: write error: %s", k->rejects, strerror(errno));
		return -1;
	}
	return 0;
}

static void note(void *ctx, long line, const char *msg)
{
	struct sink *k = ctx;

	warn_at(k->name, line, "%s", msg);
}

/* Open the reject file's temporary twin: it becomes the reject file only
 * when the conversion succeeds. */
static void open_rejects(struct sink *k)
{
	if (outfile_open(&k->rj, k->rejects) != 0)
		die(EXIT_FAIL, "%s: cannot create: %s", k->rejects, strerror(errno));
}

/* Keep the reject file only when the conversion succeeded. */
static void close_rejects(struct sink *k, int ok)
{
	if (k->rj.fp == NULL)
		return;
	if (!ok) {
		outfile_abort(&k->rj);
	} else if (outfile_commit(&k->rj) != 0) {
		warn_msg("%s: write error: %s", k->rejects, strerror(errno));
		fail();
	}
}

/* Feed the whole input to the converter; returns 0 when every row was
 * emitted or rejected. */
static int convert(struct prep *p, FILE *fp, const char *name)
{
	char *chunk = xmalloc(CHUNK);
	size_t n;
	int r = 0;

	while (r == 0 && (n = fread(chunk, 1, CHUNK, fp)) > 0)
		r = prep_feed(p, chunk, n);
	free(chunk);
	if (r == 0 && ferror(fp)) {
		fail_at(name, 0, "read error: %s", strerror(errno));
		return -1;
	}
	if (r == 0)
		r = prep_end(p);
	if (r < 0) {
		long line;
		const char *msg = prep_error(p, &line);

		if (msg != NULL)
			fail_at(name, line, "%s", msg);
		else
			fail();
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	enum { OPT_REPLACE = 256, OPT_PROJECT, OPT_REJECTS };
	static const struct option longopts[] = {
		{.name = "project", .has_arg = required_argument, .val = OPT_PROJECT},
		{.name = "rejects", .has_arg = required_argument, .val = OPT_REJECTS},
		{.name = "replace-invalid", .has_arg = no_argument, .val = OPT_REPLACE},
		OPTION_SCENARIO,
		OPTION_HELP_VERSION,
		{0},
	};
	struct prep_opts o = {0};
	struct sink k = {0};
	struct prep p;
	const char *path = NULL;
	FILE *fp = stdin;
	int c, r;

	diag_init(argv[0]);
	while ((c = opt_next(argc, argv, "hs:", longopts, NULL, usage_text)) != -1) {
		switch (c) {
		case OPT_PROJECT:
			if (*optarg == '\0' || !utf8_valid(optarg, strlen(optarg), NULL))
				usage_error("--project needs a non-empty UTF-8 name");
			o.project = optarg;
			break;
		case OPT_REJECTS:
			k.rejects = optarg;
			break;
		case OPT_REPLACE:
			o.replace_invalid = 1;
			break;
		case 's':
			if (inst_scenario_parse(optarg, &o.scenario) < 0)
				usage_error("unknown scenario '%s' (triage_jira or estimation_tawos)", optarg);
			break;
		}
	}
	if (argc - optind > 1)
		usage_error("one input file at most (give files one at a time)");
	if (optind < argc && strcmp(argv[optind], "-") != 0)
		path = argv[optind];

	if (path != NULL && (fp = fopen(path, "r")) == NULL)
		die(EXIT_FAIL, "%s: cannot open: %s", path, strerror(errno));
	k.name = path != NULL ? path : "<stdin>";
	if (k.rejects != NULL)
		open_rejects(&k);
	o.name = path;
	o.emit = emit;
	o.reject = reject;
	o.note = note;
	o.ctx = &k;
	prep_init(&p, &o);

	r = convert(&p, fp, k.name);
	close_rejects(&k, r == 0);
	if (fp != stdin)
		fclose(fp);
	/* The counts, unless the output already failed (finish() says so). */
	if (r == 0 && fflush(stdout) == 0 && !ferror(stdout)) {
		char extra[160] = "";

		if (k.rejects != NULL && p.rejected > 0)
			snprintf(extra, sizeof(extra), " (in %s)", k.rejects);
		if (p.replaced > 0)
			snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
				 "; %ld field%s with invalid UTF-8 replaced", p.replaced,
				 p.replaced == 1 ? "" : "s");
		warn_msg("%s: %ld rows, %ld emitted, %ld rejected%s", k.name, p.rows, p.emitted,
		      p.rejected, extra);
	}
	prep_free(&p);
	return finish();
}
