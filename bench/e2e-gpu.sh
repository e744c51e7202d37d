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
# E2E_REPS (default 1) repeats every client that many rounds, each round
# restarting each server; the table gives medians, and the fewest records
# identical to the first -j 1 run over all rounds.
#
# E2E_CONSTRAIN=1 adds puma-infer --constrain, and the same GBNF grammar
# (one of the scenario's labels) to the Python client's and the flood's
# bodies: for a random-weight model, whose unconstrained answers fail with
# HTTP 500 often (docs/inference.md, "Failures and retries").
# E2E_TABLE_ONLY=1 runs nothing and prints the table of what OUT_DIR holds
# (after a run stopped for time).
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

. bench/lib-gpu.sh
trap llama_stop EXIT
# Start llama-server with NP slots (each CTX_PER_SLOT tokens), all layers on the GPU.
start() {
	llama_start "$GGUF" "$MODEL" "$1" $(($1 * CTX_PER_SLOT)) "$OUT/server-np$1.log"
	# One request first, so no timed run pays for the first CUDA kernels' loading.
	curl -sf "$URL/v1/chat/completions" -H 'Content-Type: application/json' \
		-d '{"messages":[{"role":"user","content":"warm up"}],"max_tokens":4}' >/dev/null
}
now() { date +%s.%N; }

"$B/puma-sample" -n "${E2E_N:-200}" --seed 42 --stratify gold data/triage_jira.jsonl >"$OUT/instances.jsonl"
INFER=(-m "$MODEL" -b openai -u "$URL" -s triage_jira -S contextual-anchoring --seed 42 --temperature 0
	-n 256 --logprobs --top-logprobs 5 --model-digest "$DIGEST" --no-cache -q --gpu-energy "${GPU_ENERGY:-nvml}")
CONSTRAIN=${E2E_CONSTRAIN:-0}
[ "$CONSTRAIN" = 0 ] || INFER+=(--constrain)
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

REPS=${E2E_REPS:-1}
rep=1
if [ -z "${E2E_TABLE_ONLY:-}" ]; then
: >"$OUT/times.tsv"
start 1
infer j1.r1 1
# The request bodies puma-infer sent, rebuilt from the prompts it kept, in its key order.
"$PY" - "$OUT" "$MODEL" "$CONSTRAIN" <<'PY'
import json, os, sys
out, model, constrain = sys.argv[1], sys.argv[2], sys.argv[3] != "0"
# puma-infer's grammar for llama-server: the labels, each a quoted alternative.
labels = json.load(open("config/scenarios/triage_jira.json", encoding="utf-8"))["labels"]
grammar = "root ::= " + " | ".join(
    '"' + l.replace("\\", "\\\\").replace('"', '\\"') + '"' for l in labels)
os.makedirs(os.path.join(out, "bodies"), exist_ok=True)
for i, line in enumerate(open(os.path.join(out, "responses-j1.r1.jsonl"), encoding="utf-8")):
    r = json.loads(line)
    body = {"model": model, "messages": [{"role": "user", "content": r["prompt"]}], "stream": False,
            "temperature": 0, "seed": 42, "max_tokens": 256, "logprobs": True, "top_logprobs": 5,
            "cache_prompt": False}
    if constrain:
        body["grammar"] = grammar
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
# E2E_REPS rounds of every client, each round restarting each server.
for rep in $(seq "$REPS"); do
	[ "$rep" = 1 ] || { start 1; infer "j1.r$rep" 1; }
	t0=$(now)
	"$EM" --gpu-energy "${GPU_ENERGY:-nvml}" -- "$PY" "$OUT/seq-client.py" "$OUT/bodies" "$URL" \
		"$OUT/python-seq.r$rep.jsonl" >"$OUT/summary-python-seq.r$rep.json"
	printf 'python-seq.r%s\t1\t%s\n' "$rep" "$(awk "BEGIN{print $(now) - $t0}")" >>"$OUT/times.tsv"
	for n in 2 4 8 16; do
		start "$n"
		infer "j$n.r$rep" "$n"
		if [ "$n" = 8 ]; then
			t0=$(now)
			"$EM" --gpu-energy "${GPU_ENERGY:-nvml}" -- sh -c 'ls "$1"/*.json | xargs -P8 -I{} curl -sf -o /dev/null -H "Content-Type: application/json" --data-binary @{} "$2/v1/chat/completions"' \
				sh "$OUT/bodies" "$URL" >"$OUT/summary-flood8.r$rep.json"
			printf 'flood8.r%s\t8\t%s\n' "$rep" "$(awk "BEGIN{print $(now) - $t0}")" >>"$OUT/times.tsv"
			infer "j8b.r$rep" 8
		fi
	done
done
llama_stop
fi

"$PY" - "$OUT" "$CONSTRAIN" <<'PY' | tee "$OUT/e2e.txt"
import json, os, statistics, sys
out = sys.argv[1]
def jl(name):
    return [json.loads(l) for l in open(os.path.join(out, name), encoding="utf-8")]
def load(name):
    return {r["id"]: r for r in jl(name)}
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
base_r, base_p = load("responses-j1.r1.jsonl"), load("predictions-j1.r1.jsonl")
order = [r["id"] for r in jl("responses-j1.r1.jsonl")]
groups = {}
for name, jobs, wall in times:
    groups.setdefault(name.rsplit(".r", 1)[0], []).append((name, int(jobs), float(wall)))
rows = []
for g, runs in groups.items():
    walls = [w for _, _, w in runs]
    joules = [e for e in (energy(n) for n, _, _ in runs) if e is not None]
    row = {"run": g, "jobs": runs[0][1], "reps": len(runs), "wall_s": statistics.median(walls),
           "wall_min_s": min(walls), "wall_max_s": max(walls),
           "req_per_s": len(order) / statistics.median(walls),
           "gpu_joules": statistics.median(joules) if joules else None}
    same_pred = same_text = same_lp = None
    dmax = 0.0
    for n, _, _ in runs:
        if g.startswith("j"):
            r, p = load("responses-%s.jsonl" % n), load("predictions-%s.jsonl" % n)
            sp = sum(p[i]["pred"] == base_p[i]["pred"] for i in base_p)
            st = sum(r[i]["response"] == base_r[i]["response"] for i in base_r)
            sl = sum(r[i]["logprobs"] == base_r[i]["logprobs"] for i in base_r)
            for i in base_r:
                for a, b in zip(r[i]["logprobs"] or [], base_r[i]["logprobs"] or []):
                    if a["token"] == b["token"]:
                        dmax = max(dmax, abs(a["logprob"] - b["logprob"]))
        elif g == "python-seq":
            py = jl("python-seq.%s.jsonl" % n.rsplit(".", 1)[1])
            sp = None
            st = sum(c["choices"][0]["message"]["content"] == base_r[i]["response"] for c, i in zip(py, order))
            sl = sum([t["logprob"] for t in c["choices"][0]["logprobs"]["content"]] ==
                     [t["logprob"] for t in base_r[i]["logprobs"]] for c, i in zip(py, order))
        else:
            continue
        same_pred = sp if same_pred is None or sp is None else min(same_pred, sp)
        same_text = st if same_text is None else min(same_text, st)
        same_lp = sl if same_lp is None else min(same_lp, sl)
    row.update(same_pred=same_pred, same_text=same_text, same_logprobs=same_lp, max_abs_dlogprob=dmax)
    rows.append(row)
print("e2e-gpu: canonical triage run, %d requests with logprobs%s, median of %d rounds; %s"
      % (len(order), ", constrained to the labels" if sys.argv[2] != "0" else "",
         max(r["reps"] for r in rows), gpu))
print("identical: the fewest records, over the rounds, equal to the first -j 1 run (pred, text, logprobs)")
print("%-11s %4s %8s %15s %8s %9s %6s %6s %6s %9s" % ("run", "N", "wall s", "min-max", "req/s", "GPU J",
                                                     "pred=", "text=", "lp=", "max|dlp|"))
dash = lambda v, f: "-" if v is None else f % v  # noqa: E731
for r in rows:
    print("%-11s %4d %8.3f %15s %8.1f %9s %6s %6s %6s %9s" % (
        r["run"], r["jobs"], r["wall_s"], "%.3f-%.3f" % (r["wall_min_s"], r["wall_max_s"]), r["req_per_s"],
        dash(r["gpu_joules"], "%.1f"), dash(r["same_pred"], "%d"), dash(r["same_text"], "%d"),
        dash(r["same_logprobs"], "%d"), "%.3g" % r["max_abs_dlogprob"] if r["run"].startswith("j") else "-"))
w = {r["run"]: r["wall_s"] for r in rows}
if "python-seq" in w and "j8" in w:
    print("speed-up of puma-infer -j 8 over the sequential Python client (medians): %.2fx" % (w["python-seq"] / w["j8"]))
if "flood8" in w and "j8b" in w:
    print("puma-infer -j 8 against the raw xargs -P8 curl flood on the same server (medians): %+.1f%% wall time"
          % (100 * (w["j8b"] - w["flood8"]) / w["flood8"]))
json.dump(rows, open(os.path.join(out, "e2e.json"), "w"), indent=1)
PY
