#!/usr/bin/env bash
# bench/metrics-by.sh - what puma-metrics --by perturbation costs: CPU time
# and peak memory on a robustness run's predictions of N sources (each as
# the original and under PUMA's eight perturbations: 9N records), against
# plain puma-metrics on the same records and the NumPy transcription
# (tests/ref/robust_ref.py) once.
#
# usage: bench/metrics-by.sh [N]   (sources, default 100000)
# Writes scratch files under bench/out/metrics-by.  Prints the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
OUT=bench/out/metrics-by
mkdir -p "$OUT"
make -s bin/puma-metrics >/dev/null
PY=${PUMA_PYTHON:-/usr/bin/python3}
export PUMA_CONFIG_DIR=$PWD/config
"$PY" - "$N" "$OUT/pred.jsonl" <<'PY'
import json, random, sys
n, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(1)
labels = ["Critical", "Major", "Minor", "Trivial"]
perts = ["original", "typos_5pct", "case_upper", "case_lower", "truncate_50pct", "tech_noise",
         "gender_swap_prefix_male", "gender_swap_prefix_female", "register_shift_informal"]
with open(out, "w") as f:
    for i in range(n):
        g = rng.choice(labels)
        for p in perts:
            f.write(json.dumps({"id": "B-%d~%s" % (i, p), "scenario": "triage_jira", "gold": g,
                                "pred": rng.choice(labels + [None]), "latency_ms": rng.random() * 900,
                                "source_id": "B-%d" % i, "perturbation": p}) + "\n")
PY
recs=$(wc -l <"$OUT/pred.jsonl")
# run CMD...: "CPU-seconds peak-MiB" of one run, output discarded.
run() {
	/usr/bin/time -f '%U %S %M' "$@" >/dev/null 2>"$OUT/time" || true
	tail -n 1 "$OUT/time" | awk '{ printf "%.2f s, %.0f MiB", $1 + $2, $3 / 1024 }'
}
echo "records: $recs ($N sources x 9), $(du -m "$OUT/pred.jsonl" | cut -f1) MB"
echo "puma-metrics --group-by perturbation: $(run bin/puma-metrics --group-by perturbation "$OUT/pred.jsonl")"
echo "puma-metrics --by perturbation:       $(run bin/puma-metrics --by perturbation "$OUT/pred.jsonl")"
echo "robust_ref.py --by perturbation:      $(run "$PY" tests/ref/robust_ref.py --by perturbation "$OUT/pred.jsonl")"
