# pipelines/protocol.mk - PUMA's protocol as make targets.
#
#   make run SCENARIO=triage_jira STRATEGY=zero-shot MODEL=qwen2.5:3b ...
#                               one whole scenario into runs/<run_id>/
#   make baseline-triage        the canonical triage run (spec: F1 0.5867)
#   make baseline-estimation    the canonical estimation run (MAE 5.7150)
#   make validate-baseline      the newest finished canonical runs (made when
#                               missing) checked against config/baselines.json
#   make baseline               the triage baseline if a server answers at
#                               URL, else the demo (the README's main job)
#   make cross-arch A=runs/<id> B=runs/<id>
#                               compare two runs: runs/cross-arch__A__vs__B.md
#   make report RUN=runs/<id>   a Markdown report of one run (report.md)
#   make demo                   the whole protocol on this machine against a
#                               llama-server with the shipped trained model
#                               (models/, docs/MODEL.md) on held-out records
#
# A run directory holds the sampled instances, the responses, the
# predictions, metrics.json, ece.json, reliability.svg, host.json (from
# puma-detect), summary.json (from puma-infer) and, written last,
# manifest.json: a directory without a manifest is unfinished, and running
# the same target again resumes it (finished steps are skipped, inference
# resumes from the run's cache).  See docs/PROTOCOL.md.

# ---- Settings (any can be given on the command line) ----
SCENARIO ?= triage_jira
STRATEGY ?= zero-shot
MODEL ?= qwen2.5:3b
N ?= 200
SEED ?= 42
TEMPERATURE ?= 0
NUM_PREDICT ?= 256
BACKEND ?= ollama
# Empty: puma-infer's default (OLLAMA_HOST, else http://127.0.0.1:11434).
# Several, separated by spaces: puma-infer spreads the requests over them
# (-u each; puma-detect asks the first).
URL ?=
LOGPROBS ?= 1
TOP_LOGPROBS ?= 5
JOBS ?= 1
CONSTRAIN ?=
NUM_CTX ?=
MAX_CHARS ?=
EXAMPLES ?=
K ?=
LABELS ?=
TIMEOUT ?=
RETRIES ?=
BINS ?= 15
# Whose prompt templates: own (config/prompts/) or puma (PUMA's .jinja,
# fetched by make prompts); the canonical targets default to puma.
PROMPTS ?=
# on/off: ask a reasoning model to think or not (not sent when empty, as PUMA).
THINK ?=
# 0: Ollama refuses a prompt over the context (truncate:false) instead of
# cutting it; empty: not sent, as PUMA.
TRUNCATE ?=
COUNTRY ?=
INTENSITY ?=
PUE ?=
MODEL_DIGEST ?=
PROFILE ?=
INFER_ARGS ?=
# prioritization_jira pairs the triage issues (puma-pair); PAIRS is puma
# (PUMA's pairs of the stratified sample of 2N) or mixed.
PAIRS ?= puma
PAIRED := $(filter prioritization_jira,$(SCENARIO))
DATASET ?= $(DATA)/$(if $(PAIRED),triage_jira,$(SCENARIO)).jsonl
NAME ?= $(SCENARIO)-$(STRATEGY)
RUNS ?= runs
# NO_BUILD=1 uses the tools in $(BINDIR) as they are (a machine without
# the build dependencies, given binaries built elsewhere).
NO_BUILD ?=
TOOLS_DEP := $(if $(NO_BUILD),,$(TOOL_BIN))
P := $(abspath $(BINDIR))

# The template a run uses, and its sha256: PUMA's as pinned in
# config/puma-prompts.tsv (make prompts checks the file against it), or the
# project's own file.
PROMPTS_SET = $(or $(PROMPTS),own)
puma_template = $(if $(filter zero-shot self-consistency,$1),zero_shot,$(if $(filter zero-shot-cot,$1),zero_shot_cot,$(if $(filter one-shot few-shot-%,$1),few_shot,$(subst -,_,$1))))
TEMPLATE_FILE = $(if $(filter puma,$(PROMPTS_SET)),$(PUMA_PROMPTS)/$(SCENARIO)/$(call puma_template,$(STRATEGY)).jinja,config/prompts/$(SCENARIO)/$(patsubst few-shot-%,few-shot,$(STRATEGY)).txt)
TEMPLATE_SHA256 = $(if $(filter puma,$(PROMPTS_SET)),$(shell awk -F'\t' '$$1 == "$(SCENARIO)" && $$2 == "$(call puma_template,$(STRATEGY)).jinja" { print $$5 }' $(PROMPTS_LIST)),$(firstword $(shell $(SHA256SUM) '$(TEMPLATE_FILE)' 2>/dev/null)))

# What can change a run's results, one per line: the run id's hash is taken
# over this text, so two machines with the same settings share a run name.
define SETTINGS
scenario=$(SCENARIO)
strategy=$(STRATEGY)
model=$(MODEL)
n=$(N)$(if $(PAIRED), pairs=$(PAIRS))
seed=$(SEED)
temperature=$(TEMPERATURE)
num_predict=$(NUM_PREDICT)
backend=$(BACKEND)
logprobs=$(LOGPROBS)
top_logprobs=$(TOP_LOGPROBS)
jobs=$(JOBS)
constrain=$(CONSTRAIN)
num_ctx=$(NUM_CTX)
max_chars=$(MAX_CHARS)
examples=$(EXAMPLES)
k=$(K)
labels=$(LABELS)
dataset=$(notdir $(DATASET))
prompts=$(PROMPTS_SET)
template_sha256=$(TEMPLATE_SHA256)
think=$(THINK)
truncate=$(TRUNCATE)
infer_args=$(INFER_ARGS)
bins=$(BINS)$(PERTURB_SETTING)
endef
export SETTINGS

# The flags each tool gets from the settings.
INFER_FLAGS = -m '$(MODEL)' -b $(BACKEND) $(foreach u,$(URL),-u '$(u)') -s $(SCENARIO) -S $(STRATEGY) \
	--seed $(SEED) --temperature $(TEMPERATURE) --num-predict $(NUM_PREDICT) -j $(JOBS) \
	$(if $(filter 1,$(LOGPROBS)),--logprobs --top-logprobs $(TOP_LOGPROBS)) \
	$(if $(CONSTRAIN),--constrain) $(if $(NUM_CTX),--num-ctx $(NUM_CTX)) \
	$(if $(MAX_CHARS),--max-chars $(MAX_CHARS)) $(if $(EXAMPLES),--examples '$(EXAMPLES)') \
	$(if $(K),-k $(K)) $(if $(LABELS),--labels '$(LABELS)') $(if $(TIMEOUT),--timeout $(TIMEOUT)) \
	$(if $(RETRIES),--retries $(RETRIES)) $(if $(COUNTRY),--country $(COUNTRY)) \
	$(if $(INTENSITY),--intensity $(INTENSITY)) $(if $(PUE),--pue $(PUE)) \
	$(if $(filter ollama,$(BACKEND)),--unload) $(if $(MODEL_DIGEST),--model-digest $(MODEL_DIGEST)) \
	--prompts $(PROMPTS_SET) $(if $(filter puma,$(PROMPTS_SET)),--prompts-dir '$(PUMA_PROMPTS)') \
	$(if $(THINK),--think $(THINK)) $(if $(filter 0,$(TRUNCATE)),--no-truncate) \
	$(INFER_ARGS)
SAMPLE_FLAGS = -n $(N) --seed $(SEED) $(if $(filter triage_jira%,$(SCENARIO)),--stratify gold)
SAMPLE_CMD = $(if $(PAIRED),$(if $(filter mixed,$(PAIRS)),$(P)/puma-pair --pairs mixed -n $(N) --seed $(SEED) <$(DATASET),\
	$(P)/puma-sample -n $$(( 2 * $(N) )) --seed $(SEED) --stratify gold <$(DATASET) | $(P)/puma-pair -n $(N)),\
	$(P)/puma-sample $(SAMPLE_FLAGS) <$(DATASET))
PARSE_FLAGS = -s $(SCENARIO) $(if $(LABELS),--labels '$(LABELS)')

.PHONY: run run-steps baseline baseline-triage baseline-estimation validate-baseline \
	cross-arch report demo

# One scenario, start to end: find or make the run directory, then build
# its files in order with a second make (so each step is a file target).
run: $(TOOLS_DEP)
	@[ -f '$(DATASET)' ] || $(MAKE) --no-print-directory '$(DATASET)'
	@$(if $(filter puma,$(PROMPTS_SET)),$(MAKE) --no-print-directory prompts,:)
	@dir=$$(PUMA_BIN=$(P) sh pipelines/run-dir.sh '$(RUNS)' '$(NAME)'); \
	sh pipelines/lock.sh "$$dir" $(MAKE) --no-print-directory run-steps RUN_DIR="$$dir"; \
	echo "run: $$dir"; \
	$(P)/puma-metrics --format table $(PARSE_FLAGS) $(if $(PERTURB),--by perturbation,--summary "$$dir/summary.json") \
		<"$$dir/predictions.jsonl"

R = $(RUN_DIR)
run-steps: $(R)/manifest.json

$(R)/host.json:
	@echo "run: describing this machine (puma-detect)"
	@$(P)/puma-detect $(if $(PROFILE),--profile $(PROFILE)) \
		$(if $(filter ollama,$(BACKEND)),$(if $(URL),--server '$(firstword $(URL))')) \
		--dir $(R) >$@.tmp || { echo "run: puma-detect failed: see above (PROFILE=... overrides the profile)" >&2; rm -f $@.tmp; exit 1; }
	@mv $@.tmp $@

# The dataset is made (or found) by the run target; a run keeps the
# sample it started with.
$(R)/instances.jsonl:
	@echo "run: sampling $(N) $(if $(PAIRED),$(PAIRS) pairs,records) of $(DATASET) (seed $(SEED))"
	@$(SAMPLE_CMD) $(PERTURB_CMD) >$@.tmp
	@mv $@.tmp $@

# Fresh model state: PUMA saw a triage run before an estimation run move
# MAE from 5.7150 to 6.3150; on Ollama, puma-infer --unload (in INFER_FLAGS)
# unloads the model first, and the summary and manifest say so.
# puma-infer's exit status says whether the run finished: 0 every record
# answered, 3 every record written but some failed (records with their
# error, which count as parse failures: the run is complete); anything else
# (1: stopped early, or could not start) leaves the step unfinished.
$(R)/responses.jsonl: $(R)/instances.jsonl $(R)/host.json
	@echo "run: inference ($(BACKEND), $(MODEL), $(STRATEGY))"
	@st=0; $(P)/puma-infer $(INFER_FLAGS) --cache $(R)/cache --summary $(R)/summary.json \
		<$(R)/instances.jsonl >$@.tmp || st=$$?; \
	if [ $$st -eq 3 ]; then \
		echo "run: some requests failed: they are records with an error, and count as parse failures" >&2; st=0; \
	fi; \
	if [ $$st -ne 0 ]; then rm -f $@.tmp; echo "run: inference did not finish; rerun the same target to resume" >&2; exit 1; fi
	@mv $@.tmp $@

$(R)/predictions.jsonl: $(R)/responses.jsonl
	@$(P)/puma-parse $(PARSE_FLAGS) <$< >$@.tmp
	@mv $@.tmp $@

$(R)/metrics.json: $(R)/predictions.jsonl
	@$(P)/puma-metrics --pretty $(PARSE_FLAGS) $(if $(PERTURB),--by perturbation,--summary $(R)/summary.json) \
		<$< >$@.tmp
	@mv $@.tmp $@

$(R)/ece.json: $(R)/predictions.jsonl
	@$(ORIGINALS) <$< | $(P)/puma-ece --pretty --bins $(BINS) --svg $(R)/reliability.svg >$@.tmp
	@mv $@.tmp $@

$(R)/manifest.json: $(R)/metrics.json $(R)/ece.json $(R)/host.json
	@PUMA_BIN=$(P) PROMPTS_SET=$(PROMPTS_SET) PROMPTS_LIST=$(PROMPTS_LIST) \
		sh pipelines/manifest.sh $(R) '$(DATASET)' '$(TEMPLATE_FILE)' >$@.tmp
	@mv $@.tmp $@

# ---- The canonical runs (spec section 9) ----
# PUMA's templates and PUMA's example behaviour (none) unless PROMPTS says.
CANON = MODEL=qwen2.5:3b N=200 SEED=42 TEMPERATURE=0 NUM_PREDICT=256 JOBS=1 PROMPTS=$(or $(PROMPTS),puma)
baseline-triage:
	@$(MAKE) --no-print-directory run $(CANON) NAME=baseline-triage \
		SCENARIO=triage_jira STRATEGY=contextual-anchoring

baseline-estimation:
	@$(MAKE) --no-print-directory run $(CANON) NAME=baseline-estimation \
		SCENARIO=estimation_tawos STRATEGY=zero-shot

# Check the newest finished canonical run of each scenario against its
# reference (config/baselines.json), making the run first when there is
# none; fails when a value is outside its tolerance (FAIL).  The
# estimation reference holds only for PUMA's tawos_clean.csv: a run on
# other rows is REFUSED, saying why and how to supply the file, never
# FAILed, and the target fails too.  BASELINES=triage checks one.
BASELINES ?= triage estimation
validate-baseline: $(TOOLS_DEP)
	@fail=0; refused=0; for b in $(BASELINES); do \
		case $$b in triage) sc=triage_jira ;; estimation) sc=estimation_tawos ;; \
		*) echo "validate-baseline: BASELINES: '$$b' is neither triage nor estimation" >&2; exit 2 ;; esac; \
		name=baseline-$$b; \
		d=$$(sh pipelines/last-run.sh '$(RUNS)' $$name); \
		if [ $$b = estimation ] && ! sh pipelines/estimation-data.sh "$$d" '$(DATA)' '$(TAWOS_CLEAN_SHA256)'; then \
			refused=1; continue; \
		fi; \
		if [ -z "$$d" ]; then \
			$(MAKE) --no-print-directory $$name || exit 1; \
			d=$$(sh pipelines/last-run.sh '$(RUNS)' $$name); \
		fi; \
		echo "validate-baseline: $$d"; \
		$(P)/puma-metrics --baseline $$sc <"$$d/predictions.jsonl" >/dev/null || fail=1; \
	done; [ $$fail -eq 0 ] || exit 1; [ $$refused -eq 0 ] || exit 2

# The README's main job: the real baseline when a server answers, else
# the demo so that every step can be seen working.
baseline: $(TOOLS_DEP)
	@if $(P)/puma-detect --server '$(or $(firstword $(URL)),$(OLLAMA_HOST),http://127.0.0.1:11434)' \
		--require-server --timeout 5 >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory baseline-triage; \
	else \
		echo "baseline: no inference server answers at $(or $(firstword $(URL)),$(OLLAMA_HOST),http://127.0.0.1:11434); running the demo instead"; \
		$(MAKE) --no-print-directory demo; \
	fi

# ---- Comparing and reporting ----
cross-arch: $(TOOLS_DEP)
	@[ -n "$(A)" ] && [ -n "$(B)" ] || { echo "cross-arch: give A=runs/<id> B=runs/<id>" >&2; exit 2; }
	@out='$(RUNS)/cross-arch__$(notdir $(A:/=))__vs__$(notdir $(B:/=)).md'; \
	PUMA_BIN=$(P) sh pipelines/cross-arch.sh '$(A)' '$(B)' "$$out"

report: $(TOOLS_DEP)
	@[ -n "$(RUN)" ] || { echo "report: give RUN=runs/<id>" >&2; exit 2; }
	@PUMA_BIN=$(P) sh pipelines/report.sh '$(RUN)' >'$(RUN)/report.md.tmp' && \
		mv '$(RUN)/report.md.tmp' '$(RUN)/report.md' && echo "report: $(RUN)/report.md"

demo: $(TOOLS_DEP)
	@PUMA_BIN=$(P) RUNS='$(RUNS)' DATASET='$(DATA)/triage_jira.jsonl' \
		EST_DATASET='$(DATA)/estimation_tawos.jsonl' MAKE='$(MAKE)' bash pipelines/demo.sh
