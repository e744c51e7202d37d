#!/usr/bin/env bash
# Everything that changes the requests changes the run id and is in the
# settings and the manifest: INFER_ARGS, and the contents (sha256) of a
# template or examples file, whether given by a variable or in INFER_ARGS.
. "$(dirname "$0")/lib.sh"
need_python json
. "$ROOT/tests/infer-lib.sh"
RUNS="$TMP/runs"
pmake() { project_make "RUNS=$RUNS" "DATASET=$TMP/in" N=2 "$@"; }
"$PYTHON" -c 'import json
for i in range(2): print(json.dumps({"id": "I-%d" % i, "scenario": "triage_jira", "title": "t%d" % i, "description": "d", "gold": "Major"}))' >"$TMP/in"
printf 'Priority ({{labels}}) of: {{title}}\n' >"$TMP/t1.txt"

# hash NAME: the settings hash of the run called NAME (the only one).
hash() { basename "$(ls -d "$RUNS/$1"__*)" | cut -d_ -f3; }
# hashes NAME: how many settings hashes the runs called NAME have.
hashes() { for d in "$RUNS/$1"__*; do basename "$d" | cut -d_ -f3; done | sort -u | wc -l; }
# The dead server: each run stops after writing its settings.
dead() { pmake run BACKEND=openai URL=http://127.0.0.1:9 MODEL=m RETRIES=0 "$@" >/dev/null 2>&1; }

dead NAME=a
dead NAME=b "INFER_ARGS=--template $TMP/t1.txt"
dead NAME=c "INFER_ARGS=--template $TMP/t1.txt --max-chars 100"
ok $([ "$(hash a)" != "$(hash b)" ] && [ "$(hash b)" != "$(hash c)" ]; echo $?) \
	"INFER_ARGS is part of the run id"
db=$(ls -d "$RUNS"/b__*)
is "$(grep -c "^infer_args=--template $TMP/t1.txt$" "$db/settings.txt"):$(grep -c "^template_sha256=$(sha256sum <"$TMP/t1.txt" | cut -c1-64)$" "$db/settings.txt")" \
	"1:1" "settings.txt holds INFER_ARGS and the template's sha256"
printf 'Another ({{labels}}) for: {{title}}\n' >"$TMP/t1.txt"
dead NAME=b "INFER_ARGS=--template $TMP/t1.txt"
is "$(hashes b)" 2 \
	"the same --template path with other contents: another run id"
printf '{"id":"E-1","scenario":"triage_jira","title":"x","description":"y","gold":"Minor"}\n' >"$TMP/ex.jsonl"
dead NAME=e "EXAMPLES=$TMP/ex.jsonl"
printf '{"id":"E-1","scenario":"triage_jira","title":"x","description":"y","gold":"Major"}\n' >"$TMP/ex.jsonl"
dead NAME=e "EXAMPLES=$TMP/ex.jsonl"
is "$(hashes e)" 2 "EXAMPLES with other contents: another run id"
dead NAME=f "INFER_ARGS=--examples=$TMP/ex.jsonl"
grep -q "^examples_sha256=$(sha256sum <"$TMP/ex.jsonl" | cut -c1-64)$" "$(ls -d "$RUNS"/f__*)/settings.txt"
ok $? "--examples=FILE in INFER_ARGS: its sha256 is a setting"

# A finished run's manifest names the template the requests used.
start_fake f
pmake run NAME=m MODEL=fake:1b BACKEND=ollama "URL=http://127.0.0.1:$PORT_f" \
	"INFER_ARGS=-t $TMP/t1.txt" >"$TMP/out" 2>"$TMP/err"
st=$?
dm=$(ls -d "$RUNS"/m__*)
is "$st:$("$PYTHON" -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["prompt_template"]["path"] == sys.argv[2], m["prompt_template"]["sha256"] == sys.argv[3], m["settings"]["infer_args"])' \
	"$dm/manifest.json" "$TMP/t1.txt" "$(sha256sum <"$TMP/t1.txt" | cut -c1-64)")" \
	"0:True True -t $TMP/t1.txt" "the manifest names the template of INFER_ARGS, with its sha256"

done_testing
