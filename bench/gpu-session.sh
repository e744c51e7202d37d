#!/usr/bin/env bash
# bench/gpu-session.sh - everything that needs the GPU machine, in one
# session of at most about ten minutes: train the model, build the CUDA
# llama-server, export and quantise the model there, run the CUDA cells of
# the cross-architecture matrix and the end-to-end bench.
#
#   bash bench/gpu-session.sh CARRY_DIR OUT_DIR
#
# CARRY_DIR holds what a machine with no network needs, made beforehand on
# another machine (docs/CROSS_ARCH_REPRODUCIBILITY.md, "The CUDA cells"):
#   llama-src.tar.xz  git archive of the llama.cpp commit (the vocab GGUF in models/)
#   puma-port.tar.xz  bin/ (the tools and the energy meter, RPATH $ORIGIN/../lib)
#                     and lib/ (the shared libraries they need besides glibc)
#   data.tar.xz       data/triage_jira.jsonl, data/estimation_tawos.jsonl (make data)
#   train.npz, train-model/   scripts/train-model/prep.py's output and the scripts
#   models/           optional: GGUF files already made; then no training,
#                     and the cells and benches use these (MATRIX=0: no cells)
# OUT_DIR gets at most eight files: log.txt (the card, versions, build,
# training, sha256 of every model file, the tables), weights.npz.part-NN,
# train-log.json, matrix.tar.xz (every run directory) and e2e.tar.xz.
# Steps that would not finish inside BUDGET_S (default 560) seconds are
# skipped, saying so; the matrix runs Q4_K_M first, the model that matters.
set -uo pipefail
cd "$(dirname "$0")/.."
carry=$(cd "$1" && pwd) out=$2
budget=${BUDGET_S:-560}
. bench/lib-gpu.sh
gpu_log "$out"
{ nvidia-smi; nproc; python3 -c 'import torch, numpy; print("torch", torch.__version__, "cuda", torch.version.cuda, "numpy", numpy.__version__)'; } >>"$log" 2>&1
gpu_unpack "$carry"
gpu_build llama-server llama-quantize
M=/tmp/models
name=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["name"])' "$carry/train-model/config.json")
mkdir -p "$M"
if [ -d "$carry/models" ]; then
	say "models given: no training"
	cp "$carry"/models/*.gguf "$M"/
else
	say "training"
	(cd "$carry/train-model" && PYTHONUNBUFFERED=1 python3 train.py "$carry/train.npz" /tmp/weights.npz "$out/train-log.json") >>"$log" 2>&1
	say "training rc $?"
	[ -f /tmp/weights.npz ] || exit 1
	sha256sum /tmp/weights.npz >>"$log"
	split -b 15M -d /tmp/weights.npz "$out/weights.npz.part-"
	python3 "$carry/train-model/export.py" "$work/llama" /tmp/weights.npz "$M/$name.F16.gguf" >>"$log" 2>&1 || say "export failed"
fi
say "waiting for the build"
wait "$bpid"
tail -n 3 "$work/build.log" | tee -a "$log"
S=$work/build/bin/llama-server
[ -x "$S" ] || { say "no llama-server: build failed"; grep -m5 -i error "$work/build.log" >>"$log"; exit 1; }
"$S" --version >>"$log" 2>&1
for q in Q8_0 Q4_K_M; do
	[ -f "$M/$name.F16.gguf" ] || continue
	"$work/build/bin/llama-quantize" "$M/$name.F16.gguf" "$M/$name.$q.gguf" "$q" >/dev/null 2>>"$log" || say "quantize $q failed"
done
(cd "$M" && sha256sum ./*.gguf && ls -l) >>"$log"

export NO_BUILD=1 ENERGYMETER=bin/energymeter
R=/tmp/matrix
cell() {
	[ -f "$M/$name.$1.gguf" ] && [ "${MATRIX:-1}" = 1 ] || { say "no matrix cells for $1"; return; }
	if [ "$(el)" -gt $((budget - ${2:-90})) ]; then say "skipped $1: out of time"; return; fi
	say "matrix $1"
	bash bench/cross-arch-gpu.sh "$S" "$R" "$M/$name.$1.gguf" >>"$log" 2>&1 || say "matrix $1 failed"
	tar -C /tmp -cJf "$out/matrix.tar.xz" matrix
}
cell Q4_K_M
if [ "$(el)" -lt $((budget - 120)) ]; then
	say "e2e bench"
	bash bench/e2e-gpu.sh "$S" "$M/$name.Q4_K_M.gguf" /tmp/e2e >>"$log" 2>&1 || say "e2e failed"
	cat /tmp/e2e/e2e.txt >>"$log"
	rm -rf /tmp/e2e/bodies
	tar -C /tmp -cJf "$out/e2e.tar.xz" e2e
else
	say "skipped e2e: out of time"
fi
cell Q8_0
cell F16
say "done"
