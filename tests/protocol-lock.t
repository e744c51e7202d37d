#!/usr/bin/env bash
# Two identical make runs at once share one run directory: the second waits
# for the first (saying so) instead of writing the same files, and both
# end with the complete run.
. "$(dirname "$0")/lib.sh"
need_python json
. "$ROOT/tests/infer-lib.sh"
RUNS="$TMP/runs"
start_fake f
"$PYTHON" -c 'import json
L = ["Critical", "Major", "Minor", "Trivial"]
for i in range(8): print(json.dumps({"id": "L-%d" % i, "scenario": "triage_jira", "title": "FAULT:delay-250 t%d" % i, "description": "d", "gold": L[i % 4]}))' >"$TMP/in"
prun() {
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -C "$ROOT" \
		NO_BUILD=1 "BINDIR=$BIN" "RUNS=$RUNS" "DATASET=$TMP/in" N=8 NAME=lock MODEL=fake:1b \
		BACKEND=ollama "URL=http://127.0.0.1:$PORT_f" run
}
prun >"$TMP/out1" 2>"$TMP/err1" &
p1=$!
sleep 1
prun >"$TMP/out2" 2>"$TMP/err2" &
p2=$!
wait "$p1"; s1=$?
wait "$p2"; s2=$?
is "$s1:$s2" "0:0" "two identical runs at once: both succeed"
is "$(ls -d "$RUNS"/lock__* | wc -l)" 1 "one run directory"
d=$(ls -d "$RUNS"/lock__*)
is "$([ -f "$d/manifest.json" ] && echo done):$(wc -l <"$d/responses.jsonl"):$(pyq "$d/responses.jsonl" 'sorted(x["id"] for x in r if x["error"] is None) == ["L-%d" % i for i in range(8)]')" \
	"done:8:True" "the run is complete: every record answered once"
is "$(requests "$PORT_f")" 8 "each request was sent once"
grep -q "is in use by another make run: waiting" "$TMP/err2"
ok $? "the second run says it waits"
grep -q "^run: $d" "$TMP/out2"
ok $? "the second run prints the finished run"
done_testing
