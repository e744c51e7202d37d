#!/usr/bin/env bash
# pipelines/demo.sh - the whole protocol end to end on this machine, with no
# Ollama: llama.cpp's llama-server (built from source on first use, a few
# minutes) serving the small model this project trained and ships,
# models/puma-llama-13m.Q4_K_M.gguf (docs/MODEL.md), on the records it never
# saw in training (models/puma-llama-13m.heldout-ids.txt).  Two triage runs
# of the same settings, an estimation run, a report of the first run and the
# cross-arch comparison of the two triage runs.
set -euo pipefail
: "${PUMA_BIN:=bin}" "${RUNS:=runs}" "${DATASET:=data/triage_jira.jsonl}" "${MAKE:=make}"
: "${EST_DATASET:=$(dirname "$DATASET")/estimation_tawos.jsonl}"
FIX=tests/fixtures/llama
NAME=puma-llama-13m.Q4_K_M
GGUF=models/$NAME.gguf
HELD=models/puma-llama-13m.heldout-ids.txt
N=${DEMO_N:-52}
EST_N=${DEMO_EST_N:-40}

banner() {
	printf '\n=== %s ===\n' "$*"
}
[ -f "$DATASET" ] || "$MAKE" --no-print-directory "$DATASET"
[ -f "$EST_DATASET" ] || "$MAKE" --no-print-directory "$EST_DATASET"
(cd models && sha256sum -c --quiet SHA256SUMS) ||
	{ echo "demo: $GGUF does not match models/SHA256SUMS" >&2; exit 1; }
digest=$(sha256sum "$GGUF" | cut -c1-64)

# The held-out records of a dataset: the lines whose id is in the list
# (records start with their id, as puma-prep writes them).
tmp=$(mktemp -d)
held_out() {
	sed 's/.*/{"id":"&",/' "$HELD" >"$tmp/ids"
	grep -F -f "$tmp/ids" "$1" >"$2" || true
	if [ ! -s "$2" ]; then
		echo "demo: none of the records of $1 is held out from training; using them all (so the numbers are not held-out quality)"
		cp "$1" "$2"
	fi
}
held_out "$DATASET" "$tmp/triage.jsonl"
held_out "$EST_DATASET" "$tmp/estimation.jsonl"

banner "PUMA demo: $NAME, a 13M-parameter model trained for PUMA's prompts, on records it never saw in training"
echo "demo: building llama-server if needed (first time: several minutes)"
"$FIX/build-llama-server.sh" >/dev/null
read -r port pid < <("$FIX/start-server.sh" -m "$GGUF" -a "$NAME" -c 2048)
trap '"$FIX/stop-server.sh" "$pid" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
echo "demo: llama-server on 127.0.0.1:$port (pid $pid), model sha256 $digest"

common=(BACKEND=openai "URL=http://127.0.0.1:$port" "MODEL=$NAME" "MODEL_DIGEST=$digest"
	SEED=42 TEMPERATURE=0 NUM_PREDICT=256 LOGPROBS=1 TOP_LOGPROBS=5 "RUNS=$RUNS")
tri=("${common[@]}" SCENARIO=triage_jira STRATEGY=contextual-anchoring "N=$N" NAME=demo-triage
	"DATASET=$tmp/triage.jsonl")
banner "1. triage, held-out issues (contextual anchoring, as PUMA's canonical run)"
"$MAKE" --no-print-directory run "${tri[@]}"
banner "2. the same run again (a fresh run directory)"
"$MAKE" --no-print-directory run "${tri[@]}"
mapfile -t two < <(ls -d "$RUNS"/demo-triage__*/ | sed 's:/$::' | while read -r d; do
	[ -f "$d/manifest.json" ] && echo "$d"; done | tail -n 2)
banner "3. estimation, held-out stories (zero-shot, as PUMA's canonical run)"
"$MAKE" --no-print-directory run "${common[@]}" SCENARIO=estimation_tawos STRATEGY=zero-shot \
	"N=$EST_N" NAME=demo-estimation "DATASET=$tmp/estimation.jsonl"
banner "4. report of the first triage run"
"$MAKE" --no-print-directory report "RUN=${two[0]}"
banner "5. cross-arch comparison of the two triage runs (same machine: H0 should hold)"
st=0
"$MAKE" --no-print-directory cross-arch "A=${two[0]}" "B=${two[1]}" "RUNS=$RUNS" || st=$?
banner "demo done: runs in $RUNS/; chance is F1 0.25 on the four balanced classes (docs/MODEL.md)"
exit $st
