/* jinja.c - the Jinja subset of PUMA's prompt templates, parsed once into a
 * tree and rendered as jinja2 renders it in PUMA's environment.  See jinja.h.
 *
 * The lexer follows jinja2's own rules (lexer.py) step by step: newlines
 * normalised to LF and one trailing LF dropped, then text up to the first
 * "{{", "{%" or "{#", with lstrip_blocks, trim_blocks and the '-' and '+'
 * markers applied exactly where jinja2 applies them, whitespace meaning
 * Python's str.isspace().  The parser follows jinja2's grammar (parser.py)
 * for what the subset keeps and refuses everything else by name.  Values
 * behave as the Python objects json.loads() would make, with jinja2's
 * getattr/getitem fallbacks and its default Undefined. */
#include "jinja.h"
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deeper nesting (brackets, expressions, blocks) than this is refused:
 * no real template comes near it, and recursion must stay bounded. */
#define MAX_DEPTH 100
/* The deepest expression tree (chains like a.b.c... or a and b and ...
 * build depth without nesting); rendering recurses over it. */
#define MAX_TREE 500

/* ---- UTF-8 and Python's whitespace ---------------------------------- */

/* Decode the character at s (n > 0 bytes left, valid UTF-8); its length. */
static size_t u8dec(const unsigned char *s, size_t n, unsigned *cp)
{
	if (s[0] < 0x80 || n < 2) {
		*cp = s[0];
		return 1;
	}
	if (s[0] < 0xE0) {
		*cp = ((unsigned)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
		return 2;
	}
	if (s[0] < 0xF0 || n < 4) {
		*cp = n < 3 ? s[0] :
			((unsigned)(s[0] & 0x0F) << 12) | ((unsigned)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
		return n < 3 ? 1 : 3;
	}
	*cp = ((unsigned)(s[0] & 0x07) << 18) | ((unsigned)(s[1] & 0x3F) << 12) |
	      ((unsigned)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
	return 4;
}

/* Python's str.isspace() (the same set as re's \s on str patterns). */
static int py_space(unsigned c)
{
	return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
	       c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
	       c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Bytes of the whitespace character at s[pos], or 0. */
static size_t ws_at(const char *s, size_t n, size_t pos)
{
	unsigned cp;
	size_t l;

	if (pos >= n)
		return 0;
	l = u8dec((const unsigned char *)s + pos, n - pos, &cp);
	return py_space(cp) ? l : 0;
}

/* Bytes of the whitespace character that ends just before s[pos] (not
 * reaching before start), or 0. */
static size_t ws_before(const char *s, size_t start, size_t pos)
{
	size_t b = pos;
	unsigned cp;

	if (pos <= start)
		return 0;
	b--;
	while (b > start && ((unsigned char)s[b] & 0xC0) == 0x80 && pos - b < 4)
		b--;
	if (u8dec((const unsigned char *)s + b, pos - b, &cp) != pos - b)
		return 0;
	return py_space(cp) ? pos - b : 0;
}

/* Start of the next character after the one at s[i]. */
static size_t u8next(const char *s, size_t n, size_t i)
{
	i++;
	while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
		i++;
	return i;
}

/* Code points in s (valid UTF-8). */
static size_t u8count(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* Byte offset of code point k in s (n when k is past the end). */
static size_t u8off(const char *s, size_t n, size_t k)
{
	size_t i = 0;

	while (k > 0 && i < n) {
		i = u8next(s, n, i);
		k--;
	}
	return i;
}

/* ---- the parsed template --------------------------------------------- */

enum tk { T_EOF, T_DATA, T_VBEGIN, T_VEND, T_BBEGIN, T_BEND, T_NAME, T_STR, T_INT, T_FLOAT, T_OP };

struct tok {
	enum tk t;
	size_t pos;		/* offset in the normalised source */
	const char *s;		/* DATA, NAME, OP: in the source; STR: decoded */
	size_t n;
	long long i;
	double d;
};

enum vk { V_UNDEF, V_NONE, V_BOOL, V_INT, V_BIG, V_FLOAT, V_STR, V_LIST, V_OBJ, V_LOOP };

struct loopst {
	long long index0, length;
};

/* A value while rendering: what Python would hold. */
struct val {
	enum vk k;
	long long i;		/* BOOL, INT */
	double d;		/* FLOAT */
	const char *s;		/* STR bytes; BIG digits; UNDEF the missing name */
	size_t n;
	const jv *j;		/* the JSON value it is (identity), LIST's array, OBJ */
	const struct val *vi;	/* LIST from a literal */
	size_t start, cnt;	/* LIST: a window of the items */
	const struct loopst *lp;
};

enum nk {
	N_BODY, N_TEXT, N_OUT, N_IF, N_FOR,
	N_CONST, N_NAME, N_ATTR, N_ITEM, N_SLICE, N_LIST, N_COND, N_AND, N_OR, N_NOT, N_NEG,
	N_CMP, N_JOIN
};

enum cmpop { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE, C_IN, C_NOTIN };

struct node {
	enum nk k;
	size_t pos;
	struct node *a, *b, *c, *d;
	struct node **v;	/* BODY statements, LIST items, CMP operands, IF test/body pairs */
	size_t n;
	int *ops;		/* CMP: n - 1 operators */
	const char *s;		/* TEXT, NAME, ATTR, FOR target */
	size_t len;
	struct val cv;		/* CONST */
	int dep;		/* expression depth */
};

struct jinja {
	char *name;
	char *src;		/* normalised source */
	size_t n;
	struct arena a;
	struct node *body;
	char **used;
	size_t nused, capused;
};

/* "NAME:LINE:COL: message" into err for offset pos of the source. */
static void verr(const struct jinja *t, size_t pos, char *err, size_t errlen, const char *fmt,
		 va_list ap)
{
	size_t i, line = 1, col0 = 0;
	int n;

	if (pos > t->n)
		pos = t->n;
	for (i = 0; i < pos; i++)
		if (t->src[i] == '\n') {
			line++;
			col0 = i + 1;
		}
	n = snprintf(err, errlen, "%s:%zu:%zu: ", t->name, line, pos - col0 + 1);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
}

static void seterr(const struct jinja *t, size_t pos, char *err, size_t errlen, const char *fmt,
		   ...) __attribute__((format(printf, 5, 6)));
static void seterr(const struct jinja *t, size_t pos, char *err, size_t errlen, const char *fmt,
		   ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(t, pos, err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- lexer -------------------------------------------------------------- */

struct lx {
	struct jinja *t;
	struct tok *v;
	size_t nt, cap;
	char *err;
	size_t errlen;
};

static int lerr(struct lx *L, size_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int lerr(struct lx *L, size_t pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(L->t, pos, L->err, L->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Append a token; the caller fills in its value. */
static struct tok *push(struct lx *L, enum tk t, size_t pos, const char *s, size_t n)
{
	struct tok *k;

	if (L->nt == L->cap)
		L->v = xgrow(L->v, &L->cap, L->nt + 1, sizeof(*L->v));
	k = &L->v[L->nt++];
	memset(k, 0, sizeof(*k));
	k->t = t;
	k->pos = pos;
	k->s = s;
	k->n = n;
	return k;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* A number token at src[k]: decimal integers and floats only; the other
 * forms jinja2 reads (0x10, 1_000, 007) are refused rather than misread. */
static int lex_number(struct lx *L, size_t *kp)
{
	const char *s = L->t->src;
	size_t n = L->t->n, k = *kp, j = k;
	int isfloat = 0;
	struct tok *t;
	char *tmp;

	while (j < n && is_digit(s[j]))
		j++;
	if (j - k > 1 && s[k] == '0')
		return lerr(L, k, "a number with a leading zero is not supported");
	if (j + 1 < n && s[j] == '.' && is_digit(s[j + 1])) {
		isfloat = 1;
		for (j++; j < n && is_digit(s[j]); j++)
			;
	}
	if (j < n && (s[j] == 'e' || s[j] == 'E')) {
		size_t e = j + 1;

		if (e < n && (s[e] == '+' || s[e] == '-'))
			e++;
		if (e < n && is_digit(s[e])) {
			isfloat = 1;
			for (j = e; j < n && is_digit(s[j]); j++)
				;
		}
	}
	if (j < n && (is_alpha(s[j]) || is_digit(s[j]) || s[j] == '.'))
		return lerr(L, k, "this form of number is not supported");
	t = push(L, isfloat ? T_FLOAT : T_INT, k, s + k, j - k);
	tmp = xstrndup(s + k, j - k);
	if (isfloat) {
		t->d = strtod(tmp, NULL);
	} else {
		errno = 0;
		t->i = strtoll(tmp, NULL, 10);
		if (errno == ERANGE) {
			free(tmp);
			return lerr(L, k, "integer literal too large");
		}
	}
	free(tmp);
	*kp = j;
	return 0;
}

/* A quoted string at src[k], decoded.  Only the plain escapes are taken;
 * Python's others (\x41, \u00e9, octal) are refused. */
static int lex_string(struct lx *L, size_t *kp)
{
	const char *s = L->t->src;
	size_t n = L->t->n, k = *kp, j = k + 1;
	char q = s[k];
	struct buf b = {0};
	struct tok *t;

	for (;;) {
		if (j >= n) {
			buf_free(&b);
			return lerr(L, k, "string literal is not closed");
		}
		if (s[j] == q)
			break;
		if (s[j] == '\\') {
			char e = j + 1 < n ? s[j + 1] : '\0';
			char c;

			switch (e) {
			case '\\': c = '\\'; break;
			case '\'': c = '\''; break;
			case '"': c = '"'; break;
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			default:
				buf_free(&b);
				return lerr(L, j, "this escape sequence is not supported");
			}
			buf_addc(&b, c);
			j += 2;
			continue;
		}
		buf_addc(&b, s[j]);
		j++;
	}
	t = push(L, T_STR, k, NULL, b.len);
	t->s = arena_strndup(&L->t->a, b.s ? b.s : "", b.len);
	buf_free(&b);
	*kp = j + 1;
	return 0;
}

/* The expression tokens of one tag, from src[k] to its end marker; returns
 * the offset after the end (and whatever trimming follows it). */
static int lex_tag(struct lx *L, size_t open, size_t k, int block, size_t *endp)
{
	const char *s = L->t->src;
	size_t n = L->t->n;
	char stack[MAX_DEPTH];
	size_t depth = 0;
	static const char *const two[] = {"//", "**", "==", "!=", ">=", "<="};

	for (;;) {
		size_t w, e = 0;
		size_t i;

		if (k >= n)
			return lerr(L, open, "'%s' is not closed", block ? "{%" : "{{");
		if (depth == 0) {
			if (block && k + 2 < n && s[k] == '+' && s[k + 1] == '%' && s[k + 2] == '}') {
				e = k + 3;
			} else if (k + 2 < n && s[k] == '-' && s[k + 1] == (block ? '%' : '}') &&
				   s[k + 2] == '}') {
				e = k + 3;
				while ((w = ws_at(s, n, e)) > 0)
					e += w;
			} else if (k + 1 < n && s[k] == (block ? '%' : '}') && s[k + 1] == '}') {
				e = k + 2;
				if (block && e < n && s[e] == '\n')
					e++;
			}
			if (e) {
				push(L, block ? T_BEND : T_VEND, k, NULL, 0);
				*endp = e;
				return 0;
			}
		}
		if ((w = ws_at(s, n, k)) > 0) {
			k += w;
			continue;
		}
		if (is_digit(s[k])) {
			if (lex_number(L, &k) < 0)
				return -1;
			continue;
		}
		if (is_alpha(s[k])) {
			size_t j = k;

			while (j < n && (is_alpha(s[j]) || is_digit(s[j])))
				j++;
			if (j < n && (unsigned char)s[j] >= 0x80 && ws_at(s, n, j) == 0)
				return lerr(L, j, "non-ASCII characters outside strings are not supported");
			push(L, T_NAME, k, s + k, j - k);
			k = j;
			continue;
		}
		if (s[k] == '\'' || s[k] == '"') {
			if (lex_string(L, &k) < 0)
				return -1;
			continue;
		}
		for (i = 0; i < sizeof(two) / sizeof(two[0]); i++)
			if (k + 1 < n && s[k] == two[i][0] && s[k + 1] == two[i][1])
				break;
		if (i < sizeof(two) / sizeof(two[0])) {
			push(L, T_OP, k, s + k, 2);
			k += 2;
			continue;
		}
		if (s[k] != '\0' && strchr("+-/*%~[](){}=.:|,;<>", s[k]) != NULL) {
			char c = s[k];

			if (c == '(' || c == '[' || c == '{') {
				if (depth == MAX_DEPTH)
					return lerr(L, k, "brackets nested too deeply");
				stack[depth++] = c == '(' ? ')' : c == '[' ? ']' : '}';
			} else if (c == ')' || c == ']' || c == '}') {
				if (depth == 0)
					return lerr(L, k, "unexpected '%c'", c);
				if (stack[--depth] != c)
					return lerr(L, k, "unexpected '%c', expected '%c'", c, stack[depth]);
			}
			push(L, T_OP, k, s + k, 1);
			k++;
			continue;
		}
		if ((unsigned char)s[k] >= 0x20 && (unsigned char)s[k] < 0x7F)
			return lerr(L, k, "unexpected character '%c'", s[k]);
		if ((unsigned char)s[k] >= 0x80)
			return lerr(L, k, "non-ASCII characters outside strings are not supported");
		return lerr(L, k, "unexpected character");
	}
}

/* Tokenise the whole (normalised) source as jinja2's lexer would. */
static int lex(struct lx *L)
{
	const char *s = L->t->src;
	size_t n = L->t->n, pos = 0;
	int line_starting = 1;

	while (pos < n) {
		size_t p = pos, q, tend, k, end = 0;
		char kind, sign = 0;

		while (p + 1 < n && !(s[p] == '{' && (s[p + 1] == '{' || s[p + 1] == '%' ||
						      s[p + 1] == '#')))
			p++;
		if (p + 1 >= n) {
			push(L, T_DATA, pos, s + pos, n - pos);
			break;
		}
		kind = s[p + 1];
		q = p + 2;
		if (q < n && (s[q] == '-' || s[q] == '+'))
			sign = s[q++];
		tend = p;
		if (sign == '-') {
			size_t w;

			while ((w = ws_before(s, pos, tend)) > 0)
				tend -= w;
		} else if (sign != '+' && kind != '{') {
			/* lstrip_blocks: blank text from the line's start to the tag. */
			size_t l = tend, w;
			int nl = 0;

			while (l > pos && s[l - 1] != '\n')
				l--;
			nl = l > pos;
			if ((nl || line_starting) && l < tend) {
				size_t i = l;

				while (i < tend && (w = ws_at(s, n, i)) > 0)
					i += w;
				if (i == tend)
					tend = l;
			}
		}
		if (tend > pos)
			push(L, T_DATA, pos, s + pos, tend - pos);
		if (kind == '#' && q >= n) {
			/* jinja2 lets "{#" at the very end pass: there is no
			 * character left for its "missing end" rule to match. */
			end = n;
		} else if (kind == '#') {
			for (k = q; k < n; k++) {
				if (k + 2 < n && s[k] == '+' && s[k + 1] == '#' && s[k + 2] == '}') {
					end = k + 3;
				} else if (k + 2 < n && s[k] == '-' && s[k + 1] == '#' && s[k + 2] == '}') {
					size_t w;

					end = k + 3;
					while ((w = ws_at(s, n, end)) > 0)
						end += w;
				} else if (k + 1 < n && s[k] == '#' && s[k + 1] == '}') {
					end = k + 2;
					if (end < n && s[end] == '\n')
						end++;
				}
				if (end)
					break;
			}
			if (!end)
				return lerr(L, p, "comment is not closed");
		} else {
			push(L, kind == '%' ? T_BBEGIN : T_VBEGIN, p, NULL, 0);
			if (lex_tag(L, p, q, kind == '%', &end) < 0)
				return -1;
		}
		line_starting = s[end - 1] == '\n';
		pos = end;
	}
	push(L, T_EOF, n, NULL, 0);
	return 0;
}

/* ---- parser ------------------------------------------------------------- */

struct ps {
	struct jinja *t;
	struct tok *v;
	size_t i;
	char *err;
	size_t errlen;
	int depth;
	const char *targets[MAX_DEPTH];	/* for-loop names in scope */
	size_t tlen[MAX_DEPTH];
	int ntargets;
};

static int perr(struct ps *P, size_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int perr(struct ps *P, size_t pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(P->t, pos, P->err, P->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static struct tok *cur(struct ps *P)
{
	return &P->v[P->i];
}

static int is_op(const struct tok *k, const char *op)
{
	return k->t == T_OP && k->n == strlen(op) && memcmp(k->s, op, k->n) == 0;
}

static int is_name(const struct tok *k, const char *name)
{
	return k->t == T_NAME && k->n == strlen(name) && memcmp(k->s, name, k->n) == 0;
}

/* How a token reads in a message. */
static const char *tokdesc(const struct tok *k, char *b, size_t bl)
{
	switch (k->t) {
	case T_EOF: return "end of template";
	case T_DATA: return "text";
	case T_VBEGIN: return "'{{'";
	case T_VEND: return "'}}'";
	case T_BBEGIN: return "'{%'";
	case T_BEND: return "'%}'";
	case T_STR: return "a string";
	case T_INT: return "an integer";
	case T_FLOAT: return "a number";
	case T_NAME:
	case T_OP:
		snprintf(b, bl, "'%.*s'", (int)(k->n > 40 ? 40 : k->n), k->s);
		return b;
	}
	return "?";
}

static int unexpected(struct ps *P, const char *what)
{
	char b[64];

	return perr(P, cur(P)->pos, "expected %s, got %s", what, tokdesc(cur(P), b, sizeof(b)));
}

/* A new node in the template's arena. */
static struct node *mk(struct ps *P, enum nk k, size_t pos)
{
	struct node *x = arena_alloc(&P->t->a, sizeof(*x));

	memset(x, 0, sizeof(*x));
	x->k = k;
	x->pos = pos;
	return x;
}

/* A growing list of nodes, copied into the arena when done. */
struct nlist {
	struct node **v;
	size_t n, cap;
};

static void nl_add(struct nlist *l, struct node *x)
{
	if (l->n == l->cap)
		l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = x;
}

/* Move a finished list into the template's arena, as into's children. */
static void nl_done(struct ps *P, struct nlist *l, struct node *into)
{
	into->n = l->n;
	into->v = arena_alloc(&P->t->a, (l->n ? l->n : 1) * sizeof(*into->v));
	if (l->n)
		memcpy(into->v, l->v, l->n * sizeof(*into->v));
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Note a top-level variable the template reads (for jinja_uses). */
static void note_use(struct ps *P, const char *s, size_t n)
{
	struct jinja *t = P->t;
	int i;
	size_t j;

	for (i = 0; i < P->ntargets; i++)
		if (P->tlen[i] == n && memcmp(P->targets[i], s, n) == 0)
			return;
	if (P->ntargets > 0 && n == 4 && memcmp(s, "loop", 4) == 0)
		return;
	for (j = 0; j < t->nused; j++)
		if (strlen(t->used[j]) == n && memcmp(t->used[j], s, n) == 0)
			return;
	if (t->nused == t->capused)
		t->used = xgrow(t->used, &t->capused, t->nused + 1, sizeof(*t->used));
	t->used[t->nused++] = xstrndup(s, n);
}

static struct node *p_expr(struct ps *P, int condexpr);

/* Give x its depth (its deepest child's plus one); NULL when too deep. */
static struct node *deep(struct ps *P, struct node *x)
{
	const struct node *ch[4] = {x->a, x->b, x->c, x->d};
	int d = 0, i;
	size_t j;

	for (i = 0; i < 4; i++)
		if (ch[i] != NULL && ch[i]->dep > d)
			d = ch[i]->dep;
	for (j = 0; j < x->n; j++)
		if (x->v[j]->dep > d)
			d = x->v[j]->dep;
	x->dep = d + 1;
	if (x->dep > MAX_TREE) {
		perr(P, x->pos, "expression nested too deeply");
		return NULL;
	}
	return x;
}

/* Operators and tokens the subset leaves out, named in the message:
 * -1 with the message when the current token is one, else 0. */
static int refuse_op(struct ps *P)
{
	struct tok *k = cur(P);

	if (k->t == T_OP && strchr("+-*/%~", k->s[0]) != NULL)
		return perr(P, k->pos, "operator '%.*s' is not supported", (int)k->n, k->s);
	if (is_op(k, "("))
		return perr(P, k->pos, "calls are not supported");
	if (is_op(k, ","))
		return perr(P, k->pos, "tuples are not supported");
	if (is_name(k, "is"))
		return perr(P, k->pos, "tests ('is') are not supported");
	return 0;
}

/* One level deeper into an expression: refused past MAX_DEPTH, so the
 * parser's recursion stays bounded. */
static int enter(struct ps *P)
{
	if (++P->depth > MAX_DEPTH)
		return perr(P, cur(P)->pos, "expression nested too deeply");
	return 0;
}

/* primary: name, constant, string(s), (expr), [list]; jinja2's parse_primary. */
static struct node *p_primary(struct ps *P)
{
	struct tok *k = cur(P);
	struct node *x;

	if (k->t == T_NAME) {
		P->i++;
		x = mk(P, N_CONST, k->pos);
		if (is_name(k, "true") || is_name(k, "True") || is_name(k, "false") ||
		    is_name(k, "False")) {
			x->cv.k = V_BOOL;
			x->cv.i = k->s[0] == 't' || k->s[0] == 'T';
		} else if (is_name(k, "none") || is_name(k, "None")) {
			x->cv.k = V_NONE;
		} else {
			x->k = N_NAME;
			x->s = k->s;
			x->len = k->n;
			note_use(P, k->s, k->n);
		}
		return x;
	}
	if (k->t == T_STR) {
		struct buf b = {0};

		x = mk(P, N_CONST, k->pos);
		while (cur(P)->t == T_STR) {
			buf_add(&b, cur(P)->s, cur(P)->n);
			P->i++;
		}
		x->cv.k = V_STR;
		x->cv.n = b.len;
		x->cv.s = arena_strndup(&P->t->a, b.s ? b.s : "", b.len);
		buf_free(&b);
		return x;
	}
	if (k->t == T_INT || k->t == T_FLOAT) {
		P->i++;
		x = mk(P, N_CONST, k->pos);
		x->cv.k = k->t == T_INT ? V_INT : V_FLOAT;
		x->cv.i = k->i;
		x->cv.d = k->d;
		return x;
	}
	if (is_op(k, "(")) {
		P->i++;
		if (is_op(cur(P), ")")) {
			perr(P, k->pos, "tuples are not supported");
			return NULL;
		}
		if ((x = p_expr(P, 1)) == NULL)
			return NULL;
		if (!is_op(cur(P), ")")) {
			if (refuse_op(P) == 0)
				unexpected(P, "')'");
			return NULL;
		}
		P->i++;
		return x;
	}
	if (is_op(k, "[")) {
		struct nlist l = {0};

		P->i++;
		x = mk(P, N_LIST, k->pos);
		while (!is_op(cur(P), "]")) {
			struct node *it;

			if (l.n > 0) {
				if (!is_op(cur(P), ",")) {
					free(l.v);
					if (refuse_op(P) == 0)
						unexpected(P, "',' or ']'");
					return NULL;
				}
				P->i++;
				if (is_op(cur(P), "]"))
					break;
			}
			if ((it = p_expr(P, 1)) == NULL) {
				free(l.v);
				return NULL;
			}
			nl_add(&l, it);
		}
		P->i++;
		nl_done(P, &l, x);
		return deep(P, x);
	}
	if (is_op(k, "{")) {
		perr(P, k->pos, "dict literals are not supported");
		return NULL;
	}
	unexpected(P, "an expression");
	return NULL;
}

/* One subscript argument: an expression or a slice; parse_subscribed. */
static struct node *p_subscribed(struct ps *P, struct node *obj, size_t pos)
{
	struct node *first = NULL, *x;

	if (!is_op(cur(P), ":")) {
		if ((first = p_expr(P, 1)) == NULL)
			return NULL;
		if (!is_op(cur(P), ":")) {
			x = mk(P, N_ITEM, pos);
			x->a = obj;
			x->b = first;
			return x;
		}
	}
	P->i++;			/* the first ':' */
	x = mk(P, N_SLICE, pos);
	x->a = obj;
	x->b = first;
	if (!is_op(cur(P), ":") && !is_op(cur(P), "]") && !is_op(cur(P), ",")) {
		if ((x->c = p_expr(P, 1)) == NULL)
			return NULL;
	}
	if (is_op(cur(P), ":")) {
		P->i++;
		if (!is_op(cur(P), "]") && !is_op(cur(P), ",")) {
			if ((x->d = p_expr(P, 1)) == NULL)
				return NULL;
		}
	}
	return x;
}

/* Attribute and item access after a primary; parse_postfix. */
static struct node *p_postfix(struct ps *P, struct node *x)
{
	for (;;) {
		struct tok *k = cur(P);

		if (is_op(k, ".")) {
			struct tok *a = &P->v[P->i + 1];
			struct node *y;

			if (a->t == T_INT) {
				perr(P, a->pos, "item access by a number after '.' is not supported");
				return NULL;
			}
			if (a->t != T_NAME) {
				P->i++;
				unexpected(P, "an attribute name");
				return NULL;
			}
			P->i += 2;
			y = mk(P, N_ATTR, a->pos);
			y->a = x;
			y->s = a->s;
			y->len = a->n;
			if ((x = deep(P, y)) == NULL)
				return NULL;
		} else if (is_op(k, "[")) {
			P->i++;
			if (is_op(cur(P), "]")) {
				perr(P, k->pos, "an empty subscript is not supported");
				return NULL;
			}
			if ((x = p_subscribed(P, x, k->pos)) == NULL || deep(P, x) == NULL)
				return NULL;
			if (!is_op(cur(P), "]")) {
				if (is_op(cur(P), ","))
					perr(P, cur(P)->pos, "tuples are not supported");
				else
					unexpected(P, "']'");
				return NULL;
			}
			P->i++;
		} else if (is_op(k, "(")) {
			perr(P, k->pos, "calls are not supported");
			return NULL;
		} else {
			return x;
		}
	}
}

/* '|join' or '|join(sep)' after a value; every other filter is refused. */
static struct node *p_filter(struct ps *P, struct node *x)
{
	while (is_op(cur(P), "|")) {
		struct tok *f;
		struct node *y;

		P->i++;
		f = cur(P);
		if (f->t != T_NAME) {
			unexpected(P, "a filter name");
			return NULL;
		}
		P->i++;
		if (!is_name(f, "join") || is_op(cur(P), ".")) {
			perr(P, f->pos, "filter '%.*s' is not supported", (int)f->n, f->s);
			return NULL;
		}
		y = mk(P, N_JOIN, f->pos);
		y->a = x;
		if (is_op(cur(P), "(")) {
			P->i++;
			if (!is_op(cur(P), ")")) {
				if (cur(P)->t == T_NAME && is_op(&P->v[P->i + 1], "=")) {
					perr(P, cur(P)->pos, "keyword arguments are not supported");
					return NULL;
				}
				if (is_op(cur(P), "*") || is_op(cur(P), "**")) {
					perr(P, cur(P)->pos, "'*' arguments are not supported");
					return NULL;
				}
				if ((y->b = p_expr(P, 1)) == NULL)
					return NULL;
				if (is_op(cur(P), ",") && !is_op(&P->v[P->i + 1], ")")) {
					perr(P, cur(P)->pos, "join's attribute argument is not supported");
					return NULL;
				}
				if (is_op(cur(P), ","))
					P->i++;
			}
			if (!is_op(cur(P), ")")) {
				unexpected(P, "')'");
				return NULL;
			}
			P->i++;
		}
		if ((x = deep(P, y)) == NULL)
			return NULL;
	}
	if (is_name(cur(P), "is")) {
		perr(P, cur(P)->pos, "tests ('is') are not supported");
		return NULL;
	}
	if (is_op(cur(P), "(")) {
		perr(P, cur(P)->pos, "calls are not supported");
		return NULL;
	}
	return x;
}

/* Unary minus, then postfix, then (at the outer level) filters: jinja2's
 * parse_unary, so -x|join is join(-x) and -x.y is -(x.y). */
static struct node *p_unary(struct ps *P, int with_filter)
{
	struct tok *k = cur(P);
	struct node *x;

	if (enter(P) < 0)
		return NULL;
	if (is_op(k, "-")) {
		P->i++;
		x = mk(P, N_NEG, k->pos);
		if ((x->a = p_unary(P, 0)) == NULL || deep(P, x) == NULL)
			return NULL;
	} else if (is_op(k, "+")) {
		perr(P, k->pos, "unary '+' is not supported");
		return NULL;
	} else if ((x = p_primary(P)) == NULL) {
		return NULL;
	}
	if ((x = p_postfix(P, x)) == NULL)
		return NULL;
	if (with_filter && (x = p_filter(P, x)) == NULL)
		return NULL;
	P->depth--;
	return x;
}

/* An operand of a comparison: arithmetic is not in the subset. */
static struct node *p_math(struct ps *P)
{
	struct node *x = p_unary(P, 1);
	struct tok *k = cur(P);

	if (x != NULL && k->t == T_OP && k->s[0] != '\0' && strchr("+-*/%~", k->s[0]) != NULL) {
		perr(P, k->pos, "operator '%.*s' is not supported", (int)k->n, k->s);
		return NULL;
	}
	return x;
}

/* Comparisons, chained as in Python; parse_compare. */
static struct node *p_compare(struct ps *P)
{
	struct node *x = p_math(P), *c;
	struct nlist l = {0};
	int ops[MAX_DEPTH];
	size_t nops = 0, pos;

	if (x == NULL)
		return NULL;
	pos = x->pos;
	nl_add(&l, x);
	for (;;) {
		struct tok *k = cur(P);
		int op;
		struct node *y;

		if (is_op(k, "=="))
			op = C_EQ;
		else if (is_op(k, "!="))
			op = C_NE;
		else if (is_op(k, "<"))
			op = C_LT;
		else if (is_op(k, "<="))
			op = C_LE;
		else if (is_op(k, ">"))
			op = C_GT;
		else if (is_op(k, ">="))
			op = C_GE;
		else if (is_name(k, "in"))
			op = C_IN;
		else if (is_name(k, "not") && is_name(&P->v[P->i + 1], "in"))
			op = C_NOTIN;
		else
			break;
		if (nops == MAX_DEPTH) {
			free(l.v);
			perr(P, k->pos, "comparison chain too long");
			return NULL;
		}
		P->i += op == C_NOTIN ? 2 : 1;
		if ((y = p_math(P)) == NULL) {
			free(l.v);
			return NULL;
		}
		ops[nops++] = op;
		nl_add(&l, y);
	}
	if (nops == 0) {
		free(l.v);
		return x;
	}
	c = mk(P, N_CMP, pos);
	c->ops = arena_alloc(&P->t->a, nops * sizeof(*c->ops));
	memcpy(c->ops, ops, nops * sizeof(*c->ops));
	nl_done(P, &l, c);
	return deep(P, c);
}

/* not x, binding looser than comparisons; parse_not. */
static struct node *p_not(struct ps *P)
{
	struct tok *k = cur(P);
	struct node *x;

	if (is_name(k, "not")) {
		if (enter(P) < 0)
			return NULL;
		P->i++;
		x = mk(P, N_NOT, k->pos);
		if ((x->a = p_not(P)) == NULL || deep(P, x) == NULL)
			return NULL;
		P->depth--;
		return x;
	}
	return p_compare(P);
}

/* a and b and ..., left to right; parse_and. */
static struct node *p_and(struct ps *P)
{
	struct node *x = p_not(P);

	while (x != NULL && is_name(cur(P), "and")) {
		struct node *y = mk(P, N_AND, cur(P)->pos);

		P->i++;
		y->a = x;
		if ((y->b = p_not(P)) == NULL || (x = deep(P, y)) == NULL)
			return NULL;
	}
	return x;
}

/* a or b or ..., left to right; parse_or. */
static struct node *p_or(struct ps *P)
{
	struct node *x = p_and(P);

	while (x != NULL && is_name(cur(P), "or")) {
		struct node *y = mk(P, N_OR, cur(P)->pos);

		P->i++;
		y->a = x;
		if ((y->b = p_and(P)) == NULL || (x = deep(P, y)) == NULL)
			return NULL;
	}
	return x;
}

/* An expression; with condexpr, "a if b else c" as parse_condexpr reads it. */
static struct node *p_expr(struct ps *P, int condexpr)
{
	struct node *x;

	if (enter(P) < 0)
		return NULL;
	x = p_or(P);
	while (condexpr && x != NULL && is_name(cur(P), "if")) {
		struct node *c = mk(P, N_COND, cur(P)->pos);

		P->i++;
		c->b = x;
		if ((c->a = p_or(P)) == NULL)
			return NULL;
		if (is_name(cur(P), "else")) {
			P->i++;
			if ((c->c = p_expr(P, 1)) == NULL)
				return NULL;
		}
		if ((x = deep(P, c)) == NULL)
			return NULL;
	}
	if (x != NULL)
		P->depth--;
	return x;
}

/* The end of a tag: '%}' or '}}' must follow. */
static int expect_end(struct ps *P, enum tk end)
{
	if (cur(P)->t == end) {
		P->i++;
		return 0;
	}
	if (refuse_op(P) < 0)
		return -1;
	if (end == T_BEND && is_name(cur(P), "if"))
		return perr(P, cur(P)->pos, "conditional expressions here need parentheses");
	return unexpected(P, end == T_BEND ? "'%}'" : "'}}'");
}

static struct node *p_body(struct ps *P, const char *const *ends, size_t open);

/* The tag names jinja2 knows; all but if and for are outside the subset. */
static int p_unsupported_tag(struct ps *P, struct tok *k)
{
	return perr(P, k->pos, "tag '%.*s' is not supported", (int)(k->n > 40 ? 40 : k->n), k->s);
}

/* {% if %} ... {% elif %} ... {% else %} ... {% endif %} */
static struct node *p_if(struct ps *P, size_t open)
{
	static const char *const ends[] = {"elif", "else", "endif", NULL};
	static const char *const endif[] = {"endif", NULL};
	struct node *x = mk(P, N_IF, open);
	struct nlist l = {0};

	for (;;) {
		struct node *test, *body;
		struct tok *k;

		if ((test = p_expr(P, 0)) == NULL || expect_end(P, T_BEND) < 0)
			goto bad;
		if ((body = p_body(P, ends, open)) == NULL)
			goto bad;
		nl_add(&l, test);
		nl_add(&l, body);
		k = &P->v[P->i + 1];	/* the tag's name after '{%' */
		P->i += 2;
		if (is_name(k, "elif"))
			continue;
		if (is_name(k, "else")) {
			if (expect_end(P, T_BEND) < 0 || (x->c = p_body(P, endif, open)) == NULL)
				goto bad;
			P->i += 2;
		}
		if (expect_end(P, T_BEND) < 0)
			goto bad;
		break;
	}
	nl_done(P, &l, x);
	return x;
bad:
	free(l.v);
	return NULL;
}

/* {% for NAME in expr %} ... {% endfor %} */
static struct node *p_for(struct ps *P, size_t open)
{
	static const char *const ends[] = {"else", "endfor", NULL};
	struct node *x = mk(P, N_FOR, open);
	struct tok *k = cur(P);

	if (k->t != T_NAME) {
		if (is_op(k, "("))
			perr(P, k->pos, "tuple targets are not supported");
		else
			unexpected(P, "a loop variable");
		return NULL;
	}
	if (is_name(k, "loop")) {
		perr(P, k->pos, "'loop' cannot be a loop variable");
		return NULL;
	}
	x->s = k->s;
	x->len = k->n;
	P->i++;
	if (is_op(cur(P), ",") || is_op(cur(P), ".") || is_op(cur(P), "[")) {
		perr(P, cur(P)->pos, "only a plain name can be a loop variable");
		return NULL;
	}
	if (!is_name(cur(P), "in")) {
		unexpected(P, "'in'");
		return NULL;
	}
	P->i++;
	if ((x->a = p_expr(P, 0)) == NULL)
		return NULL;
	if (is_name(cur(P), "if")) {
		perr(P, cur(P)->pos, "loop filters are not supported");
		return NULL;
	}
	if (is_name(cur(P), "recursive")) {
		perr(P, cur(P)->pos, "recursive loops are not supported");
		return NULL;
	}
	if (expect_end(P, T_BEND) < 0)
		return NULL;
	if (P->ntargets == MAX_DEPTH) {
		perr(P, open, "blocks nested too deeply");
		return NULL;
	}
	P->targets[P->ntargets] = x->s;
	P->tlen[P->ntargets++] = x->len;
	x->b = p_body(P, ends, open);
	P->ntargets--;
	if (x->b == NULL)
		return NULL;
	k = &P->v[P->i + 1];
	if (is_name(k, "else")) {
		perr(P, k->pos, "'else' in a for loop is not supported");
		return NULL;
	}
	P->i += 2;
	if (expect_end(P, T_BEND) < 0)
		return NULL;
	return x;
}

/* Statements up to a {% NAME %} with NAME in ends (left unread), or to the
 * end of the template when ends is NULL. */
static struct node *p_body(struct ps *P, const char *const *ends, size_t open)
{
	struct node *body = mk(P, N_BODY, cur(P)->pos);
	struct nlist l = {0};

	if (++P->depth > MAX_DEPTH) {
		perr(P, open, "blocks nested too deeply");
		return NULL;
	}
	for (;;) {
		struct tok *k = cur(P);
		struct node *x = NULL;
		size_t j;

		if (k->t == T_EOF) {
			if (ends == NULL)
				break;
			for (j = 0; ends[j + 1] != NULL; j++)
				;
			perr(P, open, "this tag has no '{%% %s %%}'", ends[j]);
			goto bad;
		}
		if (k->t == T_DATA) {
			x = mk(P, N_TEXT, k->pos);
			x->s = k->s;
			x->len = k->n;
			P->i++;
		} else if (k->t == T_VBEGIN) {
			P->i++;
			x = mk(P, N_OUT, k->pos);
			if (cur(P)->t == T_VEND) {
				perr(P, cur(P)->pos, "expected an expression, got '}}'");
				goto bad;
			}
			if ((x->a = p_expr(P, 1)) == NULL || expect_end(P, T_VEND) < 0)
				goto bad;
		} else if (k->t == T_BBEGIN) {
			struct tok *name = &P->v[P->i + 1];

			if (name->t != T_NAME) {
				P->i++;
				unexpected(P, "a tag name");
				goto bad;
			}
			for (j = 0; ends != NULL && ends[j] != NULL; j++)
				if (is_name(name, ends[j]))
					break;
			if (ends != NULL && ends[j] != NULL)
				break;
			P->i += 2;
			if (is_name(name, "if")) {
				x = p_if(P, name->pos);
			} else if (is_name(name, "for")) {
				x = p_for(P, name->pos);
			} else if (is_name(name, "elif") || is_name(name, "else") ||
				   is_name(name, "endif") || is_name(name, "endfor")) {
				perr(P, name->pos, "unexpected '%.*s'", (int)name->n, name->s);
				goto bad;
			} else {
				p_unsupported_tag(P, name);
				goto bad;
			}
			if (x == NULL)
				goto bad;
		} else {
			unexpected(P, "text or a tag");
			goto bad;
		}
		nl_add(&l, x);
	}
	P->depth--;
	nl_done(P, &l, body);
	return body;
bad:
	free(l.v);
	return NULL;
}

void jinja_free(struct jinja *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nused; i++)
		free(t->used[i]);
	free(t->used);
	arena_free(&t->a);
	free(t->src);
	free(t->name);
	free(t);
}

struct jinja *jinja_parse(const char *name, const char *text, size_t len, char *err,
			  size_t errlen)
{
	struct jinja *t = xcalloc(1, sizeof(*t));
	struct lx L = {0};
	struct ps P = {0};
	size_t i, o = 0, good;

	t->name = xstrdup(name);
	/* jinja2 splits lines at \r\n, \r and \n, joins them with \n and, with
	 * keep_trailing_newline off, drops one final empty line. */
	t->src = xmalloc(len + 1);
	for (i = 0; i < len; i++) {
		if (text[i] == '\r') {
			if (i + 1 < len && text[i + 1] == '\n')
				i++;
			t->src[o++] = '\n';
		} else {
			t->src[o++] = text[i];
		}
	}
	if (o > 0 && t->src[o - 1] == '\n')
		o--;
	t->src[o] = '\0';
	t->n = o;
	if (!utf8_valid(t->src, t->n, &good)) {
		t->n = good;
		seterr(t, good, err, errlen, "not valid UTF-8");
		jinja_free(t);
		return NULL;
	}
	L.t = t;
	L.err = err;
	L.errlen = errlen;
	if (lex(&L) < 0) {
		free(L.v);
		jinja_free(t);
		return NULL;
	}
	P.t = t;
	P.v = L.v;
	P.err = err;
	P.errlen = errlen;
	t->body = p_body(&P, NULL, 0);
	free(L.v);
	if (t->body == NULL) {
		jinja_free(t);
		return NULL;
	}
	return t;
}

struct jinja *jinja_load(const char *path, const char *name, char *err, size_t errlen)
{
	size_t len;
	char *text = read_file(path, &len);
	struct jinja *t;

	if (text == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	t = jinja_parse(name != NULL ? name : path, text, len, err, errlen);
	free(text);
	return t;
}

const char *jinja_name(const struct jinja *t)
{
	return t->name;
}

int jinja_uses(const struct jinja *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nused; i++)
		if (strcmp(t->used[i], name) == 0)
			return 1;
	return 0;
}

/* ---- rendering ---------------------------------------------------------- */

struct bind {
	const char *name;
	size_t len;
	struct val v;
};

struct rc {
	const struct jinja *t;
	const jv *vars;
	struct buf *out;
	struct arena tmp;	/* list literals and joined strings of this render */
	struct bind *b;
	size_t nb, cap;
	char *err;
	size_t errlen;
};

static int rerr(struct rc *R, size_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int rerr(struct rc *R, size_t pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(R->t, pos, R->err, R->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Python's type name of a value, for messages. */
static const char *pytype(const struct val *v)
{
	switch (v->k) {
	case V_UNDEF: return "Undefined";
	case V_NONE: return "NoneType";
	case V_BOOL: return "bool";
	case V_INT:
	case V_BIG: return "int";
	case V_FLOAT: return "float";
	case V_STR: return "str";
	case V_LIST: return "list";
	case V_OBJ: return "dict";
	case V_LOOP: return "LoopContext";
	}
	return "?";
}

/* The value json.loads() would give for v: an integer literal is an int,
 * any other number (or one computed without text) a float. */
static void from_json(const jv *j, struct val *v)
{
	memset(v, 0, sizeof(*v));
	v->j = j;
	switch (j->t) {
	case JNULL: v->k = V_NONE; break;
	case JFALSE: v->k = V_BOOL; v->i = 0; break;
	case JTRUE: v->k = V_BOOL; v->i = 1; break;
	case JSTR: v->k = V_STR; v->s = j->u.s; v->n = j->n; break;
	case JARR: v->k = V_LIST; v->start = 0; v->cnt = j->n; break;
	case JOBJ: v->k = V_OBJ; break;
	case JNUM:
		if (j->raw != NULL && strpbrk(j->raw, ".eE") == NULL) {
			char *end;

			errno = 0;
			v->i = strtoll(j->raw, &end, 10);
			if (errno == ERANGE) {
				v->k = V_BIG;
				v->s = j->raw;
				v->n = strlen(j->raw);
			} else {
				v->k = V_INT;
			}
		} else {
			v->k = V_FLOAT;
			v->d = j->d;
		}
		break;
	}
}

/* Item i of a list value. */
static void list_item(const struct val *l, size_t i, struct val *v)
{
	if (l->vi != NULL)
		*v = l->vi[l->start + i];
	else
		from_json(l->j->u.items[l->start + i], v);
}

/* The member key of an object as Python's dict would find it: the last
 * one of that name (json.loads keeps the last duplicate). */
static const jv *obj_get(const jv *o, const char *k, size_t kn)
{
	size_t i;

	for (i = o->n; i-- > 0;)
		if (o->u.mem[i].klen == kn && memcmp(o->u.mem[i].key, k, kn) == 0)
			return o->u.mem[i].val;
	return NULL;
}

/* Is name an attribute of Python's dict (a method, or a dunder), which
 * jinja2's getattr would find before the key? */
static int dict_attr(const char *s, size_t n)
{
	static const char *const m[] = {"clear", "copy", "fromkeys", "get", "items", "keys", "pop",
					"popitem", "setdefault", "update", "values", NULL};
	size_t i;

	if (n >= 2 && s[0] == '_' && s[1] == '_')
		return 1;
	for (i = 0; m[i] != NULL; i++)
		if (strlen(m[i]) == n && memcmp(m[i], s, n) == 0)
			return 1;
	return 0;
}

/* jinja2's Undefined, remembering the name that was missing. */
static void undef(struct val *v, const char *name, size_t n)
{
	memset(v, 0, sizeof(*v));
	v->k = V_UNDEF;
	v->s = name;
	v->n = n;
}

static int undefined_error(struct rc *R, size_t pos, const struct val *v)
{
	return rerr(R, pos, "'%.*s' is undefined", (int)(v->n > 60 ? 60 : v->n), v->s ? v->s : "");
}

/* Python's truth value. */
static int truthy(const struct val *v)
{
	switch (v->k) {
	case V_UNDEF:
	case V_NONE: return 0;
	case V_BOOL:
	case V_INT: return v->i != 0;
	case V_BIG: return 1;
	case V_FLOAT: return v->d != 0;
	case V_STR: return v->n > 0;
	case V_LIST: return v->cnt > 0;
	case V_OBJ: return v->j->n > 0;
	case V_LOOP: return 1;
	}
	return 0;
}

/* Append Python's str(v) to b; lists, dicts and the loop are refused. */
static int to_str(struct rc *R, size_t pos, const struct val *v, struct buf *b)
{
	char tmp[32];
	size_t n;

	switch (v->k) {
	case V_UNDEF: return 0;
	case V_NONE: buf_adds(b, "None"); return 0;
	case V_BOOL: buf_adds(b, v->i ? "True" : "False"); return 0;
	case V_INT: buf_printf(b, "%lld", v->i); return 0;
	case V_BIG:
		n = v->n - (v->s[0] == '-');
		if (n > 4300)
			return rerr(R, pos, "an integer of more than 4300 digits cannot be printed");
		buf_add(b, v->s, v->n);
		return 0;
	case V_FLOAT:
		if (isnan(v->d)) {
			buf_adds(b, "nan");
		} else if (isinf(v->d)) {
			buf_adds(b, v->d < 0 ? "-inf" : "inf");
		} else {
			n = fmt_double(v->d, tmp);
			buf_add(b, tmp, n);
		}
		return 0;
	case V_STR: buf_add(b, v->s, v->n); return 0;
	case V_LIST:
	case V_OBJ:
	case V_LOOP:
		return rerr(R, pos, "printing a value of type '%s' is not supported", pytype(v));
	}
	return 0;
}

/* Look up a variable: loop targets innermost first, then the context;
 * jinja2's globals (range, dict, ...) are refused rather than imitated. */
static int lookup(struct rc *R, const struct node *x, struct val *v)
{
	static const char *const globals[] = {"range", "dict", "lipsum", "cycler", "joiner",
					      "namespace", NULL};
	const jv *j;
	size_t i;

	for (i = R->nb; i-- > 0;)
		if (R->b[i].len == x->len && memcmp(R->b[i].name, x->s, x->len) == 0) {
			*v = R->b[i].v;
			return 0;
		}
	if (R->vars != NULL && R->vars->t == JOBJ && (j = obj_get(R->vars, x->s, x->len)) != NULL) {
		from_json(j, v);
		return 0;
	}
	for (i = 0; globals[i] != NULL; i++)
		if (strlen(globals[i]) == x->len && memcmp(globals[i], x->s, x->len) == 0)
			return rerr(R, x->pos, "the global '%s' is not supported", globals[i]);
	undef(v, x->s, x->len);
	return 0;
}

/* loop.NAME */
static int loop_attr(struct rc *R, size_t pos, const struct loopst *lp, const char *s, size_t n,
		     struct val *v)
{
	long long r;

	memset(v, 0, sizeof(*v));
	v->k = V_INT;
#define IS(w) (n == strlen(w) && memcmp(s, w, n) == 0)
	if (IS("index"))
		v->i = lp->index0 + 1;
	else if (IS("index0"))
		v->i = lp->index0;
	else if (IS("revindex"))
		v->i = lp->length - lp->index0;
	else if (IS("revindex0"))
		v->i = lp->length - lp->index0 - 1;
	else if (IS("length"))
		v->i = lp->length;
	else if (IS("depth"))
		v->i = 1;
	else if (IS("depth0"))
		v->i = 0;
	else if ((r = IS("first")) || IS("last")) {
		v->k = V_BOOL;
		v->i = r ? lp->index0 == 0 : lp->index0 == lp->length - 1;
	} else
		return rerr(R, pos, "loop.%.*s is not supported", (int)(n > 40 ? 40 : n), s);
#undef IS
	return 0;
}

/* obj.NAME as jinja2's Environment.getattr: Python's attribute first,
 * then the item; a missing one is Undefined. */
static int get_attr(struct rc *R, size_t pos, const struct val *o, const char *s, size_t n,
		    struct val *v)
{
	const jv *j;

	switch (o->k) {
	case V_UNDEF:
		return undefined_error(R, pos, o);
	case V_LOOP:
		return loop_attr(R, pos, o->lp, s, n, v);
	case V_OBJ:
		if (dict_attr(s, n))
			return rerr(R, pos, "'%.*s' names a method of dict; not supported",
				    (int)(n > 40 ? 40 : n), s);
		if ((j = obj_get(o->j, s, n)) != NULL)
			from_json(j, v);
		else
			undef(v, s, n);
		return 0;
	case V_NONE:
		if (n >= 2 && s[0] == '_' && s[1] == '_')
			break;
		undef(v, s, n);
		return 0;
	default:
		break;
	}
	return rerr(R, pos, "attributes of a value of type '%s' are not supported", pytype(o));
}

/* An integer index value (int or bool), or -1 when it is none. */
static int as_index(const struct val *v, long long *i)
{
	if (v->k == V_INT || v->k == V_BOOL) {
		*i = v->i;
		return 0;
	}
	return -1;
}

/* obj[key] as jinja2's Environment.getitem: the item, else for a string
 * key the attribute, else Undefined. */
static int get_item(struct rc *R, size_t pos, const struct val *o, const struct val *key,
		    struct val *v)
{
	long long i;

	if (o->k == V_UNDEF)
		return undefined_error(R, pos, o);
	if (key->k == V_STR) {
		if (o->k == V_OBJ) {
			const jv *j = obj_get(o->j, key->s, key->n);

			if (j != NULL) {
				from_json(j, v);
				return 0;
			}
		}
		return get_attr(R, pos, o, key->s, key->n, v);
	}
	if (o->k == V_LOOP)
		return rerr(R, pos, "subscripting loop is not supported");
	if (as_index(key, &i) == 0 && (o->k == V_LIST || o->k == V_STR)) {
		long long len = o->k == V_LIST ? (long long)o->cnt : (long long)u8count(o->s, o->n);

		if (i < 0)
			i += len;
		if (i < 0 || i >= len) {
			undef(v, "item", 4);
			return 0;
		}
		if (o->k == V_LIST) {
			list_item(o, (size_t)i, v);
		} else {
			size_t a = u8off(o->s, o->n, (size_t)i);

			memset(v, 0, sizeof(*v));
			v->k = V_STR;
			v->s = o->s + a;
			v->n = u8next(o->s, o->n, a) - a;
		}
		return 0;
	}
	/* A TypeError or LookupError that jinja2 turns into Undefined. */
	undef(v, "item", 4);
	return 0;
}

/* Python's slice bounds for a sequence of len items (step 1). */
static void clamp(long long *x, long long len, long long dflt, int given)
{
	if (!given) {
		*x = dflt;
		return;
	}
	if (*x < 0) {
		*x += len;
		if (*x < 0)
			*x = 0;
	} else if (*x > len) {
		*x = len;
	}
}

static int eval(struct rc *R, const struct node *x, struct val *v);

/* obj[a:b:c]: Python's slicing itself (jinja2 bypasses getitem for it). */
static int do_slice(struct rc *R, const struct node *x, struct val *v)
{
	struct val o, b[3];
	const struct node *bn[3] = {x->b, x->c, x->d};
	long long lim[3] = {0, 0, 1}, len;
	int given[3] = {0, 0, 0}, k, counted;

	if (eval(R, x->a, &o) < 0)
		return -1;
	for (k = 0; k < 3; k++) {
		if (bn[k] == NULL)
			continue;
		if (eval(R, bn[k], &b[k]) < 0)
			return -1;
		if (b[k].k == V_NONE)
			continue;
		if (as_index(&b[k], &lim[k]) < 0)
			return rerr(R, bn[k]->pos, "slice indices must be integers or None, not %s",
				    pytype(&b[k]));
		given[k] = 1;
	}
	if (o.k == V_UNDEF)
		return undefined_error(R, x->pos, &o);
	if (o.k != V_STR && o.k != V_LIST)
		return rerr(R, x->pos, "slicing a value of type '%s' is not supported", pytype(&o));
	if (given[2] && lim[2] != 1)
		return rerr(R, bn[2]->pos, "slice steps other than 1 are not supported");
	*v = o;
	if (o.k == V_LIST) {
		len = (long long)o.cnt;
		clamp(&lim[0], len, 0, given[0]);
		clamp(&lim[1], len, len, given[1]);
		v->start = o.start + (size_t)lim[0];
		v->cnt = lim[1] > lim[0] ? (size_t)(lim[1] - lim[0]) : 0;
		return 0;
	}
	/* Count code points only when a bound is negative: s[:80] of a long
	 * string stays cheap, and only the part walked must be valid UTF-8. */
	counted = (given[0] && lim[0] < 0) || (given[1] && lim[1] < 0);
	if (counted && !utf8_valid(o.s, o.n, NULL))
		return rerr(R, x->pos, "slicing a string that is not valid UTF-8");
	len = counted ? (long long)u8count(o.s, o.n) : LLONG_MAX;
	clamp(&lim[0], len, 0, given[0]);
	if (!given[1])
		lim[1] = LLONG_MAX;
	else
		clamp(&lim[1], len, len, 1);
	if (lim[1] <= lim[0]) {
		v->n = 0;
		return 0;
	}
	{
		size_t a = u8off(o.s, o.n, (size_t)lim[0]);
		size_t e = lim[1] == LLONG_MAX ? o.n :
			   a + u8off(o.s + a, o.n - a, (size_t)(lim[1] - lim[0]));

		if (!counted && !utf8_valid(o.s, lim[1] == LLONG_MAX ? a : e, NULL))
			return rerr(R, x->pos, "slicing a string that is not valid UTF-8");
		v->s = o.s + a;
		v->n = e - a;
	}
	v->j = NULL;
	return 0;
}

/* Exact comparison of an int with a double: -1, 0, 1, or 2 (NaN). */
static int cmp_int_double(long long i, double d)
{
	double t;
	long long ti;

	if (isnan(d))
		return 2;
	if (d >= 9223372036854775808.0)
		return -1;
	if (d < -9223372036854775808.0)
		return 1;
	t = trunc(d);
	ti = (long long)t;
	if (i != ti)
		return i < ti ? -1 : 1;
	return d > t ? -1 : d < t ? 1 : 0;
}

static int is_num(const struct val *v)
{
	return v->k == V_BOOL || v->k == V_INT || v->k == V_FLOAT;
}

/* Compare two numbers: -1, 0, 1, or 2 when unordered (NaN). */
static int num_cmp(const struct val *a, const struct val *b)
{
	if (a->k != V_FLOAT && b->k != V_FLOAT)
		return a->i < b->i ? -1 : a->i > b->i;
	if (a->k == V_FLOAT && b->k == V_FLOAT) {
		if (isnan(a->d) || isnan(b->d))
			return 2;
		return a->d < b->d ? -1 : a->d > b->d;
	}
	if (a->k == V_FLOAT) {
		int c = cmp_int_double(b->i, a->d);

		return c == 2 ? 2 : -c;
	}
	return cmp_int_double(a->i, b->d);
}

/* Are a and b the same Python object?  Values read from the same JSON
 * value are, except slices of a list (each slice is a new list). */
static int same_obj(const struct val *a, const struct val *b)
{
	if (a->j == NULL || a->j != b->j || a->k != b->k)
		return 0;
	return a->k != V_LIST || (a->vi == b->vi && a->start == b->start && a->cnt == b->cnt &&
				  a->start == 0 && a->cnt == a->j->n);
}

/* Python's a == b (res 1/0); dicts, big integers and the loop are refused. */
static int equal(struct rc *R, size_t pos, const struct val *a, const struct val *b, int *res)
{
	size_t i;

	*res = 0;
	if (a->k == V_UNDEF || b->k == V_UNDEF) {
		*res = a->k == b->k;
		return 0;
	}
	if (a->k == V_BIG || b->k == V_BIG)
		return rerr(R, pos, "comparing an integer beyond 64 bits is not supported");
	if (a->k == V_LOOP || b->k == V_LOOP || (a->k == V_OBJ && b->k == V_OBJ))
		return rerr(R, pos, "comparing '%s' with '%s' is not supported", pytype(a), pytype(b));
	if (is_num(a) && is_num(b)) {
		*res = num_cmp(a, b) == 0;
		return 0;
	}
	if (a->k != b->k)
		return 0;
	switch (a->k) {
	case V_NONE: *res = 1; return 0;
	case V_STR: *res = a->n == b->n && memcmp(a->s, b->s, a->n) == 0; return 0;
	case V_LIST:
		if (a->cnt != b->cnt)
			return 0;
		for (i = 0; i < a->cnt; i++) {
			struct val x, y;
			int e;

			list_item(a, i, &x);
			list_item(b, i, &y);
			if (same_obj(&x, &y))
				continue;	/* Python: identity first */
			if (equal(R, pos, &x, &y, &e) < 0)
				return -1;
			if (!e)
				return 0;
		}
		*res = 1;
		return 0;
	default:
		return 0;
	}
}

/* a in b, as Python's __contains__ or iteration would answer it. */
static int contains(struct rc *R, size_t pos, const struct val *a, const struct val *b, int *res)
{
	size_t i;

	*res = 0;
	switch (b->k) {
	case V_UNDEF:
		return 0;
	case V_LIST:
		for (i = 0; i < b->cnt; i++) {
			struct val x;

			list_item(b, i, &x);
			if (same_obj(&x, a)) {
				*res = 1;
				return 0;
			}
			if (equal(R, pos, &x, a, res) < 0)
				return -1;
			if (*res)
				return 0;
		}
		return 0;
	case V_STR:
		if (a->k != V_STR)
			return rerr(R, pos, "'in <string>' requires string as left operand, not %s",
				    pytype(a));
		if (a->n == 0) {
			*res = 1;
			return 0;
		}
		for (i = 0; i + a->n <= b->n; i++)
			if (b->s[i] == a->s[0] && memcmp(b->s + i, a->s, a->n) == 0) {
				*res = 1;
				return 0;
			}
		return 0;
	case V_OBJ:
		if (a->k == V_LIST || a->k == V_OBJ || a->k == V_LOOP)
			return rerr(R, pos, "unhashable type: '%s'", pytype(a));
		*res = a->k == V_STR && obj_get(b->j, a->s, a->n) != NULL;
		return 0;
	default:
		return rerr(R, pos, "argument of type '%s' is not iterable", pytype(b));
	}
}

/* One comparison of a chain, with Python's rules for each operator. */
static int compare(struct rc *R, size_t pos, int op, const struct val *a, const struct val *b,
		   int *res)
{
	static const char *const sym[] = {"==", "!=", "<", "<=", ">", ">="};
	int c;

	switch (op) {
	case C_EQ:
	case C_NE:
		if (equal(R, pos, a, b, res) < 0)
			return -1;
		if (op == C_NE)
			*res = !*res;
		return 0;
	case C_IN:
	case C_NOTIN:
		if (contains(R, pos, a, b, res) < 0)
			return -1;
		if (op == C_NOTIN)
			*res = !*res;
		return 0;
	}
	if (a->k == V_UNDEF)
		return undefined_error(R, pos, a);
	if (b->k == V_UNDEF)
		return undefined_error(R, pos, b);
	if (a->k == V_BIG || b->k == V_BIG)
		return rerr(R, pos, "comparing an integer beyond 64 bits is not supported");
	if (is_num(a) && is_num(b)) {
		c = num_cmp(a, b);
	} else if (a->k == V_STR && b->k == V_STR) {
		size_t m = a->n < b->n ? a->n : b->n;

		c = memcmp(a->s, b->s, m);
		c = c < 0 ? -1 : c > 0 ? 1 : a->n < b->n ? -1 : a->n > b->n;
	} else {
		return rerr(R, pos, "'%s' not supported between instances of '%s' and '%s'",
			    sym[op], pytype(a), pytype(b));
	}
	if (c == 2) {
		*res = 0;
		return 0;
	}
	switch (op) {
	case C_LT: *res = c < 0; break;
	case C_LE: *res = c <= 0; break;
	case C_GT: *res = c > 0; break;
	default: *res = c >= 0; break;
	}
	return 0;
}

/* x|join(sep): str(sep).join(map(str, x)). */
static int do_join(struct rc *R, const struct node *x, struct val *v)
{
	struct val o, sep;
	struct buf b = {0}, sb = {0};
	size_t i, cnt;

	if (eval(R, x->a, &o) < 0)
		return -1;
	memset(&sep, 0, sizeof(sep));
	sep.k = V_STR;
	sep.s = "";
	if (x->b != NULL && eval(R, x->b, &sep) < 0)
		return -1;
	if (to_str(R, x->b != NULL ? x->b->pos : x->pos, &sep, &sb) < 0)
		goto bad;
	switch (o.k) {
	case V_UNDEF:
		cnt = 0;
		break;
	case V_LIST:
		cnt = o.cnt;
		break;
	case V_STR:
		if (!utf8_valid(o.s, o.n, NULL)) {
			rerr(R, x->pos, "joining a string that is not valid UTF-8");
			goto bad;
		}
		cnt = o.n;
		break;
	default:
		rerr(R, x->pos, "join of a value of type '%s' is not supported", pytype(&o));
		goto bad;
	}
	for (i = 0; i < cnt; i++) {
		struct val it;

		if (o.k == V_STR) {
			size_t e = u8next(o.s, o.n, i);

			if (i > 0)
				buf_add(&b, sb.s, sb.len);
			buf_add(&b, o.s + i, e - i);
			i = e - 1;
			continue;
		}
		if (i > 0)
			buf_add(&b, sb.s, sb.len);
		list_item(&o, i, &it);
		if (to_str(R, x->pos, &it, &b) < 0)
			goto bad;
	}
	memset(v, 0, sizeof(*v));
	v->k = V_STR;
	v->n = b.len;
	v->s = arena_strndup(&R->tmp, b.s ? b.s : "", b.len);
	buf_free(&b);
	buf_free(&sb);
	return 0;
bad:
	buf_free(&b);
	buf_free(&sb);
	return -1;
}

/* Evaluate an expression node. */
static int eval(struct rc *R, const struct node *x, struct val *v)
{
	struct val a, b;
	size_t i;
	int r;

	switch (x->k) {
	case N_CONST:
		*v = x->cv;
		return 0;
	case N_NAME:
		return lookup(R, x, v);
	case N_ATTR:
		if (eval(R, x->a, &a) < 0)
			return -1;
		return get_attr(R, x->pos, &a, x->s, x->len, v);
	case N_ITEM:
		if (eval(R, x->a, &a) < 0 || eval(R, x->b, &b) < 0)
			return -1;
		return get_item(R, x->pos, &a, &b, v);
	case N_SLICE:
		return do_slice(R, x, v);
	case N_LIST: {
		struct val *items = arena_alloc(&R->tmp, (x->n ? x->n : 1) * sizeof(*items));

		for (i = 0; i < x->n; i++)
			if (eval(R, x->v[i], &items[i]) < 0)
				return -1;
		memset(v, 0, sizeof(*v));
		v->k = V_LIST;
		v->vi = items;
		v->cnt = x->n;
		return 0;
	}
	case N_COND:
		if (eval(R, x->a, &a) < 0)
			return -1;
		if (truthy(&a))
			return eval(R, x->b, v);
		if (x->c != NULL)
			return eval(R, x->c, v);
		undef(v, "else", 4);
		return 0;
	case N_AND:
	case N_OR:
		if (eval(R, x->a, v) < 0)
			return -1;
		if (truthy(v) == (x->k == N_OR))
			return 0;
		return eval(R, x->b, v);
	case N_NOT:
		if (eval(R, x->a, &a) < 0)
			return -1;
		memset(v, 0, sizeof(*v));
		v->k = V_BOOL;
		v->i = !truthy(&a);
		return 0;
	case N_NEG:
		if (eval(R, x->a, &a) < 0)
			return -1;
		if (a.k == V_UNDEF)
			return undefined_error(R, x->pos, &a);
		memset(v, 0, sizeof(*v));
		if (a.k == V_FLOAT) {
			v->k = V_FLOAT;
			v->d = -a.d;
		} else if ((a.k == V_INT || a.k == V_BOOL) && a.i != LLONG_MIN) {
			v->k = V_INT;
			v->i = -a.i;
		} else {
			return rerr(R, x->pos, "negating a value of type '%s' is not supported", pytype(&a));
		}
		return 0;
	case N_CMP:
		if (eval(R, x->v[0], &a) < 0)
			return -1;
		r = 1;
		for (i = 0; i + 1 < x->n && r; i++) {
			if (eval(R, x->v[i + 1], &b) < 0 ||
			    compare(R, x->v[i + 1]->pos, x->ops[i], &a, &b, &r) < 0)
				return -1;
			a = b;
		}
		memset(v, 0, sizeof(*v));
		v->k = V_BOOL;
		v->i = r;
		return 0;
	case N_JOIN:
		return do_join(R, x, v);
	default:
		return rerr(R, x->pos, "internal error: not an expression");
	}
}

static int run(struct rc *R, const struct node *body);

/* Bind a loop variable (innermost bindings are found first). */
static void bind(struct rc *R, const char *name, size_t len, const struct val *v)
{
	if (R->nb == R->cap)
		R->b = xgrow(R->b, &R->cap, R->nb + 1, sizeof(*R->b));
	R->b[R->nb].name = name;
	R->b[R->nb].len = len;
	R->b[R->nb].v = *v;
	R->nb++;
}

/* {% for %}: the body once per item, with the target and loop bound. */
static int run_for(struct rc *R, const struct node *x)
{
	struct val it, item, lv;
	struct loopst ls;
	size_t i, nb = R->nb;

	if (eval(R, x->a, &it) < 0)
		return -1;
	switch (it.k) {
	case V_UNDEF:
		return 0;
	case V_LIST:
		ls.length = (long long)it.cnt;
		break;
	case V_STR:
		if (!utf8_valid(it.s, it.n, NULL))
			return rerr(R, x->a->pos, "iterating a string that is not valid UTF-8");
		ls.length = (long long)u8count(it.s, it.n);
		break;
	default:
		return rerr(R, x->a->pos, "iterating a value of type '%s' is not supported", pytype(&it));
	}
	memset(&lv, 0, sizeof(lv));
	lv.k = V_LOOP;
	lv.lp = &ls;
	bind(R, "loop", 4, &lv);
	bind(R, x->s, x->len, &lv);
	ls.index0 = 0;
	for (i = 0; ls.index0 < ls.length; ls.index0++) {
		if (it.k == V_LIST) {
			list_item(&it, (size_t)ls.index0, &item);
		} else {
			size_t e = u8next(it.s, it.n, i);

			memset(&item, 0, sizeof(item));
			item.k = V_STR;
			item.s = it.s + i;
			item.n = e - i;
			i = e;
		}
		R->b[nb + 1].v = item;
		if (run(R, x->b) < 0) {
			R->nb = nb;
			return -1;
		}
	}
	R->nb = nb;
	return 0;
}

/* Render a body's statements into R->out. */
static int run(struct rc *R, const struct node *body)
{
	size_t i, j;

	for (i = 0; i < body->n; i++) {
		const struct node *x = body->v[i];
		struct val v;

		switch (x->k) {
		case N_TEXT:
			buf_add(R->out, x->s, x->len);
			break;
		case N_OUT:
			if (eval(R, x->a, &v) < 0 || to_str(R, x->a->pos, &v, R->out) < 0)
				return -1;
			break;
		case N_IF:
			for (j = 0; j + 1 < x->n; j += 2) {
				if (eval(R, x->v[j], &v) < 0)
					return -1;
				if (truthy(&v))
					break;
			}
			if (j + 1 < x->n) {
				if (run(R, x->v[j + 1]) < 0)
					return -1;
			} else if (x->c != NULL && run(R, x->c) < 0) {
				return -1;
			}
			break;
		case N_FOR:
			if (run_for(R, x) < 0)
				return -1;
			break;
		default:
			return rerr(R, x->pos, "internal error: not a statement");
		}
	}
	return 0;
}

int jinja_render(const struct jinja *t, const jv *vars, struct buf *out, char *err,
		 size_t errlen)
{
	struct rc R;
	size_t len0 = out->len;
	int rc;

	memset(&R, 0, sizeof(R));
	R.t = t;
	R.vars = vars;
	R.out = out;
	R.err = err;
	R.errlen = errlen;
	buf_add(out, "", 0);
	rc = run(&R, t->body);
	if (rc < 0) {
		out->len = len0;
		out->s[len0] = '\0';
	}
	free(R.b);
	arena_free(&R.tmp);
	return rc;
}
