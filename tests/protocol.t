#!/usr/bin/env bash
# The protocol's make targets (pipelines/protocol.mk): run directories,
# manifests, resuming, the canonical targets' errors, validate-baseline,
# report, cross-arch and the demo, against the real llama-server with the
# tiny model where it can be built.
. "$(dirname "$0")/lib.sh"
need_python json
FIX="$ROOT/tests/fixtures/llama"
RUNS="$TMP/runs"
# PUMA's templates (for the canonical targets) come from the shared copies.
pmake() {
	project_make "RUNS=$RUNS" "DATA=$TMP/data" "PROMPTS_DIR=$SHARED/puma-prompts" "$@"
}

# Instances: 40 triage issues, 10 per class.
triage_issues "$TMP/tri.jsonl" 40 P

# ---- Without a server ----
pmake run BACKEND=openai URL=http://127.0.0.1:1 MODEL=none NAME=dead N=5 "DATASET=$TMP/tri.jsonl" \
	>"$TMP/out" 2>"$TMP/err"
st=$?
ok $((st == 0)) "no server: the run fails"
grep -q "cannot reach" "$TMP/err"
ok $? "no server: the message says the server cannot be reached"
grep -q "rerun the same target to resume" "$TMP/err"
ok $? "no server: the message says how to go on"
d=$(ls -d "$RUNS"/dead__*)
ok $(( $(ls "$RUNS" | grep -c '^dead__') == 1 ? 0 : 1 )) "no server: one run directory"
ok $([ ! -e "$d/manifest.json" ] && [ ! -e "$d/responses.jsonl" ] && [ ! -e "$d/predictions.jsonl" ]; echo $?) \
	"no server: nothing in the run directory looks finished"
pmake run BACKEND=openai URL=http://127.0.0.1:1 MODEL=none NAME=dead N=5 "DATASET=$TMP/tri.jsonl" \
	>/dev/null 2>"$TMP/err"
grep -q "run: resuming $d" "$TMP/err"
ok $? "the same target again resumes the unfinished run"

# PUMA's templates from the shared copies; without them, the project's own.
own=()
[ -d "$SHARED/puma-prompts" ] || own=(PROMPTS=own)
pmake baseline-triage URL=http://127.0.0.1:1 "DATASET=$TMP/tri.jsonl" "${own[@]}" >"$TMP/out" 2>"$TMP/err"
st=$?
ok $((st == 0)) "baseline-triage without Ollama fails"
grep -q "cannot reach an Ollama server at http://127.0.0.1:1.*ollama serve" "$TMP/err"
ok $? "baseline-triage without Ollama says how to start it"
ls -d "$RUNS"/baseline-triage__* >/dev/null 2>&1 && [ ! -e "$(ls -d "$RUNS"/baseline-triage__* | head -n 1)/manifest.json" ]
ok $? "baseline-triage without Ollama leaves no finished run"
rm -rf "$RUNS"

# ---- validate-baseline on finished canonical runs ----
# PUMA's own recorded triage predictions (F1 0.5867181234963913) and an
# estimation run whose MAE is 5.715 exactly, then 6.3150.
if [ -d "$SHARED/puma-recorded" ]; then
	mkrun() {
		mkdir -p "$RUNS/$1"
		echo '{"run_id":"'"$1"'"}' >"$RUNS/$1/manifest.json"
	}
	mkrun baseline-triage__0000000000000000__20260101T000000
	"$PYTHON" - "$SHARED/puma-recorded/triage_cache.json" \
		"$RUNS/baseline-triage__0000000000000000__20260101T000000/predictions.jsonl" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as f:
    for k, v in d.items():
        f.write(json.dumps({"id": k, "scenario": "triage_jira", "gold": v["priority"], "pred": v["prediction"]}) + "\n")
EOF
	mkest() {
		mkrun "$1"
		"$PYTHON" - "$RUNS/$1/predictions.jsonl" "$2" "$3" <<'EOF'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(200):
        err = int(sys.argv[2]) if i < int(sys.argv[3]) else int(sys.argv[2]) - 1
        f.write(json.dumps({"id": "E-%d" % i, "scenario": "estimation_tawos", "gold": 1, "pred": 1 + err}) + "\n")
EOF
	}
	# PUMA's recorded triage predictions pass on their own.
	pmake validate-baseline BASELINES=triage >"$TMP/out" 2>"$TMP/err"
	is "$?" 0 "validate-baseline on PUMA's recorded triage predictions: PASS, exit 0"
	grep -q "PASS" "$TMP/err"
	ok $? "validate-baseline: the triage PASS is said"
	# An estimation run on the deep-se records: refused, not failed.
	mkest baseline-estimation__1111111111111111__20260101T000000 7 63
	echo "dataset=estimation_tawos.jsonl" >"$RUNS/baseline-estimation__1111111111111111__20260101T000000/settings.txt"
	pmake validate-baseline >"$TMP/out" 2>"$TMP/err"
	st=$?
	ok $((st == 0)) "validate-baseline: an estimation run not on tawos_clean.csv is refused: exit non-zero"
	grep -q "^validate-baseline: estimation: REFUSED: the sha256 of PUMA's tawos_clean.csv is not known here" "$TMP/err" &&
		grep -q "make data-tawos-clean DATA_DIR=DIR TAWOS_CLEAN_SHA256=" "$TMP/err" && ! grep -q FAIL "$TMP/err"
	ok $? "validate-baseline: the refusal says why and how to supply tawos_clean.csv, and no FAIL"
	csvsum=$(printf 'tawos' | sha256sum | cut -c1-64)
	pmake validate-baseline TAWOS_CLEAN_SHA256="$csvsum" >"$TMP/out" 2>"$TMP/err"
	st=$?
	ok $((st == 0)) "validate-baseline: the sha256 known, a run on the deep-se records is still refused"
	grep -q "REFUSED: .*used estimation_tawos.jsonl, not the records of tawos_clean.csv" "$TMP/err"
	ok $? "validate-baseline: the refusal names the dataset the run used"
	# Runs on the records of a checked tawos_clean.csv are scored.
	mkdir -p "$TMP/data"
	echo '{"id":"MESOS-1"}' >"$TMP/data/tawos_clean.jsonl"
	datasum=$(sha256sum <"$TMP/data/tawos_clean.jsonl" | cut -c1-64)
	clean() {
		echo "dataset=tawos_clean.jsonl" >"$RUNS/$1/settings.txt"
		echo '{"run_id":"'"$1"'","data":{"path":"'"$TMP/data/tawos_clean.jsonl"'","sha256":"'"$datasum"'"}}' >"$RUNS/$1/manifest.json"
	}
	clean baseline-estimation__1111111111111111__20260101T000000
	# 63 errors of 7 and 137 of 6: MAE 6.315 (PUMA's moved baseline).
	pmake validate-baseline TAWOS_CLEAN_SHA256="$csvsum" >"$TMP/out" 2>"$TMP/err"
	st=$?
	ok $((st == 0)) "validate-baseline: MAE 6.315 is outside 5.715 +- 0.05: exit non-zero"
	grep -q "PASS" "$TMP/err" && grep -q "FAIL" "$TMP/err" && ! grep -q REFUSED "$TMP/err"
	ok $? "validate-baseline: triage passes, estimation fails, each said"
	# 143 errors of 6 and 57 of 5: MAE 5.715, in a newer run.
	mkest baseline-estimation__1111111111111111__20260102T000000 6 143
	clean baseline-estimation__1111111111111111__20260102T000000
	pmake validate-baseline TAWOS_CLEAN_SHA256="$csvsum" >"$TMP/out" 2>"$TMP/err"
	is "$?" 0 "validate-baseline: both within tolerance (the newest finished run counts)"
	grep -q "20260102T000000" "$TMP/out"
	ok $? "validate-baseline names the runs it checked"
	echo '{"id":"MESOS-2"}' >"$TMP/data/tawos_clean.jsonl"
	pmake validate-baseline TAWOS_CLEAN_SHA256="$csvsum" >"$TMP/out" 2>"$TMP/err"
	st=$?
	ok $((st == 0)) "validate-baseline: a run whose data is not the current tawos_clean.jsonl is refused"
	grep -q "REFUSED: .*data is not $TMP/data/tawos_clean.jsonl" "$TMP/err"
	ok $? "validate-baseline: the refusal says the data differ"
	rm -rf "$RUNS" "$TMP/data"
else
	skip "PUMA's recorded run not found at $SHARED/puma-recorded"
	for _ in $(seq 11); do skip "validate-baseline"; done
fi

# ---- Against llama-server ----
start_llama -a tiny-random
port=$LPORT
digest=$(sha256sum "$("$FIX/tiny-model.sh" 2>/dev/null)" | cut -c1-64)
S=(BACKEND=openai "URL=http://127.0.0.1:$port" MODEL=tiny-random "MODEL_DIGEST=$digest" N=12 SEED=42
	NUM_PREDICT=12 CONSTRAIN=1 LOGPROBS=1 TOP_LOGPROBS=3 "DATASET=$TMP/tri.jsonl" NAME=t)

pmake run "${S[@]}" >"$TMP/run1.out" 2>"$TMP/run1.err"
is "$?" 0 "a run against llama-server"
pmake run "${S[@]}" >"$TMP/run2.out" 2>"$TMP/run2.err"
is "$?" 0 "the same run again"
mapfile -t two < <(ls -d "$RUNS"/t__*)
is "${#two[@]}" 2 "two runs of a finished target: two run directories"
A=${two[0]}
B=${two[1]}
is "$(basename "${A%__*}")" "$(basename "${B%__*}")" "same settings: same name and hash in the run id"
[[ $(basename "$A") =~ ^t__[0-9a-f]{16}__[0-9]{8}T[0-9]{6}$ ]]
ok $? "run id is NAME__<16 hex>__<UTC time>"
for f in instances.jsonl responses.jsonl predictions.jsonl metrics.json ece.json reliability.svg host.json summary.json manifest.json settings.txt; do
	[ -s "$A/$f" ] || echo "# missing $f"
done | grep -q missing
ok $((! $?)) "the run directory holds every file"
ls "$A" | grep -q '\.tmp' && ok 1 "no temporary files left" || ok 0 "no temporary files left"

# Identical results apart from timings.
untimed "$A/predictions.jsonl" >"$TMP/pa"
untimed "$B/predictions.jsonl" >"$TMP/pb"
same_file "$TMP/pb" "$TMP/pa" "two runs: identical predictions, responses and logprobs (timings aside)"
mstrip='import json,sys
d = json.load(open(sys.argv[1]))
for k in ("latency", "throughput_per_min", "duration_s", "kwh", "co2_kg", "energy_reason", "wh_per_f1_point", "gco2_per_f1_point"):
    d.pop(k, None)
print(json.dumps(d, sort_keys=True))'
is "$("$PYTHON" -c "$mstrip" "$A/metrics.json")" "$("$PYTHON" -c "$mstrip" "$B/metrics.json")" \
	"two runs: identical metrics (timings aside)"

# The manifest: settings, digest, versions, hashes that match the files.
ROOT=$ROOT "$PYTHON" - "$A" "$digest" "$TMP/tri.jsonl" <<'EOF'
import hashlib, json, os, sys
d, digest, data = sys.argv[1:]
m = json.load(open(os.path.join(d, "manifest.json")))
assert m["run_id"] == os.path.basename(d) and m["complete"] is True, m["run_id"]
assert m["settings"]["model"] == "tiny-random" and m["settings"]["n"] == "12", m["settings"]
assert m["model_digest"] == digest, m["model_digest"]
assert m["server_version"] and m["puma_version"] and m["tools_version"], m
assert m["data"]["sha256"] == hashlib.sha256(open(data, "rb").read()).hexdigest()
t = m["prompt_template"]
assert t["sha256"] == hashlib.sha256(open(t["path"] if os.path.isabs(t["path"]) else os.path.join(os.environ["ROOT"], t["path"]), "rb").read()).hexdigest()
for f, h in m["files"].items():
    assert hashlib.sha256(open(os.path.join(d, f), "rb").read()).hexdigest() == h, f
assert m["host"]["profile"] and m["inference"]["records"] == 12, m["inference"]
assert m["started_at"] <= m["finished_at"]
assert "cache_prompt false" in m["fresh_state"], m["fresh_state"]
EOF
ok $? "the manifest records settings, digest, versions and the sha256 of data, template and files"

# cross-arch on the two: H0 holds, report written.
pmake cross-arch "A=$A" "B=$B" >"$TMP/ca.out" 2>"$TMP/ca.err"
is "$?" 0 "cross-arch on two identical runs: exit 0"
rep="$RUNS/cross-arch__$(basename "$A")__vs__$(basename "$B").md"
grep -q '^| H0: f1_macro bit-exact | holds |' "$rep"
ok $? "cross-arch report: H0 holds"
grep -q '^Digests match: yes' "$rep"
ok $? "cross-arch report: digests checked first and matching"
is "$(json "${rep%.md}.json" 'd["agreement"]["tokens_identical"]')" "1.0" "cross-arch JSON: every token sequence identical"

# A changed option shows up.
pmake run "${S[@]}" STRATEGY=egi >/dev/null 2>&1
C=$(ls -d "$RUNS"/t__* | grep -v -e "$A" -e "$B")
ok $([ "$(basename "${C%__*}")" != "$(basename "${A%__*}")" ]; echo $?) "a changed option: another settings hash"
"$BIN/puma-diff" "$A" "$C" >"$TMP/ac.json" 2>/dev/null
is "$(json "$TMP/ac.json" 'd["agreement"]["n_responses_identical"] < d["compared"]["paired"]')" "True" \
	"a changed option: puma-diff reports responses that differ"

# report
pmake report "RUN=$A" >/dev/null 2>"$TMP/err"
is "$?" 0 "make report"
is "$(grep '^## ' "$A/report.md" | tr '\n' '|')" "## Settings|## Host|## Metrics|## Calibration|" "report sections"
grep -q "confusion matrix" "$A/report.md" && grep -q '!\[Reliability diagram\](reliability.svg)' "$A/report.md"
ok $? "report: confusion matrix and reliability diagram"

# SIGKILL during inference, then the same target resumes to the same result.
S2=("${S[@]/N=12/N=40}")
S2=("${S2[@]/NAME=t/NAME=k}")
pmake run "${S2[@]}" >/dev/null 2>&1
full=$(ls -d "$RUNS"/k__*)
setsid env -u MAKEFLAGS -u MAKELEVEL make -s --no-print-directory -C "$ROOT" NO_BUILD=1 "BINDIR=$BIN" \
	"RUNS=$RUNS" run "${S2[@]}" >/dev/null 2>&1 &
mk=$!
for _ in $(seq 600); do
	t=$(ls "$RUNS"/k__*/responses.jsonl.tmp 2>/dev/null | head -n 1)
	[ -n "$t" ] && [ "$(wc -l <"$t")" -ge 8 ] && break
	sleep 0.05
done
kill -9 -- -"$mk" 2>/dev/null
wait "$mk" 2>/dev/null
cut=$(ls -d "$RUNS"/k__* | grep -v "$full")
ok $([ -n "$cut" ] && [ ! -e "$cut/manifest.json" ] && [ ! -e "$cut/responses.jsonl" ]; echo $?) \
	"SIGKILL during inference: the run does not look finished"
pmake run "${S2[@]}" >/dev/null 2>"$TMP/err"
is "$?" 0 "the rerun finishes"
grep -q "run: resuming $cut" "$TMP/err"
ok $? "the rerun resumed the killed run"
untimed "$full/predictions.jsonl" >"$TMP/pf"
untimed "$cut/predictions.jsonl" >"$TMP/pc"
same_file "$TMP/pc" "$TMP/pf" "resumed run equals an uninterrupted one, record for record"
is "$("$PYTHON" -c 'import json,sys; print(any(json.loads(l)["cached"] for l in open(sys.argv[1])))' "$cut/responses.jsonl")" \
	"True" "the resumed run took the answers it had from its cache"

# The demo, end to end.
cp "$TMP/tri.jsonl" "$TMP/triage_jira.jsonl"
"$PYTHON" - "$TMP/estimation_tawos.jsonl" <<'EOF'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(8):
        f.write(json.dumps({"id": "E-%d" % i, "scenario": "estimation_tawos", "project": "E",
                            "title": "Add export %d" % i, "description": "Export the report as CSV.",
                            "gold": [1, 2, 3, 5][i % 4], "row": i + 1}) + "\n")
EOF
env -u MAKEFLAGS -u MAKELEVEL DEMO_N=6 DEMO_EST_N=4 make -s --no-print-directory -C "$ROOT" NO_BUILD=1 "BINDIR=$BIN" \
	"RUNS=$TMP/demo" "DATA=$TMP" demo >"$TMP/demo.out" 2>&1 </dev/null
is "$?" 0 "make demo"
grep -q "none of the records of $TMP/triage_jira.jsonl is held out" "$TMP/demo.out" &&
	grep -q '| H0: f1_macro bit-exact | holds |' "$TMP/demo.out" &&
	grep -q "model sha256 $(cut -c1-64 "$ROOT/models/SHA256SUMS")" "$TMP/demo.out"
ok $? "the demo serves the shipped model, says when no record is held out, and shows H0 holding"
done_testing
