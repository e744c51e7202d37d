#!/usr/bin/env bash
# Filter benchmark: puma-parse and puma-metrics on N triage response
# records (default 1,000,000, about 1.8 GB: a title and a description of a
# few hundred bytes, and per-token logprobs with five top_logprobs each, as
# `puma-infer --logprobs` writes them; bench/gen_triage.py), side by side
# with the lean Python reference doing the same work (tests/ref/puma_ref.py:
# json, re and NumPy).  Then puma-prep and puma-sample (bench/prep.sh).
#
# Prints, for each filter alone and for `puma-parse | puma-metrics`, the
# best of RUNS runs by the wall clock and by CPU time (user + system, which
# another program's load inflates less; with OLD_BIN the old and current
# binaries run in turns, so that a change of load falls on both), as MB/s (10^6 bytes of input a
# second) and records/s, the C:Python ratios, and whether the outputs are
# byte-identical: the C and Python metrics, the prediction records (on the
# first CHECK_N records), and, with OLD_BIN, the outputs of earlier
# binaries (measured beside the current ones).  Outputs of the timed runs
# of a filter alone go to /dev/null (a file system's write cost is not the
# filter's); a pipeline's final output goes to a file.
#
#   bench/filters.sh
#   N=200000 RUNS=5 OLD_BIN=/tmp/old-bin bench/filters.sh
#   PY_RUNS=0 bench/filters.sh            (no Python: C figures only)
#   PREP_RUNS=0 bench/filters.sh          (no puma-prep, puma-sample)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
RUNS=${RUNS:-3}
PY_RUNS=${PY_RUNS:-1}
PREP_RUNS=${PREP_RUNS:-3}
CHECK_N=${CHECK_N:-100000}
BIN=${PUMA_BIN:-bin}
OLD=${OLD_BIN:-}
PY=${PYTHON:-/usr/bin/python3}
OUT=bench/out
REF=tests/ref/puma_ref.py
IN=$OUT/triage-$N.jsonl
export PUMA_CONFIG_DIR=$PWD/config LC_ALL=C
mkdir -p "$OUT"
[ -x "$BIN/puma-parse" ] && [ -x "$BIN/puma-metrics" ] || { echo "filters.sh: build first (make)" >&2; exit 1; }
if [ ! -s "$IN" ]; then
	echo "generating $N records into $IN ..." >&2
	"$PY" bench/gen_triage.py "$N" >"$IN.tmp" && mv "$IN.tmp" "$IN"
fi
PRED=$OUT/filters-c.pred
bytes=$(wc -c <"$IN")
fail=0

model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "machine: ${model:-$(uname -m)}, $(nproc) cores, $(awk '/^MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo 2>/dev/null) memory, $(uname -sr)"
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?)"

# timed CMD: run CMD (a shell command line); sets w and t to its wall-clock
# and CPU (user + system) seconds
timed() {
	local u s
	/usr/bin/time -o "$OUT/time" -f "%e %U %S" bash -c "$1"
	read -r w u s <"$OUT/time"
	t=$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')
}

# the smaller of two numbers, the first empty at the start
lesser() {
	awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'
}

# best RUNS CMD [OLD_CMD]: run CMD RUNS times, in turns with OLD_CMD when
# given (so that a change in the machine's load falls on both alike); sets
# wall and cpu, and old_wall and old_cpu, to the smallest wall-clock and CPU
# seconds seen
best() {
	local runs=$1 i w t
	wall= cpu= old_wall= old_cpu=
	for i in $(seq "$runs"); do
		timed "$2"
		wall=$(lesser "$wall" "$w") cpu=$(lesser "$cpu" "$t")
		if [ -n "${3:-}" ]; then
			timed "$3"
			old_wall=$(lesser "$old_wall" "$w") old_cpu=$(lesser "$old_cpu" "$t")
		fi
	done
}

# row LABEL BYTES RECORDS: one line of the table from wall and cpu
row() {
	awk -v l="$1" -v b="$2" -v n="$3" -v w="$wall" -v c="$cpu" 'BEGIN {
		w = w > 0 ? w : 0.01; c = c > 0 ? c : 0.01
		printf "  %-30s %8.2f %8.2f %9.1f %9.1f %11.0f %11.0f\n", l, w, c, b / 1e6 / w, b / 1e6 / c, n / w, n / c }'
}
header() {
	printf '  %-30s %8s %8s %9s %9s %11s %11s\n' "" "wall s" "CPU s" "MB/s wall" "MB/s CPU" "rec/s wall" "rec/s CPU"
}

# same A B WHAT: compare two files, say which, note a difference
same() {
	if cmp -s "$1" "$2"; then
		echo "  $3: identical"
	else
		echo "  $3: DIFFERENT"
		fail=1
	fi
}

printf 'input: %s records, %.1f MB (%s); best of %s runs (Python: %s)\n' "$N" \
	"$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" "$IN" "$RUNS" "$PY_RUNS"
cat "$IN" >/dev/null	# the same warm page cache for every run
"$BIN/puma-parse" <"$IN" >"$PRED"	# the records puma-metrics reads alone
pbytes=$(wc -c <"$PRED")
export BIN OLD PY REF IN OUT PRED

# The C rows: each filter and the pipeline timed with the binaries of BIN
# and, in turns, of OLD; the old rows come after.
cmd_parse() { echo "'$1/puma-parse' <'$IN' >/dev/null"; }
cmd_metrics() { echo "'$1/puma-metrics' <'$PRED' >/dev/null"; }
cmd_pipe() { echo "'$1/puma-parse' <'$IN' | '$1/puma-metrics' >'$OUT/filters-c$2.metrics'"; }
old_rows=()
c_row() {	# LABEL BYTES CMD_FUNCTION
	local old_cmd=
	if [ -n "$OLD" ]; then
		old_cmd=$("$3" "$OLD" _old)
	fi
	best "$RUNS" "$("$3" "$BIN" "")" "$old_cmd"
	row "$1" "$2" "$N"
	if [ -n "$OLD" ]; then
		old_rows+=("$(wall=$old_wall cpu=$old_cpu row "$1 (old)" "$2" "$N")")
	fi
}

header
c_row puma-parse "$bytes" cmd_parse
parse_cpu=$cpu
c_row puma-metrics "$pbytes" cmd_metrics
metrics_cpu=$cpu
c_row "puma-parse | puma-metrics" "$bytes" cmd_pipe
pipe_wall=$wall pipe_cpu=$cpu
if [ -n "$OLD" ]; then
	printf '%s\n' "${old_rows[@]}"
fi
if [ "$PY_RUNS" -gt 0 ]; then
	best "$PY_RUNS" "'$PY' '$REF' parse <'$IN' >/dev/null"
	row "python parse" "$bytes" "$N"
	best "$PY_RUNS" "'$PY' '$REF' metrics <'$PRED' >'$OUT/filters-p1.metrics'"
	row "python metrics" "$pbytes" "$N"
	best "$PY_RUNS" "'$PY' '$REF' parse <'$IN' | '$PY' '$REF' metrics >'$OUT/filters-p.metrics'"
	row "python parse | python metrics" "$bytes" "$N"
	py_wall=$wall py_cpu=$cpu
	awk -v cw="$pipe_wall" -v cc="$pipe_cpu" -v pw="$py_wall" -v pc="$py_cpu" 'BEGIN {
		printf "C : Python, parse | metrics: %.1fx by the wall clock, %.1fx by CPU time\n", pw / cw, pc / cc }'
fi

echo "outputs:"
if [ "$PY_RUNS" -gt 0 ]; then
	same "$OUT/filters-c.metrics" "$OUT/filters-p.metrics" "metrics of C and Python pipelines"
	"$BIN/puma-metrics" <"$PRED" >"$OUT/filters-c1.metrics"
	same "$OUT/filters-c1.metrics" "$OUT/filters-p1.metrics" "metrics of C and Python alone"
	head -n "$CHECK_N" "$IN" | "$PY" "$REF" parse >"$OUT/filters-p.pred"
	head -n "$CHECK_N" "$PRED" >"$OUT/filters-c.pred.head"
	same "$OUT/filters-c.pred.head" "$OUT/filters-p.pred" "prediction records of C and Python (first $CHECK_N)"
fi
if [ -n "$OLD" ]; then
	if "$OLD/puma-parse" <"$IN" | cmp -s - "$PRED"; then
		echo "  prediction records of old and current puma-parse: identical"
	else
		echo "  prediction records of old and current puma-parse: DIFFERENT"
		fail=1
	fi
	same "$OUT/filters-c.metrics" "$OUT/filters-c_old.metrics" "metrics of old and current binaries"
fi
head -c 300 "$OUT/filters-c.metrics"
echo " ..."

# The targets, judged on CPU time (the wall clock of a busy machine also
# counts other programs' turns).
target() {	# WHAT VALUE GOAL UNIT
	if awk -v v="$2" -v g="$3" 'BEGIN { exit !(v >= g) }'; then
		printf 'target %s >= %s %s: met (%.1f)\n' "$1" "$3" "$4" "$2"
	else
		printf 'target %s >= %s %s: NOT met (%.1f)\n' "$1" "$3" "$4" "$2"
	fi
}
target "puma-parse alone, CPU" "$(awk -v b="$bytes" -v c="$parse_cpu" 'BEGIN { print b / 1e6 / c }')" 1000 MB/s
target "puma-metrics alone, CPU" "$(awk -v b="$pbytes" -v c="$metrics_cpu" 'BEGIN { print b / 1e6 / c }')" 1000 MB/s
if [ "$PY_RUNS" -gt 0 ]; then
	target "parse | metrics against Python, CPU" "$(awk -v c="$pipe_cpu" -v p="$py_cpu" 'BEGIN { print p / c }')" 10 x
	target "parse | metrics against Python, wall" "$(awk -v c="$pipe_wall" -v p="$py_wall" 'BEGIN { print p / c }')" 10 x
fi
rm -f "$OUT"/filters-* "$OUT/time"

if [ "$PREP_RUNS" -gt 0 ]; then
	echo
	PUMA_BIN=$BIN bash bench/prep.sh "$PREP_RUNS" || fail=1
	if [ -n "$OLD" ] && [ -x "$OLD/puma-prep" ] && [ -x "$OLD/puma-sample" ]; then
		echo "(old binaries)"
		PUMA_BIN=$OLD bash bench/prep.sh "$PREP_RUNS" || fail=1
	fi
fi
exit "$fail"
