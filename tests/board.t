#!/usr/bin/env bash
# puma-board: a differential test against tests/ref/board_ref.py (NumPy and
# SciPy) on random sets of runs, both tasks; run directories, metrics
# records, the three formats, and bad input.
. "$(dirname "$0")/lib.sh"
need_python scipy
REF="$PYTHON $ROOT/tests/ref/board_ref.py"

# ---- Differential: every figure of every row ----
"$PYTHON" - "$TMP" "$ROOT" >"$TMP/diff.out" <<'PY'
import json, os, subprocess, sys
tmp, root = sys.argv[1], sys.argv[2]
ref_py = os.path.join(root, "tests/ref/board_ref.py")
exact = ("rank", "run", "n", "value", "ci_lo", "ci_hi", "n_pairs", "delta", "delta_lo", "delta_hi",
         "mcnemar_b", "mcnemar_c", "wilcoxon_statistic", "effect_r")
close = {"mcnemar_p": 1e-9, "wilcoxon_p": 1e-9, "wilcoxon_z": 1e-12}
bad = 0
kinds = set()
for seed in range(20):
    d = os.path.join(tmp, "g%d" % seed)
    subprocess.run([sys.executable, ref_py, "gen", d, str(seed)], check=True)
    runs = sorted(os.path.join(d, f) for f in os.listdir(d))
    boot, bseed = "25", str(seed + 7)
    got = subprocess.run(["puma-board", "-f", "json", "--bootstrap", boot, "--seed", bseed] + runs,
                         capture_output=True, text=True)
    want = subprocess.run([sys.executable, ref_py, "ref", "--bootstrap", boot, "--seed", bseed] + runs,
                          capture_output=True, text=True, check=True)
    g = {r["run"]: r for r in map(json.loads, got.stdout.splitlines())}
    w = {r["run"]: r for r in map(json.loads, want.stdout.splitlines())}
    if got.returncode != 0 or sorted(g) != sorted(w):
        print("# seed %d: exit %d, runs %s vs %s %s" % (seed, got.returncode, sorted(g), sorted(w), got.stderr))
        bad += 1
        continue
    for run, wr in w.items():
        gr = g[run]
        kinds.add((gr["metric"], gr["wilcoxon_z"] is None))
        for k, v in wr.items():
            x = gr[k]
            if k in close:
                okk = (x is None and v is None) or (x is not None and v is not None and
                                                    (x == v or abs(x - v) <= close[k] * max(abs(x), abs(v))))
            else:
                okk = x == v
            if not okk:
                print("# seed %d %s %s: got %r want %r" % (seed, os.path.basename(run), k, x, v))
                bad += 1
print("ok" if bad == 0 else "bad")
# Both tasks, exact and approximate Wilcoxon, were exercised.
print(sorted(kinds))
PY
is "$(head -n -1 "$TMP/diff.out" | grep -v '^#' )" ok "every figure of 20 random boards equals NumPy/SciPy's"
grep '^#' "$TMP/diff.out" | head -n 20
is "$(tail -n 1 "$TMP/diff.out")" "[('f1_macro', False), ('f1_macro', True), ('mae', False), ('mae', True)]" \
	"the boards had both tasks, and exact and approximate Wilcoxon tests"

# ---- Run directories, the reference, the formats ----
$REF gen "$TMP/g" 5
for k in 0 1 2; do
	mkdir -p "$TMP/runs/run${k}__0123456789abcdef__2026010${k}T000000"
	cp "$TMP/g/r$k.jsonl" "$TMP/runs/run${k}__0123456789abcdef__2026010${k}T000000/predictions.jsonl"
	printf 'scenario=triage_jira\nstrategy=strat%s\nmodel=model%s\nseed=4%s\n' $k $k $k \
		>"$TMP/runs/run${k}__0123456789abcdef__2026010${k}T000000/settings.txt"
done
D=("$TMP"/runs/*)
puma-board -f json --bootstrap 30 -r "$(basename "${D[1]}")" "${D[@]}" >"$TMP/dirs.json"
is "$?" 0 "run directories, a reference by run id"
is "$("$PYTHON" -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(" ".join("%s:%s:%s:%s:%s" % (r["run"][:4], r["model"], r["strategy"], r["seed"], r["reference"]) for r in sorted(rows, key=lambda r: r["run"])))
' "$TMP/dirs.json")" "run0:model0:strat0:40:False run1:model1:strat1:41:True run2:model2:strat2:42:False" \
	"rows named by run id, with model, strategy and seed from settings.txt; the reference marked"
puma-board -f json --bootstrap 30 "${D[1]}/predictions.jsonl" "${D[0]}/predictions.jsonl" "${D[2]}/predictions.jsonl" >"$TMP/files.json"
"$PYTHON" - "$TMP/dirs.json" "$TMP/files.json" <<'PY'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
keys = ("value", "ci_lo", "ci_hi", "delta", "delta_lo", "delta_hi", "mcnemar_p", "wilcoxon_p", "effect_r", "rank")
assert [[r[k] for k in keys] for r in a] == [[r[k] for k in keys] for r in b], (a, b)
PY
ok $? "the same runs as prediction files, the first as reference: the same figures"
"$PYTHON" -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
v = [r["value"] for r in rows]
assert v == sorted(v, reverse=True), v
assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
' "$TMP/dirs.json"
ok $? "best first: F1 descending, ranked"
puma-board -f csv --bootstrap 30 -r "$(basename "${D[1]}")" "${D[@]}" >"$TMP/b.csv"
"$PYTHON" - "$TMP/b.csv" "$TMP/dirs.json" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
js = [json.loads(l) for l in open(sys.argv[2])]
assert len(rows) == len(js)
for c, j in zip(rows, js):
    for k, v in j.items():
        if v is None:
            assert c[k] == "", (k, c[k])
        elif isinstance(v, bool):
            assert c[k] == str(v).lower(), (k, c[k])
        elif isinstance(v, (int, float)):
            assert float(c[k]) == v, (k, c[k], v)
        else:
            assert c[k] == v, (k, c[k], v)
PY
ok $? "CSV: the same cells as the JSON rows, with a header"
puma-board --bootstrap 30 -r "$(basename "${D[1]}")" "${D[@]}" >"$TMP/b.md"
is "$(grep -c '^| [0-9] | run[0-9]__' "$TMP/b.md")" 3 "Markdown: one row per run"
grep -q '^| [0-9] | run1__[^|]* (reference) | model1 | strat1 | 41 | .* | - | - | - | - | - |$' "$TMP/b.md"
ok $? "Markdown: the reference row, without comparisons"
grep -q 'Reference: run1__' "$TMP/b.md" && grep -q 'rank-biserial' "$TMP/b.md"
ok $? "Markdown: the note names the reference and the tests"

# ---- Metrics records ----
for k in 0 1 2; do
	puma-metrics --pretty "${D[$k]}/predictions.jsonl" >"${D[$k]}/metrics.json" 2>/dev/null
	puma-metrics "${D[$k]}/predictions.jsonl" 2>/dev/null
done >"$TMP/metrics.jsonl"
puma-board -f json <"$TMP/metrics.jsonl" >"$TMP/m.json"
is "$?" 0 "metrics records on stdin"
is "$("$PYTHON" -c '
import json, sys
print(sorted(json.loads(l)["value"] for l in open(sys.argv[1])) == sorted(json.loads(l)["value"] for l in open(sys.argv[2])))
' "$TMP/m.json" "$TMP/dirs.json")" True "metrics records: the same F1 as from the predictions"
puma-board -f json "${D[0]}/metrics.json" "${D[2]}/metrics.json" >"$TMP/m2.json"
is "$(grep -c '"ci_lo":null,"ci_hi":null' "$TMP/m2.json")" 2 "metrics files: rows without intervals (no records to resample)"

# ---- Bad input ----
mkdir -p "$TMP/bad"
$REF gen "$TMP/est" 0
puma-board "${D[0]}/predictions.jsonl" "$TMP/est/r0.jsonl" >/dev/null 2>"$TMP/err"
ok $([ $? -eq 1 ] && grep -q "scenario estimation_tawos, but the board is of triage_jira" "$TMP/err"; echo $?) \
	"runs of two scenarios: refused, exit 1"
printf '{"id":"a","scenario":"../../../../etc/passwd","gold":"Major","pred":"Major"}\n' >"$TMP/bad/path.jsonl"
puma-board "$TMP/bad/path.jsonl" >/dev/null 2>"$TMP/err"
ok $([ $? -eq 1 ] && grep -q "path.jsonl:1: scenario \"../../../../etc/passwd\" is not a scenario name" "$TMP/err"; echo $?) \
	"a scenario that is a path: refused with file and line"
printf '{"id":"a","scenario":"triage_jira","gold":"Major","pred":"Major"}\n{"id":"a","scenario":"triage_jira","gold":"Minor","pred":null}\n' >"$TMP/bad/dup.jsonl"
puma-board "$TMP/bad/dup.jsonl" >/dev/null 2>"$TMP/err"
ok $([ $? -eq 1 ] && grep -q 'dup.jsonl: id "a" appears twice' "$TMP/err"; echo $?) "duplicate ids: refused"
printf '{"id":"a","scenario":"triage_jira","gold":"Major"}\n' >"$TMP/bad/nopred.jsonl"
puma-board "$TMP/bad/nopred.jsonl" >/dev/null 2>"$TMP/err"
ok $([ $? -eq 1 ] && grep -q 'nopred.jsonl:1: no "pred" member' "$TMP/err"; echo $?) "no pred: refused with file and line"
puma-board -r nosuch "${D[0]}" >/dev/null 2>"$TMP/err"
ok $([ $? -eq 2 ] && grep -q "'nosuch' is none of the runs" "$TMP/err"; echo $?) "an unknown reference: usage error"
puma-board --ci 1.5 "${D[0]}" >/dev/null 2>&1
is "$?" 2 "--ci outside (0, 1): usage error"
puma-board "$TMP/nonexistent.jsonl" >/dev/null 2>"$TMP/err"
ok $([ $? -eq 1 ] && grep -q "nonexistent.jsonl" "$TMP/err"; echo $?) "a missing file: exit 1, named"
if [ -w /dev/full ]; then
	puma-board --bootstrap 5 "${D[@]}" >/dev/full 2>"$TMP/err"
	ok $([ $? -eq 1 ] && grep -q "write error" "$TMP/err"; echo $?) "a full disk: write error, exit 1"
else
	skip "no /dev/full"
fi
done_testing
