#!/usr/bin/env bash
# build-llama-server.sh: build llama-server for one CPU backend, from the same
# llama.cpp bundle and commit as tests/fixtures/llama/build-llama-server.sh,
# into a cache directory of its own.
#
# usage: build-llama-server.sh [--check] BACKEND
#   BACKEND  x86-avx2    x86-64, AVX2+FMA+F16C, no AVX-512 (runs on any AVX2 CPU)
#            x86-avx512  x86-64, AVX2 plus AVX-512 F/CD/VL/DQ/BW/VBMI/VNNI
#            arm64-neon  aarch64, NEON+dotprod+fp16 (Apple M-class CPU), built
#                        with gcc-aarch64-linux-gnu; bin/llama-server runs it
#                        under qemu-aarch64 (qemu-user)
#   --check  build nothing: exit 0 when the backend can be built and run on
#            this machine, else print why not (one line) and exit 1
#   stdout:  path of a llama-server command for that backend
#   env:     PUMA_CACHE (default $XDG_CACHE_HOME/puma or ~/.cache/puma)
#            PUMA_ARM64_MARCH  -march for arm64-neon (default armv8.2-a+dotprod+fp16)
# exit:    0 ready, 1 build failed or a tool is missing, 2 usage error
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
prog=${0##*/}
NLC_VERSION=3.21.1
TOP="${PUMA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/puma}/llama-$NLC_VERSION"
SRC="$TOP/src"
ARM_MARCH=${PUMA_ARM64_MARCH:-armv8.2-a+dotprod+fp16}
ARM_SYSROOT=/usr/aarch64-linux-gnu

die() { echo "$prog: $*" >&2; exit 1; }
say() { echo "$prog: $*" >&2; }
usage() { echo "usage: $prog [--check] x86-avx2|x86-avx512|arm64-neon" >&2; exit 2; }

check=
case "${1-}" in
-h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
--check) check=1; shift ;;
esac
[ $# -eq 1 ] || usage
backend=$1

# x86 feature sets are spelled out (GGML_NATIVE=OFF), so a cell's binary does
# the same arithmetic on every machine that can run it.
X86_BASE="-DGGML_NATIVE=OFF -DGGML_SSE42=ON -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
case $backend in
x86-avx2)
	need_arch=x86_64 cpu_flags="avx2 fma f16c"
	cmake_args="$X86_BASE -DGGML_AVX512=OFF"
	tools="cmake:cmake c++:g++ make:make" ;;
x86-avx512)
	need_arch=x86_64 cpu_flags="avx2 fma f16c avx512f avx512cd avx512vl avx512dq avx512bw avx512vbmi avx512_vnni"
	cmake_args="$X86_BASE -DGGML_AVX512=ON -DGGML_AVX512_VBMI=ON -DGGML_AVX512_VNNI=ON"
	tools="cmake:cmake c++:g++ make:make" ;;
arm64-neon)
	need_arch=x86_64 cpu_flags=
	cmake_args="-DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=aarch64
		-DCMAKE_C_COMPILER=aarch64-linux-gnu-gcc -DCMAKE_CXX_COMPILER=aarch64-linux-gnu-g++
		-DCMAKE_FIND_ROOT_PATH=$ARM_SYSROOT -DCMAKE_FIND_ROOT_PATH_MODE_PROGRAM=NEVER
		-DCMAKE_FIND_ROOT_PATH_MODE_LIBRARY=ONLY -DCMAKE_FIND_ROOT_PATH_MODE_INCLUDE=ONLY
		-DGGML_NATIVE=OFF -DGGML_CPU_ARM_ARCH=$ARM_MARCH"
	tools="cmake:cmake make:make aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu
		aarch64-linux-gnu-g++:g++-aarch64-linux-gnu qemu-aarch64:qemu-user" ;;
*) usage ;;
esac

CACHE="$TOP/backends/$backend"
BIN="$CACHE/bin/llama-server"

# Why this machine cannot build or run the backend, or nothing when it can.
why_not() {
	local t f
	[ "$(uname -m)" = "$need_arch" ] || { echo "$backend is built on $need_arch; this machine is $(uname -m)"; return; }
	for t in $tools; do
		command -v "${t%%:*}" >/dev/null ||
			{ echo "'${t%%:*}' not found; install it with: apt-get install ${t#*:}"; return; }
	done
	for f in $cpu_flags; do
		grep -qw "$f" /proc/cpuinfo ||
			{ echo "this CPU lacks $f, which $backend needs"; return; }
	done
	if [ "$backend" = arm64-neon ] && [ ! -e "$ARM_SYSROOT/lib/libc.so.6" ]; then
		echo "no aarch64 C library in $ARM_SYSROOT; install it with: apt-get install libc6-arm64-cross"
	fi
}

reason=$(why_not)
if [ -n "$check" ]; then
	[ -z "$reason" ] && exit 0
	echo "$prog: $reason"
	exit 1
fi
[ -z "$reason" ] || die "$reason"

done_ok() { [ -x "$BIN" ] && "$BIN" --version >/dev/null 2>&1; }
done_ok && { echo "$BIN"; exit 0; }

# The source: the common script fetches and clones it (and builds the
# default server, which the tests need anyway).
if [ ! -f "$SRC/.puma-complete" ]; then
	"$here/../../tests/fixtures/llama/build-llama-server.sh" --print-src >/dev/null ||
		die "could not fetch the llama.cpp source"
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock -n 9 || { say "another build holds $CACHE/.lock; waiting"; flock 9; }
done_ok && { echo "$BIN"; exit 0; }

# The backends differ only in ggml's CPU code: with ccache, the second and
# third builds recompile little else.
if command -v ccache >/dev/null; then
	export CCACHE_DIR="$TOP/backends/.ccache"
	cmake_args="$cmake_args -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
fi
say "configuring $backend (log: $CACHE/build.log)"
# shellcheck disable=SC2086 # cmake_args is a list of words on purpose
cmake -S "$SRC" -B "$CACHE/build" -DCMAKE_BUILD_TYPE=Release \
	-DBUILD_SHARED_LIBS=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
	-DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF -DGGML_CCACHE=OFF \
	$cmake_args >"$CACHE/build.log" 2>&1 ||
	die "cmake configure failed; see $CACHE/build.log"
jobs=$(nproc)
[ "$jobs" -le 2 ] || jobs=2
say "building llama-server for $backend with $jobs jobs, niced (about 10 minutes)"
start=$(date +%s)
nice cmake --build "$CACHE/build" --config Release -j"$jobs" --target llama-server \
	>>"$CACHE/build.log" 2>&1 || die "build failed; see $CACHE/build.log"
say "built in $(($(date +%s) - start)) s"

mkdir -p "$CACHE/bin"
if [ "$backend" = arm64-neon ]; then
	install -m 755 "$CACHE/build/bin/llama-server" "$CACHE/bin/llama-server.aarch64"
	# No binfmt_misc needed: the command names the emulator and the target's libraries.
	cat >"$BIN.tmp" <<EOF
#!/bin/sh
# llama-server for aarch64 ($ARM_MARCH), run under qemu-aarch64 user-mode emulation.
exec qemu-aarch64 -L "\${QEMU_LD_PREFIX:-$ARM_SYSROOT}" "\$(dirname "\$0")/llama-server.aarch64" "\$@"
EOF
	chmod 755 "$BIN.tmp"
else
	install -m 755 "$CACHE/build/bin/llama-server" "$BIN.tmp"
fi
"$BIN.tmp" --version >/dev/null 2>&1 || die "built llama-server does not run; see $CACHE/build.log"
{
	echo "backend $backend"
	echo "node-llama-cpp $NLC_VERSION"
	echo "llama.cpp commit $(git -C "$SRC" rev-parse HEAD)"
	"$BIN.tmp" --version 2>&1 | grep -E '^(version|built with)' || true
	echo "cmake args: $(echo $cmake_args)"
	[ "$backend" != arm64-neon ] || echo "run with: $(qemu-aarch64 --version | head -n 1)"
} >"$CACHE/VERSION"
mv "$BIN.tmp" "$BIN"
say "installed $BIN"
echo "$BIN"
