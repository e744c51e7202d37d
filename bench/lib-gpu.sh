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

# llama-servers for a bench (bench/e2e-gpu.sh, bench/cross-arch-gpu.sh,
# bench/server-sampling.sh),
# given SERVER (the binary), PORT and URL:
#
#   llama_start GGUF ALIAS NP CTX LOG   start one with NP slots and CTX tokens
#                                       in all, every layer on the GPU, on
#                                       PORT, and wait for /health (exit 1,
#                                       naming LOG, when it dies)
#   llama_start_many GGUF ALIAS K CTX LOGPREFIX
#                                       start K of them with one slot each on
#                                       PORT, PORT+1, ..., PORT+K-1 (logs
#                                       LOGPREFIX-I.log), all on the same GPU
#   llama_stop                          stop every one started (also at exit)
spids=()
llama_stop() {
	local p
	for p in "${spids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${spids[@]}"; do wait "$p" 2>/dev/null || true; done
	spids=()
}
# llama_launch GGUF ALIAS NP CTX PORT LOG: one server in the background
llama_launch() {
	"$SERVER" -m "$1" -a "$2" --host 127.0.0.1 --port "$5" -np "$3" -c "$4" -ngl 999 >"$6" 2>&1 &
	spids+=($!)
}
# llama_wait PORT PID LOG: until the server on PORT answers /health
llama_wait() {
	local _
	for _ in $(seq 240); do
		curl -sf "http://127.0.0.1:$1/health" >/dev/null 2>&1 && return 0
		kill -0 "$2" 2>/dev/null || { echo "${0##*/}: llama-server died; see $3" >&2; exit 1; }
		sleep 0.5
	done
	echo "${0##*/}: llama-server on port $1 not ready after 120 s; see $3" >&2
	exit 1
}
llama_start() {
	llama_stop
	llama_launch "$1" "$2" "$3" "$4" "$PORT" "$5"
	llama_wait "$PORT" "${spids[0]}" "$5"
}
llama_start_many() {
	local i
	llama_stop
	for i in $(seq 0 $(($3 - 1))); do
		llama_launch "$1" "$2" 1 "$4" $((PORT + i)) "$5-$i.log"
	done
	for i in $(seq 0 $(($3 - 1))); do
		llama_wait $((PORT + i)) "${spids[$i]}" "$5-$i.log"
	done
}
