# pipelines/settings.mk - every setting of the protocol's targets is
# checked (pipelines/check-settings.sh) before a recipe uses it: numbers
# must be numbers, names names, and nothing may carry shell syntax.  The
# values reach the check through the environment, unparsed.

SETTING_VARS := SCENARIO STRATEGY MODEL N SEED TEMPERATURE NUM_PREDICT BACKEND URL \
	LOGPROBS TOP_LOGPROBS JOBS CONSTRAIN NUM_CTX MAX_CHARS EXAMPLES K LABELS TIMEOUT \
	RETRIES BINS COUNTRY INTENSITY PUE MODEL_DIGEST PROFILE INFER_ARGS DATASET NAME RUNS \
	BINDIR A B RUN PAIRS PROMPTS PROMPTS_DIR THINK TRUNCATE PERTURB BASELINES \
	ROBUSTNESS_NAME FAIRNESS_NAME

.PHONY: check-settings
$(foreach v,$(SETTING_VARS),$(eval check-settings: export PUMA_SET_$v = $$($v)))
check-settings:
	@bash pipelines/check-settings.sh

run baseline-triage baseline-estimation validate-baseline baseline cross-arch report demo \
	robustness fairness: check-settings
