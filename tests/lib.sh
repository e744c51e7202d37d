# tests/lib.sh - sourced by every tests/*.t: paths, a scratch directory
# and a few TAP helpers.  Tests print TAP on stdout; prove counts them.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${PUMA_BIN:-$ROOT/bin}
BUILD=${PUMA_BUILD:-$ROOT/build/rel}
# Debian's interpreter, where python3-numpy and python3-pandas live.
PYTHON=${PUMA_PYTHON:-/usr/bin/python3}
# Public datasets are never part of the project; they sit beside it.
SHARED=${PUMA_SHARED_DATA:-$ROOT/../shared/data}
export PATH="$BIN:$PATH"
export LC_ALL=C
TMP=$(mktemp -d "${TMPDIR:-/tmp}/puma-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

_n=0
_failed=0

# ok STATUS NAME: one test point from a command's status.
ok() {
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_n - $2"
	else
		echo "not ok $_n - $2"
		_failed=$((_failed + 1))
	fi
}

# is GOT EXPECTED NAME: compare two strings, showing both on failure.
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '# got:      %s\n# expected: %s\n' "$1" "$2" | head -n 40
	fi
}

# same_file GOT EXPECTED NAME: compare two files, showing a diff on failure.
same_file() {
	if cmp -s "$1" "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diff -u "$2" "$1" | head -n 40 | sed 's/^/# /'
	fi
}

skip() {
	_n=$((_n + 1))
	echo "ok $_n # SKIP $1"
}

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

need_shared() {
	[ -d "$SHARED" ] || skip_all "public datasets not found at $SHARED (set PUMA_SHARED_DATA)"
}

need_python() {
	"$PYTHON" -c "import ${1:-json}" 2>/dev/null ||
		skip_all "$PYTHON cannot import ${1:-json} (run: make deps)"
}

done_testing() {
	echo "1..$_n"
	[ "$_failed" -eq 0 ]
}
