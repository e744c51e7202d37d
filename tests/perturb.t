#!/usr/bin/env bash
# puma-perturb and the libraries under it (pyrandom, ucase) against CPython:
# random.Random on thousands of seeds, every code point through upper() and
# lower(), random Unicode and real Jira/TAWOS text through the eight
# perturbations (tests/ref/perturb_ref.py), and the golden file of PUMA's
# own outputs.
. "$(dirname "$0")/lib.sh"
need_python json
REF="$ROOT/tests/ref"

# ---- CPython's random, bit for bit ----
"$PYTHON" "$REF/pyrandom_ref.py" cases 4000 11 >"$TMP/cases"
"$BUILD/helpers/pyrand" <"$TMP/cases" >"$TMP/c.out"
"$PYTHON" "$REF/pyrandom_ref.py" answer <"$TMP/cases" >"$TMP/py.out"
same_file "$TMP/c.out" "$TMP/py.out" \
	"random(), getrandbits, _randbelow, randint, choice, sample (both branches): 4000 cases as CPython"
is "$(grep -c ' sample ' "$TMP/cases") $(wc -l <"$TMP/py.out")" "$(grep -c ' sample ' "$TMP/cases") 4000" \
	"the cases ran (with $(grep -c ' sample ' "$TMP/cases") samples)"

"$PYTHON" "$REF/pyrandom_ref.py" texts 3000 4 >"$TMP/tcases"
"$BUILD/helpers/pyrand" <"$TMP/tcases" >"$TMP/c.out"
"$PYTHON" "$REF/pyrandom_ref.py" answer <"$TMP/tcases" >"$TMP/py.out"
same_file "$TMP/c.out" "$TMP/py.out" "3000 texts, each with its own seed and one of the eight perturbations, as PUMA's Python"

# ---- The golden file: PUMA's perturbations of four Jira issues ----
GOLD="${SHARED}/puma-prompts/golden/perturbations_seed42.jsonl"
if [ -f "$GOLD" ]; then
	"$PYTHON" - "$GOLD" "$TMP/g.in" <<'PY'
import json, sys
recs = {}
for line in open(sys.argv[1], encoding="utf-8"):
    g = json.loads(line)
    recs.setdefault(g["issue_key"], {"id": g["issue_key"]})[g["field"]] = g["input"]
with open(sys.argv[2], "w") as f:
    for r in recs.values():
        f.write(json.dumps(r) + "\n")
PY
	puma-perturb --perturbations all <"$TMP/g.in" >"$TMP/g.out"
	is "$("$PYTHON" - "$GOLD" "$TMP/g.out" <<'PY'
import json, sys
got = {}
for line in open(sys.argv[2], encoding="utf-8"):
    r = json.loads(line)
    for f in ("title", "description"):
        got[(r["source_id"], f, r["perturbation"])] = r[f]
bad = [g for g in map(json.loads, open(sys.argv[1], encoding="utf-8"))
       if got.get((g["issue_key"], g["field"], g["perturbation"])) != g["output"]]
print(len(got), len(bad), [(b["issue_key"], b["field"], b["perturbation"]) for b in bad[:3]])
PY
)" "64 0 []" "all 64 outputs of the golden file (PUMA's, seed 42)"
else
	skip "golden file not found at $GOLD"
fi

# ---- Every code point through str.upper() and str.lower() ----
"$PYTHON" - "$TMP/all.in" <<'PY'
import json, sys
s = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"id": "ALL", "title": s, "description": " ".join(s)}) + "\n")
    # each code point between a cased letter (or a digit) and a capital sigma:
    # lower()'s final-sigma rule looks past case-ignorable characters only
    f.write(json.dumps({"id": "SIGMA", "title": "".join("A" + c + "\u03a3 " for c in s),
                        "description": "".join("1" + c + "\u03a3" + c + "a " for c in s)}) + "\n")
PY
puma-perturb --perturbations case_upper,case_lower <"$TMP/all.in" >"$TMP/all.out"
is "$("$PYTHON" "$REF/perturb_ref.py" compare "$TMP/all.in" "$TMP/all.out" 42 case_upper,case_lower)" "ok 4" \
	"upper() and lower() of every code point, alone and around a capital sigma, as CPython"

# ---- Random Unicode text, several seeds ----
"$PYTHON" "$REF/perturb_ref.py" texts 1000 5 >"$TMP/u.in"
for seed in 42 -3 9223372036854775807; do
	puma-perturb --seed "$seed" --with-original <"$TMP/u.in" >"$TMP/u.out"
	is "$("$PYTHON" "$REF/perturb_ref.py" compare "$TMP/u.in" "$TMP/u.out" "$seed" +all)" "ok 9000" \
		"1000 random Unicode records, seed $seed: the eight perturbations and the original as PUMA's Python"
done

# ---- Real text: PUMA's Jira file and the TAWOS projects ----
if [ -d "$SHARED/tawos" ] && [ -f "$SHARED/jira_balanced_200.csv" ]; then
	for f in "$SHARED/jira_balanced_200.csv" "$SHARED"/tawos/*_deep-se.csv; do
		puma-prep "$f" 2>/dev/null
	done >"$TMP/real.in"
	n=$(wc -l <"$TMP/real.in")
	puma-perturb --seed 7 <"$TMP/real.in" >"$TMP/real.out"
	is "$("$PYTHON" "$REF/perturb_ref.py" compare "$TMP/real.in" "$TMP/real.out" 7 all)" "ok $((n * 8))" \
		"$n real Jira and TAWOS issues, seed 7, as PUMA's Python"
else
	skip "public datasets not found at $SHARED"
fi

# ---- The record contract ----
printf '%s\n' '{"id":"X-1","title":"Database request failed","gold":"Major","n":1.50}' \
	'{"title":"no id","description":null,"summary":"Sum"}' >"$TMP/r.in"
puma-perturb --perturbations case_lower,truncate_50pct --with-original <"$TMP/r.in" >"$TMP/r.out"
is "$(cat "$TMP/r.out")" '{"id":"X-1","title":"Database request failed","gold":"Major","n":1.50,"source_id":"X-1","perturbation":"original"}
{"id":"X-1~case_lower","title":"database request failed","gold":"Major","n":1.50,"source_id":"X-1","perturbation":"case_lower"}
{"id":"X-1~truncate_50pct","title":"Database re","gold":"Major","n":1.50,"source_id":"X-1","perturbation":"truncate_50pct"}
{"title":"no id","description":null,"summary":"Sum","source_id":null,"perturbation":"original"}
{"title":"no id","description":null,"summary":"sum","source_id":null,"perturbation":"case_lower"}
{"title":"no","description":null,"summary":"S","source_id":null,"perturbation":"truncate_50pct"}' \
	"ids derived from source_id and the name; other fields pass unchanged; summary perturbed; null kept"
echo '{"id":"A-1+B-2","scenario":"prioritization_jira","title_a":"Database down","description_b":"immediate"}' |
	puma-perturb --perturbations case_upper,register_shift_informal >"$TMP/pair.out"
is "$(cat "$TMP/pair.out")" '{"id":"A-1+B-2~case_upper","scenario":"prioritization_jira","title_a":"Database down","description_b":"immediate","source_id":"A-1+B-2","perturbation":"case_upper"}
{"id":"A-1+B-2~register_shift_informal","scenario":"prioritization_jira","title_a":"Database down","description_b":"immediate","source_id":"A-1+B-2","perturbation":"register_shift_informal"}' \
	"a prioritization pair: its _a/_b text is never perturbed, as in PUMA"
puma-perturb <"$TMP/r.in" >"$TMP/r2"
puma-perturb <"$TMP/r.in" >"$TMP/r3"
same_file "$TMP/r2" "$TMP/r3" "the same input twice: the same records"
is "$(wc -l <"$TMP/r2") $(grep -c '"perturbation":"original"' "$TMP/r2")" "16 0" "-p all by default; no original without --with-original"
puma-perturb --with-original <"$TMP/r.out" >"$TMP/again" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" \
	"1:puma-perturb: <stdin>:2: \"perturbation\" is already \"case_lower\"; copies are made from originals only" \
	"a perturbed record is not perturbed again: exit 1, naming the line"
is "$(head -c 300 "$TMP/again" | head -n 1 | cut -c1-40)" '{"id":"X-1","title":"Database request fa' \
	"records before the bad line are written"
puma-perturb -l --perturbations case_upper <"$TMP/r.out" >"$TMP/len" 2>"$TMP/err"
is "$?:$(wc -l <"$TMP/len"):$(tail -n 1 "$TMP/err")" "0:2:puma-perturb: <stdin>: skipped 4 bad lines" \
	"--lenient: the originals are perturbed, the rest skipped and counted"
echo '{"id":7,"title":"x"}' | puma-perturb 2>"$TMP/err" >/dev/null
is "$?:$(cat "$TMP/err")" '1:puma-perturb: <stdin>:1: "id" is a number, not a string' "a number as id: exit 1"
puma-perturb --perturbations typos_5pct,nope </dev/null 2>"$TMP/err"
is "$?:$(head -n 1 "$TMP/err")" "2:puma-perturb: --perturbations: 'nope' is not a perturbation (see --help)" "an unknown name: exit 2"
puma-perturb --perturbations case_upper,case_upper </dev/null 2>"$TMP/err"
is "$?:$(head -n 1 "$TMP/err")" "2:puma-perturb: --perturbations: 'case_upper' is named twice" "a name twice: exit 2"
puma-perturb --seed x </dev/null 2>/dev/null
is "$?" 2 "a seed that is no number: exit 2"
puma-perturb <"$TMP/u.in" >/dev/full 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:puma-perturb: write error: No space left on device" "a full disk: exit 1"

done_testing
