#!/usr/bin/env bash
# bench/prep.sh - how fast puma-prep converts CSV and how much memory it
# takes, and how puma-sample does on a million records.
#
#  1. puma-prep throughput on TISTUD_deep-se.csv (2.9 MB, the largest TAWOS
#     file here) and on TISTUD repeated to about 100 MB: median of several
#     runs, output to /dev/null, in MB/s (10^6 bytes), by the wall clock and
#     by CPU time.  Target: >= 100 MB/s (judged on CPU time, which a busy
#     machine does not distort).
#  2. puma-prep peak RSS on files from 24 kB to 100 MB, and on APSTUD with
#     its 1.4 MB field: memory must not grow with the file.
#  3. puma-sample on 1,000,000 generated records (plain, stratified, and
#     from a pipe): seconds and peak RSS.
#
# usage: bench/prep.sh [RUNS]   (runs per timing, default 9; PUMA_BIN=DIR
# measures the binaries in DIR instead of bin/)
# Reads the datasets from data/raw/ (make data), or from $PUMA_SHARED_DATA or
# the test suite's default folder of local copies (see tests/lib.sh); writes
# scratch files under bench/out/.  Prints the figures; exit 1 when the
# throughput target is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-9}
OUT=bench/out/prep
mkdir -p "$OUT"
BIN=${PUMA_BIN:-bin}	# another directory of binaries is measured as it is
[ "$BIN" != bin ] || make -s bin/puma-prep bin/puma-sample >/dev/null
PREP=$BIN/puma-prep
SAMPLE=$BIN/puma-sample

find_csv() {	# NAME: the raw file, wherever it is
	local shared=${PUMA_SHARED_DATA:-../shared/data}
	for d in data/raw "$shared" "$shared/tawos"; do
		[ -f "$d/$1" ] && { echo "$d/$1"; return; }
	done
	echo "bench/prep.sh: $1 not found (run make data)" >&2
	exit 1
}
JIRA=$(find_csv jira_balanced_200.csv)
TISTUD=$(find_csv TISTUD_deep-se.csv)
APSTUD=$(find_csv APSTUD_deep-se.csv)
BIG=$OUT/TISTUD_x36.csv
if [ ! -f "$BIG" ]; then
	{ cat "$TISTUD"; for _ in $(seq 35); do tail -n +2 "$TISTUD"; done; } >"$BIG"
fi

# Microseconds, without starting a process where bash can (5.0 and later),
# so that the CPU time of the runs is theirs alone.
if [ -n "${EPOCHREALTIME:-}" ]; then
	stamp() { eval "$1=\${EPOCHREALTIME/[.,]/}"; }
else
	stamp() { eval "$1=\$(( \$(date +%s%N) / 1000 ))"; }
fi
size() { wc -c <"$1"; }

# median of the numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# children's CPU seconds so far (user + system), from the times builtin;
# it must run in this shell, not in a $(...) subshell
child_cpu() {
	times >"$OUT/cpu"
	tail -n 1 "$OUT/cpu" | awk '{ for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); s += t[1] * 60 + t[2] } print s }'
}

# throughput FILE LABEL RUNS: MB/s of puma-prep over RUNS runs, by wall
# clock (median, min, max) and by CPU time (all runs together; the machine
# may be busy with other work, which the wall clock counts and CPU time
# does not)
throughput() {
	local f=$1 label=$2 runs=$3 bytes t0 t1 i c0 c1
	bytes=$(size "$f")
	$PREP "$f" >/dev/null 2>&1	# warm the page cache
	: >"$OUT/times"
	child_cpu >"$OUT/c0"
	for i in $(seq "$runs"); do
		stamp t0
		$PREP "$f" >/dev/null 2>&1
		stamp t1
		echo $(( t1 - t0 )) >>"$OUT/times"
	done
	child_cpu >"$OUT/c1"
	c0=$(cat "$OUT/c0")
	c1=$(cat "$OUT/c1")
	awk -v b="$bytes" '{ printf "%.1f\n", b / ($1 / 1e6) / 1e6 }' "$OUT/times" >"$OUT/rates"
	printf '  %-20s %6.1f MB %3d runs: wall median %6.1f MB/s (min %.1f, max %.1f); CPU %6.1f MB/s\n' "$label" \
		"$(echo "$bytes" | awk '{ print $1 / 1e6 }')" "$runs" "$(median <"$OUT/rates")" \
		"$(sort -n "$OUT/rates" | head -n 1)" "$(sort -n "$OUT/rates" | tail -n 1)" \
		"$(awk -v b="$bytes" -v n="$runs" -v c0="$c0" -v c1="$c1" 'BEGIN { printf "%.1f", b * n / (c1 - c0) / 1e6 }')"
	median <"$OUT/rates" >"$OUT/last-wall"
	awk -v b="$bytes" -v n="$runs" -v c0="$c0" -v c1="$c1" 'BEGIN { printf "%.1f", b * n / (c1 - c0) / 1e6 }' >"$OUT/last-cpu"
}

# rss LABEL COMMAND...: peak resident memory of one run
rss() {
	local label=$1
	shift
	/usr/bin/time -f '%M %e' -o "$OUT/rss" "$@" >/dev/null 2>/dev/null </dev/null
	read -r kb secs <"$OUT/rss"
	printf '  %-44s %7d kB  %6.2f s\n' "$label" "$kb" "$secs"
}

echo "puma-prep throughput (output to /dev/null; $(uname -m), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo ?))"
throughput "$TISTUD" "TISTUD_deep-se.csv" "$((RUNS * 3))"
throughput "$BIG" "TISTUD x36" "$RUNS"
big_wall=$(cat "$OUT/last-wall")
big_cpu=$(cat "$OUT/last-cpu")

echo "puma-prep peak RSS"
rss "jira_balanced_200.csv ($(size "$JIRA") bytes)" $PREP "$JIRA"
rss "TISTUD_deep-se.csv ($(size "$TISTUD") bytes)" $PREP "$TISTUD"
rss "TISTUD x36 ($(size "$BIG") bytes)" $PREP "$BIG"
rss "APSTUD_deep-se.csv (a 1,391,584-byte field)" $PREP "$APSTUD"

RECS=$OUT/records-1m.jsonl
if [ ! -f "$RECS" ]; then
	awk 'BEGIN {
		split("Critical Major Minor Trivial", lab, " ")
		srand(7)
		for (i = 1; i <= 1000000; i++) {
			d = ""
			n = 5 + int(rand() * 30)
			for (k = 0; k < n; k++) d = d "word" int(rand() * 1000) " "
			printf "{\"id\":\"GEN-%d\",\"scenario\":\"triage_jira\",\"title\":\"Issue %d\",\"description\":\"%s\",\"gold\":\"%s\",\"row\":%d}\n",
				i, i, d, lab[1 + int(rand() * 4)], i
		}
	}' >"$RECS"
fi
echo "puma-sample on 1,000,000 records ($(size "$RECS") bytes)"
rss "-n 200 --seed 42" $SAMPLE -n 200 --seed 42 "$RECS"
rss "-n 500000 --seed 42" $SAMPLE -n 500000 --seed 42 "$RECS"
rss "-n 200 --seed 42 --stratify gold" $SAMPLE -n 200 --seed 42 --stratify gold "$RECS"
rss "-n 1000000 (all, in order)" $SAMPLE -n 1000000 "$RECS"
rss "-n 200 --seed 42, from a pipe" bash -c "cat '$RECS' | $SAMPLE -n 200 --seed 42"

# The target is judged on CPU time: on a busy machine the wall clock also
# counts the other programs' turns.
if awk -v r="$big_cpu" 'BEGIN { exit !(r >= 100) }'; then
	echo "target puma-prep >= 100 MB/s: met ($big_cpu MB/s of CPU time, $big_wall MB/s wall, on $(size "$BIG") bytes)"
else
	echo "target puma-prep >= 100 MB/s: NOT met ($big_cpu MB/s of CPU time, $big_wall MB/s wall)"
	exit 1
fi
