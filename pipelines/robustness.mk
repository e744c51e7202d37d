# pipelines/robustness.mk - PUMA's robustness and fairness runs as make
# targets, on the protocol's run machinery (pipelines/protocol.mk).
#
#   make robustness SCENARIO=triage_jira STRATEGY=zero-shot MODEL=... N=...
#                   one scenario's sample, each instance as it is and under
#                   PUMA's eight perturbations (puma-perturb --perturbations all
#                   --with-original), into runs/<run_id>/
#   make fairness   the same with the gender pair only
#                   (gender_swap_prefix_male, gender_swap_prefix_female)
#
# Such a run's metrics.json is puma-metrics --by perturbation: one object
# per perturbation with its metrics and, against the original records,
# robustness, consistency and flips, then the gender pair's fairness; its
# ece.json and reliability diagram cover the original records only, as
# PUMA's calibration does.  The perturbations are a setting of the run
# (perturbations=...), so they are part of its id.  See docs/PROTOCOL.md.

ROBUSTNESS_NAME ?= robustness-$(SCENARIO)-$(STRATEGY)
FAIRNESS_NAME ?= fairness-$(SCENARIO)-$(STRATEGY)
GENDER_PAIR = gender_swap_prefix_male,gender_swap_prefix_female
# The perturbations of the run being made (puma-perturb --perturbations); empty: none.
PERTURB ?=

define PERTURB_NL


endef
PERTURB_SETTING = $(if $(PERTURB),$(PERTURB_NL)perturbations=$(PERTURB))
PERTURB_CMD = $(if $(PERTURB),| $(P)/puma-perturb --perturbations $(PERTURB) --with-original --seed $(SEED))
# The original records of a perturbed run's predictions (the copy that
# puma-perturb --with-original marks); all of them otherwise.  A JSON
# string holds a quote only escaped, so the pattern matches the member.
ORIGINALS = $(if $(PERTURB),grep -F '"perturbation":"original"',cat)

.PHONY: robustness fairness
robustness:
	@$(MAKE) --no-print-directory run PERTURB=all NAME='$(ROBUSTNESS_NAME)'

fairness:
	@$(MAKE) --no-print-directory run PERTURB=$(GENDER_PAIR) NAME='$(FAIRNESS_NAME)'
