# pipelines/prompts.mk - PUMA's own prompt templates, fetched and checked.
#
#   make prompts                   fetch the 21 templates from the commits
#                                  pinned in config/puma-prompts.tsv
#   make prompts PROMPTS_DIR=DIR   take local copies (DIR/<scenario>/<file>,
#                                  or a checkout of pumacp/puma); DATA_DIR
#                                  serves too
#
# Each file's sha256 is checked before it is used; the files land in
# $(PUMA_PROMPTS)/<scenario>/ (data/prompts/puma/), never in the project.
# `make data` runs this too.  See docs/PROMPTS.md.

PROMPTS_DIR ?=
PROMPTS_URL ?=
PUMA_PROMPTS ?= $(DATA)/prompts/puma
PROMPTS_LIST := config/puma-prompts.tsv

.PHONY: prompts
prompts:
	@PROMPTS_DIR='$(PROMPTS_DIR)' DATA_DIR='$(DATA_DIR)' PROMPTS_URL='$(PROMPTS_URL)' CURL='$(CURL)' \
		sh pipelines/prompts.sh $(PROMPTS_LIST) '$(PUMA_PROMPTS)'

data: prompts
