#!/usr/bin/env bash
# build-quantize.sh - build llama.cpp's llama-quantize from the same source and
# build folder as tests/fixtures/llama/build-llama-server.sh (which it runs
# first), and print its path.  It quantizes the F16 export to Q8_0 and Q4_K_M.
#
#   scripts/train-model/build-quantize.sh
#
# Exit status: 0 ready, 1 the build failed.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/tests/fixtures/llama/build-llama-server.sh" >/dev/null
CACHE="${PUMA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/puma}/llama-3.21.1"
BIN="$CACHE/bin/llama-quantize"
if [ ! -x "$BIN" ]; then
	exec 9>"$CACHE/.lock"
	flock 9
	if [ ! -x "$BIN" ]; then
		echo "build-quantize.sh: building llama-quantize (log: $CACHE/build-quantize.log)" >&2
		cmake --build "$CACHE/build" --config Release -j"$(nproc)" --target llama-quantize \
			>"$CACHE/build-quantize.log" 2>&1 ||
			{ echo "build-quantize.sh: build failed; see $CACHE/build-quantize.log" >&2; exit 1; }
		install -m 755 "$CACHE/build/bin/llama-quantize" "$BIN"
	fi
fi
echo "$BIN"
