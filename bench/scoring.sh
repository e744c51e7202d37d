#!/usr/bin/env bash
# Scoring benchmark: puma-parse | puma-metrics against the Python/NumPy
# reference (tests/ref/puma_ref.py: json, re and the NumPy formulas doing
# the same work) on N triage response records (default 1,000,000, about
# 580 MB), generated once under bench/out/.  Prints each filter's time,
# MB/s and peak RSS, both pipelines' wall-clock and CPU time side by side,
# the ratios, and whether the two sides printed the same bytes.  On a
# machine busy with other work the two stages of a pipeline cannot run in
# parallel and the wall-clock ratio drops toward the CPU ratio.
#
#   bench/scoring.sh            N=200000 bench/scoring.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
BIN=${PUMA_BIN:-bin}
PY=${PYTHON:-/usr/bin/python3}
OUT=bench/out
REF=tests/ref/puma_ref.py
IN=$OUT/triage-$N.jsonl
export PUMA_CONFIG_DIR=$PWD/config LC_ALL=C
mkdir -p "$OUT"
[ -x "$BIN/puma-parse" ] && [ -x "$BIN/puma-metrics" ] || { echo "scoring.sh: build first (make)" >&2; exit 1; }
if [ ! -s "$IN" ]; then
	echo "generating $N records into $IN ..." >&2
	"$PY" bench/gen_triage.py "$N" >"$IN.tmp" && mv "$IN.tmp" "$IN"
fi
bytes=$(wc -c <"$IN")
T="/usr/bin/time"

# run LABEL INPUT OUTPUT CMD...: one filter on its own, timed.
run() {
	local label=$1 in=$2 out=$3
	shift 3
	cat "$in" >/dev/null	# the same warm page cache for both sides
	$T -o "$OUT/time.$label" -f "%e %M" "$@" <"$in" >"$out"
	read -r secs rss <"$OUT/time.$label"
	local b
	b=$(wc -c <"$in")
	awk -v l="$label" -v s="$secs" -v r="$rss" -v b="$b" \
		'BEGIN { printf "  %-22s %7.2f s  %8.1f MB/s  peak RSS %8.1f MB\n", l, s, b / 1e6 / (s > 0 ? s : 0.01), r / 1024 }'
}

printf 'input: %s records, %.1f MB (%s)\n' "$N" "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" "$IN"
echo "each filter alone:"
run "puma-parse" "$IN" "$OUT/c.pred" "$BIN/puma-parse"
run "puma-metrics" "$OUT/c.pred" "$OUT/c.metrics" "$BIN/puma-metrics"
run "python parse" "$IN" "$OUT/p.pred" "$PY" "$REF" parse
run "python metrics" "$OUT/p.pred" "$OUT/p.metrics" "$PY" "$REF" metrics
cmp -s "$OUT/c.pred" "$OUT/p.pred" && same_pred=yes || same_pred=NO
rm -f "$OUT/c.pred" "$OUT/p.pred"

echo "pipelines (parse | metrics):"
cat "$IN" >/dev/null
export BIN PY REF IN OUT
$T -o "$OUT/time.cpipe" -f "%e %U %S" bash -c '"$BIN/puma-parse" <"$IN" | "$BIN/puma-metrics" >"$OUT/c.metrics2"'
$T -o "$OUT/time.ppipe" -f "%e %U %S" bash -c '"$PY" "$REF" parse <"$IN" | "$PY" "$REF" metrics >"$OUT/p.metrics2"'
read -r cw cu cs <"$OUT/time.cpipe"
read -r pw pu ps <"$OUT/time.ppipe"
awk -v cw="$cw" -v cu="$cu" -v cs="$cs" -v pw="$pw" -v pu="$pu" -v ps="$ps" 'BEGIN {
	printf "  %-14s %7.2f s wall  %7.2f s CPU (user+sys)\n", "C", cw, cu + cs
	printf "  %-14s %7.2f s wall  %7.2f s CPU (user+sys)\n", "Python/NumPy", pw, pu + ps
	printf "  ratio          %7.1fx wall  %7.1fx CPU\n", pw / cw, (pu + ps) / (cu + cs) }'
cmp -s "$OUT/c.metrics2" "$OUT/p.metrics2" && same=yes || same=NO
echo "prediction records identical: $same_pred; metrics identical: $same"
head -c 400 "$OUT/c.metrics2"; echo " ..."
rm -f "$OUT"/c.metrics* "$OUT"/p.metrics* "$OUT"/time.*
[ "$same" = yes ] && [ "$same_pred" = yes ]
