# tests/detect-lib.sh - sourced by tests/detect*.t after lib.sh: build a
# fake machine (a system root and probe programs), run puma-detect on it,
# and read its JSON.
#
#   machine NAME          start a fake machine under $TMP/NAME: $R is its
#                         root, $FB its probe directory (the whole PATH)
#   meminfo KB [AVAIL_KB] write $R/proc/meminfo
#   fake PROG 'sh code'   a probe program in $FB (only /bin/sh builtins, or
#                         absolute paths: PATH holds nothing else)
#   nvidia LINE...        a fake nvidia-smi that prints these lines
#   linux_box KB          a Linux machine: Xeon cpuinfo, Debian, KB of RAM
#   detect ARG...         run puma-detect; sets $st, output in $OUT and $ERR
#   q EXPR                evaluate a Python expression on the JSON (d)

FIX=$ROOT/tests/fixtures/detect
OUT=$TMP/out.json
ERR=$TMP/err.txt
GIB_KB=1048576

machine() {
	R=$TMP/$1/root
	FB=$TMP/$1/bin
	rm -rf "${TMP:?}/${1:?}"
	mkdir -p "$R/proc" "$R/etc" "$FB"
}

meminfo() {
	local avail=${2:-$(($1 / 2))}
	printf 'MemTotal:       %s kB\nMemFree:        %s kB\nMemAvailable:   %s kB\nBuffers:          1024 kB\nCached:         2048 kB\n' \
		"$1" "$avail" "$avail" >"$R/proc/meminfo"
}

fake() {
	printf '#!/bin/sh\n%s\n' "$2" >"$FB/$1"
	chmod +x "$FB/$1"
}

nvidia() {
	local body="" l
	for l in "$@"; do
		body="${body}echo '$l'
"
	done
	fake nvidia-smi "$body"
}

linux_box() {
	machine "${2:-box}"
	cp "$FIX/cpuinfo-xeon-2s" "$R/proc/cpuinfo"
	cp "$FIX/os-release-debian" "$R/etc/os-release"
	meminfo "$1"
}

# KB of RAM for a size in GiB written as a decimal (7.9 -> 8283750).
kb() {
	"$PYTHON" -c 'import sys; print(int(float(sys.argv[1]) * 1048576))' "$1"
}

detect() {
	/usr/bin/env -u OLLAMA_HOST PATH="$FB" PUMA_SYSROOT="$R" \
		"$BIN/puma-detect" --config-dir "$ROOT/config" --dir "$TMP" "$@" >"$OUT" 2>"$ERR"
	st=$?
}

q() {
	"$PYTHON" - "$OUT" "$1" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except ValueError as e:
    print("INVALID JSON: %s" % e)
    sys.exit(0)
try:
    v = eval(sys.argv[2], {"d": d})
except Exception as e:
    v = "ERROR %s: %s" % (type(e).__name__, e)
print(v if isinstance(v, str) else json.dumps(v))
PY
}
