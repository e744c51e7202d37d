#!/usr/bin/env bash
# puma-diff: constructed pairs with known verdicts and exit statuses, a
# differential test against tests/ref/diff_ref.py (NumPy and SciPy) on
# random pairs, run directories, Markdown, and bad input.
. "$(dirname "$0")/lib.sh"
need_python scipy
GEN="$PYTHON $ROOT/tests/ref/diff_gen.py"

# verdict DIR: "exit H0 H2 H3 valid" from a comparison of DIR/a and DIR/b.
verdict() {
	puma-diff "$1/a.jsonl" "$1/b.jsonl" >"$1/out.json" 2>"$1/err"
	local st=$?
	"$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
v = d["verdicts"]
f = lambda x: "null" if x is None else str(x).lower()
print(sys.argv[2], f(v["H0"]["holds"]), f(v["H2"]["holds"]), f(v["H3"]["holds"]), f(d["valid"]))
' "$1/out.json" $st
}

for k in identical flip lp1e-5 lp1e-2 digest disjoint failures estimation; do
	$GEN $k "$TMP/$k"
done
is "$(verdict "$TMP/identical")" "0 true true true true" "identical runs: H0, H2, H3 hold, exit 0"
is "$("$PYTHON" -c 'import json,sys; a=json.load(open(sys.argv[1]))["agreement"]; print(a["responses_identical"], a["tokens_identical"], a["predictions_identical"], a["first_differing_token"]["n"])' "$TMP/identical/out.json")" \
	"1.0 1.0 1.0 0" "identical runs agree on every response, token and prediction"
is "$(verdict "$TMP/flip")" "1 false true false true" "one flipped prediction: H1, exit 1"
is "$("$PYTHON" -c 'import json,sys; a=json.load(open(sys.argv[1]))["agreement"]; print(a["n_predictions_identical"], a["n_responses_identical"])' "$TMP/flip/out.json")" \
	"59 60" "the flip shows in the predictions, not in the responses"
is "$(verdict "$TMP/lp1e-5")" "0 true true true true" "logprobs 1e-5 apart: H0 and H2 hold"
grep -q '"mean_abs_diff":1.00000000000' "$TMP/lp1e-5/out.json"
ok $? "logprobs 1e-5 apart: the mean difference is 1e-5"
is "$(verdict "$TMP/lp1e-2")" "0 true false true true" "logprobs 1e-2 apart: H0 holds, H2 does not"
is "$(verdict "$TMP/digest")" "1 true true true false" "different digests: invalid, exit 1"
is "$(head -n 1 "$TMP/digest/err")" \
	"puma-diff: the model digests differ: the runs did not use the same model, so the comparison is invalid" \
	"different digests: said first, on stderr"
is "$(verdict "$TMP/disjoint")" "1 null null null false" "disjoint ids: nothing paired, H0 not testable, exit 1"
grep -q "no record pairs: the runs share no ids" "$TMP/disjoint/err"
ok $? "disjoint ids: said on stderr"
is "$(verdict "$TMP/failures")" "1 false true false true" "parse failures in B: H1"
is "$("$PYTHON" -c 'import json,sys; m=json.load(open(sys.argv[1]))["metrics"]["parse_failure_rate"]; print(m["a"], m["b"])' "$TMP/failures/out.json")" \
	"0.0 0.1" "parse failure rates of both runs"
is "$(verdict "$TMP/estimation")" "1 false null null true" "estimation: MAE differs, H1; no logprobs, H2/H3 not testable"

# Nothing parsed on either side: the metric is undefined, H0 untestable.
"$PYTHON" - "$TMP/identical" "$TMP/unparsed" <<'EOF'
import json, os, sys
os.makedirs(sys.argv[2], exist_ok=True)
for f in ("a.jsonl", "b.jsonl"):
    with open(os.path.join(sys.argv[1], f)) as i, open(os.path.join(sys.argv[2], f), "w") as o:
        for l in i:
            r = json.loads(l)
            r["pred"] = None
            r["confidence"] = None
            o.write(json.dumps(r) + "\n")
EOF
is "$(verdict "$TMP/unparsed")" "1 null true null true" "nothing parsed anywhere: H0 not testable, exit 1"
grep -q "H0 cannot be tested" "$TMP/unparsed/err"
ok $? "nothing parsed anywhere: said on stderr"

# A run that mixes backends says so of its backend, not of its model.
"$PYTHON" - "$TMP/identical" "$TMP/mixedbk" <<'EOF'
import json, os, sys
os.makedirs(sys.argv[2], exist_ok=True)
for f in ("a.jsonl", "b.jsonl"):
    with open(os.path.join(sys.argv[1], f)) as i, open(os.path.join(sys.argv[2], f), "w") as o:
        for n, l in enumerate(i):
            r = json.loads(l)
            r["model"] = "m"
            r["backend"] = "openai" if f == "a.jsonl" and n == 3 else "ollama"
            o.write(json.dumps(r) + "\n")
EOF
puma-diff "$TMP/mixedbk/a.jsonl" "$TMP/mixedbk/b.jsonl" >"$TMP/mixedbk/out.json" 2>/dev/null
is "$("$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print([(d[k]["model"], d[k]["backend"]) for k in ("a", "b")])' "$TMP/mixedbk/out.json")" \
	"[('m', '(mixed)'), ('m', 'ollama')]" "mixed backends: the backend is (mixed), the model is not"

# Differential: every figure against the NumPy/SciPy reference.
"$PYTHON" - "$TMP" "$ROOT" <<'PY'
import json, math, os, subprocess, sys
tmp, root = sys.argv[1], sys.argv[2]
bad = 0
def close(x, y, rel):
    if x is None or y is None:
        return x is None and y is None
    return x == y or abs(x - y) <= rel * max(abs(x), abs(y))
for seed in range(60):
    d = os.path.join(tmp, "rnd%d" % seed)
    subprocess.run([sys.executable, os.path.join(root, "tests/ref/diff_gen.py"), "random", d, str(seed)], check=True)
    a, b = os.path.join(d, "a.jsonl"), os.path.join(d, "b.jsonl")
    boot = "40"
    got = json.loads(subprocess.run(["puma-diff", "--bootstrap", boot, "--seed", str(seed), a, b],
                                    capture_output=True, text=True).stdout)
    ref = json.loads(subprocess.run([sys.executable, os.path.join(root, "tests/ref/diff_ref.py"),
                                     "--bootstrap", boot, "--seed", str(seed), a, b],
                                    capture_output=True, text=True, check=True).stdout)
    checks = []
    for k, v in ref["metrics"].items():
        for s in ("a", "b", "delta"):
            checks.append(("%s.%s" % (k, s), got["metrics"][k][s], v[s], 0))
    ag, ra = got["agreement"], ref["agreement"]
    for k in ("n_responses_identical", "n_predictions_identical", "n_with_tokens", "n_tokens_identical"):
        checks.append((k, ag[k], ra[k], 0))
    checks.append(("first_differing.n", ag["first_differing_token"]["n"], len(ra["first_differing"]), 0))
    if ra["first_differing"]:
        checks.append(("first_differing.min", ag["first_differing_token"]["min"], ra["first_differing"][0], 0))
        checks.append(("first_differing.max", ag["first_differing_token"]["max"], ra["first_differing"][-1], 0))
    lp, rl = got["logprobs"], ref["logprobs"]
    for k in ("n_positions", "mean_abs_diff", "max_abs_diff"):
        checks.append(("logprobs." + k, lp[k], rl[k], 0))
    checks.append(("top.n", lp["top_alternatives"]["n"], rl["top_n"], 0))
    checks.append(("top.mean", lp["top_alternatives"]["mean_abs_diff"], rl["top_mean_abs_diff"], 0))
    checks.append(("ece_a", got["calibration"]["ece_a"], ref["calibration"]["ece_a"], 0))
    checks.append(("ece_b", got["calibration"]["ece_b"], ref["calibration"]["ece_b"], 0))
    mc = got["significance"]["mcnemar_exact"]
    checks.append(("mcnemar.b", mc["a_right_b_wrong"], ref["mcnemar"]["b"], 0))
    checks.append(("mcnemar.c", mc["b_right_a_wrong"], ref["mcnemar"]["c"], 0))
    checks.append(("mcnemar.p", mc["p_value"], ref["mcnemar"]["p"], 1e-9))
    wx = got["significance"]["wilcoxon"]
    checks.append(("wilcoxon.statistic", wx["statistic"], ref["wilcoxon"]["statistic"], 0))
    checks.append(("wilcoxon.p", wx["p_value"], ref["wilcoxon"]["p"], 1e-9))
    checks.append(("wilcoxon.z", wx["z"], ref["wilcoxon"]["z"], 1e-12))
    for k, v in ref["bootstrap"].items():
        checks.append(("bootstrap." + k, got["significance"]["bootstrap_delta"][k], v, 0))
    for name, x, y, rel in checks:
        ok = x == y if rel == 0 else close(x, y, rel)
        if not ok:
            bad += 1
            if bad < 15:
                print("# seed %d %s: puma-diff %r, reference %r" % (seed, name, x, y))
sys.exit(1 if bad else 0)
PY
ok $? "60 random pairs: every figure equals the NumPy/SciPy reference"

# A run directory brings its manifest and host description.
mkdir -p "$TMP/runA" "$TMP/runB"
cp "$TMP/identical/a.jsonl" "$TMP/runA/predictions.jsonl"
cp "$TMP/identical/b.jsonl" "$TMP/runB/predictions.jsonl"
echo '{"run_id":"demo__0123456789abcdef__20260101T000000"}' >"$TMP/runA/manifest.json"
echo '{"os":{"name":"Linux","arch":"x86_64"},"cpu":{"model":"Test CPU"},"gpus":[],"profile":"cpu-standard"}' >"$TMP/runA/host.json"
puma-diff "$TMP/runA" "$TMP/runB" >"$TMP/dir.json"
ok $? "run directories compare"
"$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["a"]["run_id"] == "demo__0123456789abcdef__20260101T000000", d["a"]
assert d["a"]["host"]["cpu"] == "Test CPU" and d["a"]["host"]["profile"] == "cpu-standard"
assert d["b"]["host"] is None and d["b"]["run_id"] is None
' "$TMP/dir.json"
ok $? "the run id and host come from the run directory"

# Markdown: the verdict table comes first, in the seed's protocol order.
puma-diff -f md "$TMP/flip/a.jsonl" "$TMP/flip/b.jsonl" >"$TMP/flip.md"
is "$?" 1 "markdown report: same exit status"
is "$(grep -n '^## ' "$TMP/flip.md" | cut -d: -f2- | tr '\n' '|')" \
	"## Verdicts|## 1. Same model?|## 2. What was compared|## 3. Headline metrics (H0 / H1)|## 4. Agreement|## 5. Per-token logprobs (H2)|## 6. Calibration (H3)|## 7. Significance|" \
	"markdown report sections"
grep -q '^| H0: f1_macro bit-exact | does not hold | A ' "$TMP/flip.md"
ok $? "markdown report states the H0 verdict with its numbers"

# Confidences outside [0, 1] are invalid input, as puma-ece says (one check).
for c in -0.5 1.5 1e400; do
	printf '{"id":"A","scenario":"triage_jira","gold":"Major","pred":"Major","confidence":%s}\n' "$c" >"$TMP/conf.jsonl"
	puma-diff "$TMP/conf.jsonl" "$TMP/conf.jsonl" >/dev/null 2>"$TMP/err"
	st=$?
	puma-ece "$TMP/conf.jsonl" >/dev/null 2>"$TMP/err.ece"
	is "$st:$(cat "$TMP/err")" "2:$(sed 's/^puma-ece:/puma-diff:/' "$TMP/err.ece")" "confidence $c: rejected with puma-ece's message"
done
grep -q 'is outside \[0, 1\]' "$TMP/err"
ok $? "the message says the range"

# A partial run is not bit-exact: unpaired records leave H0 not shown
# (exit 1) unless --allow-partial, which reports them.
"$PYTHON" - "$TMP/pa" "$TMP/pb" <<'PY'
import json, sys
L = ["Critical", "Major", "Minor", "Trivial"]
with open(sys.argv[1], "w") as a, open(sys.argv[2], "w") as b:
    for i in range(8):
        r = {"id": "P-%d" % i, "scenario": "triage_jira", "gold": L[i % 4], "pred": L[i % 4],
             "response": L[i % 4], "model_digest": "d" * 64}
        a.write(json.dumps(r) + "\n")
        if i < 2:
            b.write(json.dumps(r) + "\n")
PY
puma-diff "$TMP/pa" "$TMP/pb" >"$TMP/out.json" 2>"$TMP/err"
st=$?
is "$st:$("$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["verdicts"]["H0"]["holds"], d["valid"], d["partial"])' "$TMP/out.json")" \
	"1:None False True" "8 records against 2: H0 not shown, invalid, exit 1"
grep -q "6 records of A have no partner in B" "$TMP/err"
ok $? "8 against 2: stderr says how many have no partner"
grep -q -- "--allow-partial" "$TMP/err"
ok $? "8 against 2: stderr names --allow-partial"
puma-diff --allow-partial "$TMP/pa" "$TMP/pb" >"$TMP/out.json" 2>"$TMP/err"
st=$?
is "$st:$("$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["verdicts"]["H0"]["holds"], d["valid"], d["partial"], d["a"]["unpaired"])' "$TMP/out.json")" \
	"0:True True True 6" "--allow-partial: H0 over the 2 pairs, reported as partial"
grep -q "metrics are over the paired records only" "$TMP/err"
ok $? "--allow-partial: stderr still says the run is partial"
puma-diff --allow-partial --format md "$TMP/pa" "$TMP/pb" 2>/dev/null | grep -q "partial"
ok $? "--allow-partial: the Markdown report says partial"

# Bad input is a usage-class error (exit 2), naming file and line.
printf '{"id":"A","gold":"Major","pred":"Major"}\n{"gold":"Minor","pred":null}\n' >"$TMP/noid.jsonl"
puma-diff -s triage_jira "$TMP/noid.jsonl" "$TMP/identical/a.jsonl" >/dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" \
	"2:puma-diff: $TMP/noid.jsonl:2: record has no string \"id\"; puma-diff pairs records by id" "a record without id"
printf '{"id":"A","gold":"Major","pred":"Major"}\n{"id":"A","gold":"Minor","pred":null}\n' >"$TMP/dup.jsonl"
puma-diff -s triage_jira "$TMP/dup.jsonl" "$TMP/identical/a.jsonl" >/dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "2:puma-diff: $TMP/dup.jsonl:2: id \"A\" appears twice (first at line 1)" "a duplicate id"
printf '{"id":"A","gold":"Major"}\n' >"$TMP/nopred.jsonl"
puma-diff -s triage_jira "$TMP/nopred.jsonl" "$TMP/nopred.jsonl" >/dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "2:puma-diff: $TMP/nopred.jsonl:1: no \"pred\" member (run puma-parse first)" "a response without pred"
puma-diff "$TMP/identical/a.jsonl" >/dev/null 2>"$TMP/err"
is "$?" 2 "one run only: usage error"
puma-diff "$TMP/nope.jsonl" "$TMP/identical/a.jsonl" >/dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "2:puma-diff: $TMP/nope.jsonl: cannot open: No such file or directory" "a missing file"
puma-diff "$TMP/identical/a.jsonl" "$TMP/identical/b.jsonl" >/dev/full 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:puma-diff: write error: No space left on device" "output to /dev/full"
done_testing
