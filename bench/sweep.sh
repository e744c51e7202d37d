#!/usr/bin/env bash
# bench/sweep.sh - what a sweep's bookkeeping costs at 10,000 runs: expanding
# the spec, reading the runs directory (a third of the runs complete, a
# tenth unfinished) and writing the plan (puma-sweep), then make reading
# that plan and listing it (make -n sweep).  Target: under 50 ms per run.
#
# usage: bench/sweep.sh [REPEATS]   (default 5; the median is printed)
# Scratch files under bench/out/sweep/.  Exit 1 when the target is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
REPEATS=${1:-5}
OUT=$PWD/bench/out/sweep
rm -rf "$OUT"
mkdir -p "$OUT/runs"
make -s all >/dev/null

# 10 models x 10 strategies x 100 seeds = 10,000 runs.
python3 - "$OUT/spec.json" <<'PY'
import json, sys
json.dump({"name": "bench", "models": ["m%d:1b" % i for i in range(10)],
           "strategies": ["s%d" % i for i in range(10)], "seeds": list(range(100)),
           "n": 200, "urls": ["http://127.0.0.1:8080", "http://127.0.0.1:8081"]},
          open(sys.argv[1], "w"))
PY
bin/puma-sweep --format jobs "$OUT/spec.json" | cut -f1 | sed 's/^NAME=//' >"$OUT/names"
total=$(wc -l <"$OUT/names")
i=0
while read -r n; do
	if [ $((i % 3)) -eq 0 ]; then
		mkdir "$OUT/runs/${n}__0123456789abcdef__20260101T000000"
		: >"$OUT/runs/${n}__0123456789abcdef__20260101T000000/manifest.json"
	elif [ $((i % 10)) -eq 1 ]; then
		mkdir "$OUT/runs/${n}__0123456789abcdef__20260101T000000"
	fi
	i=$((i + 1))
done <"$OUT/names"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); }

for _ in $(seq "$REPEATS"); do
	ms bin/puma-sweep --runs "$OUT/runs" --format make "$OUT/spec.json"
done | median >"$OUT/expand"
for _ in $(seq "$REPEATS"); do
	ms env -u MAKEFLAGS -u MAKELEVEL make -s -n --no-print-directory sweep NO_BUILD=1 \
		"SPEC=$OUT/spec.json" "RUNS=$OUT/runs"
done | median >"$OUT/plan"
pending=$(env -u MAKEFLAGS -u MAKELEVEL make -s -n --no-print-directory sweep NO_BUILD=1 \
	"SPEC=$OUT/spec.json" "RUNS=$OUT/runs" | grep -c 'sweep-unit.sh')
e=$(cat "$OUT/expand")
p=$(cat "$OUT/plan")
echo "sweep bookkeeping, $total runs ($(ls "$OUT/runs" | wc -l) run directories; $pending pending), median of $REPEATS:"
echo "  puma-sweep (expand, scan, write the plan): $e ms, $(awk -v t="$e" -v n="$total" 'BEGIN{printf "%.4f", t/n}') ms per run"
echo "  make -n sweep (all of it, plan listed):    $p ms, $(awk -v t="$p" -v n="$total" 'BEGIN{printf "%.4f", t/n}') ms per run"
awk -v t="$p" -v n="$total" 'BEGIN{exit !(t/n < 50)}' || { echo "bench/sweep: over 50 ms per run" >&2; exit 1; }
echo "  target < 50 ms per run: met"
