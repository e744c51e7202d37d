#!/usr/bin/env bash
# bench/e2e-gpu.sh - end to end on a GPU llama-server: the canonical triage
# run (200 issues, contextual anchoring, T=0, seed 42, 256 tokens at most,
# logprobs with 5 alternatives) timed with several clients against the same
# model. In each round, after `puma-infer -j 1` against one server with one
# slot (j1, the reference), the clients named in E2E_CLIENTS run in order:
#
#   python-seq   PUMA's way: a sequential Python client (urllib, one request
#                at a time), the same request bodies puma-infer sends, -np 1
#   jN, jNb      puma-infer -j N against one server with -np N (jNb: again,
#                after the client before it)
#   flood8       xargs -P8 curl with the same bodies against -np 8, the raw
#                client puma-infer -j 8 is measured against
#   sN, sNb      puma-infer -j N against N servers with one slot each, all
#                on the same GPU (-u URL given N times)
#   sflood8      the raw client against those 8 servers: 8 curl processes,
#                one per server, each sending its share of the bodies (every
#                8th) one after another over one connection
#
# Default E2E_CLIENTS: python-seq j2 j4 j8 flood8 j8b j16 s8 sflood8 s8b s16.
# A server layout is started when a client needs one other than the
# running one. For each client: wall time, requests/s, GPU energy
# (puma-infer --summary, or the energy meter around the other clients), and
# whether every prediction, response text and logprob is identical to -j 1's.
#
#   bash bench/e2e-gpu.sh LLAMA_SERVER MODEL.gguf [OUT_DIR]
#
# E2E_REPS (default 1) repeats the round that many times, each round
# restarting the servers; the table gives medians, and the fewest records
# identical to the first -j 1 run over all rounds.
#
# E2E_CONSTRAIN=1 adds puma-infer --constrain, and the same GBNF grammar
# (one of the scenario's labels) to the Python client's and the floods'
# bodies: for a random-weight model, whose unconstrained answers may fail
# with HTTP 500 (docs/inference.md, "Failures and retries").
# E2E_NUM_PREDICT (default 256) is the answer's length limit: a random model
# answering freely never stops before it. Every client sends each request
# once (puma-infer --retries 0; the others do not retry), so a failed request
# costs every client the same.
# E2E_TABLE_ONLY=1 runs nothing and prints the table of what OUT_DIR holds
# (after a run stopped for time).
#
# Needs: the tools in bin/ (make, or NO_BUILD=1 with binaries from
# elsewhere), the energy meter (ENERGYMETER, default
# build/rel/helpers/energymeter), python3, curl, nvidia-smi, data/triage_jira.jsonl
# (make data); E2E_N changes the 200, GPU_ENERGY the meter (off on a CPU
# machine, for a quick try), PORT the first server's port (default 18080).
# Prints the table; keeps it with every response file in OUT_DIR (default
# bench/out/e2e-gpu).  Exit 1 when a step fails.
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
# The card (kept as it was when only the table is made again).
[ -n "${E2E_TABLE_ONLY:-}" ] || { command -v nvidia-smi >/dev/null &&
	nvidia-smi --query-gpu=name,driver_version,power.limit --format=csv,noheader >"$OUT/gpu.txt" ||
	echo "no nvidia-smi" >"$OUT/gpu.txt"; }

. bench/lib-gpu.sh
trap llama_stop EXIT
warm() {
	curl -sf "http://127.0.0.1:$1/v1/chat/completions" -H 'Content-Type: application/json' \
		-d '{"messages":[{"role":"user","content":"warm up"}],"max_tokens":4}' >/dev/null || true
}
# use_layout L: make the running servers L, "npN" (one server, N slots of
# CTX_PER_SLOT tokens) or "sK" (K servers of one slot), starting them if
# another layout runs; then one request to each, so no timed run pays for
# the first CUDA kernels' loading.
layout=
use_layout() {
	local i n
	[ "$1" != "$layout" ] || return 0
	case $1 in
	np*)
		n=${1#np}
		llama_start "$GGUF" "$MODEL" "$n" $((n * CTX_PER_SLOT)) "$OUT/server-$1.log"
		warm "$PORT" ;;
	s*)
		n=${1#s}
		llama_start_many "$GGUF" "$MODEL" "$n" "$CTX_PER_SLOT" "$OUT/server-$1"
		for i in $(seq 0 $((n - 1))); do warm $((PORT + i)); done ;;
	esac
	layout=$1
}
now() { date +%s.%N; }
# urls K: -u for each of the first K servers
urls() {
	local i
	for i in $(seq 0 $(($1 - 1))); do printf -- '-u\nhttp://127.0.0.1:%s\n' $((PORT + i)); done
}

NUM_PREDICT=${E2E_NUM_PREDICT:-256}
CLIENTS=${E2E_CLIENTS:-python-seq j2 j4 j8 flood8 j8b j16 s8 sflood8 s8b s16}
"$B/puma-sample" -n "${E2E_N:-200}" --seed 42 --stratify gold data/triage_jira.jsonl >"$OUT/instances.jsonl"
INFER=(-m "$MODEL" -b openai -s triage_jira -S contextual-anchoring --seed 42 --temperature 0
	--num-predict "$NUM_PREDICT" --logprobs --top-logprobs 5 --model-digest "$DIGEST" --no-cache --retries 0
	--max-failures 0 -q --gpu-energy "${GPU_ENERGY:-nvml}")
CONSTRAIN=${E2E_CONSTRAIN:-0}
[ "$CONSTRAIN" = 0 ] || INFER+=(--constrain)
# timed NAME JOBS T0 T1: a client's wall time into times.tsv
timed() { printf '%s\t%s\t%s\n' "$1" "$2" "$(awk "BEGIN{print $4 - $3}")" >>"$OUT/times.tsv"; }
# infer NAME JOBS SERVERS: one puma-infer run, timed, with its summary (energy).
infer() {
	local t0 t1 rc=0 u
	mapfile -t u < <(urls "$3")
	t0=$(now)
	"$B/puma-infer" "${INFER[@]}" "${u[@]}" -j "$2" --keep-prompt --summary "$OUT/summary-$1.json" \
		<"$OUT/instances.jsonl" >"$OUT/responses-$1.jsonl" || rc=$?
	t1=$(now)
	# 3: every record written, some failed (a free answer the server could not parse)
	[ "$rc" = 0 ] || [ "$rc" = 3 ] || { echo "e2e-gpu.sh: puma-infer exit $rc ($1)" >&2; exit 1; }
	"$B/puma-parse" -s triage_jira <"$OUT/responses-$1.jsonl" >"$OUT/predictions-$1.jsonl"
	timed "$1" "$2" "$t0" "$t1"
}
# metered NAME JOBS COMMAND...: a raw client under the energy meter, timed
metered() {
	local name=$1 jobs=$2 t0
	shift 2
	t0=$(now)
	"$EM" --gpu-energy "${GPU_ENERGY:-nvml}" -- "$@" >"$OUT/summary-$name.json"
	timed "$name" "$jobs" "$t0" "$(now)"
}

REPS=${E2E_REPS:-1}
if [ -z "${E2E_TABLE_ONLY:-}" ]; then
: >"$OUT/times.tsv"
for rep in $(seq "$REPS"); do
	layout=
	use_layout np1
	infer "j1.r$rep" 1 1
	if [ "$rep" = 1 ]; then
		# The request bodies puma-infer sent, rebuilt from the prompts it kept, in its key order.
		"$PY" - "$OUT" "$MODEL" "$CONSTRAIN" "$NUM_PREDICT" "$PORT" <<'PY'
import json, os, sys
out, model, constrain, num_predict, port = sys.argv[1], sys.argv[2], sys.argv[3] != "0", int(sys.argv[4]), int(sys.argv[5])
# puma-infer's grammar for llama-server: the labels, each a quoted alternative.
labels = json.load(open("config/scenarios/triage_jira.json", encoding="utf-8"))["labels"]
grammar = "root ::= " + " | ".join(
    '"' + l.replace("\\", "\\\\").replace('"', '\\"') + '"' for l in labels)
bodies = os.path.join(out, "bodies")
os.makedirs(bodies, exist_ok=True)
names = []
for i, line in enumerate(open(os.path.join(out, "responses-j1.r1.jsonl"), encoding="utf-8")):
    r = json.loads(line)
    body = {"model": model, "messages": [{"role": "user", "content": r["prompt"]}], "stream": False,
            "temperature": 0, "seed": 42, "max_tokens": num_predict, "logprobs": True, "top_logprobs": 5,
            "cache_prompt": False}
    if constrain:
        body["grammar"] = grammar
    names.append(os.path.abspath(os.path.join(bodies, "%03d.json" % i)))
    with open(names[-1], "w", encoding="utf-8") as f:
        json.dump(body, f, ensure_ascii=False, separators=(",", ":"))
# sflood8's curl configurations: server k sends bodies k, k+8, k+16, ... over one connection.
for k in range(8):
    with open(os.path.join(out, "flood-s%d.curl" % k), "w", encoding="utf-8") as f:
        f.write("next\n".join('url = "http://127.0.0.1:%d/v1/chat/completions"\nheader = "Content-Type: application/json"\n'
                              'data-binary = "@%s"\noutput = "/dev/null"\nsilent\nshow-error\n' % (port + k, n)
                              for n in names[k::8]))
PY
		cat >"$OUT/seq-client.py" <<'PY'
# PUMA's way: one request at a time with urllib; answers to the file named
# third, a failed request as {"error": its HTTP status}.
import json, os, sys, urllib.error, urllib.request
bodies, url, dest = sys.argv[1], sys.argv[2], sys.argv[3]
with open(dest, "w", encoding="utf-8") as out:
    for name in sorted(os.listdir(bodies)):
        data = open(os.path.join(bodies, name), "rb").read()
        req = urllib.request.Request(url + "/v1/chat/completions", data=data,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=600) as r:
                out.write(json.dumps(json.loads(r.read())) + "\n")
        except urllib.error.HTTPError as e:
            out.write(json.dumps({"error": e.code}) + "\n")
PY
	fi
	for c in $CLIENTS; do
		case $c in
		python-seq)
			use_layout np1
			metered "python-seq.r$rep" 1 "$PY" "$OUT/seq-client.py" "$OUT/bodies" "$URL" "$OUT/python-seq.r$rep.jsonl" ;;
		flood8)
			use_layout np8
			metered "flood8.r$rep" 8 sh -c 'ls "$1"/*.json | xargs -P8 -I{} curl -s -o /dev/null -H "Content-Type: application/json" --data-binary @{} "$2/v1/chat/completions"' \
				sh "$OUT/bodies" "$URL" ;;
		sflood8)
			use_layout s8
			metered "sflood8.r$rep" 8 sh -c 'for k in 0 1 2 3 4 5 6 7; do curl -K "$1/flood-s$k.curl" & done; wait' sh "$OUT" ;;
		j*)
			n=${c#j}
			n=${n%b}
			use_layout "np$n"
			infer "$c.r$rep" "$n" 1 ;;
		s*)
			n=${c#s}
			n=${n%b}
			use_layout "s$n"
			infer "$c.r$rep" "$n" "$n" ;;
		*) echo "e2e-gpu.sh: unknown client $c in E2E_CLIENTS" >&2; exit 2 ;;
		esac
	done
done
llama_stop
fi

"$PY" - "$OUT" "$CONSTRAIN" "$NUM_PREDICT" <<'PY' | tee "$OUT/e2e.txt"
import json, os, re, statistics, sys
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
def infer_run(g):  # a puma-infer client: jN, jNb, sN, sNb
    return re.fullmatch(r"[js][0-9]+b?", g) is not None
def py_text(c):  # the Python client's answer text, None when its request failed
    return None if "error" in c else c["choices"][0]["message"]["content"]
def py_logprobs(c):
    return [] if "error" in c else [t["logprob"] for t in c["choices"][0]["logprobs"]["content"]]
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
        if infer_run(g):
            r, p = load("responses-%s.jsonl" % n), load("predictions-%s.jsonl" % n)
            sp = sum(p[i]["pred"] == base_p[i]["pred"] for i in base_p)
            st = sum(r[i]["response"] == base_r[i]["response"] for i in base_r)
            sl = sum(r[i].get("logprobs") == base_r[i].get("logprobs") for i in base_r)
            for i in base_r:
                for a, b in zip(r[i].get("logprobs") or [], base_r[i].get("logprobs") or []):
                    if a["token"] == b["token"]:
                        dmax = max(dmax, abs(a["logprob"] - b["logprob"]))
        elif g == "python-seq":
            py = jl("python-seq.%s.jsonl" % n.rsplit(".", 1)[1])
            sp = None
            st = sum(py_text(c) == base_r[i]["response"] for c, i in zip(py, order))
            sl = sum(py_logprobs(c) == [t["logprob"] for t in base_r[i].get("logprobs") or []]
                     for c, i in zip(py, order))
        else:
            continue
        same_pred = sp if same_pred is None or sp is None else min(same_pred, sp)
        same_text = st if same_text is None else min(same_text, st)
        same_lp = sl if same_lp is None else min(same_lp, sl)
    row.update(same_pred=same_pred, same_text=same_text, same_logprobs=same_lp, max_abs_dlogprob=dmax)
    rows.append(row)
print("e2e-gpu: canonical triage run, %d requests with logprobs%s, median of %d rounds; %s"
      % (len(order), ", constrained to the labels" if sys.argv[2] != "0" else ", free answers of %s tokens at most" % sys.argv[3],
         max(r["reps"] for r in rows), gpu))
print("identical: the fewest records, over the rounds, equal to the first -j 1 run (pred, text, logprobs)")
print("%-11s %4s %8s %15s %8s %9s %6s %6s %6s %9s" % ("run", "N", "wall s", "min-max", "req/s", "GPU J",
                                                     "pred=", "text=", "lp=", "max|dlp|"))
dash = lambda v, f: "-" if v is None else f % v  # noqa: E731
for r in rows:
    print("%-11s %4d %8.3f %15s %8.1f %9s %6s %6s %6s %9s" % (
        r["run"], r["jobs"], r["wall_s"], "%.3f-%.3f" % (r["wall_min_s"], r["wall_max_s"]), r["req_per_s"],
        dash(r["gpu_joules"], "%.1f"), dash(r["same_pred"], "%d"), dash(r["same_text"], "%d"),
        dash(r["same_logprobs"], "%d"), "%.3g" % r["max_abs_dlogprob"] if infer_run(r["run"]) else "-"))
w = {r["run"]: r["wall_s"] for r in rows}
for fast, what in (("j8", "-j 8 against one server with 8 slots"), ("s8", "-j 8 against 8 servers of one slot")):
    if "python-seq" in w and fast in w:
        print("speed-up of puma-infer %s over the sequential Python client (medians): %.2fx"
              % (what, w["python-seq"] / w[fast]))
for mine, raw, what in (("j8b", "flood8", "xargs -P8 curl flood on the same server"),
                        ("s8b", "sflood8", "8 curl clients, one per server, on the same 8 servers")):
    if mine in w and raw in w:
        print("puma-infer -j 8 against the raw %s (medians): %+.1f%% wall time"
              % (what, 100 * (w[mine] - w[raw]) / w[raw]))
failed = sum(r.get("response") is None for r in base_r.values())
if failed:
    print("requests the server failed in the reference run (the same for every client): %d" % failed)
json.dump(rows, open(os.path.join(out, "e2e.json"), "w"), indent=1)
PY
