#!/usr/bin/env bash
# bench/e2e-gpu.sh - end to end on a GPU llama-server: the canonical triage
# run (200 issues, contextual anchoring, T=0, seed 42, 256 tokens at most,
# logprobs with 5 alternatives) timed five ways against the same model:
#
#   python-seq   PUMA's way: a sequential Python client (urllib, one request
#                at a time), the same request bodies puma-infer sends, -np 1
#   j1           puma-infer -j 1 against -np 1
#   jN           puma-infer -j N against -np N, for N = 2, 4, 8, 16
#   flood8       xargs -P8 curl with the same bodies against -np 8, the raw
#                client puma-infer -j 8 is measured against
#
# For each: wall time, requests/s, GPU energy (puma-infer --summary, or the
# energy meter around the other clients), and whether every prediction,
# response text and logprob is identical to -j 1's.
#
#   bash bench/e2e-gpu.sh LLAMA_SERVER MODEL.gguf [OUT_DIR]
#
# Needs: the tools in bin/ (make, or NO_BUILD=1 with binaries from
# elsewhere), the energy meter (ENERGYMETER, default
# build/rel/helpers/energymeter), python3, curl, nvidia-smi, data/triage_jira.jsonl
# (make data); E2E_N changes the 200, GPU_ENERGY the meter (off on a CPU
# machine, for a quick try).  Prints the table; keeps it with every response file in
# OUT_DIR (default bench/out/e2e-gpu).  Exit 1 when a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: e2e-gpu.sh LLAMA_SERVER MODEL.gguf [OUT_DIR]" >&2; exit 2; }
SERVER=$1 GGUF=$2 OUT=${3:-bench/out/e2e-gpu}
PY=${PYTHON:-python3}
EM=${ENERGYMETER:-build/rel/helpers/energymeter}
[ -n "${NO_BUILD:-}" ] || make -s all build/rel/helpers/energymeter
mkdir -p "$OUT"
B=bin
PORT=${PORT:-18080}
URL=http://127.0.0.1:$PORT
MODEL=$(basename "$GGUF" .gguf)
DIGEST=$(sha256sum "$GGUF" | cut -c1-64)
CTX_PER_SLOT=8192
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,power.limit --format=csv,noheader >"$OUT/gpu.txt" || echo "no nvidia-smi" >"$OUT/gpu.txt"

spid=
stop() { [ -z "$spid" ] || { kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null || true; spid=; }; }
trap stop EXIT
# Start llama-server with NP slots (each CTX_PER_SLOT tokens), all layers on the GPU.
start() {
	stop
	"$SERVER" -m "$GGUF" -a "$MODEL" --host 127.0.0.1 --port "$PORT" -np "$1" -c $(($1 * CTX_PER_SLOT)) -ngl 999 \
		>"$OUT/server-np$1.log" 2>&1 &
	spid=$!
	for _ in $(seq 120); do
		curl -sf "$URL/health" >/dev/null 2>&1 && break
		kill -0 "$spid" 2>/dev/null || { echo "e2e-gpu: llama-server died; see $OUT/server-np$1.log" >&2; exit 1; }
		sleep 0.5
	done
	# One request first, so no timed run pays for the first CUDA kernels' loading.
	curl -sf "$URL/v1/chat/completions" -H 'Content-Type: application/json' \
		-d '{"messages":[{"role":"user","content":"warm up"}],"max_tokens":4}' >/dev/null
}
now() { date +%s.%N; }

"$B/puma-sample" -n "${E2E_N:-200}" --seed 42 --stratify gold data/triage_jira.jsonl >"$OUT/instances.jsonl"
INFER=(-m "$MODEL" -b openai -u "$URL" -s triage_jira -S contextual-anchoring --seed 42 --temperature 0
	-n 256 --logprobs --top-logprobs 5 --model-digest "$DIGEST" --no-cache -q --gpu-energy "${GPU_ENERGY:-nvml}")
: >"$OUT/times.tsv"
# infer NAME JOBS: one puma-infer run, timed, with its summary (energy).
infer() {
	local t0 t1
	t0=$(now)
	"$B/puma-infer" "${INFER[@]}" -j "$2" --keep-prompt --summary "$OUT/summary-$1.json" \
		<"$OUT/instances.jsonl" >"$OUT/responses-$1.jsonl"
	t1=$(now)
	"$B/puma-parse" -s triage_jira <"$OUT/responses-$1.jsonl" >"$OUT/predictions-$1.jsonl"
	printf '%s\t%s\t%s\n' "$1" "$2" "$(awk "BEGIN{print $t1 - $t0}")" >>"$OUT/times.tsv"
}

start 1
infer j1 1
# The request bodies puma-infer sent, rebuilt from the prompts it kept, in its key order.
"$PY" - "$OUT" "$MODEL" <<'PY'
import json, os, sys
out, model = sys.argv[1], sys.argv[2]
os.makedirs(os.path.join(out, "bodies"), exist_ok=True)
for i, line in enumerate(open(os.path.join(out, "responses-j1.jsonl"), encoding="utf-8")):
    r = json.loads(line)
    body = {"model": model, "messages": [{"role": "user", "content": r["prompt"]}], "stream": False,
            "temperature": 0, "seed": 42, "max_tokens": 256, "logprobs": True, "top_logprobs": 5,
            "cache_prompt": False}
    with open(os.path.join(out, "bodies", "%03d.json" % i), "w", encoding="utf-8") as f:
        json.dump(body, f, ensure_ascii=False, separators=(",", ":"))
PY
cat >"$OUT/seq-client.py" <<'PY'
# PUMA's way: one request at a time with urllib; answers to the file named second.
import json, os, sys, urllib.request
bodies, url, dest = sys.argv[1], sys.argv[2], sys.argv[3]
with open(dest, "w", encoding="utf-8") as out:
    for name in sorted(os.listdir(bodies)):
        data = open(os.path.join(bodies, name), "rb").read()
        req = urllib.request.Request(url + "/v1/chat/completions", data=data,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as r:
            out.write(json.dumps(json.loads(r.read())) + "\n")
PY
t0=$(now)
"$EM" --gpu-energy "${GPU_ENERGY:-nvml}" -- "$PY" "$OUT/seq-client.py" "$OUT/bodies" "$URL" "$OUT/python-seq.jsonl" >"$OUT/summary-python-seq.json"
printf 'python-seq\t1\t%s\n' "$(awk "BEGIN{print $(now) - $t0}")" >>"$OUT/times.tsv"

for n in 2 4 8 16; do
	start "$n"
	infer "j$n" "$n"
	if [ "$n" = 8 ]; then
		t0=$(now)
		"$EM" --gpu-energy "${GPU_ENERGY:-nvml}" -- sh -c 'ls "$1"/*.json | xargs -P8 -I{} curl -sf -o /dev/null -H "Content-Type: application/json" --data-binary @{} "$2/v1/chat/completions"' \
			sh "$OUT/bodies" "$URL" >"$OUT/summary-flood8.json"
		printf 'flood8\t8\t%s\n' "$(awk "BEGIN{print $(now) - $t0}")" >>"$OUT/times.tsv"
		infer j8b 8
	fi
done
stop

"$PY" - "$OUT" <<'PY' | tee "$OUT/e2e.txt"
import json, os, sys
out = sys.argv[1]
def load(name):
    return {r["id"]: r for r in map(json.loads, open(os.path.join(out, name), encoding="utf-8"))}
def energy(name):
    try:
        s = json.load(open(os.path.join(out, "summary-%s.json" % name)))
    except (OSError, ValueError):
        return None
    e = s.get("energy", s)
    src = [x for x in e.get("sources", []) if x.get("source") == "nvml" and x.get("status") == "measured"]
    return sum(x["joules"] for x in src) if src else None
gpu = open(os.path.join(out, "gpu.txt")).read().strip()
times = [l.split("\t") for l in open(os.path.join(out, "times.tsv")).read().split("\n") if l]
base_r, base_p = load("responses-j1.jsonl"), load("predictions-j1.jsonl")
py = [json.loads(l) for l in open(os.path.join(out, "python-seq.jsonl"), encoding="utf-8")]
order = [json.loads(l)["id"] for l in open(os.path.join(out, "responses-j1.jsonl"), encoding="utf-8")]
rows = []
seq_wall = None
for name, jobs, wall in times:
    wall = float(wall)
    if name == "python-seq":
        seq_wall = wall
    row = {"run": name, "jobs": int(jobs), "wall_s": round(wall, 3), "req_per_s": round(len(order) / wall, 2),
           "gpu_joules": energy(name)}
    if name.startswith("j"):
        r, p = load("responses-%s.jsonl" % name), load("predictions-%s.jsonl" % name)
        row["same_pred"] = sum(p[i]["pred"] == base_p[i]["pred"] for i in base_p)
        row["same_text"] = sum(r[i]["response"] == base_r[i]["response"] for i in base_r)
        row["same_logprobs"] = sum(r[i]["logprobs"] == base_r[i]["logprobs"] for i in base_r)
        d = 0.0
        for i in base_r:
            for a, b in zip(r[i]["logprobs"] or [], base_r[i]["logprobs"] or []):
                if a["token"] == b["token"]:
                    d = max(d, abs(a["logprob"] - b["logprob"]))
        row["max_abs_dlogprob"] = d
        row["errors"] = sum(1 for x in r.values() if x.get("error"))
    if name == "python-seq":
        row["same_text"] = sum(c["choices"][0]["message"]["content"] == base_r[i]["response"]
                               for c, i in zip(py, order))
    rows.append(row)
print("e2e-gpu: canonical triage run, %d requests with logprobs; %s" % (len(order), gpu))
print("%-11s %4s %8s %8s %9s %6s %6s %6s %9s" % ("run", "N", "wall s", "req/s", "GPU J", "pred=", "text=", "lp=", "max|dlp|"))
for r in rows:
    print("%-11s %4d %8.2f %8.2f %9s %6s %6s %6s %9s" % (
        r["run"], r["jobs"], r["wall_s"], r["req_per_s"],
        "-" if r["gpu_joules"] is None else "%.1f" % r["gpu_joules"],
        r.get("same_pred", "-"), r.get("same_text", "-"), r.get("same_logprobs", "-"),
        "-" if "max_abs_dlogprob" not in r else "%.3g" % r["max_abs_dlogprob"]))
w = {r["run"]: r["wall_s"] for r in rows}
if seq_wall and "j8" in w:
    print("speed-up of puma-infer -j 8 over the sequential Python client: %.2fx" % (seq_wall / w["j8"]))
if "flood8" in w and "j8b" in w:
    print("puma-infer -j 8 vs raw xargs -P8 curl flood: %.1f%% slower" % (100 * (w["j8b"] - w["flood8"]) / w["flood8"]))
json.dump(rows, open(os.path.join(out, "e2e.json"), "w"), indent=1)
PY
