# pipelines/data.mk - the public datasets, fetched, checked and converted.
#
#   make data                   fetch with curl from the pinned commits below
#   make data DATA_DIR=DIR      take local copies from DIR (or DIR/tawos)
#
# Each file's sha256 is checked before it is used.  Downloads go to
# $(DATA)/raw/; the records are $(DATA)/triage_jira.jsonl, one
# $(DATA)/tawos_KEY.jsonl per TAWOS project, and $(DATA)/estimation_tawos.jsonl
# (the projects in the order of TAWOS_PROJECTS).  Rows puma-prep rejects go
# to $(DATA)/tawos_KEY.rejects.jsonl.  Every file is written under a
# temporary name and renamed when complete.  See docs/data.md.

DATA ?= data
DATA_DIR ?=
DATA_RAW := $(DATA)/raw
CURL ?= curl
# sha256sum (GNU coreutils) or shasum (macOS).
SHA256SUM ?= $(shell command -v sha256sum >/dev/null 2>&1 && echo sha256sum || echo 'shasum -a 256')

# Where the files live, at fixed commits.
JIRA_URL ?= https://raw.githubusercontent.com/pumacp/puma/474a8e334cc615e4ef8da0240348483c13fec72a/data
TAWOS_URL ?= https://raw.githubusercontent.com/SOLAR-group/AgileEffortEstimation/291e22a8bf812f5a6b3e241e0805159eab48b648/datasets/Tawosi_Dataset
TAWOS_PROJECTS := XD APSTUD TISTUD

url_jira_balanced_200.csv := $(JIRA_URL)/jira_balanced_200.csv
$(foreach p,$(TAWOS_PROJECTS),$(eval url_$(p)_deep-se.csv := $(TAWOS_URL)/$(p)_deep-se.csv))

sha256_jira_balanced_200.csv := bfec679f95f5f5f28ac62df2e2636ec4b80b4da9409942787b525c12598f505e
sha256_XD_deep-se.csv := 6f2be6321aafdebe327d2193226391a70d8ee4c81ea9d2afb2a824e41c5062b6
sha256_APSTUD_deep-se.csv := 6d9815963ffc3216a10fa7dd1414ce74428425eedaa05abb936d1695b491844d
sha256_TISTUD_deep-se.csv := af6cde240cdea10baa8c02d2527bedcf3851ccd2cd746d5979b291593bc8cf87

PREP := $(BINDIR)/puma-prep
TAWOS_JSONL := $(TAWOS_PROJECTS:%=$(DATA)/tawos_%.jsonl)
# Downloads are kept, not deleted as intermediate files.
.PRECIOUS: $(DATA_RAW)/%.csv

.PHONY: data data-clean
data: $(DATA)/triage_jira.jsonl $(TAWOS_JSONL) $(DATA)/estimation_tawos.jsonl
	@for f in $(filter %.jsonl,$^); do echo "data: $$f: $$(wc -l < $$f) records"; done

# A raw file: copied from DATA_DIR or downloaded, then its sha256 checked.
$(DATA_RAW)/%.csv:
	@mkdir -p $(@D)
	@if [ -n "$(DATA_DIR)" ]; then \
		src="$(DATA_DIR)/$*.csv"; [ -f "$$src" ] || src="$(DATA_DIR)/tawos/$*.csv"; \
		[ -f "$$src" ] || { echo "data: $*.csv is neither in $(DATA_DIR) nor in $(DATA_DIR)/tawos" >&2; exit 1; }; \
		echo "data: copying $$src"; cp "$$src" $@.tmp; \
	else \
		echo "data: fetching $(url_$*.csv)"; \
		$(CURL) -fsSL --retry 3 -o $@.tmp "$(url_$*.csv)" || \
			{ rm -f $@.tmp; echo "data: cannot fetch $(url_$*.csv) (no network? use DATA_DIR=DIR with local copies)" >&2; exit 1; }; \
	fi
	@sum=$$($(SHA256SUM) $@.tmp | cut -d' ' -f1); \
	if [ "$$sum" != "$(sha256_$*.csv)" ]; then \
		rm -f $@.tmp; \
		echo "data: $*.csv: sha256 $$sum, expected $(sha256_$*.csv): not the published file" >&2; exit 1; \
	fi
	@mv $@.tmp $@

$(DATA)/triage_jira.jsonl: $(DATA_RAW)/jira_balanced_200.csv $(PREP)
	@$(PREP) $< > $@.tmp || { rm -f $@.tmp; exit 1; }
	@mv $@.tmp $@

$(DATA)/tawos_%.jsonl: $(DATA_RAW)/%_deep-se.csv $(PREP)
	@$(PREP) --rejects $(DATA)/tawos_$*.rejects.jsonl $< > $@.tmp || { rm -f $@.tmp; exit 1; }
	@mv $@.tmp $@

$(DATA)/estimation_tawos.jsonl: $(TAWOS_JSONL)
	@cat $^ > $@.tmp || { rm -f $@.tmp; exit 1; }
	@mv $@.tmp $@

# The raw downloads stay unless asked for.
data-clean:
	rm -f $(DATA)/*.jsonl $(DATA)/*.tmp
