/* instance.c - CSV rows to instance records: layouts, ids, gold values,
 * rejected rows and UTF-8 checks. */
#include "instance.h"
#include "hash.h"
#include "json.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* "triage_jira" / "estimation_tawos" (NULL for INST_ANY). */
static const char *inst_scenario_name(enum inst_scenario s)
{
	switch (s) {
	case INST_TRIAGE: return "triage_jira";
	case INST_ESTIMATION: return "estimation_tawos";
	case INST_ANY: break;
	}
	return NULL;
}

int inst_scenario_parse(const char *s, enum inst_scenario *out)
{
	if (strcmp(s, "triage_jira") == 0)
		*out = INST_TRIAGE;
	else if (strcmp(s, "estimation_tawos") == 0)
		*out = INST_ESTIMATION;
	else
		return -1;
	return 0;
}

/* Header names each role answers to, matched case-insensitively; a lower
 * rank wins when a file has both (title over summary). */
static const struct {
	enum inst_role role;
	const char *name;
	int rank;
} names[] = {
	{R_KEY, "issue_key", 0}, {R_KEY, "issuekey", 0}, {R_KEY, "issue key", 0},
	{R_PROJECT, "project", 0}, {R_PROJECT, "project_key", 1},
	{R_CREATED, "created", 0},
	{R_TITLE, "title", 0}, {R_TITLE, "summary", 1},
	{R_DESC, "description", 0},
	{R_PRIORITY, "priority", 0},
	{R_POINTS, "storypoint", 0}, {R_POINTS, "story_points", 0},
	{R_POINTS, "storypoints", 0}, {R_POINTS, "story points", 0},
};

static const char *const role_need[R_NROLES] = {
	"issuekey", "project", "created", "title (or summary)", "description",
	"priority", "storypoint (or story_points)",
};

static int on_row(struct csvin *c, void *ctx);

/* The project named by a file called <KEY>_deep-se.csv (any directory),
 * copied into out; returns 0, or -1 when the name is not of that form. */
static int inst_project_from_filename(const char *path, char *out, size_t n)
{
	static const char suffix[] = "_deep-se.csv";
	const char *base = strrchr(path, '/');
	size_t len, k, i;

	base = base != NULL ? base + 1 : path;
	len = strlen(base);
	if (len <= sizeof(suffix) - 1 || strcmp(base + len - (sizeof(suffix) - 1), suffix) != 0)
		return -1;
	k = len - (sizeof(suffix) - 1);
	if (k + 1 > n)
		return -1;
	for (i = 0; i < k; i++)
		if (!isalnum((unsigned char)base[i]))
			return -1;
	memcpy(out, base, k);
	out[k] = '\0';
	return 0;
}

void prep_init(struct prep *p, const struct prep_opts *o)
{
	char key[256];
	int r;

	memset(p, 0, sizeof(*p));
	p->o = *o;
	for (r = 0; r < R_NROLES; r++)
		p->col[r] = -1;
	if (o->project != NULL && *o->project != '\0')
		p->project = xstrdup(o->project);
	else if (o->name != NULL && inst_project_from_filename(o->name, key, sizeof(key)) == 0)
		p->project = xstrdup(key);
	csvin_init(&p->in, on_row, p);
}

/* Remember an emitted id by its 64-bit hash; the line of an earlier row
 * with the same hash, or 0 when it is new.  The table doubles at 7/8
 * full (linear probing copes, and the table stays small). */
static long id_seen(struct prep *p, const char *id, size_t len, long line)
{
	uint64_t h = fnv1a(id, len);
	size_t i, mask;

	h = h ? h : 1;
	if (8 * (p->nids + 1) > 7 * p->capids) {
		size_t ncap = p->capids ? p->capids * 2 : 1024, j;
		uint64_t *nh = xcalloc(ncap, sizeof(*nh));
		uint32_t *nl = xmalloc(ncap * sizeof(*nl));

		for (j = 0; j < p->capids; j++) {
			if (p->idh[j] == 0)
				continue;
			for (i = p->idh[j] & (ncap - 1); nh[i] != 0; i = (i + 1) & (ncap - 1))
				;
			nh[i] = p->idh[j];
			nl[i] = p->idline[j];
		}
		free(p->idh);
		free(p->idline);
		p->idh = nh;
		p->idline = nl;
		p->capids = ncap;
	}
	mask = p->capids - 1;
	for (i = h & mask; p->idh[i] != 0; i = (i + 1) & mask)
		if (p->idh[i] == h)
			return p->idline[i];
	p->idh[i] = h;
	p->idline[i] = line > 0 && line < (long)UINT32_MAX ? (uint32_t)line : UINT32_MAX;
	p->nids++;
	return 0;
}

void prep_free(struct prep *p)
{
	int r;

	free(p->idh);
	free(p->idline);

	csvin_free(&p->in);
	for (r = 0; r < R_NROLES; r++)
		free(p->colname[r]);
	free(p->project);
	buf_free(&p->rec);
	buf_free(&p->tmp);
}

int prep_feed(struct prep *p, const void *data, size_t n)
{
	return csvin_feed(&p->in, data, n);
}

int prep_end(struct prep *p)
{
	if (csvin_end(&p->in) < 0)
		return -1;
	if (p->in.rowno == 0)
		return csvin_fail(&p->in, 0, "empty file: no header line and no rows");
	if (p->rows == 0)
		return csvin_fail(&p->in, 0, "only a header, no data rows");
	return 0;
}

const char *prep_error(const struct prep *p, long *line)
{
	*line = p->in.err_line;
	if (p->stopped_by_caller && p->in.err[0] == '\0')
		return NULL;
	return p->in.err;
}

/* Append the header's column names, as written, for a message. */
static void list_columns(struct buf *b, struct csvin *c)
{
	size_t i, len;

	for (i = 0; i < c->nf; i++) {
		const char *s = csvin_field(c, i, &len);

		if (b->len > 300) {
			buf_adds(b, ", ...");
			break;
		}
		buf_adds(b, i ? ", " : "");
		buf_add(b, s, len);
	}
	if (c->nf == 0)
		buf_adds(b, "(none)");
}

/* Which role, if any, a header name plays. */
static int role_of(const char *s, size_t len, int *rank)
{
	size_t i;

	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strlen(names[i].name) == len && strncasecmp(names[i].name, s, len) == 0) {
			*rank = names[i].rank;
			return (int)names[i].role;
		}
	}
	return -1;
}

/* Read the header: find each role's column, then the scenario, and check
 * that the scenario's columns are all there. */
static int header(struct prep *p, struct csvin *c)
{
	static const enum inst_role need[] = {R_TITLE, R_DESC};
	enum inst_role gold;
	size_t i, len;
	int r, rank;
	struct buf *b = &p->tmp;

	p->ncols = c->nf;
	for (i = 0; i < c->nf; i++) {
		const char *s = csvin_field(c, i, &len);

		r = role_of(s, len, &rank);
		if (r < 0)
			continue;
		if (p->col[r] >= 0 && p->rank[r] == rank)
			return csvin_fail(c, c->f[i].line, "columns %d and %zu are both \"%s\"; keep one",
					  p->col[r] + 1, i + 1, s);
		if (p->col[r] >= 0 && p->rank[r] < rank)
			continue;
		p->col[r] = (int)i;
		p->rank[r] = rank;
		free(p->colname[r]);
		p->colname[r] = xstrndup(s, len);
	}

	p->scenario = p->o.scenario;
	if (p->scenario == INST_ANY) {
		if (p->col[R_PRIORITY] >= 0 && p->col[R_POINTS] >= 0)
			return csvin_fail(c, c->row_line,
					  "the header has both \"%s\" and \"%s\"; choose with --scenario",
					  p->colname[R_PRIORITY], p->colname[R_POINTS]);
		if (p->col[R_PRIORITY] >= 0)
			p->scenario = INST_TRIAGE;
		else if (p->col[R_POINTS] >= 0)
			p->scenario = INST_ESTIMATION;
		if (p->scenario == INST_ANY || p->col[R_TITLE] < 0 || p->col[R_DESC] < 0) {
			buf_reset(b);
			buf_adds(b, "unknown layout: found columns ");
			list_columns(b, c);
			buf_adds(b, "; need issue_key,title,description,priority (Jira triage), "
				 "issuekey,created,title,description,storypoint (TAWOS deep-se) or "
				 "project,title,description,story_points (tawos_clean), in any order "
				 "and any case; summary may stand for title");
			return csvin_fail(c, c->row_line, "%s", b->s);
		}
	}
	gold = p->scenario == INST_TRIAGE ? R_PRIORITY : R_POINTS;
	buf_reset(b);
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (p->col[need[i]] < 0)
			buf_printf(b, "%s%s", b->len ? ", " : "", role_need[need[i]]);
	if (p->col[gold] < 0)
		buf_printf(b, "%s%s", b->len ? ", " : "", role_need[gold]);
	if (b->len > 0) {
		char *missing = xstrdup(b->s);

		buf_reset(b);
		buf_printf(b, "no column %s for %s: found columns ", missing,
			   inst_scenario_name(p->scenario));
		list_columns(b, c);
		free(missing);
		return csvin_fail(c, c->row_line, "%s", b->s);
	}
	if (p->col[R_KEY] < 0 && p->col[R_PROJECT] < 0 && p->project == NULL)
		return csvin_fail(c, c->row_line,
				  "no issuekey or project column to make ids from; give --project NAME");
	return 0;
}

/* Is the byte written into a JSON string as it is (printable ASCII other
 * than '"' and '\\')? */
static int plain(unsigned char ch)
{
	return ch >= 0x20 && ch < 0x80 && ch != '"' && ch != '\\';
}

/* Length of the run of plain bytes at s, eight bytes at a time: a word is
 * all plain when no byte is below 0x20, at or above 0x80, '"' or '\\'. */
static size_t plain_run(const unsigned char *s, size_t len)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	size_t i = 0;

	while (i + 8 <= len) {
		uint64_t v, q, bs;

		memcpy(&v, s + i, 8);
		q = v ^ (ones * '"');	/* zero bytes where v has '"' */
		bs = v ^ (ones * '\\');
		if ((((v - ones * 0x20) & ~v) | v | ((q - ones) & ~q) | ((bs - ones) & ~bs)) & highs)
			break;
		i += 8;
	}
	while (i < len && plain(s[i]))
		i++;
	return i;
}

/* json_write_str(), faster on text that is mostly plain ASCII: plain runs
 * are copied whole, and only the bytes between them (escapes, UTF-8
 * sequences, which never mix with plain bytes) go through the library,
 * whose quotes around each piece are then dropped.  Same bytes out, same
 * count of replaced sequences. */
static size_t write_str(struct buf *b, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, j, k, at, bad = 0;

	buf_addc(b, '"');
	while (i < len) {
		k = plain_run(u + i, len - i);
		buf_add(b, s + i, k);
		i += k;
		if (i >= len)
			break;
		for (j = i + 1; j < len && !plain(u[j]); j++)
			;
		at = b->len;
		bad += json_write_str(b, s + i, j - i);
		memmove(b->s + at, b->s + at + 1, b->len - at - 2);
		b->len -= 2;
		b->s[b->len] = '\0';
		i = j;
	}
	buf_addc(b, '"');
	return bad;
}

/* Write one field as a JSON string; invalid UTF-8 stops the conversion
 * (naming the line of the first bad byte) unless replacing is asked for. */
static int put_str(struct prep *p, struct csvin *c, enum inst_role r, const char *s, size_t len)
{
	size_t good;
	long line;
	const char *col = p->colname[r] != NULL ? p->colname[r] : "--project";
	int i = p->col[r];

	if (write_str(&p->rec, s, len) == 0)
		return 0;
	utf8_valid(s, len, &good);
	line = i >= 0 ? csvin_line_at(c, (size_t)i, good) : c->row_line;
	if (!p->o.replace_invalid)
		return csvin_fail(c, line,
				  "invalid UTF-8 in \"%s\" of row %ld (byte 0x%02x); convert the file to UTF-8 "
				  "or use --replace-invalid", col, c->rowno - 1,
				  (unsigned char)s[good]);
	p->replaced++;
	if (p->o.note != NULL) {
		char msg[300];

		snprintf(msg, sizeof(msg), "invalid UTF-8 in \"%s\" of row %ld replaced by U+FFFD",
			 col, c->rowno - 1);
		p->o.note(p->o.ctx, line, msg);
	}
	return 0;
}

/* Is s (len bytes) a number exactly as JSON writes one? */
static int json_number(const char *s, size_t len)
{
	size_t i = 0;

	if (i < len && s[i] == '-')
		i++;
	if (i < len && s[i] == '0')
		i++;
	else if (i < len && s[i] >= '1' && s[i] <= '9')
		while (i < len && isdigit((unsigned char)s[i]))
			i++;
	else
		return 0;
	if (i < len && s[i] == '.') {
		if (++i >= len || !isdigit((unsigned char)s[i]))
			return 0;
		while (i < len && isdigit((unsigned char)s[i]))
			i++;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= len || !isdigit((unsigned char)s[i]))
			return 0;
		while (i < len && isdigit((unsigned char)s[i]))
			i++;
	}
	return i == len;
}

/* Story points as PUMA keeps them: a decimal number > 0 (spaces around it
 * allowed).  On success the JSON text goes to out and NULL is returned;
 * otherwise the reason, formatted into why. */
static const char *points(const char *s, size_t len, struct buf *out, char *why, size_t n)
{
	char num[64], *end;
	double v;
	size_t i;
	int digit = 0;

	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0)
		return "no story points";
	for (i = 0; i < len; i++) {
		if (isdigit((unsigned char)s[i]))
			digit = 1;
		else if (!strchr("+-.eE", s[i]) || s[i] == '\0')
			break;
	}
	if (i < len || !digit || len >= sizeof(num)) {
		snprintf(why, n, "story points \"%.*s\" are not a number", (int)(len > 40 ? 40 : len), s);
		return why;
	}
	memcpy(num, s, len);
	num[len] = '\0';
	v = strtod(num, &end);
	if (*end != '\0' || !isfinite(v)) {
		snprintf(why, n, "story points \"%s\" are not a number", num);
		return why;
	}
	if (!(v > 0)) {
		snprintf(why, n, "story points \"%s\" are not > 0", num);
		return why;
	}
	if (json_number(num, len)) {
		buf_add(out, num, len);
	} else {
		char d[32];

		buf_add(out, d, fmt_double(v, d));
	}
	return NULL;
}

/* One data row: check its width, build the record, then emit or reject. */
static int record(struct prep *p, struct csvin *c)
{
	const char *key = "", *proj = NULL, *gold, *s, *why = NULL, *id;
	size_t keylen = 0, projlen = 0, goldlen, len, idlen;
	long row = c->rowno - 1;
	char whybuf[128], rowtxt[32];
	struct buf *b = &p->rec;
	int r;

	if (c->nf != p->ncols)
		return csvin_fail(c, c->row_line, "too %s columns: %zu field%s where the header has %zu",
				  c->nf < p->ncols ? "few" : "many", c->nf, c->nf == 1 ? "" : "s",
				  p->ncols);
	if (p->col[R_KEY] >= 0)
		key = csvin_field(c, (size_t)p->col[R_KEY], &keylen);
	if (p->col[R_PROJECT] >= 0)
		proj = csvin_field(c, (size_t)p->col[R_PROJECT], &projlen);
	if (projlen == 0 && p->project != NULL) {
		proj = p->project;
		projlen = strlen(proj);
	}
	if (keylen == 0 && projlen == 0)
		return csvin_fail(c, c->row_line,
				  "row %ld has no issue key and no project to make an id from; give --project NAME",
				  row);

	buf_reset(b);
	buf_adds(b, "{\"id\":");
	if (keylen > 0) {
		if (put_str(p, c, R_KEY, key, keylen) < 0)
			return -1;
		id = key;
		idlen = keylen;
	} else {
		/* The project is checked where it is written as "project". */
		buf_reset(&p->tmp);
		buf_add(&p->tmp, proj, projlen);
		buf_printf(&p->tmp, "-%ld", row);
		json_write_str(b, p->tmp.s, p->tmp.len);
		id = p->tmp.s;
		idlen = p->tmp.len;
	}
	buf_adds(b, ",\"scenario\":\"");
	buf_adds(b, inst_scenario_name(p->scenario));
	buf_addc(b, '"');
	if (projlen > 0) {
		buf_adds(b, ",\"project\":");
		if (put_str(p, c, R_PROJECT, proj, projlen) < 0)
			return -1;
	}
	if (p->col[R_CREATED] >= 0) {
		s = csvin_field(c, (size_t)p->col[R_CREATED], &len);
		if (len > 0) {
			buf_adds(b, ",\"created\":");
			if (put_str(p, c, R_CREATED, s, len) < 0)
				return -1;
		}
	}
	buf_adds(b, ",\"title\":");
	s = csvin_field(c, (size_t)p->col[R_TITLE], &len);
	if (put_str(p, c, R_TITLE, s, len) < 0)
		return -1;
	buf_adds(b, ",\"description\":");
	s = csvin_field(c, (size_t)p->col[R_DESC], &len);
	if (put_str(p, c, R_DESC, s, len) < 0)
		return -1;

	buf_adds(b, ",\"gold\":");
	r = p->scenario == INST_TRIAGE ? R_PRIORITY : R_POINTS;
	gold = csvin_field(c, (size_t)p->col[r], &goldlen);
	if (p->scenario == INST_TRIAGE) {
		if (goldlen == 0)
			why = "no priority";
		else if (put_str(p, c, R_PRIORITY, gold, goldlen) < 0)
			return -1;
	} else {
		why = points(gold, goldlen, b, whybuf, sizeof(whybuf));
	}
	snprintf(rowtxt, sizeof(rowtxt), ",\"row\":%ld", row);
	if (why == NULL) {
		long first = id_seen(p, id, idlen, c->row_line);

		buf_adds(b, rowtxt);
		buf_adds(b, "}\n");
		p->emitted++;
		/* Both rows are kept (nothing is dropped), but not silently. */
		if (first > 0 && p->o.note != NULL) {
			char msg[200];

			snprintf(msg, sizeof(msg), "duplicate id \"%.*s\" (first at line %ld)",
				 idlen > 80 ? 80 : (int)idlen, id, first);
			p->o.note(p->o.ctx, c->row_line, msg);
		}
		if (p->o.emit != NULL && p->o.emit(p->o.ctx, b->s, b->len) < 0) {
			p->stopped_by_caller = 1;
			return -1;
		}
		return 0;
	}

	/* Rejected: the record keeps the CSV's text and says why. */
	if (put_str(p, c, (enum inst_role)r, gold, goldlen) < 0)
		return -1;
	buf_adds(b, rowtxt);
	buf_printf(b, ",\"line\":%ld,\"error\":", c->row_line);
	json_write_str(b, why, strlen(why));
	buf_adds(b, "}\n");
	p->rejected++;
	if (p->o.reject != NULL) {
		struct inst_reject rj = {c->row_line, row, id, idlen, why, b->s, b->len};

		if (p->o.reject(p->o.ctx, &rj) < 0) {
			p->stopped_by_caller = 1;
			return -1;
		}
	}
	return 0;
}

/* The first row is the header that decides the layout; the others are records. */
static int on_row(struct csvin *c, void *ctx)
{
	struct prep *p = ctx;

	if (c->rowno == 1)
		return header(p, c);
	p->rows++;
	return record(p, c);
}
