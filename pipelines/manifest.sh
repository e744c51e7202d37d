#!/bin/sh
# pipelines/manifest.sh RUN_DIR DATASET TEMPLATE - write the run's
# manifest.json on stdout: every setting, the model digest and server
# version, the tools' version, sha256 of the data, of the prompt template and
# of every file of the run, start and end times, and the host and inference
# summaries as recorded.  Written last: a run with a manifest is complete.
# PROMPTS_SET (own or puma) and PROMPTS_LIST (config/puma-prompts.tsv) say
# whose template it is and, for PUMA's, where it comes from.
set -eu
dir=$1
dataset=$2
template=$3
bin=${PUMA_BIN:-bin}
if command -v sha256sum >/dev/null 2>&1; then
	sum() { sha256sum <"$1" | cut -c1-64; }
else
	sum() { shasum -a 256 <"$1" | cut -c1-64; }
fi

# A JSON string: backslash and quote escaped, control characters dropped.
str() {
	printf '"%s"' "$(printf '%s' "$1" | tr -d '\000-\037' | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"
}
# A member of a compact JSON object whose value is a string or null.
member() {
	m=$(grep -o "\"$1\":\(null\|\"[^\"\\\\]*\"\)" "$2" 2>/dev/null | head -n 1)
	printf '%s' "${m:-\"$1\":null}"
}
file() {
	if [ -f "$1" ]; then
		printf '{"path":%s,"sha256":"%s"}' "$(str "$1")" "$(sum "$1")"
	else
		printf '{"path":%s,"sha256":null}' "$(str "$1")"
	fi
}

# A template given in INFER_ARGS is the one the requests used.
t=$(sed -n 's/^template=//p' "$dir/settings.txt" | tail -n 1)
[ -z "$t" ] || template=$t

id=$(basename "$dir")
printf '{"run_id":%s,"name":%s,"complete":true,' "$(str "$id")" "$(str "${id%%__*}")"
printf '"settings":{'
sep=""
while IFS= read -r line; do
	printf '%s%s:%s' "$sep" "$(str "${line%%=*}")" "$(str "${line#*=}")"
	sep=","
done <"$dir/settings.txt"
printf '},"settings_sha256":"%s",' "$(sum "$dir/settings.txt")"
printf '%s,%s,' "$(member model_digest "$dir/summary.json")" "$(member server_version "$dir/summary.json")"
printf '"puma_version":%s,' "$(str "$("$bin/puma-infer" --version | sed 's/.* //')")"
if v=$(git describe --always --dirty --tags 2>/dev/null); then
	printf '"tools_version":%s,' "$(str "$v")"
else
	printf '"tools_version":null,'
fi
# The template: its file, whose it is and, for PUMA's, the commit and URL
# it was fetched from (the sha256 is checked against the pinned one).
set_=${PROMPTS_SET:-own}
origin="\"this project (config/prompts)\""
if [ "$set_" = puma ] && [ -f "${PROMPTS_LIST:-}" ]; then
	scen=$(basename "$(dirname "$template")")
	origin=$(awk -F'\t' -v s="$scen" -v f="$(basename "$template")" \
		'$1 == s && $2 == f { printf "{\"repository\":\"pumacp/puma\",\"commit\":\"%s\",\"path\":\"specs/prompts/%s/%s\",\"url\":\"%s\",\"sha256\":\"%s\"}", $3, $1, $2, $6, $5 }' \
		"$PROMPTS_LIST")
	[ -n "$origin" ] || origin=null
elif [ "$set_" = puma ]; then
	origin=null
fi
printf '"data":%s,"prompts":%s,"prompt_template":%s,' "$(file "$dataset")" "$(str "$set_")" \
	"$(file "$template" | sed 's/}$//'),\"origin\":$origin}"
if grep -q '"unloaded":true' "$dir/summary.json" 2>/dev/null; then
	fresh="model unloaded before inference (Ollama keep_alive 0)"
elif grep -q '"backend":"openai"' "$dir/summary.json" 2>/dev/null; then
	fresh="no unload request on an OpenAI-compatible server; llama-server gets cache_prompt false on every request"
else
	fresh="not unloaded"
fi
printf '"fresh_state":%s,' "$(str "$fresh")"
printf '"started_at":%s,"finished_at":"%s",' "$(str "$(cat "$dir/started.txt")")" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
printf '"files":{'
sep=""
for f in settings.txt instances.jsonl responses.jsonl predictions.jsonl metrics.json ece.json \
	reliability.svg host.json summary.json; do
	[ -f "$dir/$f" ] || continue
	printf '%s"%s":"%s"' "$sep" "$f" "$(sum "$dir/$f")"
	sep=","
done
printf '},"host":'
tr -d '\n' <"$dir/host.json"
printf ',"inference":'
if [ -f "$dir/summary.json" ]; then tr -d '\n' <"$dir/summary.json"; else printf null; fi
printf '}\n'
