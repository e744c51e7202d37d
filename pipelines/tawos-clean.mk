# pipelines/tawos-clean.mk - PUMA's own estimation file, for the estimation
# baseline (MAE 5.7150 was measured on it).
#
#   make data-tawos-clean DATA_DIR=DIR TAWOS_CLEAN_SHA256=HEX
#
# DIR holds tawos_clean.csv (pumacp/puma, data/; 9,020 rows).  It is not
# fetched: the project has never seen the file, so it knows no sha256 to
# check it against.  Give the one you checked it has (config/baselines.json
# "dataset_sha256" once known).  The records go to $(DATA)/tawos_clean.jsonl;
# validate-baseline checks an estimation run only when it used them.

TAWOS_CLEAN_SHA256 ?= $(shell sed -n 's/.*"dataset_sha256": *"\([0-9a-f]\{64\}\)".*/\1/p' config/baselines.json)

.PHONY: data-tawos-clean
data-tawos-clean: $(DATA)/tawos_clean.jsonl

$(DATA)/tawos_clean.jsonl: $(PREP)
	@[ -n "$(TAWOS_CLEAN_SHA256)" ] || { echo "data: the sha256 of PUMA's tawos_clean.csv is not known here: give TAWOS_CLEAN_SHA256=HEX, the sum you checked the file has" >&2; exit 1; }
	@[ -n "$(DATA_DIR)" ] && [ -f "$(DATA_DIR)/tawos_clean.csv" ] || { echo "data: tawos_clean.csv is not fetched: put it in a directory DIR and give DATA_DIR=DIR" >&2; exit 1; }
	@mkdir -p $(DATA_RAW)
	@cp "$(DATA_DIR)/tawos_clean.csv" $(DATA_RAW)/tawos_clean.csv.tmp
	@sum=$$($(SHA256SUM) $(DATA_RAW)/tawos_clean.csv.tmp | cut -d' ' -f1); \
	if [ "$$sum" != "$(TAWOS_CLEAN_SHA256)" ]; then \
		rm -f $(DATA_RAW)/tawos_clean.csv.tmp; \
		echo "data: tawos_clean.csv: sha256 $$sum, expected $(TAWOS_CLEAN_SHA256): not that file" >&2; exit 1; \
	fi
	@mv $(DATA_RAW)/tawos_clean.csv.tmp $(DATA_RAW)/tawos_clean.csv
	@$(PREP) --rejects $(DATA)/tawos_clean.rejects.jsonl $(DATA_RAW)/tawos_clean.csv > $@.tmp || { rm -f $@.tmp; exit 1; }
	@mv $@.tmp $@
