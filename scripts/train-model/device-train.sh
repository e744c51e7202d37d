#!/usr/bin/env bash
# device-train.sh - the training step on a GPU machine, given a folder holding
# train.npz (prep.py), this folder's scripts and the llama.cpp source as
# llama-src.tar.xz (git archive of the bundle's commit).  Meanwhile, on the
# spare cores, it builds the CUDA llama-server once, to time the build and
# catch its errors before the matrix run needs it.
#
#   bash device-train.sh CARRY_DIR OUT_DIR
#
# OUT_DIR gets weights.npz.part-* (split, to travel in pieces of 15 MB),
# train.log (the GPU, the versions, the losses, sha256 of the weights and of
# their F16 export), train-log.json and build.log.
set -uo pipefail
carry=$1 out=$2
mkdir -p "$out"
{ nvidia-smi; nproc; python3 -c 'import torch, numpy; print("torch", torch.__version__, "cuda", torch.version.cuda, "numpy", numpy.__version__)'; } >"$out/train.log" 2>&1
work=/tmp/llama-cuda
mkdir -p "$work" && tar -C "$work" -xJf "$carry/llama-src.tar.xz"
(
	start=$(date +%s)
	cmake -S "$work/llama" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
		-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_USE_PREBUILT_UI=OFF \
		-DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF -DGGML_CCACHE=OFF -DGGML_CUDA=ON \
		-DCMAKE_CUDA_ARCHITECTURES=90 >"$out/build.log" 2>&1 &&
		nice cmake --build "$work/build" -j14 --target llama-server llama-quantize >>"$out/build.log" 2>&1
	echo "build rc $? in $(($(date +%s) - start)) s" >>"$out/build.log"
) &
bpid=$!
cd "$carry/train-model" || exit 1
PYTHONUNBUFFERED=1 python3 train.py "$carry/train.npz" /tmp/weights.npz "$out/train-log.json" >>"$out/train.log" 2>&1
echo "train rc $?" >>"$out/train.log"
if [ -f /tmp/weights.npz ]; then
	sha256sum /tmp/weights.npz >>"$out/train.log"
	split -b 15M -d /tmp/weights.npz "$out/weights.npz.part-"
fi
wait "$bpid"
ls -la "$work/build/bin" >>"$out/build.log" 2>&1
# The F16 export made here too, to compare its sha256 with the one made
# where the model is published (the export is pure Python: it should match).
if [ -f /tmp/weights.npz ]; then
	python3 "$carry/train-model/export.py" "$work/llama" /tmp/weights.npz /tmp/model-f16.gguf >>"$out/train.log" 2>&1 &&
		sha256sum /tmp/model-f16.gguf >>"$out/train.log"
fi
