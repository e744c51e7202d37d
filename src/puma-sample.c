/* puma-sample - pick N records exactly as pandas DataFrame.sample(n=N,
 * random_state=SEED) picks rows, or as PUMA's stratified triage sampler
 * does.  See puma-sample(1).
 *
 * Three passes over the input, which is a file (standard input from a pipe
 * is first copied to an unlinked temporary file): read and check every
 * record, keeping its line number (and class); choose; find the chosen
 * lines' offsets; write them in the chosen order.  Memory: about 16 bytes
 * per record and 24 per chosen one (about 40 per record with --stratify),
 * plus the distinct classes, whatever the size of the records.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "group.h"
#include "jsonl.h"
#include "mt.h"

static const char usage_text[] =
	"Usage: puma-sample -n N [--seed S] [--stratify FIELD] [-l] [FILE]\n"
	"Select N records of FILE (or standard input), as pandas\n"
	"DataFrame.sample(n=N, random_state=S) selects rows, in its order.\n"
	"\n"
	"  -n, --count N        how many records (N >= the count keeps all, in input order)\n"
	"  -s, --seed S         the random state, 0 to 4294967295 (default 42)\n"
	"      --stratify FIELD PUMA's per-class sampling on the string or number FIELD\n"
	"  -l, --lenient        skip (and count) bad lines instead of stopping\n"
	"  -h, --help           show this help\n"
	"      --version        show the version\n"
	"\n"
	"Exit status: 0 success, 1 bad input or I/O failure, 2 usage error.\n";

/* The distinct values of the stratify field, each with its class id: a
 * string's bytes or a number's double, found through the group table.
 * All owned here. */
struct classes {
	int kind;		/* 0 none yet, JSTR or JNUM */
	struct buf pool;	/* string bytes */
	struct cls {
		size_t off, len;	/* strings: bytes in pool */
		double d;		/* numbers */
	} *c;
	size_t n, cap;
	struct group_table t;	/* the value's bytes -> class id + 1 */
};

/* The class id of v (a string or number of the same kind as the others).
 * Strings are told apart by their bytes, numbers by value. */
static uint32_t intern(struct classes *cs, const jv *v)
{
	double d = v->t == JNUM ? v->d : 0;
	size_t len = 0;
	const char *s = jv_string(v, &len);
	void **slot;
	struct cls *c;

	if (d == 0)
		d = 0.0;	/* -0 and 0 are one value */
	slot = s != NULL ? group_slot(&cs->t, s, len) : group_slot(&cs->t, (const char *)&d, sizeof(d));
	if (*slot != NULL)
		return (uint32_t)((uintptr_t)*slot - 1);
	cs->c = xgrow(cs->c, &cs->cap, cs->n + 1, sizeof(*cs->c));
	c = &cs->c[cs->n];
	c->d = d;
	c->off = cs->pool.len;
	c->len = len;
	if (s != NULL)
		buf_add(&cs->pool, s, len);
	*slot = (void *)(uintptr_t)(cs->n + 1);
	return (uint32_t)cs->n++;
}

static void classes_free(struct classes *cs)
{
	buf_free(&cs->pool);
	free(cs->c);
	group_free(&cs->t);
}

/* What pass one keeps. */
struct input {
	struct jsonl_in in;
	off_t start;		/* where the input began (standard input may not be at 0) */
	long *line;		/* each record's line number */
	uint32_t *cls;		/* each record's class (--stratify) */
	size_t n, cap, ccap;
	struct classes cs;
};

/* A pipe cannot be read twice: copy it to an unlinked temporary file and
 * read that instead (line numbers stay those of the input). */
static void spool(struct jsonl_in *in)
{
	FILE *src = in->l.fp;
	const char *dir = getenv("TMPDIR");
	char *path, *chunk;
	FILE *fp;
	size_t n;
	int fd;

	path = xasprintf("%s/puma-sample.XXXXXX", dir != NULL && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		die(EXIT_FAIL, "cannot create a temporary file %s: %s (set TMPDIR)", path,
		    strerror(errno));
	unlink(path);
	fp = fdopen(fd, "w+");
	if (fp == NULL)
		die(EXIT_FAIL, "cannot open a temporary file: %s", strerror(errno));
	chunk = xmalloc(1 << 16);
	while ((n = fread(chunk, 1, 1 << 16, src)) > 0)
		if (fwrite(chunk, 1, n, fp) != n)
			die(EXIT_FAIL, "cannot copy %s to %s: %s (set TMPDIR)", in->l.name, path,
			    strerror(errno));
	if (ferror(src))
		die(EXIT_FAIL, "%s: read error: %s", in->l.name, strerror(errno));
	if (fflush(fp) != 0 || fseeko(fp, 0, SEEK_SET) != 0)
		die(EXIT_FAIL, "cannot copy %s to %s: %s (set TMPDIR)", in->l.name, path,
		    strerror(errno));
	free(chunk);
	free(path);
	if (in->l.owns_fp)
		fclose(src);
	in->l.fp = fp;
	in->l.owns_fp = 1;
}

/* Pass one: every record is checked (and classified); bad ones stop the
 * run, or are skipped and counted with --lenient. */
static int read_all(struct input *x, const char *path, const char *field, int lenient)
{
	const char *want[2] = {field, NULL};
	struct stat st;
	jv *rec, *v;
	int r;

	if (jsonl_open(&x->in, path, want, lenient) < 0)
		return -1;
	if (fstat(fileno(x->in.l.fp), &st) != 0 || !S_ISREG(st.st_mode) ||
	    (x->start = ftello(x->in.l.fp)) < 0) {
		spool(&x->in);
		x->start = 0;
	}
	while ((r = jsonl_next(&x->in, &rec)) > 0) {
		if (field != NULL) {
			v = jv_get(rec, field);
			if (v == NULL || (v->t != JSTR && v->t != JNUM)) {
				if (jsonl_bad(&x->in, "\"%s\" is %s; --stratify needs a string or a number in every record",
					      field, v == NULL ? "missing" : jv_typename(v)) < 0)
					return -1;
				continue;
			}
			if (x->cs.kind != 0 && (int)v->t != x->cs.kind) {
				if (jsonl_bad(&x->in, "\"%s\" is %s here but %s before; --stratify needs one kind",
					      field, jv_typename(v),
					      x->cs.kind == JSTR ? "a string" : "a number") < 0)
					return -1;
				continue;
			}
			x->cs.kind = (int)v->t;
			x->cls = xgrow(x->cls, &x->ccap, x->n + 1, sizeof(*x->cls));
			x->cls[x->n] = intern(&x->cs, v);
		}
		x->line = xgrow(x->line, &x->cap, x->n + 1, sizeof(*x->line));
		x->line[x->n++] = x->in.l.lineno;
	}
	if (r < 0)
		return -1;
	if (x->n > UINT32_MAX)
		die(EXIT_FAIL, "%s: more than 4294967295 records", x->in.l.name);
	return 0;
}

/* RandomState(seed).permutation(n), as pandas' sample draws it. */
static size_t *permutation(size_t n, uint32_t seed)
{
	size_t *p = xmalloc((n ? n : 1) * sizeof(*p)), i;
	struct mt m;

	for (i = 0; i < n; i++)
		p[i] = i;
	mt_seed(&m, seed);
	mt_shuffle(&m, p, n);
	return p;
}

/* DataFrame.sample(n) over the records at idx[0..cnt-1]: appends the
 * chosen ones to out.  Returns whether the choice was the whole group in
 * its own order (what pandas' groupby().apply() looks at). */
static int sample_of(const size_t *idx, size_t cnt, size_t k, uint32_t seed, size_t *out,
		     size_t *nout)
{
	size_t *p = permutation(cnt, seed), i;
	int identity = k == cnt;

	for (i = 0; i < k; i++) {
		out[(*nout)++] = idx[p[i]];
		if (p[i] != i)
			identity = 0;
	}
	free(p);
	return identity;
}

static const struct classes *sort_cs;

/* Classes in pandas' groupby order: numbers by value, strings by their
 * bytes (sort_cs names the classes, as qsort passes no context). */
static int cmp_class(const void *a, const void *b)
{
	const struct cls *x = &sort_cs->c[*(const uint32_t *)a], *y = &sort_cs->c[*(const uint32_t *)b];
	size_t n;
	int r;

	if (sort_cs->kind == JNUM)
		return (x->d > y->d) - (x->d < y->d);
	n = x->len < y->len ? x->len : y->len;
	r = memcmp(sort_cs->pool.s + x->off, sort_cs->pool.s + y->off, n);
	if (r != 0)
		return r;
	return (x->len > y->len) - (x->len < y->len);
}

/* PUMA's triage sampler: per class (sorted by value) max(1, n // classes)
 * rows, each class sampled with the same seed, concatenated; topped up
 * from the rows not chosen, again with the seed; then the first n.  When
 * every class comes back whole and in order, pandas' groupby().apply()
 * puts the rows back in input order, and so do we. */
static size_t stratified(const struct input *x, size_t n, uint32_t seed, size_t *out)
{
	size_t k = x->cs.n, per, i, j, nout = 0, *members, *start, *fill, nrest = 0;
	uint32_t *order = xmalloc((k ? k : 1) * sizeof(*order));
	unsigned char *taken = xcalloc(x->n, 1);
	int whole = 1;

	/* Members of each class, in input order, by counting sort. */
	start = xcalloc(k + 1, sizeof(*start));
	fill = xcalloc(k + 1, sizeof(*fill));
	members = xmalloc((x->n ? x->n : 1) * sizeof(*members));
	for (i = 0; i < x->n; i++)
		start[x->cls[i] + 1]++;
	for (i = 0; i < k; i++)
		start[i + 1] += start[i];
	for (i = 0; i < x->n; i++)
		members[start[x->cls[i]] + fill[x->cls[i]]++] = i;

	for (i = 0; i < k; i++)
		order[i] = (uint32_t)i;
	sort_cs = &x->cs;
	qsort(order, k, sizeof(*order), cmp_class);
	per = k ? n / k : 0;
	if (per < 1)
		per = 1;
	for (i = 0; i < k; i++) {
		size_t c = order[i], cnt = start[c + 1] - start[c];

		if (!sample_of(members + start[c], cnt, per < cnt ? per : cnt, seed, out, &nout))
			whole = 0;
	}
	if (whole) {
		for (i = 0; i < x->n; i++)
			out[i] = i;
		nout = x->n;
	}
	if (nout < n) {
		for (i = 0; i < nout; i++)
			taken[out[i]] = 1;
		for (i = 0, j = 0; i < x->n; i++)
			if (!taken[i])
				members[j++] = i;
		nrest = j;
		sample_of(members, nrest, n - nout < nrest ? n - nout : nrest, seed, out, &nout);
	}
	free(order);
	free(taken);
	free(start);
	free(fill);
	free(members);
	return nout < n ? nout : n;
}

static int by_value(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

/* Write a line as compact JSON, one record per line. */
static void put_line(struct buf *b, const char *s, size_t len)
{
	buf_reset(b);
	json_write_compact(b, s, len);
	buf_addc(b, '\n');
	fwrite(b->s, 1, b->len, stdout);
}

/* Passes two and three: find the chosen lines' offsets in one sequential
 * read, then write them in the chosen order (directly when that is input
 * order). */
static int write_chosen(struct input *x, const size_t *sel, size_t nsel)
{
	struct lines *l = &x->in.l;
	size_t *sorted = xmalloc((nsel ? nsel : 1) * sizeof(*sorted)), i, j = 0;
	off_t *at = xmalloc((nsel ? nsel : 1) * sizeof(*at));
	size_t *rank = NULL;
	struct buf b = {0};
	int inorder = 1, r = 0;

	for (i = 0; i < nsel; i++) {
		sorted[i] = sel[i];
		if (i > 0 && sel[i] < sel[i - 1])
			inorder = 0;
	}
	if (!inorder)
		qsort(sorted, nsel, sizeof(*sorted), by_value);
	if (fseeko(l->fp, x->start, SEEK_SET) != 0) {
		fail_at(l->name, 0, "cannot read the input again: %s", strerror(errno));
		r = -1;
		goto out;
	}
	l->lineno = 0;
	while (j < nsel && ferror(stdout) == 0) {
		off_t pos = ftello(l->fp);

		r = lines_next(l);
		if (r == 0 || r == -1)
			break;
		r = 0;
		if (l->lineno != x->line[sorted[j]])
			continue;
		if (inorder)
			put_line(&b, l->buf, l->len);
		else
			at[j] = pos;
		j++;
	}
	/* A full disk stops the loop early: finish() says "write error". */
	if (ferror(stdout))
		goto out;
	if (j < nsel) {
		fail_at(l->name, 0, "the input changed while it was being read");
		r = -1;
		goto out;
	}
	if (!inorder) {
		/* rank: position in sorted of each chosen record, by binary search */
		rank = xmalloc((nsel ? nsel : 1) * sizeof(*rank));
		for (i = 0; i < nsel; i++) {
			size_t *hit = bsearch(&sel[i], sorted, nsel, sizeof(*sorted), by_value);

			rank[i] = (size_t)(hit - sorted);
		}
		for (i = 0; i < nsel && ferror(stdout) == 0; i++) {
			if (fseeko(l->fp, at[rank[i]], SEEK_SET) != 0 || lines_next(l) != 1) {
				fail_at(l->name, 0, "the input changed while it was being read");
				r = -1;
				break;
			}
			put_line(&b, l->buf, l->len);
		}
	}
out:
	buf_free(&b);
	free(sorted);
	free(at);
	free(rank);
	return r;
}

/* Parse a whole decimal number within [0, max]. */
static int parse_num(const char *s, uintmax_t max, uintmax_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoumax(s, &end, 10);
	return errno != 0 || *end != '\0' || *out > max ? -1 : 0;
}

int main(int argc, char **argv)
{
	enum { OPT_STRATIFY = 256, OPT_VERSION };
	static const struct option longopts[] = {
		{"count", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{"lenient", no_argument, NULL, 'l'},
		{"seed", required_argument, NULL, 's'},
		{"stratify", required_argument, NULL, OPT_STRATIFY},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	struct input x = {0};
	const char *path = NULL, *field = NULL;
	uintmax_t n = 0, seed = 42;
	size_t *sel = NULL, nsel, i;
	int c, have_n = 0, lenient = 0;

	diag_init(argv[0]);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hln:s:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_text, stdout);
			return finish();
		case 'l':
			lenient = 1;
			break;
		case 'n':
			if (parse_num(optarg, SIZE_MAX / 2, &n) < 0)
				usage_error("-n needs a whole number >= 0, not '%s'", optarg);
			have_n = 1;
			break;
		case 's':
			if (parse_num(optarg, UINT32_MAX, &seed) < 0)
				usage_error("--seed needs a whole number from 0 to 4294967295, not '%s'", optarg);
			break;
		case OPT_STRATIFY:
			if (*optarg == '\0')
				usage_error("--stratify needs a field name");
			field = optarg;
			break;
		case OPT_VERSION:
			print_version();
			return finish();
		default:
			usage_bad_option(c, argv);
		}
	}
	if (!have_n)
		usage_error("-n N is required");
	if (argc - optind > 1)
		usage_error("one input file at most");
	if (optind < argc)
		path = argv[optind];

	if (read_all(&x, path, field, lenient) == 0) {
		if (n >= x.n) {
			sel = xmalloc((x.n ? x.n : 1) * sizeof(*sel));
			for (i = 0; i < x.n; i++)
				sel[i] = i;
			nsel = x.n;
		} else if (field != NULL) {
			sel = xmalloc((x.n ? x.n : 1) * sizeof(*sel));
			nsel = stratified(&x, (size_t)n, (uint32_t)seed, sel);
		} else {
			sel = permutation(x.n, (uint32_t)seed);
			nsel = (size_t)n;
		}
		write_chosen(&x, sel, nsel);
	}
	jsonl_close(&x.in);
	free(sel);
	free(x.line);
	free(x.cls);
	classes_free(&x.cs);
	return finish();
}
