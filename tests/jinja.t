#!/usr/bin/env bash
# The Jinja renderer (src/lib/jinja.c) against jinja2 itself (Debian's
# python3-jinja2), in PUMA's environment: every PUMA template against every
# real instance (the 200 Jira rows, pairs of them, the TAWOS rows), without
# and with examples, hostile rows (template syntax, CRLF, U+2028, emoji,
# megabyte fields), 1000 random templates of our own in the subset and 2000
# random runs of template fragments (mostly syntax errors to both); the
# variables each template reads, against jinja2.meta; PUMA's golden renders;
# and the errors, each with its file:line:col.
. "$(dirname "$0")/lib.sh"
R="$BUILD/helpers/jinja-render"
REF="$ROOT/tests/ref/jinja_ref.py"
PROMPTS="$SHARED/puma-prompts"

[ -x "$R" ] || skip_all "$R not built (run: make check)"

# ---- errors: exact messages, file:line:col, exit status ---------------------
# err NAME TEMPLATE CONTEXT EXPECTED-MESSAGE
err() {
	printf '%s' "$2" >"$TMP/t.jinja"
	printf '%s' "$3" >"$TMP/ctx.json"
	"$R" "$TMP/t.jinja" t.jinja <"$TMP/ctx.json" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	is "$rc $(cat "$TMP/err")" "1 jinja-render: $4" "error: $1"
	[ -s "$TMP/out" ] && { ok 1 "error: $1 writes no prompt"; return; }
}
C='{"instance":{"title":"T","n":5},"labels":["A","B"],"examples":[]}'
err "unsupported filter" $'Title\n  {{ instance.title }}\n{{ instance.title|upper }}' "$C" \
	"t.jinja:3:19: filter 'upper' is not supported"
err "unsupported tag" $'a\n{% set x = 1 %}' "$C" "t.jinja:2:4: tag 'set' is not supported"
err "include" '{% include "x.jinja" %}' "$C" "t.jinja:1:4: tag 'include' is not supported"
err "raw" '{% raw %}{{ x }}{% endraw %}' "$C" "t.jinja:1:4: tag 'raw' is not supported"
err "arithmetic" '{{ instance.n + 1 }}' "$C" "t.jinja:1:15: operator '+' is not supported"
err "calls" '{{ instance.title.upper() }}' "$C" "t.jinja:1:24: calls are not supported"
err "tests" '{% if x is defined %}{% endif %}' "$C" "t.jinja:1:9: tests ('is') are not supported"
err "loop filter" '{% for x in labels if x %}{% endfor %}' "$C" \
	"t.jinja:1:20: loop filters are not supported"
err "for-else" '{% for x in labels %}a{% else %}b{% endfor %}' "$C" \
	"t.jinja:1:26: 'else' in a for loop is not supported"
err "join attribute" "{{ labels|join(', ', 'x') }}" "$C" \
	"t.jinja:1:20: join's attribute argument is not supported"
err "keyword argument" "{{ labels|join(d=', ') }}" "$C" \
	"t.jinja:1:16: keyword arguments are not supported"
err "dict literal" "{{ {'a': 1} }}" "$C" "t.jinja:1:4: dict literals are not supported"
err "hex number" '{{ 0x10 }}' "$C" "t.jinja:1:4: this form of number is not supported"
err "escape" "{{ '\\x41' }}" "$C" "t.jinja:1:5: this escape sequence is not supported"
err "unclosed variable" $'a\n\n  {{ instance.title ' "$C" "t.jinja:3:3: '{{' is not closed"
err "unclosed block" '{% if x ' "$C" "t.jinja:1:1: '{%' is not closed"
err "unclosed comment" $'x {# note\n' "$C" "t.jinja:1:3: comment is not closed"
err "unclosed if" $'{% if x %}\na' "$C" "t.jinja:1:4: this tag has no '{% endif %}'"
err "unclosed for" $'{% for x in labels %}\na' "$C" "t.jinja:1:4: this tag has no '{% endfor %}'"
err "stray endfor" $'a\n{% endfor %}' "$C" "t.jinja:2:4: unexpected 'endfor'"
err "empty expression" '{{ }}' "$C" "t.jinja:1:4: expected an expression, got '}}'"
err "bad syntax" '{{ instance. }}' "$C" "t.jinja:1:14: expected an attribute name, got '}}'"
err "unbalanced" '{{ labels[0 }}' "$C" "t.jinja:1:13: unexpected '}', expected ']'"
err "tuple" '{{ 1, 2 }}' "$C" "t.jinja:1:5: tuples are not supported"
err "condexpr in if" "{% if 1 if x else 2 %}{% endif %}" "$C" \
	"t.jinja:1:9: conditional expressions here need parentheses"
err "invalid UTF-8" $'ok\n\xff' "$C" "t.jinja:2:1: not valid UTF-8"
err "undefined owner" '{{ instance.title }} {{ nothing.title }}' "$C" \
	"t.jinja:1:33: 'nothing' is undefined"
err "printing a list" $'x\n {{ labels }}' "$C" \
	"t.jinja:2:5: printing a value of type 'list' is not supported"
err "order with a string" '{{ instance.title < 3 }}' "$C" \
	"t.jinja:1:21: '<' not supported between instances of 'str' and 'int'"
err "slicing a number" '{{ instance.n[:2] }}' "$C" \
	"t.jinja:1:14: slicing a value of type 'int' is not supported"
err "method of a dict" '{{ instance.items }}' "$C" \
	"t.jinja:1:13: 'items' names a method of dict; not supported"
err "global" '{{ range }}' "$C" "t.jinja:1:4: the global 'range' is not supported"
err "a chain too deep" "{{ x$(printf '.a%.0s' $(seq 600)) }}" "$C" \
	"t.jinja:1:1006: expression nested too deeply"
err "brackets too deep" "{{ $(printf '(%.0s' $(seq 200))x$(printf ')%.0s' $(seq 200)) }}" "$C" \
	"t.jinja:1:104: brackets nested too deeply"
err "nesting too deep" "{{ $(printf 'not %.0s' $(seq 150))x }}" "$C" \
	"t.jinja:1:396: expression nested too deeply"
"$R" "$TMP/nonexistent.jinja" <"$TMP/ctx.json" >/dev/null 2>"$TMP/err"
is "$? $(cat "$TMP/err")" "1 jinja-render: $TMP/nonexistent.jinja: No such file or directory" \
	"a missing template names its path"
"$R" >/dev/null 2>&1
is "$?" 2 "no arguments is a usage error"

# A failed render leaves nothing behind, and the renderer goes on: in a
# batch, the line after an error renders normally.
printf '%s\n' '{"source":"a{{ x.y }}b","name":"e.jinja","context":{}}' \
	'{"source":"ok {{ x }}","name":"f.jinja","context":{"x":5.0}}' |
	"$R" -b >"$TMP/b.out"
printf '%s\n' '{"error":"e.jinja:1:7: '"'x'"' is undefined"}' '{"output":"ok 5.0"}' >"$TMP/b.want"
same_file "$TMP/b.out" "$TMP/b.want" "an error in a batch is one line; the next line renders"

# ---- against jinja2 ---------------------------------------------------------
if ! "$PYTHON" -c 'import jinja2, pandas' 2>/dev/null; then
	skip "$PYTHON cannot import jinja2 and pandas (run: make deps): no differential test"
	done_testing
	exit
fi
if [ ! -f "$PROMPTS/MANIFEST.tsv" ]; then
	skip "PUMA's templates not found at $PROMPTS (set PUMA_SHARED_DATA): no differential test"
	done_testing
	exit
fi

# PUMA's golden renders (jinja2 3.1.6), byte for byte, and jinja2 here agrees.
"$PYTHON" "$REF" golden "$PROMPTS" >"$TMP/g.in"
"$R" -b "$TMP/g.in" >"$TMP/g.got"
"$PYTHON" "$REF" render "$TMP/g.in" >"$TMP/g.ref"
"$PYTHON" "$REF" compare "$TMP/g.in" "$TMP/g.ref" "$TMP/g.got" >"$TMP/g.cmp"
ok $? "golden: the 21 recorded prompts of PUMA's templates, byte for byte"
sed 's/^/# /' "$TMP/g.cmp"
grep -q '^21 renders compared: 21 identical' "$TMP/g.cmp"
ok $? "golden: all 21 compared"

# Every template x every instance, hostile rows and our own templates.
"$PYTHON" "$REF" cases "$PROMPTS" "$SHARED" 42 >"$TMP/c.in"
"$R" -b "$TMP/c.in" >"$TMP/c.got"
ok $? "the renderer runs through the whole batch"
"$PYTHON" "$REF" render "$TMP/c.in" >"$TMP/c.ref"
"$PYTHON" "$REF" compare "$TMP/c.in" "$TMP/c.ref" "$TMP/c.got" >"$TMP/c.cmp"
ok $? "every render identical to jinja2's, or failing where jinja2 fails"
sed 's/^/# /' "$TMP/c.cmp" | head -n 40
n=$(sed -n 's/^\([0-9]*\) renders compared: \([0-9]*\) identical.*/\2/p' "$TMP/c.cmp")
[ "${n:-0}" -gt 30000 ]
ok $? "more than 30000 identical renders (got ${n:-0})"
u=$(sed -n "s/^\([0-9]*\) templates' variables compared.*/\1/p" "$TMP/c.cmp")
[ "${u:-0}" -ge 321 ]
ok $? "jinja_uses() agrees with jinja2.meta on PUMA's 21 templates and 300 of ours (got ${u:-0})"

done_testing
