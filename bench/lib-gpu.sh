# bench/lib-gpu.sh - the start every GPU session shares (sourced by
# bench/gpu-session.sh and bench/gpu-session-random.sh, from the
# repository root):
#
#   gpu_log OUT_DIR        the session's clock and log: t0, el (seconds so
#                          far), say MESSAGE (timed, into $log and stdout)
#   gpu_unpack CARRY_DIR   the carried tools and data into the tree, and
#                          llama.cpp's source into $work (/tmp/llama-cuda)
#   gpu_build TARGET...    build those llama.cpp targets with CUDA (sm_90)
#                          in the background: $bpid, log in $work/build.log

gpu_log() {
	t0=$(date +%s)
	log=$1/log.txt
	mkdir -p "$1"
}
el() { echo $(($(date +%s) - t0)); }
say() { echo "[$(el)s] $*" | tee -a "$log"; }

gpu_unpack() {
	tar -xJf "$1/puma-port.tar.xz" && tar -xJf "$1/data.tar.xz" || { say "unpacking failed"; exit 1; }
	bin/puma-infer --version >>"$log" 2>&1 || say "the carried tools do not run here"
	work=/tmp/llama-cuda
	mkdir -p "$work" && tar -C "$work" -xJf "$1/llama-src.tar.xz"
}

gpu_build() {
	(
		s=$(date +%s)
		cmake -S "$work/llama" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
			-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_USE_PREBUILT_UI=OFF \
			-DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF -DGGML_CCACHE=OFF -DGGML_CUDA=ON \
			-DCMAKE_CUDA_ARCHITECTURES=90 >"$work/build.log" 2>&1 &&
			nice cmake --build "$work/build" -j15 --target "$@" >>"$work/build.log" 2>&1
		echo "build rc $? in $(($(date +%s) - s)) s" >>"$work/build.log"
	) &
	bpid=$!
}

# A llama-server for a bench (bench/e2e-gpu.sh, bench/cross-arch-gpu.sh),
# given SERVER (the binary), PORT and URL:
#
#   llama_start GGUF ALIAS NP CTX LOG   start it with NP slots and CTX tokens
#                                       in all, every layer on the GPU, and
#                                       wait for /health; $spid (exit 1,
#                                       naming LOG, when it dies)
#   llama_stop                          stop it, if one runs (also at exit)
spid=
llama_stop() { [ -z "$spid" ] || { kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null || true; spid=; }; }
llama_start() {
	llama_stop
	"$SERVER" -m "$1" -a "$2" --host 127.0.0.1 --port "$PORT" -np "$3" -c "$4" -ngl 999 >"$5" 2>&1 &
	spid=$!
	for _ in $(seq 120); do
		curl -sf "$URL/health" >/dev/null 2>&1 && return 0
		kill -0 "$spid" 2>/dev/null || { echo "${0##*/}: llama-server died; see $5" >&2; exit 1; }
		sleep 0.5
	done
}
