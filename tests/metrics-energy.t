#!/usr/bin/env bash
# puma-metrics --summary: the run's energy and the energy per F1 point or
# per unit of MAE, byte for byte against tests/ref/energy_ref.py (written
# from docs/metrics.md) on random runs and random summaries; null handling,
# grouping, the table, and bad summary files.
. "$(dirname "$0")/lib.sh"
need_python numpy
REF="$ROOT/tests/ref/energy_ref.py"
GEN="$ROOT/tests/ref/gen_cases.py"
export PUMA_CONFIG_DIR="$ROOT/config"

# ---- differential: 150 runs, each with its own summary ----
# Runs from gen_cases.py (both tasks, parse failures, all-failure runs);
# summaries with energies from 1e-9 to 100 kWh, 0, integers, null with a
# reason, estimates, and PUE and intensity from the table's range.
mkdir "$TMP/d"
"$PYTHON" "$GEN" predictions 150 41 >"$TMP/p.jsonl"
"$PYTHON" - "$TMP/d" "$TMP/p.jsonl" <<'PY'
import json, random, sys
d = sys.argv[1]
rng = random.Random(7)
files = {}
for line in open(sys.argv[2]):
    r = json.loads(line)
    if r["case"] not in files:
        files[r["case"]] = open("%s/%d.jsonl" % (d, r["case"]), "w")
    files[r["case"]].write(line)
for case in files:
    k = rng.random()
    if k < 0.15:
        e = {"kwh": None, "co2_kg": None, "reason": "no energy source could be read (see \"sources\" for why)"}
    else:
        kwh = 0.0 if k < 0.2 else (rng.choice([1, 2, 0.5]) if k < 0.25 else 10 ** rng.uniform(-9, 2))
        pue, g = rng.choice([1.0, 1.2, 1.58]), rng.choice([475.0, 193.863, 40.7, 56.25])
        e = {"kwh": kwh, "co2_kg": kwh * pue * g / 1000, "pue": pue}
        if rng.random() < 0.2:
            e["estimated"] = True
    e["duration_s"] = rng.choice([0, 12, rng.uniform(0, 5000)])
    json.dump({"tool": "puma-infer", "wall_s": 1.0, "energy": e}, open("%s/%d.json" % (d, case), "w"))
    files[case].close()
PY
n=$(ls "$TMP/d"/*.jsonl | wc -l)
: >"$TMP/c.out"
bad=0
for i in $(seq 0 $((n - 1))); do
	puma-metrics --summary "$TMP/d/$i.json" "$TMP/d/$i.jsonl" >>"$TMP/c.out" 2>/dev/null || bad=$((bad + 1))
done
"$PYTHON" "$REF" batch "$TMP/d" "$n" >"$TMP/r.out"
is "$n:$bad" "150:0" "150 runs with summaries: puma-metrics exits 0 on each"
same_file "$TMP/c.out" "$TMP/r.out" "150 runs: every object identical to the reference, energy members included"
"$PYTHON" - "$TMP/c.out" <<'PY'
import json, sys
o = [json.loads(l) for l in open(sys.argv[1])]
f1 = [x for x in o if "wh_per_f1_point" in x]
mae = [x for x in o if "wh_per_mae_unit" in x]
cover = [
    sum(1 for x in f1 if x["wh_per_f1_point"] is not None) > 20,
    sum(1 for x in mae if x["wh_per_mae_unit"] is not None) > 5,
    any(x["kwh"] is None and x["energy_reason"] for x in o),
    any(x["kwh"] is not None and x.get("f1_macro") is None and x["wh_per_f1_point"] is None for x in f1),
    any(x["kwh"] == 0 and x["wh_per_f1_point"] == 0 for x in f1),
    any(x.get("energy_estimated") for x in o),
]
sys.exit(0 if all(cover) else 1)
PY
ok $? "the runs cover both tasks, null energy, nothing parsed, zero energy and estimates"

# ---- by hand: each definition on round numbers ----
sum_of() {	# KWH CO2 [EXTRA]: a summary file on stdout
	printf '{"energy":{"duration_s":43.0,"kwh":%s,"co2_kg":%s%s}}\n' "$1" "$2" "${3:-}"
}
sum_of 0.0005 0.0002 >"$TMP/s.json"
printf '%s\n' '{"scenario":"triage_jira","gold":"Major","pred":"Major"}' \
	'{"scenario":"triage_jira","gold":"Minor","pred":"Major"}' >"$TMP/t.jsonl"
# F1 per class: Major 2/3, others 0: f1_macro = 1/6; 0.5 Wh / (100/6) points.
puma-metrics --summary "$TMP/s.json" "$TMP/t.jsonl" >"$TMP/o"
is "$("$PYTHON" -c 'import json, sys; m = json.load(open(sys.argv[1])); print([m[k] for k in ("kwh", "co2_kg", "duration_s", "wh_per_f1_point", "gco2_per_f1_point")])' "$TMP/o")" \
	"[0.0005, 0.0002, 43.0, $("$PYTHON" -c 'print([0.0005 * 1000.0 / (100.0 * (2 / 3 / 4)), 0.0002 * 1000.0 / (100.0 * (2 / 3 / 4))])' | tr -d '[]')]" \
	"triage: Wh and g CO2 per F1 percentage point = kWh x 1000 / (100 x f1_macro)"
printf '%s\n' '{"scenario":"estimation_tawos","gold":5,"pred":3}' '{"scenario":"estimation_tawos","gold":8,"pred":13}' >"$TMP/e.jsonl"
puma-metrics --summary "$TMP/s.json" "$TMP/e.jsonl" >"$TMP/o"
is "$("$PYTHON" -c 'import json, sys; m = json.load(open(sys.argv[1])); print([m["mae"], m["wh_per_mae_unit"], m["gco2_per_mae_unit"], "wh_per_f1_point" in m])' "$TMP/o")" \
	"[3.5, $("$PYTHON" -c 'print(0.5 / 3.5)'), $("$PYTHON" -c 'print(0.2 / 3.5)'), False]" \
	"estimation: Wh and g CO2 per unit of MAE = kWh x 1000 / mae"

# ---- null handling ----
printf '%s\n' '{"scenario":"triage_jira","gold":"Major","pred":"Minor"}' >"$TMP/f0.jsonl"
puma-metrics --summary "$TMP/s.json" "$TMP/f0.jsonl" >"$TMP/o"
is "$("$PYTHON" -c 'import json, sys; m = json.load(open(sys.argv[1])); print([m["f1_macro"], m["kwh"], m["wh_per_f1_point"], m["gco2_per_f1_point"]])' "$TMP/o")" \
	"[0.0, 0.0005, None, None]" "F1 of 0: the energy stays, per-point figures are null, not infinite"
printf '%s\n' '{"scenario":"estimation_tawos","gold":5,"pred":5}' >"$TMP/m0.jsonl"
puma-metrics --summary "$TMP/s.json" "$TMP/m0.jsonl" >"$TMP/o"
is "$("$PYTHON" -c 'import json, sys; m = json.load(open(sys.argv[1])); print([m["mae"], m["wh_per_mae_unit"], m["gco2_per_mae_unit"]])' "$TMP/o")" \
	"[0.0, None, None]" "MAE of 0: per-unit figures are null"
printf '%s\n' '{"scenario":"triage_jira","gold":"Major","pred":null}' >"$TMP/np.jsonl"
puma-metrics --summary "$TMP/s.json" "$TMP/np.jsonl" >"$TMP/o"
is "$("$PYTHON" -c 'import json, sys; m = json.load(open(sys.argv[1])); print([m["f1_macro"], m["kwh"], m["wh_per_f1_point"]])' "$TMP/o")" \
	"[None, 0.0005, None]" "nothing parsed: per-point figures are null"
sum_of null null ',"reason":"no energy source could be read (see \"sources\" for why)"' >"$TMP/sn.json"
puma-metrics --summary "$TMP/sn.json" "$TMP/t.jsonl" >"$TMP/o"
is "$("$PYTHON" -c 'import json, sys; m = json.load(open(sys.argv[1])); print(json.dumps([m[k] for k in ("kwh", "co2_kg", "duration_s", "wh_per_f1_point", "gco2_per_f1_point", "energy_reason")]))' "$TMP/o")" \
	'[null, null, 43.0, null, null, "no energy source could be read (see \"sources\" for why)"]' \
	"energy not measured: everything null, with the summary's reason"
sum_of 0.001 0.0005 ',"estimated":true' >"$TMP/se.json"
puma-metrics --summary "$TMP/se.json" "$TMP/t.jsonl" >"$TMP/o"
is "$("$PYTHON" -c 'import json, sys; m = json.load(open(sys.argv[1])); print(m.get("energy_estimated"), "energy_reason" in m)' "$TMP/o")" \
	"True False" "an estimated energy is flagged"

# ---- --group-by: the summary is the whole run's ----
"$PYTHON" "$GEN" predictions 40 43 >"$TMP/g.jsonl"
sum_of 0.0123 0.00456 >"$TMP/sg.json"
puma-metrics --group-by case --summary "$TMP/sg.json" "$TMP/g.jsonl" >"$TMP/c.out" 2>"$TMP/err"
"$PYTHON" "$REF" metrics --group-by case --summary "$TMP/sg.json" <"$TMP/g.jsonl" >"$TMP/r.out"
same_file "$TMP/c.out" "$TMP/r.out" "--group-by, 40 groups: identical to the reference"
"$PYTHON" - "$TMP/c.out" <<'PY'
import json, sys
o = [json.loads(l) for l in open(sys.argv[1])]
per = [x.get("wh_per_f1_point", x.get("wh_per_mae_unit")) for x in o]
sys.exit(0 if len(o) == 40 and all(x["kwh"] == 0.0123 for x in o) and per == [None] * 40 else 1)
PY
ok $? "--group-by: each group shows the run's kWh, and no per-point figure (the energy is not split)"
grep -q "^puma-metrics: note: $TMP/sg.json covers the whole run, not one of its 40 groups: each group shows the run's kwh, co2_kg and duration_s, and null energy per F1 point or MAE unit\$" "$TMP/err"
ok $? "--group-by: a note says so"
grep '"case":3,' "$TMP/g.jsonl" >"$TMP/g1.jsonl"
puma-metrics --group-by case --summary "$TMP/s.json" "$TMP/g1.jsonl" >"$TMP/c.out" 2>"$TMP/err"
"$PYTHON" "$REF" metrics --group-by case --summary "$TMP/s.json" <"$TMP/g1.jsonl" >"$TMP/r.out"
same_file "$TMP/c.out" "$TMP/r.out" "--group-by with one group: per-point figures as without it"
is "$(cat "$TMP/err")" "" "one group: no note"

# ---- formats and --ci ----
puma-metrics --pretty --ci 0.9 --bootstrap 20 --seed 5 --summary "$TMP/s.json" "$TMP/t.jsonl" >"$TMP/c.out"
"$PYTHON" "$REF" metrics --pretty --ci 0.9 --bootstrap 20 --seed 5 --summary "$TMP/s.json" <"$TMP/t.jsonl" >"$TMP/r.out"
same_file "$TMP/c.out" "$TMP/r.out" "--pretty --ci: the energy members come before ci, as the reference places them"
puma-metrics --format table --summary "$TMP/s.json" "$TMP/t.jsonl" >"$TMP/o"
want=$("$PYTHON" -c 'print("\n".join("%-20s  %r" % kv for kv in [("kwh", 0.0005), ("co2_kg", 0.0002), ("duration_s", 43.0), ("wh_per_f1_point", 0.0005 * 1000.0 / (100.0 * (2 / 3 / 4))), ("gco2_per_f1_point", 0.0002 * 1000.0 / (100.0 * (2 / 3 / 4)))]))')
is "$(sed -n '/^kwh /,/^gco2_per_f1_point /p' "$TMP/o")" "$want" "--format table: one line each"
puma-metrics --format table --summary "$TMP/sn.json" "$TMP/t.jsonl" >"$TMP/o"
is "$(grep -E '^(kwh|wh_per_f1_point|energy_reason) ' "$TMP/o")" "kwh                   null
wh_per_f1_point       null
energy_reason         no energy source could be read (see \"sources\" for why)" "--format table: null energy with its reason"

# ---- bad summary files: exit 1, the file named, nothing written ----
badsum() {	# NAME CONTENT EXPECTED-MESSAGE
	printf '%s' "$2" >"$TMP/$1"
	puma-metrics --summary "$TMP/$1" "$TMP/t.jsonl" >"$TMP/o" 2>"$TMP/err"
	is "$?:$(wc -c <"$TMP/o" | tr -d ' '):$(cat "$TMP/err")" "1:0:puma-metrics: $TMP/$1: $3" "bad summary ($1): exit 1, no output, message"
}
badsum notjson.json '{"energy":' "invalid JSON: premature EOF"
badsum array.json '[1]' "an array, not a JSON object: not a run summary of puma-infer --summary"
badsum noenergy.json '{"wall_s":1}' '"energy" is absent, not an object: not a run summary of puma-infer --summary'
badsum kwhstr.json '{"energy":{"kwh":"1","co2_kg":1,"duration_s":1}}' \
	'"energy"."kwh" is a string, not a number or null: not a run summary of puma-infer --summary'
badsum negative.json '{"energy":{"kwh":-0.5,"co2_kg":1,"duration_s":1}}' '"energy"."kwh" is -0.5: it cannot be negative'
badsum huge.json '{"energy":{"kwh":1e999,"co2_kg":1,"duration_s":1}}' '"energy"."kwh" is 1e999: out of range'
badsum nodur.json '{"energy":{"kwh":1,"co2_kg":1}}' \
	'"energy"."duration_s" is absent, not a number: not a run summary of puma-infer --summary'
badsum mixed.json '{"energy":{"kwh":null,"co2_kg":0.1,"duration_s":1}}' \
	'"energy": "kwh" is null but "co2_kg" is a number: the summary was changed by hand?'
puma-metrics --summary "$TMP/missing.json" "$TMP/t.jsonl" >"$TMP/o" 2>"$TMP/err"
is "$?:$(wc -c <"$TMP/o" | tr -d ' '):$(cat "$TMP/err")" "1:0:puma-metrics: $TMP/missing.json: cannot read: No such file or directory" \
	"a missing summary: exit 1, named"
puma-metrics --summary "$TMP/s.json" "$TMP/t.jsonl" >/dev/full 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:puma-metrics: write error: No space left on device" "a full disk is a write error"
done_testing
