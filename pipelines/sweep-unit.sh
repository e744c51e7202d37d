#!/bin/sh
# pipelines/sweep-unit.sh VAR=VALUE... - one unit of a sweep: `make run`
# with the unit's variables, in a make of its own (the sweep's make flags
# and jobserver stay out of it).  The engines (make, GNU parallel, Slurm)
# all run this, so every engine makes the same run.
#
# Environment: SWEEP_ROOT (the checkout), SWEEP_RUNS (the runs directory),
# SWEEP_BINDIR (the tools), MAKE (optional).
set -eu
: "${SWEEP_ROOT:?sweep-unit: SWEEP_ROOT is not set}" "${SWEEP_RUNS:?sweep-unit: SWEEP_RUNS is not set}"
: "${SWEEP_BINDIR:?sweep-unit: SWEEP_BINDIR is not set}"
[ $# -gt 0 ] || { echo "sweep-unit: no variables given" >&2; exit 2; }
# The values were checked by puma-sweep; a job file edited by hand is
# checked again here, since these words become make's command line.
for a in "$@"; do
	case $a in
	*[!A-Za-z0-9._:/=-]* | =* | *=) echo "sweep-unit: '$a' is not VAR=VALUE with VALUE in [A-Za-z0-9._:/-]" >&2; exit 2 ;;
	[A-Z]*=*) ;;
	*) echo "sweep-unit: '$a' is not VAR=VALUE" >&2; exit 2 ;;
	esac
	case ${a%%=*} in
	*[!A-Z_]*) echo "sweep-unit: '${a%%=*}' is not a variable name" >&2; exit 2 ;;
	RUNS | BINDIR | NO_BUILD | RUN_DIR | INFER_ARGS | SHELL | MAKEFLAGS) echo "sweep-unit: a unit may not set ${a%%=*}" >&2; exit 2 ;;
	esac
done
name=${1#NAME=}
[ "$name" != "$1" ] || { echo "sweep-unit: the first variable must be NAME" >&2; exit 2; }
# The unit's unfinished run directory, newest first, if it has one.
unfinished() {
	for d in $(ls -d "$SWEEP_RUNS/${name}__"* 2>/dev/null | sort -r); do
		[ -f "$d/manifest.json" ] || { echo "$d"; return; }
	done
}
d=$(unfinished)
[ -z "$d" ] || rm -f "$d/failed.txt"
st=0
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" --no-print-directory -C "$SWEEP_ROOT" \
	NO_BUILD=1 "RUNS=$SWEEP_RUNS" "BINDIR=$SWEEP_BINDIR" run "$@" || st=$?
# A failed unit says so in its run directory, for make list-runs.
if [ "$st" -ne 0 ]; then
	d=$(unfinished)
	[ -z "$d" ] || printf 'make run exited %s at %s\n' "$st" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$d/failed.txt"
	exit "$st"
fi
