# tests/sweep-lib.sh - sourced by the sweep tests after lib.sh: the
# instances, the llama-server for a spec, and a comparison of two sweeps'
# records.

FIX="$ROOT/tests/fixtures/llama"

# Instances: 40 triage issues, 10 per class.
triage_issues "$TMP/tri.jsonl" 40 P

# sweep_llama: the llama-server fixture on the tiny-random model (see
# start_llama in lib.sh); sets port, pid and the model's digest.
sweep_llama() {
	start_llama -a tiny-random
	port=$LPORT
	pid=$LPID
	digest=$(sha256sum "$("$FIX/tiny-model.sh" 2>/dev/null)" | cut -c1-64)
}

# write_spec FILE NAME STRATEGIES SEEDS [EXTRA]: a 2x2 sweep on the fixture.
write_spec() {
	cat >"$1" <<JSON
{"name": "$2", "models": ["tiny-random"], "scenarios": ["triage_jira"],
 "strategies": $3, "seeds": $4, "n": 6, "backend": "openai",
 "urls": ["http://127.0.0.1:$port"],
 "settings": {"NUM_PREDICT": 12, "CONSTRAIN": 1, "LOGPROBS": 1, "TOP_LOGPROBS": 3,
              "MODEL_DIGEST": "$digest", "DATASET": "$TMP/tri.jsonl"}${5:-}}
JSON
}

# same_sweeps RUNS_A RUNS_B: every run of A has its twin (same name and
# settings hash) in B, complete, with the same responses and predictions
# apart from timings; prints what differs.
same_sweeps() {
	"$PYTHON" - "$1" "$2" <<'PY'
import json, os, sys
def runs(d):
    out = {}
    for e in sorted(os.listdir(d)):
        if e.startswith(".") or "__" not in e:
            continue
        name, h, _ = e.split("__")
        assert os.path.exists(os.path.join(d, e, "manifest.json")), "not complete: " + e
        out[(name, h)] = os.path.join(d, e)
    return out
def recs(p):
    rows = []
    for l in open(p):
        r = json.loads(l)
        for k in ("latency_ms", "timings", "cached"):
            r.pop(k, None)
        rows.append(json.dumps(r, sort_keys=True))
    return rows
a, b = runs(sys.argv[1]), runs(sys.argv[2])
assert len(a) == 4 and sorted(a) == sorted(b), (sorted(a), sorted(b))
for k in a:
    for f in ("responses.jsonl", "predictions.jsonl", "instances.jsonl", "settings.txt"):
        pa, pb = os.path.join(a[k], f), os.path.join(b[k], f)
        ra, rb = (recs(pa), recs(pb)) if f.endswith(".jsonl") else (open(pa).read(), open(pb).read())
        assert ra == rb, "%s/%s differs" % (k[0], f)
print("same")
PY
}

# need_or_skip REASON: skip the rest (all of it when nothing ran yet), or
# fail where the tools must be there (CI sets PUMA_REQUIRE_SWEEP=1).
need_or_skip() {
	if [ "${PUMA_REQUIRE_SWEEP:-}" = 1 ]; then
		ok 1 "$1"
		done_testing
		exit 1
	fi
	[ "$_n" -eq 0 ] && skip_all "$1"
	skip "$1"
	done_testing
	exit 0
}
