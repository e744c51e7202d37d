#!/usr/bin/env bash
# Carbon intensity, PUE and the energy options (src/lib/energy.c) through
# tests/helpers/energymeter, over a fake RAPL package that uses exactly
# 0.001 kWh (3600 J) during the run.
. "$(dirname "$0")/lib.sh"
need_python json
EM="$BUILD/helpers/energymeter"
[ -x "$EM" ] || skip_all "$EM not built"

py() {
	"$PYTHON" -c 'import json, sys; s = json.load(open(sys.argv[1])); v = eval(sys.argv[2]); print(v if isinstance(v, str) else json.dumps(v))' "$1" "$2"
}

BINDIR="$TMP/bin"	# empty: no nvidia-smi, no powermetrics
mkdir -p "$BINDIR"
export PUMA_SYSROOT="$TMP/root"
D="$PUMA_SYSROOT/sys/class/powercap/intel-rapl:0"
mkdir -p "$D"
echo package-0 >"$D/name"
echo 262143328850 >"$D/max_energy_range_uj"
# meter ARGS...: 3600 J between the start and one tick.
meter() {
	echo 1000 >"$D/energy_uj"
	PATH="$BINDIR" "$EM" --gpu-energy off --ticks 1 --tick-cmd "echo 3600001000 >'$D/energy_uj'" "$@"
}

meter >"$TMP/out" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "0:" "runs cleanly"
is "$(py "$TMP/out" '[s["kwh"], s["pue"], s["carbon_intensity"]["g_per_kwh"], s["co2_kg"]]')" \
	"[0.001, 1.0, 475.0, $("$PYTHON" -c 'print(0.001 * 1.0 * 475.0 / 1000)')]" "default: world average 475 g/kWh, PUE 1.0"
is "$(py "$TMP/out" 's["carbon_intensity"]["source"]')" "world average (CodeCarbon's default when no country is known)" \
	"default: the source says it is the world average"

meter --intensity 250.5 --pue 1.4 >"$TMP/out"
is "$(py "$TMP/out" '[s["carbon_intensity"], s["co2_kg"]]')" \
	"[{\"g_per_kwh\": 250.5, \"source\": \"given with --intensity\"}, $("$PYTHON" -c 'print(0.001 * 1.4 * 250.5 / 1000)')]" \
	"--intensity and --pue: CO2 = kWh x PUE x g/kWh / 1000"

# Every country of the shipped table, against Python reading the same file.
TABLE="$ROOT/config/carbon_intensity.json"
for c in $("$PYTHON" -c 'import json, sys; print(" ".join(json.load(open(sys.argv[1]))["countries"]))' "$TABLE"); do
	meter --country "$c" --pue 1.58 >"$TMP/out"
	want=$("$PYTHON" - "$TABLE" "$c" <<'PY'
import json, sys
t = json.load(open(sys.argv[1])); e = t["countries"][sys.argv[2]]
print(json.dumps([e["g_per_kwh"] * 1.0, e["year"], sys.argv[2], e.get("source", t["source"]), 0.001 * 1.58 * e["g_per_kwh"] / 1000]))
PY
)
	is "$(py "$TMP/out" '[s["carbon_intensity"]["g_per_kwh"], s["carbon_intensity"]["year"], s["carbon_intensity"]["country"], s["carbon_intensity"]["source"], s["co2_kg"]]')" \
		"$want" "--country $c --pue 1.58: intensity, year, source and CO2 from the table"
done

# The table holds the reference's ten figures (OWID 2023 as CodeCarbon ships them).
is "$("$PYTHON" -c '
import json, sys
c = json.load(open(sys.argv[1]))["countries"]
print(" ".join("%s=%s/%s" % (k, c[k]["g_per_kwh"], c[k]["year"]) for k in ["USA", "DEU", "FRA", "GBR", "CHN", "IND", "CAN", "SWE", "POL", "AUS"]))' "$TABLE")" \
	"USA=369.5/2023 DEU=381.0/2023 FRA=56.0/2023 GBR=237.6/2023 CHN=582.3/2023 IND=713.4/2023 CAN=170.0/2023 SWE=40.7/2023 POL=661.9/2023 AUS=548.7/2023" \
	"the table keeps the reference's ten countries"
meter --country esp >"$TMP/out"
is "$(py "$TMP/out" '[s["carbon_intensity"]["country"], "note" in s["carbon_intensity"]]')" '["ESP", true]' \
	"a lower-case code is accepted; ESP carries its note"

# Errors: usage (2) and a table that cannot be used (1).
meter --country XYZ >"$TMP/out" 2>"$TMP/err"
is "$?" "2" "unknown country: exit 2"
grep -q "energymeter: --country XYZ: not in .*carbon_intensity.json (known: AUS CAN CHN DEU ESP FRA GBR IND POL SWE USA); give --intensity G_PER_KWH instead" "$TMP/err"
ok $? "unknown country: the message lists the known codes and the way out"
is "$(wc -c <"$TMP/out" | tr -d ' ')" "0" "unknown country: nothing measured, nothing printed"
for bad in "--country ES" "--country E1P" "--pue 0.9" "--pue x" "--intensity -1" "--energy-interval 0" \
	"--energy-interval 61" "--gpu-energy cuda" "--estimate=0" "--country USA --intensity 10"; do
	meter $bad >/dev/null 2>"$TMP/err"
	st=$?
	is "$st:$(tail -n 1 "$TMP/err")" "2:Try 'energymeter --help' for more information." "usage error: $bad"
done
meter --pue 0.9 2>&1 >/dev/null | head -n 1 >"$TMP/err"
is "$(cat "$TMP/err")" "energymeter: --pue: '0.9' is not a number from 1 to 10" "usage error message names the option and the range"
meter --country USA --carbon-table "$TMP/none.json" >/dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:energymeter: $TMP/none.json: cannot read: No such file or directory
energymeter: cannot use --country USA without the carbon table (give --intensity instead)" "missing table: exit 1, says why"
echo '{"rows": []}' >"$TMP/bad.json"
meter --country USA --carbon-table "$TMP/bad.json" >/dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:energymeter: $TMP/bad.json: no \"countries\" object: not a carbon intensity table" "table without countries: exit 1"
mkdir -p "$TMP/conf"
echo '{"source": "test table", "countries": {"NOR": {"g_per_kwh": 30}}}' >"$TMP/conf/carbon_intensity.json"
PUMA_CONFIG_DIR="$TMP/conf" meter --country NOR >"$TMP/out"
is "$(py "$TMP/out" '[s["carbon_intensity"], s["co2_kg"]]')" \
	"[{\"g_per_kwh\": 30.0, \"source\": \"test table\", \"country\": \"NOR\"}, $("$PYTHON" -c 'print(0.001 * 1.0 * 30.0 / 1000)')]" \
	"the table is found through PUMA_CONFIG_DIR"
"$EM" --help >"$TMP/out"
grep -q -- "--country ISO3" "$TMP/out"
ok $? "--help lists the energy options"
done_testing
