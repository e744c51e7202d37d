#!/usr/bin/env bash
# --group-by benchmark: puma-ece and puma-metrics on N prediction records
# (default 100000) that fall into G groups (default N: every record its
# own group, the worst case), generated once under bench/out/.  Prints
# wall-clock and CPU time and peak RSS of each: finding a record's group
# takes constant time, so the time grows with N, not with N times G.
#
#   bench/groups.sh            N=200000 G=1000 bench/groups.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
G=${G:-$N}
BIN=${PUMA_BIN:-bin}
PY=${PYTHON:-/usr/bin/python3}
OUT=bench/out
IN=$OUT/groups-$N-$G.jsonl
export PUMA_CONFIG_DIR=$PWD/config LC_ALL=C
mkdir -p "$OUT"
[ -x "$BIN/puma-ece" ] && [ -x "$BIN/puma-metrics" ] || { echo "groups.sh: build first (make)" >&2; exit 1; }
if [ ! -s "$IN" ]; then
	echo "generating $N records in $G groups into $IN ..." >&2
	"$PY" - "$N" "$G" >"$IN.tmp" <<'PY'
import json, random, sys
n, g = int(sys.argv[1]), int(sys.argv[2])
random.seed(3)
L = ["Critical", "Major", "Minor", "Trivial"]
for i in range(n):
    print(json.dumps({"id": "G-%d" % i, "scenario": "triage_jira", "model": "m%d" % (i % g),
                      "gold": random.choice(L), "pred": random.choice(L),
                      "confidence": random.random()}))
PY
	mv "$IN.tmp" "$IN"
fi
printf 'input: %s records in %s groups (%s)\n' "$N" "$G" "$IN"
printf '%-14s %10s %10s %12s\n' tool "wall s" "CPU s" "peak RSS MB"
for tool in puma-ece puma-metrics; do
	/usr/bin/time -o "$OUT/time.groups" -f "%e %U %S %M" "$BIN/$tool" --group-by model "$IN" >/dev/null
	read -r w u s m < <(tail -n 1 "$OUT/time.groups")
	awk -v t="$tool" -v w="$w" -v u="$u" -v s="$s" -v m="$m" \
		'BEGIN { printf "%-14s %10.2f %10.2f %12.1f\n", t, w, u + s, m / 1024 }'
done
