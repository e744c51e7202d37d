#!/usr/bin/env bash
# bench/cross-arch-gpu.sh - the CUDA cells of the cross-architecture matrix:
# the canonical triage run (200, contextual anchoring) and the canonical
# estimation run (200, zero-shot), with logprobs, for each GGUF given, once
# with one request at a time against -np 1 and once with -j 8 against -np 8.
#
#   bash bench/cross-arch-gpu.sh LLAMA_SERVER RUNS_DIR MODEL.gguf...
#
# Each cell is a `make run` into RUNS_DIR, named cuda-<quant>-np<N>-<scenario>
# (quant: the part of the file name after the last '.' before .gguf), with
# MODEL=<file name without .gguf> and MODEL_DIGEST=sha256 of the file, the
# same settings the CPU cells use, so puma-diff pairs them by id (CELL_N
# changes the 200, for a quick try).  The server
# gets 8192 tokens of context per slot and every layer on the GPU.  Needs the
# tools in bin/ (NO_BUILD=1 uses them as they are), data/triage_jira.jsonl and
# data/estimation_tawos.jsonl (make data).  See docs/CROSS_ARCH_REPRODUCIBILITY.md.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 3 ] || { echo "usage: cross-arch-gpu.sh LLAMA_SERVER RUNS_DIR MODEL.gguf..." >&2; exit 2; }
SERVER=$1 RUNS=$2
shift 2
PORT=${PORT:-18090}
URL=http://127.0.0.1:$PORT
mkdir -p "$RUNS"
. bench/lib-gpu.sh
trap llama_stop EXIT

for gguf in "$@"; do
	base=$(basename "$gguf" .gguf)
	quant=${base##*.}
	digest=$(sha256sum "$gguf" | cut -c1-64)
	for np in 1 8; do
		llama_start "$gguf" "$base" "$np" $((np * 8192)) "$RUNS/server-$quant-np$np.log"
		for sc in triage_jira:contextual-anchoring estimation_tawos:zero-shot; do
			make --no-print-directory run NO_BUILD="${NO_BUILD:-}" BACKEND=openai URL="$URL" \
				MODEL="$base" MODEL_DIGEST="$digest" SCENARIO="${sc%%:*}" STRATEGY="${sc#*:}" \
				N="${CELL_N:-200}" SEED=42 TEMPERATURE=0 NUM_PREDICT=256 LOGPROBS=1 TOP_LOGPROBS=5 \
				JOBS="$np" RUNS="$RUNS" NAME="cuda-$quant-np$np-${sc%%:*}" \
				INFER_ARGS="-q --gpu-energy ${GPU_ENERGY:-nvml}"
		done
	done
done
llama_stop
