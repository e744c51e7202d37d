#!/bin/sh
# pipelines/report.sh RUN_DIR - a Markdown report of one finished run:
# settings, host, metrics tables with the confusion matrix, calibration and
# the reliability diagram; for a perturbed run, robustness and fairness.  Figures are recomputed from the run's files by
# the same tools, so the report always agrees with them.
set -eu
dir=${1%/}
bin=${PUMA_BIN:-bin}
if [ ! -f "$dir/manifest.json" ]; then
	echo "report: $dir is not a finished run (no manifest.json)" >&2
	exit 1
fi
scenario=$(sed -n 's/^scenario=//p' "$dir/settings.txt")
member() {
	grep -o "\"$1\":\(null\|\"[^\"\\\\]*\"\)" "$dir/manifest.json" | head -n 1 | sed 's/^[^:]*://; s/"//g'
}

printf '# Run %s\n\n' "$(basename "$dir")"
printf 'Started %s, finished %s; model digest `%s`; server %s; tools %s.\n\n' \
	"$(member started_at)" "$(member finished_at)" "$(member model_digest)" \
	"$(member server_version)" "$(member tools_version)"
printf 'Fresh model state: %s.\n\n' "$(member fresh_state)"

printf '## Settings\n\n| setting | value |\n|---|---|\n'
while IFS= read -r line; do
	printf '| %s | %s |\n' "${line%%=*}" "${line#*=}"
done <"$dir/settings.txt"

printf '\n## Host\n\n```\n'
"$bin/puma-detect" --format text --from "$dir/host.json"
perturbations=$(sed -n 's/^perturbations=//p' "$dir/settings.txt")
# A perturbed run (make robustness, make fairness): the metrics and the
# calibration of its original records, then each perturbation against them.
if [ -n "$perturbations" ]; then
	originals() { grep -F '"perturbation":"original"' "$dir/predictions.jsonl"; }
	printf '```\n\n## Metrics (original records)\n\n```\n'
	originals | "$bin/puma-metrics" --format table -s "$scenario"
else
	originals() { cat "$dir/predictions.jsonl"; }
	printf '```\n\n## Metrics\n\n```\n'
	"$bin/puma-metrics" --format table -s "$scenario" --summary "$dir/summary.json" <"$dir/predictions.jsonl"
fi
printf '```\n\n## Calibration\n\n```\n'
originals | "$bin/puma-ece" --format table --bins "$(sed -n 's/^bins=//p' "$dir/settings.txt")" 2>/dev/null
printf '```\n\n![Reliability diagram](reliability.svg)\n\n'
if [ -n "$perturbations" ]; then
	by=$("$bin/puma-metrics" --format table -s "$scenario" --by perturbation <"$dir/predictions.jsonl")
	printf '## Robustness\n\nPerturbations: %s. Each row against the original records, paired by `source_id` (docs/metrics.md, section 13).\n\n```\n' "$perturbations"
	printf '%s\n' "$by" | sed '/^$/,$d'
	printf '```\n\n'
	if printf '%s\n' "$by" | grep -q '^fairness:'; then
		printf '## Fairness\n\nThe same instances with a male and a female name as the reporter (the gender_swap_prefix pair).\n\n```\n'
		printf '%s\n' "$by" | sed '1,/^$/d'
		printf '```\n\n'
	fi
fi
printf 'Files: `instances.jsonl`, `responses.jsonl`, `predictions.jsonl`, `metrics.json`, `ece.json`, `host.json`, `summary.json`, `manifest.json`.\n'
