#!/bin/sh
# pipelines/sweep-report.sh - the HTML report of a sweep: puma-board's page
# (the plot of each run's metric with its interval, the table against the
# reference, the reliability diagrams) over the newest complete run of each
# unit, written to RUNS/sweep-NAME.html.  The reference is the first unit
# of the spec, or REFERENCE (a run id).  Environment as for sweep.sh.
set -eu
spec=${SWEEP_SPEC:-}
bin=$SWEEP_BINDIR
runs=$SWEEP_RUNS
[ -n "$spec" ] || { echo "sweep-report: give SPEC=config/sweeps/FILE.json" >&2; exit 2; }
[ -f "$spec" ] || { echo "sweep-report: SPEC '$spec' is not a file" >&2; exit 2; }
name=$("$bin/puma-sweep" --format sbatch "$spec" | sed -n 's/^#SBATCH --job-name=puma-//p')
dirs=""
missing=0
for unit in $("$bin/puma-sweep" --all --format jobs "$spec" | cut -f1 | sed 's/^NAME=//'); do
	d=$(sh "$SWEEP_ROOT/pipelines/last-run.sh" "$runs" "$unit")
	if [ -z "$d" ]; then
		missing=$((missing + 1))
		continue
	fi
	dirs="$dirs ${d#"$runs"/}"
done
[ -n "$dirs" ] || { echo "sweep-report: $name has no complete run yet (make sweep SPEC=$spec)" >&2; exit 1; }
[ "$missing" -eq 0 ] || echo "sweep-report: $missing runs of $name are not complete; the report leaves them out" >&2
out=$runs/sweep-$name.html
ref=${SWEEP_REFERENCE:-}
# Run ids are [A-Za-z0-9._-] (checked by puma-sweep and run-dir.sh): safe as words.
# shellcheck disable=SC2086
(cd "$runs" && "$bin/puma-board" --format html ${ref:+--reference "$ref"} $dirs) >"$out.tmp"
mv "$out.tmp" "$out"
echo "sweep-report: $out"
