#!/usr/bin/env bash
# bench/perturb.sh - how fast puma-perturb writes PUMA's eight perturbations,
# against PUMA's own Python (tests/ref/perturb_ref.py's transcription).
#
#  1. puma-perturb --perturbations all --with-original on the TAWOS issues of the three
#     deep-se files (about 3,900 records, 6.6 MB of text): median of several
#     runs, output to /dev/null, in records in and MB out per second of CPU.
#  2. each perturbation on its own, the same input: CPU seconds.
#  3. the same work in CPython (the reference transcription), once.
#
# usage: bench/perturb.sh [RUNS]   (runs per timing, default 5)
# Reads the CSV files from data/raw/, $PUMA_SHARED_DATA or ../shared/data;
# writes scratch files under bench/out/perturb.  Prints the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
OUT=bench/out/perturb
mkdir -p "$OUT"
make -s bin/puma-prep bin/puma-perturb >/dev/null
PY=${PUMA_PYTHON:-/usr/bin/python3}
shared=${PUMA_SHARED_DATA:-../shared/data}
: >"$OUT/in.jsonl"
for p in XD APSTUD TISTUD; do
	f=""
	for d in data/raw "$shared" "$shared/tawos"; do
		[ -f "$d/${p}_deep-se.csv" ] && { f="$d/${p}_deep-se.csv"; break; }
	done
	[ -n "$f" ] || { echo "bench/perturb.sh: ${p}_deep-se.csv not found (run make data)" >&2; exit 1; }
	bin/puma-prep "$f" 2>/dev/null >>"$OUT/in.jsonl"
done
n=$(wc -l <"$OUT/in.jsonl")

# cpu CMD...: CPU seconds (user + system) of one run, output discarded.
cpu() {
	local TIMEFORMAT='%U %S' t
	t=$( { time "$@" >/dev/null 2>/dev/null; } 2>&1 | tail -n 1)
	echo "$t" | awk '{ printf "%.3f", $1 + $2 }'
}
# median of RUNS timings of CMD...
median() {
	local i
	for i in $(seq "$RUNS"); do cpu "$@"; echo; done | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

bin/puma-perturb --perturbations all --with-original <"$OUT/in.jsonl" >"$OUT/out.jsonl"
mb_out=$(awk -v b="$(wc -c <"$OUT/out.jsonl")" 'BEGIN { printf "%.1f", b / 1e6 }')
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //' || true)"
echo "input: $n records; output: $((n * 9)) records, $mb_out MB"
t=$(median bin/puma-perturb --perturbations all --with-original "$OUT/in.jsonl")
awk -v t="$t" -v n="$n" -v mb="$mb_out" 'BEGIN { printf "puma-perturb --perturbations all --with-original: %.3f s CPU (median), %.0f records in/s, %.1f MB out/s\n", t, n / t, mb / t }'
for p in typos_5pct case_upper case_lower truncate_50pct tech_noise gender_swap_prefix_male gender_swap_prefix_female register_shift_informal; do
	printf '  %-26s %s s CPU\n' "$p" "$(median bin/puma-perturb --perturbations "$p" "$OUT/in.jsonl")"
done
t=$(cpu "$PY" tests/ref/perturb_ref.py compare "$OUT/in.jsonl" "$OUT/out.jsonl" 42 +all)
echo "CPython, the same perturbations and a comparison of the outputs: $t s CPU (once)"
