#!/usr/bin/env bash
# Sweeps (pipelines/sweep.mk, puma-sweep): a spec's values checked before
# anything runs, the plan from make -n, then a 2x2 sweep on the real
# llama-server with the local engine: complete runs skipped, an unfinished
# one resumed, and every run the same as `make run` gives by hand.
. "$(dirname "$0")/lib.sh"
need_python json
. "$ROOT/tests/sweep-lib.sh"
RUNS="$TMP/runs"
port=9
digest=0000
write_spec "$TMP/ok.json" t '["zero-shot", "egi"]' '[42, 43]'

# ---- Hostile and broken specs: refused before anything runs ----
bad_case() {	# NAME JSON-MEMBERS MESSAGE-PATTERN
	printf '{"name": "t", %s}\n' "$2" >"$TMP/bad.json"
	project_make sweep "SPEC=$TMP/bad.json" "RUNS=$RUNS" >"$TMP/out" 2>"$TMP/err"
	st=$?
	ok $([ "$st" -ne 0 ] && grep -q "puma-sweep: $TMP/bad.json: .*$3" "$TMP/err" && [ ! -e "$RUNS" ] &&
		[ ! -e "$TMP/pwned" ]; echo $?) "bad spec refused, nothing run: $1"
	[ "$st" -ne 0 ] && grep -q "$3" "$TMP/err" || sed 's/^/# /' "$TMP/err" | head -n 5
}
bad_case "quote in a model" '"models": ["m'"'"'; touch '"$TMP"'/pwned; echo '"'"'"]' 'models\[0\]: .* may hold only'
bad_case "command substitution" '"models": ["$(touch '"$TMP"'/pwned)"]' 'models\[0\]: .* may hold only'
bad_case "space in a strategy" '"models": ["m"], "strategies": ["zero-shot --version"]' 'strategies\[0\]'
bad_case "newline in a scenario" '"models": ["m"], "scenarios": ["a\nb"]' 'scenarios\[0\]'
bad_case "seed not a number" '"models": ["m"], "seeds": ["42;id"]' 'seeds\[0\]'
bad_case "negative N" '"models": ["m"], "n": -5' 'N wants a whole number'
bad_case "fraction for N" '"models": ["m"], "n": 2.5' 'N wants a whole number'
bad_case "temperature not a number" '"models": ["m"], "settings": {"TEMPERATURE": "nan"}' 'finite decimal'
bad_case "option-like value" '"models": ["-m"]' "may not start with '-'"
bad_case "RUNS is not the spec's" '"models": ["m"], "settings": {"RUNS": "/etc"}' 'not a variable a sweep may set'
bad_case "INFER_ARGS is not the spec's" '"models": ["m"], "axes": {"INFER_ARGS": ["x"]}' 'not a variable a sweep may set'
bad_case "unknown member" '"models": ["m"], "modles": ["x"]' 'unknown member "modles"'
bad_case "no models" '"strategies": ["zero-shot"]' '"models" is missing'
bad_case "empty axis" '"models": []' 'empty list'
bad_case "a value twice" '"models": ["m", "m"]' 'listed twice'
bad_case "URL not http" '"models": ["m"], "urls": ["file:///etc/passwd"]' 'not an http'
bad_case "slurm option injection" '"models": ["m"], "slurm": {"partition": "gpu --wrap=id"}' 'slurm.partition'
printf '{"name": "a__b", "models": ["m"]}' >"$TMP/bad.json"
project_make sweep "SPEC=$TMP/bad.json" "RUNS=$RUNS" >/dev/null 2>"$TMP/err"
ok $([ $? -ne 0 ] && grep -q "name: .*no '__'" "$TMP/err"; echo $?) "a sweep name with '__' is refused"
printf '{"name": "t", "models": ["m"],}' >"$TMP/bad.json"
project_make sweep "SPEC=$TMP/bad.json" "RUNS=$RUNS" >/dev/null 2>"$TMP/err"
ok $([ $? -ne 0 ] && grep -q "bad.json: not valid JSON" "$TMP/err"; echo $?) "invalid JSON is refused, naming the file"
project_make sweep "RUNS=$RUNS" >/dev/null 2>"$TMP/err"
is "$?" 2 "no SPEC: usage error"
grep -q "give SPEC=" "$TMP/err"
ok $? "no SPEC: the message says what to give"
project_make sweep "SPEC=$TMP/ok.json" ENGINE=cloud "RUNS=$RUNS" >/dev/null 2>"$TMP/err"
ok $([ $? -ne 0 ] && grep -q "ENGINE 'cloud' is not local, parallel or slurm" "$TMP/err"; echo $?) \
	"an unknown engine is named"
# The unit script checks its words again (a job file edited by hand).
SWEEP_ROOT=$ROOT SWEEP_RUNS=$RUNS SWEEP_BINDIR=$BIN bash "$ROOT/pipelines/sweep-unit.sh" \
	NAME=x 'MODEL=a;touch' >/dev/null 2>"$TMP/err"
ok $([ $? -eq 2 ] && grep -q "is not VAR=VALUE" "$TMP/err"; echo $?) "sweep-unit.sh refuses a value outside the safe characters"
SWEEP_ROOT=$ROOT SWEEP_RUNS=$RUNS SWEEP_BINDIR=$BIN bash "$ROOT/pipelines/sweep-unit.sh" \
	NAME=x RUNS=/etc >/dev/null 2>"$TMP/err"
ok $([ $? -eq 2 ] && grep -q "may not set RUNS" "$TMP/err"; echo $?) "sweep-unit.sh refuses RUNS"

# ---- The plan ----
project_make -n sweep "SPEC=$TMP/ok.json" "RUNS=$RUNS" >"$TMP/plan" 2>"$TMP/err"
is "$?" 0 "make -n sweep"
is "$(grep -c 'sweep-unit.sh NAME=t-[0-9a-f]\{12\} ' "$TMP/plan")" 4 "make -n sweep lists the 4 runs of a 2x2 sweep"
ok $([ ! -e "$RUNS" ]; echo $?) "make -n sweep makes no run directory"
grep 'sweep-unit.sh' "$TMP/plan" | grep -o 'STRATEGY=[a-z-]* .*SEED=[0-9]*\|SEED=[0-9]* .*STRATEGY=[a-z-]*' |
	sed 's/ .* / /' | sort | tr '\n' '|' >"$TMP/combos"
is "$(cat "$TMP/combos")" "SEED=42 STRATEGY=egi|SEED=42 STRATEGY=zero-shot|SEED=43 STRATEGY=egi|SEED=43 STRATEGY=zero-shot|" \
	"the plan holds every strategy with every seed"
# Reordering the spec's members changes no unit name.
"$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps(dict(reversed(list(d.items())))))' \
	"$TMP/ok.json" >"$TMP/rev.json"
is "$("$BIN/puma-sweep" -f jobs "$TMP/rev.json" | cut -f1 | sort)" "$("$BIN/puma-sweep" -f jobs "$TMP/ok.json" | cut -f1 | sort)" \
	"the order of the spec's members changes no run name"

# ---- Against llama-server ----
sweep_llama
write_spec "$TMP/s.json" t '["zero-shot", "egi"]' '[42, 43]'
timeout 600 env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -C "$ROOT" -j2 \
	NO_BUILD=1 "BINDIR=$BIN" sweep "SPEC=$TMP/s.json" "RUNS=$RUNS" >"$TMP/s1.out" 2>"$TMP/s1.err"
is "$?" 0 "make -j2 sweep ENGINE=local: a 2x2 sweep"
[ -s "$TMP/s1.err" ] && grep -v '^run: \|^sweep: ' "$TMP/s1.err" | sed 's/^/# /' | head -n 10
is "$(ls "$RUNS" | grep -c '^t-')" 4 "four run directories"
is "$(ls "$RUNS"/t-*/manifest.json 2>/dev/null | wc -l)" 4 "each with its manifest"
"$PYTHON" - "$RUNS" <<'PY'
import json, os, sys
seen = set()
for e in os.listdir(sys.argv[1]):
    if e.startswith("."):
        continue
    m = json.load(open(os.path.join(sys.argv[1], e, "manifest.json")))
    s = m["settings"]
    assert s["n"] == "6" and s["model"] == "tiny-random" and s["backend"] == "openai", s
    assert m["inference"]["records"] == 6, m["inference"]
    seen.add((s["strategy"], s["seed"]))
assert seen == {("zero-shot", "42"), ("zero-shot", "43"), ("egi", "42"), ("egi", "43")}, seen
PY
ok $? "the manifests hold the four settings, 6 records each"
grep -q "job server unavailable\|jobserver unavailable" "$TMP/s1.err"
ok $((! $?)) "no jobserver warning from the units"

before=$(ls "$RUNS" | sort)
project_make sweep "SPEC=$TMP/s.json" "RUNS=$RUNS" >"$TMP/s2.out" 2>"$TMP/s2.err"
is "$?" 0 "the same sweep again"
grep -q "4 runs, 4 were already complete" "$TMP/s2.out"
ok $? "the same sweep again: the 4 complete runs are skipped"
is "$(ls "$RUNS" | sort)" "$before" "the same sweep again: no new run directory"

# An unfinished run (no manifest, no predictions) is resumed, not redone.
u=$(ls -d "$RUNS"/t-* | head -n 1)
rm -f "$u/manifest.json" "$u/predictions.jsonl" "$u/metrics.json" "$u/ece.json"
project_make -n sweep "SPEC=$TMP/s.json" "RUNS=$RUNS" >"$TMP/plan2" 2>/dev/null
is "$(grep -c 'sweep-unit.sh' "$TMP/plan2")" 1 "make -n: one run left to do"
grep -q "resuming $(basename "${u%%__*}")" "$TMP/plan2"
ok $? "make -n: the plan says that run resumes"
project_make sweep "SPEC=$TMP/s.json" "RUNS=$RUNS" >"$TMP/s3.out" 2>"$TMP/s3.err"
is "$?" 0 "the sweep after a run lost its last steps"
grep -q "run: resuming $u" "$TMP/s3.err"
ok $? "the unfinished run was resumed in its own directory"
ok $([ -f "$u/manifest.json" ] && [ "$(ls "$RUNS" | sort)" = "$before" ]; echo $?) "it is complete again; no new directory"
project_make sweep-plan "SPEC=$TMP/s.json" "RUNS=$RUNS" >"$TMP/table"
is "$(grep -c '^complete ' "$TMP/table")" 4 "make sweep-plan: every unit complete"

# The same run by hand gives the same run id hash and the same records.
line=$("$BIN/puma-sweep" --all -f jobs "$TMP/s.json" | head -n 1)
IFS=$'\t' read -r -a args <<<"$line"
project_make run "RUNS=$TMP/byhand" "${args[@]}" >/dev/null 2>&1
is "$?" 0 "make run by hand with one unit's variables"
h=$(ls "$TMP/byhand")
s=$(ls "$RUNS" | grep "^${h%__*}__")
ok $([ -n "$s" ]; echo $?) "by hand: the same name and settings hash as the sweep's run"
untimed "$TMP/byhand/$h/predictions.jsonl" >"$TMP/ph"
untimed "$RUNS/$s/predictions.jsonl" >"$TMP/ps"
same_file "$TMP/ps" "$TMP/ph" "by hand: the same predictions, responses and logprobs (timings aside)"

# ---- make list-runs ----
# A failed run (the server is gone) and an unfinished one beside the four.
printf '{"name": "dead", "models": ["none"], "n": 3, "backend": "openai", "urls": ["http://127.0.0.1:1"], "settings": {"DATASET": "%s"}}' \
	"$TMP/tri.jsonl" >"$TMP/dead.json"
project_make sweep "SPEC=$TMP/dead.json" "RUNS=$RUNS" >/dev/null 2>"$TMP/err"
ok $([ $? -ne 0 ] && grep -q "cannot reach" "$TMP/err"; echo $?) "a sweep whose server is gone fails, saying why"
mkdir "$RUNS/half__0123456789abcdef__20000101T000000"
printf 'model=m\nscenario=triage_jira\nstrategy=egi\nseed=1\nn=5\n' >"$RUNS/half__0123456789abcdef__20000101T000000/settings.txt"
project_make list-runs "RUNS=$RUNS" >"$TMP/list" 2>"$TMP/err"
is "$?" 0 "make list-runs"
is "$(head -n 1 "$TMP/list" | tr -s ' ')" "run state model scenario strategy seed n metric" "list-runs: the header"
is "$(grep -c '^t-[0-9a-f]*__.* complete  *tiny-random  *triage_jira  *\(zero-shot\|egi\)  *4[23]  *6  *f1_macro=[0-9.e-]*$' "$TMP/list")" 4 \
	"list-runs: the four sweep runs, complete, with model, scenario, strategy, seed, N and F1"
grep -q '^dead-[0-9a-f]*__.* failed  *none ' "$TMP/list"
ok $? "list-runs: a run whose inference stopped is failed"
grep -q '^half__.* unfinished  *m  *triage_jira  *egi  *1  *5  *-$' "$TMP/list"
ok $? "list-runs: a run without a manifest is unfinished, with no metric"
is "$(sed -n 2p "$TMP/list" | cut -c1-6)" "half__" "list-runs: oldest first"
f1=$("$PYTHON" -c 'import json,sys; print(repr(json.load(open(sys.argv[1]))["f1_macro"]))' "$u/metrics.json")
grep -q "^$(basename "$u") .*f1_macro=$f1\$" "$TMP/list"
ok $? "list-runs: the metric is the run's metrics.json F1, digit for digit"

# ---- The HTML report, opened in headless Chromium ----
project_make sweep-report "SPEC=$TMP/s.json" "RUNS=$RUNS" >"$TMP/rep.out" 2>"$TMP/rep.err"
is "$?" 0 "make sweep-report"
page="$RUNS/sweep-t.html"
ok $([ -s "$page" ] && grep -q "sweep-report: $page" "$TMP/rep.out"; echo $?) "the report is RUNS/sweep-NAME.html"
is "$(grep -c '<tr><td>\|<tr class="ref"><td>' "$page")" 4 "the report's table: one row per run of the sweep"
is "$(grep -o '<img [^>]*src="./t-[0-9a-f]*__[0-9a-f]*__[0-9T]*/reliability.svg"' "$page" | wc -l)" 4 \
	"the report shows each run's reliability diagram"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ] || ! "$PYTHON" -c 'import PIL' 2>/dev/null; then
	need_or_skip "headless Chromium or python3-pil not found (Debian: chromium python3-pil; run: make deps)"
fi
# shot URL PNG: a screenshot of the page in a fresh profile, bounded.
shot() {
	rm -rf "$TMP/chrome"
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		"--user-data-dir=$TMP/chrome" --hide-scrollbars --window-size=1400,2000 "--screenshot=$2" "$1" \
		>"$TMP/chrome.log" 2>&1 </dev/null
}
# colours PNG: size, distinct colours, and pixels of the plot's reference
# red, its runs' green and the reliability bars' blue (75% over white).
colours() {
	"$PYTHON" - "$1" <<'PY'
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
px = list(im.getdata())
near = lambda c, t, d=6: all(abs(a - b) <= d for a, b in zip(c, t))
red = sum(1 for c in px if near(c, (0xd6, 0x27, 0x28)))
green = sum(1 for c in px if near(c, (0x2c, 0xa0, 0x2c)))
blue = sum(1 for c in px if near(c, (118, 154, 196), 8))
print(im.size[0], im.size[1], len(set(px)), red, green, blue)
PY
}
shot "file://$page" "$TMP/shot.png"
ok $([ -s "$TMP/shot.png" ]; echo $?) "Chromium renders the report to a screenshot"
read -r w h ncol red green blue <<<"$(colours "$TMP/shot.png")"
is "$w x $h" "1400 x 2000" "the screenshot has the window's size"
ok $((ncol > 50 ? 0 : 1)) "the screenshot is not blank ($ncol colours)"
ok $((red > 200 && green > 200 ? 0 : 1)) "the interval plot is drawn: the reference in red ($red px), the runs in green ($green px)"
ok $((blue > 500 ? 0 : 1)) "the reliability diagrams are loaded and drawn ($blue px of their bars)"
# The same checks see a page without the runs' files for what it is.
mkdir -p "$TMP/bare"
cp "$page" "$TMP/bare/"
shot "file://$TMP/bare/sweep-t.html" "$TMP/bare.png"
read -r _ _ _ _ _ bblue <<<"$(colours "$TMP/bare.png")"
ok $((bblue < 50 ? 0 : 1)) "control: with the diagrams missing, their blue is absent ($bblue px)"
printf '<!DOCTYPE html><html><body></body></html>' >"$TMP/blank.html"
shot "file://$TMP/blank.html" "$TMP/blank.png"
read -r _ _ bcol _ _ _ <<<"$(colours "$TMP/blank.png")"
ok $((bcol < 5 ? 0 : 1)) "control: a blank page has almost no colours ($bcol)"
done_testing
