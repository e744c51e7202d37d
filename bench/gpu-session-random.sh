#!/usr/bin/env bash
# bench/gpu-session-random.sh - the end-to-end bench at a real model size,
# in one session of at most about ten minutes on a GPU machine with no
# network: build the CUDA llama-server, write a random-weight model of a real
# shape there (scripts/make-random-model.py: nothing large has to travel),
# and run bench/e2e-gpu.sh on it, E2E_REPS rounds (default 3), constrained
# to the labels unless E2E_CONSTRAIN=0 (then give E2E_NUM_PREDICT: a random
# model answering freely never stops before the limit).
#
#   bash bench/gpu-session-random.sh CARRY_DIR OUT_DIR
#
# CARRY_DIR holds llama-src.tar.xz (with models/ggml-vocab-qwen2.gguf),
# puma-port.tar.xz and data.tar.xz (data/triage_jira.jsonl), made as for
# bench/gpu-session.sh (docs/CROSS_ARCH_REPRODUCIBILITY.md, "The CUDA
# cells"). RANDOM_SHAPE is "N_EMBD N_LAYER N_HEAD N_HEAD_KV N_FF" (default
# Qwen2-0.5B's, 896 24 14 2 4864). On a machine still holding what an
# earlier session built (/tmp/llama-cuda/build/bin/llama-server and the
# model in /tmp/models), neither is made again, and the session only
# benches. E2E_CLIENTS, E2E_NUM_PREDICT and E2E_N pass through to
# bench/e2e-gpu.sh. OUT_DIR gets log.txt (the card, the build, the model's
# size and sha256, the table), e2e.txt, e2e.json, times.tsv and e2e.tar.xz
# (every response file and server log). When the bench would pass BUDGET_S
# (default 555) seconds it is stopped, and the table is made from the rounds
# that finished.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
carry=$(cd "$1" && pwd) out=$2
budget=${BUDGET_S:-555}
shape=${RANDOM_SHAPE:-896 24 14 2 4864}
. bench/lib-gpu.sh
gpu_log "$out"
{ nvidia-smi; nproc; python3 -c 'import numpy; print("numpy", numpy.__version__)'; } >>"$log" 2>&1
gpu_unpack "$carry"
S=$work/build/bin/llama-server
M=/tmp/models
mkdir -p "$M"
G=$M/random-qwen2-$(echo "$shape" | tr ' ' x).F16.gguf
if [ -x "$S" ]; then
	say "llama-server already built here"
else
	gpu_build llama-server
fi
if [ -f "$G" ]; then
	say "the random model is already here"
else
	say "writing the random model ($shape) beside the build"
	s=$(date +%s)
	# shellcheck disable=SC2086 # the shape is five words
	python3 scripts/make-random-model.py "$work/llama" "$G.part" $shape >>"$log" 2>&1 && mv "$G.part" "$G" || say "the generator failed"
	say "model written in $(($(date +%s) - s)) s"
fi
(cd "$M" && ls -l && sha256sum ./*.gguf) >>"$log"
if [ -n "${bpid:-}" ]; then
	say "waiting for the build"
	wait "$bpid"
	tail -n 3 "$work/build.log" | tee -a "$log"
fi
[ -x "$S" ] || { say "no llama-server: build failed"; grep -m5 -i error "$work/build.log" >>"$log"; exit 1; }
[ -f "$G" ] || exit 1
"$S" --version >>"$log" 2>&1
export E2E_REPS=${E2E_REPS:-3} E2E_CONSTRAIN=${E2E_CONSTRAIN:-1} NO_BUILD=1 ENERGYMETER=bin/energymeter
left=$((budget - $(el) - 25))
say "e2e bench, $left s at most"
timeout "$left" bash bench/e2e-gpu.sh "$S" "$G" /tmp/e2e >>"$log" 2>&1
rc=$?
say "e2e rc $rc"
if [ "$rc" != 0 ]; then
	say "the table of the rounds that finished"
	E2E_TABLE_ONLY=1 bash bench/e2e-gpu.sh "$S" "$G" /tmp/e2e >>"$log" 2>&1
fi
cp /tmp/e2e/e2e.txt /tmp/e2e/e2e.json /tmp/e2e/times.tsv "$out"/ 2>/dev/null
rm -rf /tmp/e2e/bodies /tmp/e2e/flood-s*.curl
tar -C /tmp -cJf "$out/e2e.tar.xz" e2e
rm -rf /tmp/e2e
say "done"
