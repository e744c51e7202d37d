#!/usr/bin/env bash
# puma-diff benchmark: the default comparison (1000 bootstrap resamples)
# of two runs of N paired records, triage and estimation, generated once
# under bench/out/ by bench/gen_pairs.py.  Prints wall-clock and CPU time
# and peak RSS for each N (default 100000 and 1000000): the bootstrap is
# linear in N, and so is memory.  On a machine busy with other work the
# wall-clock time exceeds the CPU time.
#
#   bench/diff.sh            NS="100000" bench/diff.sh
set -euo pipefail
cd "$(dirname "$0")/.."
NS=${NS:-100000 1000000}
BIN=${PUMA_BIN:-bin}
PY=${PYTHON:-/usr/bin/python3}
OUT=bench/out
export PUMA_CONFIG_DIR=$PWD/config LC_ALL=C
mkdir -p "$OUT"
[ -x "$BIN/puma-diff" ] || { echo "diff.sh: build first (make)" >&2; exit 1; }
printf '%-10s %9s %10s %10s %12s\n' kind pairs "wall s" "CPU s" "peak RSS MB"
for n in $NS; do
	for kind in triage estimation; do
		a=$OUT/pairs-$kind-$n-a.jsonl b=$OUT/pairs-$kind-$n-b.jsonl
		if [ ! -s "$b" ]; then
			echo "generating $n $kind pairs ..." >&2
			"$PY" bench/gen_pairs.py "$kind" "$n" "$a.tmp" "$b.tmp"
			mv "$a.tmp" "$a"
			mv "$b.tmp" "$b"
		fi
		/usr/bin/time -o "$OUT/time.diff" -f "%e %U %S %M" "$BIN/puma-diff" "$a" "$b" >/dev/null 2>&1 || true
		read -r w u s m < <(tail -n 1 "$OUT/time.diff")
		awk -v k="$kind" -v n="$n" -v w="$w" -v u="$u" -v s="$s" -v m="$m" \
			'BEGIN { printf "%-10s %9d %10.2f %10.2f %12.1f\n", k, n, w, u + s, m / 1024 }'
	done
done
