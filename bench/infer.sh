#!/usr/bin/env bash
# bench/infer.sh - how fast puma-infer is, and how much it adds to a request.
#
#  1. Client overhead against a stub server that answers at once
#     (tests/helpers/http-stub.c: C, a thread per connection, keep-alive):
#     requests per second at -j 1 and -j 8, puma-infer's own CPU time per
#     request, and curl run once per request in a shell loop for comparison.
#  2. Concurrency against the stub with a fixed 5 ms "compute" delay per
#     request: -j 1 against -j 8 (the target is at least 5x).
#  3. Records per second against a real llama-server with the tiny test
#     model and 4 slots (-np 4), at -j 1 and -j 4 (skipped when the llama
#     fixture cannot be built here).
#
# usage: bench/infer.sh [N]     (N requests for part 1, default 5000)
# Prints the figures; writes scratch files under bench/out/.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
N=${1:-5000}
OUT=$ROOT/bench/out/infer
PY=/usr/bin/python3
FIX=$ROOT/tests/fixtures/llama
mkdir -p "$OUT"
make -s bin/puma-infer build/rel/helpers/http-stub >/dev/null
INFER=$ROOT/bin/puma-infer
STUB=$ROOT/build/rel/helpers/http-stub
export PUMA_CONFIG_DIR=$ROOT/config

pids=""
lpid=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	[ -z "$lpid" ] || "$FIX/stop-server.sh" "$lpid" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# start_stub [ARGS]: a stub server; sets port.
start_stub() {
	rm -f "$OUT/stub.port"
	"$STUB" "$@" >"$OUT/stub.port" 2>/dev/null &
	pids="$pids $!"
	for _ in $(seq 100); do [ -s "$OUT/stub.port" ] && break; sleep 0.02; done
	port=$(cat "$OUT/stub.port")
}

# records N FILE: N triage instances.
records() {
	"$PY" -c '
import json, sys
for i in range(int(sys.argv[1])):
    print(json.dumps({"id": "B-%d" % i, "scenario": "triage_jira", "title": "Issue %d" % i,
                      "description": "The export button does nothing when the list is empty."}))' "$1" >"$2"
}

# timed CMD...: run it, print "wall user+sys" in seconds.
timed() {
	local t0 t1
	t0=$(date +%s.%N)
	/usr/bin/time -o "$OUT/time" -f '%U %S' "$@" >/dev/null 2>"$OUT/stderr" || true
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" '{printf "%.4f %.3f\n", b - a, $1 + $2}' "$OUT/time"
}
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
ms() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.3f", s * 1000 / n }'; }

echo "puma-infer benchmark ($(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo

# ---- 1. Client overhead ----
records "$N" "$OUT/in.jsonl"
start_stub
url=http://127.0.0.1:$port
for j in 1 8; do
	read -r wall cpu < <(timed "$INFER" -m bench -u "$url" --no-cache -q -j "$j" "$OUT/in.jsonl")
	eval "wall$j=$wall cpu$j=$cpu"
done
# curl in a loop, the same request body each time, fewer of them (it is slow).
NC=$((N / 10 > 300 ? 300 : N / 10))
head -n 1 "$OUT/in.jsonl" | "$INFER" -m bench -u "$url" --no-cache -q --keep-prompt |
	"$PY" -c 'import json,sys; r=json.load(sys.stdin); print(json.dumps({"model":"bench","prompt":r["prompt"],"stream":False,"options":{"temperature":0.0,"seed":42,"num_predict":256}}))' >"$OUT/body.json"
t0=$(date +%s.%N)
for _ in $(seq "$NC"); do curl -s -o /dev/null -H 'Content-Type: application/json' --data-binary @"$OUT/body.json" "$url/api/generate"; done
t1=$(date +%s.%N)
wallc=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
echo "1. stub server answering at once, $N requests (curl loop: $NC)"
printf '   puma-infer -j 1 : %6s req/s  %s ms/request wall, %s ms/request client CPU\n' \
	"$(rate "$N" "$wall1")" "$(ms "$N" "$wall1")" "$(ms "$N" "$cpu1")"
printf '   puma-infer -j 8 : %6s req/s  %s ms/request wall, %s ms/request client CPU\n' \
	"$(rate "$N" "$wall8")" "$(ms "$N" "$wall8")" "$(ms "$N" "$cpu8")"
printf '   curl loop       : %6s req/s  %s ms/request wall\n' "$(rate "$NC" "$wallc")" "$(ms "$NC" "$wallc")"
echo "   (target: overhead under 1 ms a request; wall time per request at -j 1 bounds it from above)"
echo

# ---- 2. Concurrency with a 5 ms model ----
ND=$((N / 10 > 400 ? 400 : N / 10))
head -n "$ND" "$OUT/in.jsonl" >"$OUT/in-d.jsonl"
start_stub -d 5
url=http://127.0.0.1:$port
read -r dw1 _ < <(timed "$INFER" -m bench -u "$url" --no-cache -q -j 1 "$OUT/in-d.jsonl")
read -r dw8 _ < <(timed "$INFER" -m bench -u "$url" --no-cache -q -j 8 "$OUT/in-d.jsonl")
echo "2. stub server taking 5 ms a request, $ND requests"
printf '   puma-infer -j 1 : %6s req/s  (%s ms/request: 5 ms of server time + %s ms)\n' \
	"$(rate "$ND" "$dw1")" "$(ms "$ND" "$dw1")" "$(awk -v n="$ND" -v s="$dw1" 'BEGIN { printf "%.3f", s * 1000 / n - 5 }')"
printf '   puma-infer -j 8 : %6s req/s  (%sx the -j 1 rate; target at least 5x)\n' \
	"$(rate "$ND" "$dw8")" "$(awk -v a="$dw1" -v b="$dw8" 'BEGIN { printf "%.1f", a / b }')"
echo

# ---- 3. A real llama-server, 4 slots ----
echo "3. llama-server (tiny Qwen2 test model, -np 4), constrained answers, 8 tokens at most"
if started=$("$FIX/start-server.sh" -a tiny -np 4 2>"$OUT/llama.err"); then
	read -r lport lpid <<<"$started"
	NL=32
	head -n "$NL" "$OUT/in.jsonl" >"$OUT/in-l.jsonl"
	for j in 1 4; do
		read -r lw _ < <(timed "$INFER" -b openai -m tiny -u "http://127.0.0.1:$lport" --no-cache -q \
			--constrain -n 8 -j "$j" "$OUT/in-l.jsonl")
		printf '   puma-infer -j %s : %6.2f records/s  (%s records in %s s)\n' "$j" \
			"$(awk -v n="$NL" -v s="$lw" 'BEGIN { print n / s }')" "$NL" "$lw"
	done
else
	echo "   skipped: $(tail -n 1 "$OUT/llama.err")"
fi
