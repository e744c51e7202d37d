# pipelines/sweep.mk - many runs from one spec (docs/SWEEPS.md).
#
#   make sweep SPEC=config/sweeps/FILE.json [ENGINE=local|parallel|slurm]
#                               every run of the spec not yet complete,
#                               each a `make run` unit with its run directory
#   make -n sweep SPEC=...      the plan: what would run, nothing run
#   make sweep-plan SPEC=...    every unit of the spec and its state
#   make sweep-report SPEC=...  RUNS/sweep-NAME.html: the leaderboard of the
#                               sweep's runs with its plots (REFERENCE=run id)
#   make list-runs              the run directories, their state and metric
#
# ENGINE=local runs the units with this make (give -j to run several at
# once); ENGINE=parallel with GNU parallel on the hosts of SSHLOGIN (a
# comma-separated list) or SLF (a file of them), over a directory they
# share or, with REMOTE_RUNS=DIR, in DIR on each host, copied back; and
# ENGINE=slurm as one sbatch --array job.

SPEC ?=
ENGINE ?= local
SSHLOGIN ?=
SLF ?=
SWEEP_TIMEOUT ?= 86400
REFERENCE ?=
REMOTE_RUNS ?=

.PHONY: sweep sweep-plan sweep-report list-runs

# What the sweep's scripts get, through the environment: never through a
# shell's command line, so no value is ever parsed by one.
SWEEP_ENV = SWEEP_SPEC SWEEP_ENGINE SWEEP_ROOT SWEEP_RUNS SWEEP_BINDIR SWEEP_SSHLOGIN SWEEP_SLF \
	SWEEP_TIMEOUT_S SWEEP_DRY
sweep sweep-plan sweep-report list-runs: export SWEEP_SPEC := $(SPEC)
sweep sweep-plan sweep-report list-runs: export SWEEP_ENGINE := $(ENGINE)
sweep sweep-plan sweep-report list-runs: export SWEEP_ROOT := $(CURDIR)
sweep sweep-plan sweep-report list-runs: export SWEEP_RUNS := $(abspath $(RUNS))
sweep sweep-plan sweep-report list-runs: export SWEEP_BINDIR := $(P)
sweep sweep-plan sweep-report list-runs: export SWEEP_SSHLOGIN := $(SSHLOGIN)
sweep sweep-plan sweep-report list-runs: export SWEEP_SLF := $(SLF)
sweep sweep-plan sweep-report list-runs: export SWEEP_TIMEOUT_S := $(SWEEP_TIMEOUT)
sweep sweep-plan sweep-report list-runs: export SWEEP_REFERENCE := $(REFERENCE)
sweep sweep-plan sweep-report list-runs: export SWEEP_REMOTE_RUNS := $(REMOTE_RUNS)
sweep sweep-plan sweep-report list-runs: export SWEEP_DRY := $(if $(findstring n,$(firstword -$(MAKEFLAGS))),1)

# '+': run even under make -n, which then prints the plan instead.
sweep: $(TOOLS_DEP)
	+@bash pipelines/sweep.sh run

sweep-plan: $(TOOLS_DEP)
	@bash pipelines/sweep.sh plan

sweep-report: $(TOOLS_DEP)
	@sh pipelines/sweep-report.sh

list-runs: $(TOOLS_DEP)
	@bash pipelines/list-runs.sh
