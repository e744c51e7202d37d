#!/usr/bin/env bash
# pipelines/sweep.sh run|plan - a sweep through one engine (see sweep.mk).
# Everything comes through the environment (SWEEP_*), set by make; the
# spec's values come only through puma-sweep, which checks them.
set -euo pipefail
what=$1
spec=${SWEEP_SPEC:-}
engine=${SWEEP_ENGINE:-local}
runs=$SWEEP_RUNS
bin=$SWEEP_BINDIR
export SWEEP_ROOT SWEEP_RUNS SWEEP_BINDIR

[ -n "$spec" ] || { echo "sweep: give SPEC=config/sweeps/FILE.json" >&2; exit 2; }
[ -f "$spec" ] || { echo "sweep: SPEC '$spec' is not a file" >&2; exit 2; }
case $SWEEP_TIMEOUT_S in '' | *[!0-9]*) echo "sweep: SWEEP_TIMEOUT must be whole seconds" >&2; exit 2 ;; esac

case $engine in local | parallel | slurm) ;; *) echo "sweep: ENGINE '$engine' is not local, parallel or slurm" >&2; exit 2 ;; esac
if [ "$what" = plan ]; then
	exec "$bin/puma-sweep" --runs "$runs" --format table "$spec"
fi

# A missing engine is said before anything is made.
case $engine in
parallel)
	command -v parallel >/dev/null 2>&1 || {
		echo "sweep: ENGINE=parallel needs GNU parallel, which is not installed (Debian: apt-get install parallel)" >&2
		exit 1
	}
	;;
slurm)
	for t in sbatch squeue; do
		command -v $t >/dev/null 2>&1 || {
			echo "sweep: ENGINE=slurm needs Slurm's $t, which is not installed here (Debian: apt-get install slurm-client)" >&2
			exit 1
		}
	done
	;;
esac

# The plan's files: under the runs directory (a dry run writes nowhere).
name=$("$bin/puma-sweep" --format sbatch "$spec" | sed -n 's/^#SBATCH --job-name=puma-//p')
if [ -n "${SWEEP_DRY:-}" ]; then
	plan=$(mktemp -d "${TMPDIR:-/tmp}/puma-sweep.XXXXXX")
	trap 'rm -rf "$plan"' EXIT
else
	plan=$runs/.sweep/$name
	mkdir -p "$plan"
fi

case $engine in
local)
	"$bin/puma-sweep" --runs "$runs" --format make "$spec" >"$plan/plan.mk.tmp"
	mv "$plan/plan.mk.tmp" "$plan/plan.mk"
	# This make inherits the sweep's flags: -j, -k and -n act on the units.
	exec "${MAKE:-make}" --no-print-directory -f "$plan/plan.mk" sweep-units \
		"SWEEP_UNIT=bash $SWEEP_ROOT/pipelines/sweep-unit.sh"
	;;
parallel)
	hosts=()
	if [ -n "${SWEEP_SLF:-}" ]; then
		[ -f "$SWEEP_SLF" ] || { echo "sweep: SLF '$SWEEP_SLF' is not a file" >&2; exit 2; }
		hosts=(--slf "$(cd "$(dirname "$SWEEP_SLF")" && pwd)/$(basename "$SWEEP_SLF")")
	elif [ -n "${SWEEP_SSHLOGIN:-}" ]; then
		hosts=(--sshlogin "$SWEEP_SSHLOGIN")
	else
		echo "sweep: ENGINE=parallel needs SSHLOGIN=host,host... or SLF=FILE (':' is this machine)" >&2
		exit 2
	fi
	"$bin/puma-sweep" --runs "$runs" --format jobs "$spec" >"$plan/jobs.tsv"
	n=$(wc -l <"$plan/jobs.tsv")
	# With REMOTE_RUNS the hosts make the runs in a directory of their own,
	# and rsync (parallel's --return) copies it back after each job.
	back=()
	remote=${SWEEP_REMOTE_RUNS:-}
	if [ -n "$remote" ]; then
		case $remote in
		/*) ;;
		*) echo "sweep: REMOTE_RUNS must be an absolute path on the hosts" >&2; exit 2 ;;
		esac
		remote=${remote%/}
		[ -n "${remote%/*}" ] || { echo "sweep: REMOTE_RUNS may not be a top-level directory" >&2; exit 2; }
		command -v rsync >/dev/null 2>&1 || { echo "sweep: REMOTE_RUNS needs rsync (Debian: apt-get install rsync)" >&2; exit 1; }
		mkdir -p "$plan/returned"
		back=(--workdir "${remote%/*}" --return "${remote##*/}")
	fi
	cmd=(parallel --will-cite --colsep '\t' --halt never --timeout "$SWEEP_TIMEOUT_S" "${hosts[@]}"
		--env SWEEP_ROOT --env SWEEP_RUNS --env SWEEP_BINDIR "${back[@]}"
		--joblog "$plan/parallel.log" bash "$SWEEP_ROOT/pipelines/sweep-unit.sh" :::: "$plan/jobs.tsv")
	if [ -n "${SWEEP_DRY:-}" ]; then
		echo "sweep: $n runs through GNU parallel:"
		printf '%q ' "${cmd[@]}"
		echo
		sed 's/\t/ /g; s/^/  /' "$plan/jobs.tsv"
		exit 0
	fi
	[ "$n" -gt 0 ] || { echo "sweep: $name: every run is complete"; exit 0; }
	echo "sweep: $name: $n runs through GNU parallel"
	st=0
	if [ -n "$remote" ]; then
		# --delete: a file gone on the host (a .tmp renamed) goes here too,
		# as each job's return brings the whole directory.
		(cd "$plan/returned" && SWEEP_RUNS=$remote PARALLEL_RSYNC_OPTS="-rlDzR --delete" "${cmd[@]}") || st=$?
		# The complete runs come home; a run already here is left alone.
		for d in "$plan/returned/${remote##*/}"/*__*__*; do
			[ -f "$d/manifest.json" ] && [ ! -e "$runs/${d##*/}" ] || continue
			cp -R "$d" "$runs/${d##*/}.tmp" && mv "$runs/${d##*/}.tmp" "$runs/${d##*/}"
		done
	else
		"${cmd[@]}" || st=$?
	fi
	[ "$st" -eq 0 ] || { echo "sweep: $st of $n runs failed (see $plan/parallel.log); make sweep again resumes them" >&2; exit 1; }
	;;
slurm)
	"$bin/puma-sweep" --runs "$runs" --format jobs "$spec" >"$plan/jobs.tsv"
	n=$(wc -l <"$plan/jobs.tsv")
	{
		echo '#!/bin/bash'
		"$bin/puma-sweep" --format sbatch "$spec"
		echo "#SBATCH --array=1-$n"
		printf '#SBATCH --output=%s/slurm-%%A_%%a.out\n' "$plan"
		echo 'set -eu'
		printf 'jobs=%q\n' "$plan/jobs.tsv"
		echo 'line=$(sed -n "${SLURM_ARRAY_TASK_ID}p" "$jobs")'
		echo "IFS=\$'\\t' read -r -a args <<<\"\$line\""
		printf 'exec bash %q "${args[@]}"\n' "$SWEEP_ROOT/pipelines/sweep-unit.sh"
	} >"$plan/sweep.sbatch"
	if [ -n "${SWEEP_DRY:-}" ]; then
		echo "sweep: $n runs as one Slurm array job: sbatch $plan/sweep.sbatch"
		cat "$plan/sweep.sbatch"
		sed 's/\t/ /g; s/^/  /' "$plan/jobs.tsv"
		exit 0
	fi
	[ "$n" -gt 0 ] || { echo "sweep: $name: every run is complete"; exit 0; }
	job=$(cd "$plan" && sbatch --parsable sweep.sbatch)
	job=${job%%;*}
	case $job in '' | *[!0-9]*) echo "sweep: sbatch gave no job id: '$job'" >&2; exit 1 ;; esac
	echo "sweep: $name: $n runs as Slurm job $job"
	t0=$SECONDS
	while [ -n "$(squeue -h -j "$job" -o %i 2>/dev/null)" ]; do
		if [ $((SECONDS - t0)) -ge "$SWEEP_TIMEOUT_S" ]; then
			echo "sweep: job $job still running after ${SWEEP_TIMEOUT_S}s; cancelling it" >&2
			scancel "$job" 2>/dev/null || true
			exit 1
		fi
		sleep 2
	done
	# sacct needs Slurm's accounting; without it, the run directories say.
	if command -v sacct >/dev/null 2>&1 && sacct -n -X -P -j "$job" -o JobID,State,ExitCode >"$plan/sacct.txt" 2>/dev/null &&
		[ -s "$plan/sacct.txt" ]; then
		sed 's/^/sweep: sacct: /' "$plan/sacct.txt"
	fi
	;;
esac
if [ "$engine" != local ]; then
	left=$("$bin/puma-sweep" --runs "$runs" --format jobs "$spec" | wc -l)
	if [ "$left" -ne 0 ]; then
		echo "sweep: $name: $left runs are not complete; make sweep again resumes them" >&2
		exit 1
	fi
	echo "sweep: $name: every run is complete"
fi
