#!/usr/bin/env bash
# bench/jinja.sh - how long the Jinja renderer takes per prompt: PUMA's
# canonical triage template, its few-shot template with 8 examples, and
# prioritization's few-shot template (which slices [:80]) with fields of a
# megabyte, to show that long fields cost linear time.  Needs PUMA's
# templates (PUMA_SHARED_DATA/puma-prompts, default ../shared/data).
#
#   bash bench/jinja.sh [RENDERS]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
P=${PUMA_SHARED_DATA:-../shared/data}/puma-prompts
[ -d "$P" ] || { echo "bench/jinja.sh: PUMA's templates not found at $P" >&2; exit 1; }
make -s build/rel/helpers/jinja-render
R=build/rel/helpers/jinja-render
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
python3 - "$TMP" <<'PY'
import json, sys
d = sys.argv[1]
row = {"issue_key": "CRIT-001", "title": "System crash on production server",
       "description": "The production server crashes intermittently causing complete service outage.",
       "priority": "Critical"}
ctx = {"instance": row, "examples": [], "labels": ["Critical", "Major", "Minor", "Trivial"],
       "scenario": "triage_jira"}
json.dump(ctx, open(d + "/triage.json", "w"))
ctx["examples"] = [dict(row, title="Example %d" % i) for i in range(8)]
json.dump(ctx, open(d + "/few8.json", "w"))
for mb in (1, 4):
    big = "x\u00e9 word " * (mb * 1024 * 1024 // 9)
    pair = {"title_a": "A", "description_a": big, "title_b": "B", "description_b": big,
            "higher_priority": "A"}
    json.dump({"instance": pair, "examples": [pair, pair], "labels": ["A", "B"],
               "scenario": "prioritization_jira"}, open(d + "/big%d.json" % mb, "w"))
PY
echo "jinja-render on $(uname -m), $(nproc) CPUs:"
printf '  %-44s ' "triage contextual_anchoring, no examples:"
"$R" -r "$N" "$P/triage_jira/contextual_anchoring.jinja" <"$TMP/triage.json" 2>&1 >/dev/null
printf '  %-44s ' "triage few_shot, 8 examples:"
"$R" -r "$N" "$P/triage_jira/few_shot.jinja" <"$TMP/few8.json" 2>&1 >/dev/null
for mb in 1 4; do
	printf '  %-44s ' "prioritization few_shot, ${mb} MB fields:"
	"$R" -r 50 "$P/prioritization_jira/few_shot.jinja" <"$TMP/big$mb.json" 2>&1 >/dev/null
done
