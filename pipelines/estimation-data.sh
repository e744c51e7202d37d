#!/bin/sh
# pipelines/estimation-data.sh RUN DATA SHA256 - may RUN's estimation
# metrics be checked against PUMA's reference (MAE 5.7150)?  Only when the
# run used the records of PUMA's own tawos_clean.csv: its settings name
# tawos_clean.jsonl, that file (made by `make data` from a tawos_clean.csv
# whose sha256 is SHA256) is in DATA, and the run's manifest records the
# same sha256 for its data.  Exit 0 when it may; otherwise exit 2 saying
# why and how to supply the file.  RUN may be empty (no run yet).
set -u
run=$1
data=$2
want=$3
prog=validate-baseline
how="PUMA's MAE 5.7150 was measured on PUMA's tawos_clean.csv (9,020 rows of MESOS, APSTUD and XD; in pumacp/puma under data/), not on the SOLAR deep-se files that make data fetches; a MAE from other rows is not comparable, so it is not checked.  To check it: put tawos_clean.csv in a directory DIR, then run make data-tawos-clean DATA_DIR=DIR TAWOS_CLEAN_SHA256=<its sha256> and make baseline-estimation DATASET=$data/tawos_clean.jsonl (see docs/baseline_references.md)"
refuse() {
	echo "$prog: estimation: REFUSED: $1." >&2
	echo "$prog: $how" >&2
	exit 2
}
if [ -z "$want" ]; then
	refuse "the sha256 of PUMA's tawos_clean.csv is not known here (config/baselines.json has none, and TAWOS_CLEAN_SHA256 is not set)"
fi
[ -n "$run" ] || refuse "there is no finished baseline-estimation run"
if ! grep -qx 'dataset=tawos_clean.jsonl' "$run/settings.txt" 2>/dev/null; then
	refuse "$run used $(sed -n 's/^dataset=//p' "$run/settings.txt" 2>/dev/null), not the records of tawos_clean.csv"
fi
[ -f "$data/tawos_clean.jsonl" ] || refuse "$data/tawos_clean.jsonl (made from the checked tawos_clean.csv) is not there"
if command -v sha256sum >/dev/null 2>&1; then
	have=$(sha256sum <"$data/tawos_clean.jsonl" | cut -c1-64)
else
	have=$(shasum -a 256 <"$data/tawos_clean.jsonl" | cut -c1-64)
fi
grep -q "\"data\":{\"path\":\"[^\"]*\",\"sha256\":\"$have\"" "$run/manifest.json" 2>/dev/null ||
	refuse "$run's data is not $data/tawos_clean.jsonl as made from the checked tawos_clean.csv"
exit 0
