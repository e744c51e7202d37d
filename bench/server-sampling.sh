#!/usr/bin/env bash
# bench/server-sampling.sh - what llama-server spends per answer token on
# the CPU, apart from the model's arithmetic: the canonical triage request
# (a contextual-anchoring prompt, T=0, seed 42, 4 tokens) sent R times in
# each of four shapes, plain, with logprobs (5 alternatives), with the
# labels' GBNF grammar (puma-infer --constrain), and with both, to a CPU
# llama-server with one slot serving a random-weight model of Qwen2's
# 151,936-token vocabulary and a tiny body (64-wide, 2 layers: its own
# arithmetic is small beside the vocabulary's). Prints, per shape, the
# median of the server's own `predicted_per_token_ms` (the time from one
# answer token to the next, sampling included) and of the request's wall
# time.
#
# A random model's most likely token is almost never one a grammar allows,
# so llama.cpp's sampler, which first tries the unconstrained choice, then
# checks the grammar against every token of the vocabulary, one token at a
# time: this shows what that costs per answer token. (A trained model's
# first choice usually fits, and the check is of one token.)
#
#   bash bench/server-sampling.sh [LLAMA_SERVER]
#
# LLAMA_SERVER defaults to the one the tests build
# (tests/fixtures/llama/build-llama-server.sh); R (default 20) requests per
# shape; PORT (default 18190). Needs python3 with NumPy (PYTHON, default
# /usr/bin/python3) and curl. Writes its model and answers to
# bench/out/server-sampling/.
set -euo pipefail
cd "$(dirname "$0")/.."
SERVER=${1:-$(tests/fixtures/llama/build-llama-server.sh)}
SRC=$(tests/fixtures/llama/build-llama-server.sh --print-src)
PY=${PYTHON:-/usr/bin/python3}
R=${R:-20}
PORT=${PORT:-18190}
OUT=bench/out/server-sampling
mkdir -p "$OUT"
G=$OUT/random-qwen2-64x2.F16.gguf
[ -s "$G" ] || "$PY" scripts/make-random-model.py "$SRC" "$G" 64 2 4 2 128 >&2
. bench/lib-gpu.sh
trap llama_stop EXIT
llama_start "$G" random 1 4096 "$OUT/server.log"
# The prompt: puma-infer's for the first issue of the canonical sample.
bin/puma-sample -n 1 --seed 42 --stratify gold data/triage_jira.jsonl |
	PUMA_CONFIG_DIR=$PWD/config bin/puma-infer -m random -b openai -u "http://127.0.0.1:$PORT" -s triage_jira \
		-S contextual-anchoring --seed 42 --temperature 0 --num-predict 4 --no-cache --keep-prompt -q >"$OUT/first.jsonl"
model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "machine: ${model:-$(uname -m)}, $(nproc) cores; load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" - "$OUT" "$PORT" "$R" <<'PY'
import json, statistics, sys, time, urllib.request
out, port, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
prompt = json.loads(open(out + "/first.jsonl", encoding="utf-8").readline())["prompt"]
labels = json.load(open("config/scenarios/triage_jira.json", encoding="utf-8"))["labels"]
grammar = "root ::= " + " | ".join('"%s"' % l.replace("\\", "\\\\").replace('"', '\\"') for l in labels)
shapes = [("plain", {}), ("logprobs", {"logprobs": True, "top_logprobs": 5}), ("grammar", {"grammar": grammar}),
          ("grammar+logprobs", {"grammar": grammar, "logprobs": True, "top_logprobs": 5})]
print("%-17s %14s %14s  (medians of %d requests, one slot, 4 answer tokens)" % ("request", "ms per token", "ms per request", reps))
for name, extra in shapes:
    body = {"model": "random", "messages": [{"role": "user", "content": prompt}], "temperature": 0, "seed": 42,
            "max_tokens": 4, "cache_prompt": False, **extra}
    data = json.dumps(body).encode()
    per_token, wall = [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        req = urllib.request.Request("http://127.0.0.1:%d/v1/chat/completions" % port, data=data,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=300) as r:
            answer = json.loads(r.read())
        wall.append(1000 * (time.perf_counter() - t0))
        per_token.append(answer["timings"]["predicted_per_token_ms"])
    print("%-17s %14.2f %14.1f" % (name, statistics.median(per_token), statistics.median(wall)))
PY
