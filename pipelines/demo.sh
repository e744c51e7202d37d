#!/usr/bin/env bash
# pipelines/demo.sh - the whole protocol end to end on this machine, with no
# Ollama: llama.cpp's llama-server (built from source on first use, a few
# minutes) serving a tiny model with random weights.  Two runs of the same
# settings, a report of the first, and the cross-arch comparison of the two.
# The model is noise: the numbers mean nothing; the steps are what is shown.
set -euo pipefail
: "${PUMA_BIN:=bin}" "${RUNS:=runs}" "${DATASET:=data/triage_jira.jsonl}" "${MAKE:=make}"
FIX=tests/fixtures/llama
N=${DEMO_N:-20}

banner() {
	printf '\n=== %s ===\n' "$*"
}
[ -f "$DATASET" ] || "$MAKE" --no-print-directory "$DATASET"
banner "PUMA demo: a TINY RANDOM MODEL answers; the NUMBERS ARE MEANINGLESS, the steps are real"
echo "demo: building llama-server and the tiny model if needed (first time: several minutes)"
"$FIX/build-llama-server.sh" >/dev/null
gguf=$("$FIX/tiny-model.sh")
read -r port pid < <("$FIX/start-server.sh" -a tiny-random)
trap '"$FIX/stop-server.sh" "$pid" >/dev/null 2>&1 || true' EXIT
digest=$(sha256sum "$gguf" | cut -c1-64)
echo "demo: llama-server on 127.0.0.1:$port (pid $pid), model sha256 $digest"

settings=(BACKEND=openai "URL=http://127.0.0.1:$port" MODEL=tiny-random "MODEL_DIGEST=$digest"
	SCENARIO=triage_jira STRATEGY=zero-shot "N=$N" SEED=42 NUM_PREDICT=16 CONSTRAIN=1
	LOGPROBS=1 TOP_LOGPROBS=5 NAME=demo-triage "RUNS=$RUNS" "DATASET=$DATASET")
banner "1. first run"
"$MAKE" --no-print-directory run "${settings[@]}"
banner "2. second run, same settings (a fresh run directory)"
"$MAKE" --no-print-directory run "${settings[@]}"
mapfile -t two < <(ls -d "$RUNS"/demo-triage__*/ | sed 's:/$::' | while read -r d; do
	[ -f "$d/manifest.json" ] && echo "$d"; done | tail -n 2)
banner "3. report of the first run"
"$MAKE" --no-print-directory report "RUN=${two[0]}"
banner "4. cross-arch comparison of the two runs (same machine: H0 should hold)"
st=0
"$MAKE" --no-print-directory cross-arch "A=${two[0]}" "B=${two[1]}" "RUNS=$RUNS" || st=$?
banner "demo done: runs in $RUNS/; REMEMBER: a random model, meaningless numbers"
exit $st
