#!/usr/bin/env bash
# The protocol's inference step reads puma-infer's exit status, not its
# output: a run whose every record was written, some with an error (exit
# 3), finishes; a run that stopped early (exit 1) does not, although it
# too wrote one record per input.  Against the fake server, so it runs
# everywhere.
. "$(dirname "$0")/lib.sh"
need_python json
. "$ROOT/tests/infer-lib.sh"
RUNS="$TMP/runs"
pmake() {
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -C "$ROOT" \
		NO_BUILD=1 "BINDIR=$BIN" "RUNS=$RUNS" "DATA=$TMP/data" "$@"
}
# data FILE FAULT...: one triage record per FAULT ("-" for none).
data() {
	local f=$1
	shift
	"$PYTHON" - "$f" "$@" <<'PY'
import json, sys
labels = ["Critical", "Major", "Minor", "Trivial"]
with open(sys.argv[1], "w") as f:
    for i, fault in enumerate(sys.argv[2:]):
        t = "issue %d" % i + ("" if fault == "-" else " FAULT:" + fault)
        f.write(json.dumps({"id": "X-%d" % i, "scenario": "triage_jira", "title": t,
                            "description": "Something fails.", "gold": labels[i % 4]}) + "\n")
PY
}
start_fake A --model m
S=(BACKEND=ollama "URL=http://127.0.0.1:$PORT_A" MODEL=m N=4 PROMPTS=own LOGPROBS=0
	"INFER_ARGS=--retries 0 --max-failures 2")

# Two of four records fail (404, not retried): puma-infer exits 3, the step finishes.
data "$TMP/some.jsonl" - model404 - model404
"$BIN/puma-infer" -m m -u "http://127.0.0.1:$PORT_A" -s triage_jira --no-cache --retries 0 -q \
	<"$TMP/some.jsonl" >"$TMP/o" 2>/dev/null
is "$?:$(wc -l <"$TMP/o")" "3:4" "puma-infer: some records failed, every one written: exit 3"
pmake run "${S[@]}" NAME=some "DATASET=$TMP/some.jsonl" >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "make run: a run with failed records finishes"
d=$(ls -d "$RUNS"/some__*)
ok $([ -s "$d/manifest.json" ] && [ "$(wc -l <"$d/responses.jsonl")" -eq 4 ]; echo $?) \
	"...with its manifest and every record"
grep -q "some requests failed: they are records with an error" "$TMP/err"
ok $? "...saying that some requests failed"

# Every request fails: --max-failures 2 stops the run; the records not
# sent are written too, but puma-infer exits 1 and the step does not finish.
data "$TMP/dead.jsonl" status-500-xall status-500-xall status-500-xall status-500-xall
"$BIN/puma-infer" -m m -u "http://127.0.0.1:$PORT_A" -s triage_jira --no-cache --retries 0 --max-failures 2 -q \
	<"$TMP/dead.jsonl" >"$TMP/o" 2>/dev/null
is "$?:$(wc -l <"$TMP/o")" "1:4" "puma-infer: stopped early, one record per input all the same: exit 1"
pmake run "${S[@]}" NAME=dead "DATASET=$TMP/dead.jsonl" >"$TMP/out" 2>"$TMP/err"
ok $(($? == 0)) "make run: a run that stopped early fails"
d=$(ls -d "$RUNS"/dead__*)
ok $([ ! -e "$d/responses.jsonl" ] && [ ! -e "$d/manifest.json" ]; echo $?) \
	"...and leaves nothing that looks finished"
grep -q "inference did not finish; rerun the same target to resume" "$TMP/err"
ok $? "...saying how to go on"

# Every record answered: exit 0.
data "$TMP/good.jsonl" - - - -
"$BIN/puma-infer" -m m -u "http://127.0.0.1:$PORT_A" -s triage_jira --no-cache -q <"$TMP/good.jsonl" >"$TMP/o" 2>/dev/null
is "$?:$(wc -l <"$TMP/o")" "0:4" "puma-infer: every record answered: exit 0"

# URL with several servers: the run spreads its requests over all of them
# (one -u each), and puma-detect asks the first.
D=$(printf 'd%.0s' $(seq 64))
start_fake C --model m --digest "$D"
start_fake E --model m --digest "$D"
data "$TMP/two.jsonl" - - - - - - - -
pmake run BACKEND=ollama "URL=http://127.0.0.1:$PORT_C http://127.0.0.1:$PORT_E" MODEL=m N=8 JOBS=2 PROMPTS=own \
	LOGPROBS=0 NAME=two "DATASET=$TMP/two.jsonl" >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "make run with two URLs finishes"
d=$(ls -d "$RUNS"/two__*)
is "$(pyq "$d/responses.jsonl" 'len(r), sorted(set(x["endpoint"] for x in r)) == sorted(["http://127.0.0.1:'"$PORT_C"'", "http://127.0.0.1:'"$PORT_E"'"])')" \
	"(8, True)" "...its eight records answered by both servers"
rc_=$(requests "$PORT_C") re_=$(requests "$PORT_E")
ok $([ "$rc_" -ge 1 ] && [ "$re_" -ge 1 ] && [ $((rc_ + re_)) -eq 8 ]; echo $?) \
	"...eight requests in all, none sent twice ($rc_ and $re_)"
pmake check-settings "URL=http://127.0.0.1:$PORT_C  http://127.0.0.1:$PORT_E" >/dev/null 2>"$TMP/err"
ok $([ $? -eq 2 ] && grep -q "^run: URL=.* is not a URL, or up to 64 http(s) URLs separated by single spaces" "$TMP/err"; echo $?) \
	"URL with a doubled space: refused, saying what is wanted"
done_testing
