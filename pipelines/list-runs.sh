#!/bin/sh
# pipelines/list-runs.sh - one line per run directory under $SWEEP_RUNS:
# its state, model, scenario, strategy, seed, N and headline metric
# (F1 macro for classification, MAE for estimation), oldest first.
#
# complete:   the run has its manifest.json (written last);
# failed:     inference stopped (summary.json names why: the server went away,
#             the disk filled...), or a sweep's unit failed (failed.txt);
#             make run or make sweep again resumes it;
# unfinished: neither (running now, or interrupted); make run resumes it.
set -eu
runs=${SWEEP_RUNS:-runs}
[ -d "$runs" ] || { echo "list-runs: no runs directory $runs"; exit 0; }
set_of() { sed -n "s/^$1=//p" "$2/settings.txt" 2>/dev/null | head -n 1; }
# The first number after "KEY": in a pretty-printed metrics.json.
num_of() { sed -n "s/^  \"$1\": \([-0-9.eE+]*\),\{0,1\}\$/\1/p" "$2" 2>/dev/null | head -n 1; }
{
	printf 'run\tstate\tmodel\tscenario\tstrategy\tseed\tn\tmetric\n'
	# Run ids end in their UTC start time: oldest first.
	for d in "$runs"/*__*__*; do
		[ -d "$d" ] || continue
		if [ -f "$d/manifest.json" ]; then
			state=complete
		elif [ -f "$d/failed.txt" ] || { [ -f "$d/summary.json" ] && ! grep -q '"stopped":null' "$d/summary.json"; }; then
			state=failed
		else
			state=unfinished
		fi
		metric=-
		if [ -f "$d/metrics.json" ]; then
			if v=$(num_of f1_macro "$d/metrics.json") && [ -n "$v" ]; then
				metric="f1_macro=$v"
			elif v=$(num_of mae "$d/metrics.json") && [ -n "$v" ]; then
				metric="mae=$v"
			fi
		fi
		id=$(basename "$d")
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${id##*__}" "$id" "$state" "$(set_of model "$d")" \
			"$(set_of scenario "$d")" "$(set_of strategy "$d")" "$(set_of seed "$d")" "$(set_of n "$d")" "$metric"
	done | sort -s -k1,1 | cut -f2-
} | tr -d '\r' | awk -F'\t' '
	{ for (i = 1; i <= NF; i++) { v = ($i == "" ? "-" : $i); c[NR, i] = v; if (length(v) > w[i]) w[i] = length(v) } n = NR; nf = NF }
	END { for (r = 1; r <= n; r++) { line = ""; for (i = 1; i <= nf; i++) line = line sprintf(i < nf ? "%-" w[i] "s  " : "%s", c[r, i]); print line } }'
