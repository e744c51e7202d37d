#!/usr/bin/env bash
# The protocol's make variables are data: a table of hostile values, each
# trying to run a command that would leave a file under this test's
# scratch directory, is refused (exit 2, naming the variable) by every
# target before any recipe runs, and no file appears.
. "$(dirname "$0")/lib.sh"
RUNS="$TMP/runs"
printf '{"id":"A","scenario":"triage_jira","title":"t","description":"d","gold":"Major"}\n' >"$TMP/tri.jsonl"
VARS="SCENARIO STRATEGY MODEL N SEED TEMPERATURE NUM_PREDICT BACKEND URL LOGPROBS TOP_LOGPROBS
JOBS CONSTRAIN NUM_CTX MAX_CHARS EXAMPLES K LABELS TIMEOUT RETRIES BINS COUNTRY INTENSITY PUE
MODEL_DIGEST PROFILE INFER_ARGS DATASET NAME RUNS A B RUN PAIRS"

# hostile K VAR: the K-th hostile value for VAR; each would create
# $TMP/pw-VAR-K if a shell ever read it as code.  Make reads '$$' as '$'.
hostile() {
	local f="$TMP/pw-$2-$1"
	case $1 in
	1) printf "x' ; touch %s ; echo '" "$f" ;;
	2) printf '42 --version; touch %s; true' "$f" ;;
	3) printf 'x$$(touch %s)' "$f" ;;
	4) printf 'x`touch %s`' "$f" ;;
	5) printf 'x\ntouch %s' "$f" ;;
	6) printf 'x" ; touch %s ; echo "' "$f" ;;
	7) printf 'x|touch %s' "$f" ;;
	8) printf 'x&&touch %s' "$f" ;;
	esac
}

# Every variable hostile at once: each is named, and nothing runs.
for k in 1 2 3 4 5 6 7 8; do
	targets=run
	[ "$k" -eq 1 ] && targets="run baseline-triage baseline-estimation validate-baseline baseline report cross-arch demo"
	for target in $targets; do
		args=()
		for v in $VARS; do
			args+=("$v=$(hostile $k $v)")
		done
		project_make "$target" "${args[@]}" >"$TMP/out" 2>"$TMP/err" </dev/null
		st=$?
		missing=""
		for v in $VARS; do
			grep -q "^run: $v=" "$TMP/err" || missing="$missing $v"
		done
		is "$st:${missing:- none}:$(ls "$TMP" | grep -c '^pw-')" "2: none:0" \
			"hostile value $k in every variable, make $target: exit 2, each named, no command ran"
	done
done
ls "$TMP" | grep '^pw-' | sed 's/^/# created: /'

# BINDIR is also the main Makefile's: a hostile one stops make before any
# recipe, one way or the other.
for k in 1 2 3 4 5 6 7 8; do
	project_make run "DATASET=$TMP/tri.jsonl" "RUNS=$RUNS" N=1 URL=http://127.0.0.1:9 \
		"BINDIR=$(hostile $k BINDIR)" >/dev/null 2>&1 </dev/null
	st=$?
	[ "$st" -ne 0 ] && [ ! -e "$RUNS" ] || echo "# BINDIR value $k: exit $st"
done
is "$(ls "$TMP" | grep -c '^pw-')" 0 "hostile BINDIR values: no command ran"

# The issue's two cases, as given.
project_make run "DATASET=$TMP/tri.jsonl" "RUNS=$RUNS" URL=http://127.0.0.1:9 N=4 \
	"MODEL=m:1' --version; touch $TMP/pwned; echo '" >/dev/null 2>"$TMP/err"
is "$?:$([ -e "$TMP/pwned" ] && echo pwned)" "2:" "MODEL with a quote: refused, nothing ran"
project_make run "DATASET=$TMP/tri.jsonl" "RUNS=$RUNS" URL=http://127.0.0.1:9 N=4 \
	"SEED=42 --version; touch $TMP/pwned2; true" >/dev/null 2>"$TMP/err"
is "$?:$([ -e "$TMP/pwned2" ] && echo pwned)" "2:" "SEED with a command: refused, nothing ran"
grep -q "^run: SEED=.* is not a whole number" "$TMP/err"
ok $? "SEED: the message says a number is wanted"

# Ordinary values pass.
project_make check-settings "DATASET=$TMP/tri.jsonl" "RUNS=$RUNS" N=4 SEED=7 TEMPERATURE=0.7 \
	MODEL=qwen2.5:3b-instruct-q4_K_M URL=http://bob:pw@127.0.0.1:11434/ "LABELS=Critical, Major" \
	STRATEGY=few-shot-3 "EXAMPLES=$TMP/pool.jsonl" K=3 "INFER_ARGS=--max-chars 2000 --retries 2" \
	COUNTRY=FR PUE=1.2 MODEL_DIGEST=sha256:abc PROFILE=h100 >"$TMP/out" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "0:" "ordinary settings pass the check"

done_testing
