#!/usr/bin/env bash
# puma-infer --summary measures the energy of the run: against the test
# server (tests/helpers/fake-llm.py), with a fake RAPL tree under
# $PUMA_SYSROOT whose counter wraps mid-run and a fake nvidia-smi on PATH
# printing known power; the summary's figures are checked against Python
# sums of the same traces.  Then missing sources, the carbon options, and
# the summary through puma-parse and puma-metrics.
. "$(dirname "$0")/lib.sh"
need_python json
. "$ROOT/tests/infer-lib.sh"
start_fake S --model m
URL="http://127.0.0.1:$PORT_S"

# py FILE EXPR: EXPR over s = the summary, e = its "energy", src(kind,
# device) = a source entry.
py() {
	"$PYTHON" - "$1" "$2" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); e = s.get("energy")
def src(kind, device=None):
    for x in e["sources"]:
        if x["source"] == kind and (device is None or x.get("device") == device):
            return x
v = eval(sys.argv[2])
print(v if isinstance(v, str) else json.dumps(v))
PY
}
close() {	# A B: equal within 1e-9 relative
	"$PYTHON" -c 'import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if abs(a - b) <= 1e-9 * max(abs(b), 1e-300) else 1)' "$1" "$2"
}

# Records: the server holds each answer for DELAY ms (FAULT:delay-N).
records() {	# N DELAY
	for i in $(seq "$1"); do
		printf '{"id":"E-%d","scenario":"triage_jira","title":"FAULT:delay-%d","description":"d","gold":"Major"}\n' "$i" "$2"
	done
}
records 3 400 >"$TMP/in.jsonl"

# The fakes live alone on PATH with puma-infer: no real nvidia-smi or
# powermetrics is seen.  A real NVML (a GPU host) is avoided with
# --gpu-energy nvidia-smi.
FB="$TMP/fakebin"
mkdir -p "$FB"
GPUOPT=""
/sbin/ldconfig -p 2>/dev/null | grep -q 'libnvidia-ml.so.1 ' && GPUOPT="--gpu-energy nvidia-smi"
infer() { PATH="$BIN:$FB" puma-infer -m m -u "$URL" --no-cache -q "$@"; }

# nvidia-smi: two GPUs drawing a constant 250.5 W and 75 W.  Each power
# reading also moves the fake RAPL counter to the next value of $TMP/seq,
# so the counter changes between the meter's readings, wherever the clock
# puts them, and logs the call.
cat >"$FB/nvidia-smi" <<SH
#!/bin/sh
PATH=/usr/bin:/bin
case "\$*" in
*index,name*) printf '0, Fake H100\n1, Fake L4\n'; exit 0 ;;
*power.draw*)
	echo call >>"$TMP/smi.log"
	if [ -f "$TMP/seq" ]; then
		n=\$(cat "$TMP/seqn" 2>/dev/null || echo 1)
		v=\$(sed -n "\$((n + 1))p" "$TMP/seq")
		if [ -n "\$v" ]; then
			f="\$PUMA_SYSROOT/sys/class/powercap/intel-rapl:0/energy_uj"
			echo "\$v" >"\$f.new" && mv "\$f.new" "\$f"
			echo \$((n + 1)) >"$TMP/seqn"
		fi
	fi
	printf '250.5\n75\n'; exit 0 ;;
esac
exit 2
SH
chmod +x "$FB/nvidia-smi"

# A RAPL package whose counter wraps at 10^9 uJ, twice during the run (the
# meter needs 6 readings to see it all: it takes about 24).
MAX=1000000000
SEQ="900000000 950000000 50000000 300000000 900000000 100000000"
rapl_tree() {	# DIR FIRST
	mkdir -p "$1/sys/class/powercap/intel-rapl:0" "$1/sys/class/powercap/intel-rapl:0:0"
	echo package-0 >"$1/sys/class/powercap/intel-rapl:0/name"
	echo core >"$1/sys/class/powercap/intel-rapl:0:0/name"
	echo $MAX >"$1/sys/class/powercap/intel-rapl:0/max_energy_range_uj"
	echo $MAX >"$1/sys/class/powercap/intel-rapl:0:0/max_energy_range_uj"
	echo 5 >"$1/sys/class/powercap/intel-rapl:0:0/energy_uj"
	echo "$2" >"$1/sys/class/powercap/intel-rapl:0/energy_uj"
}
export PUMA_SYSROOT="$TMP/sys1"
rapl_tree "$PUMA_SYSROOT" 900000000
printf '%s\n' $SEQ >"$TMP/seq"
rm -f "$TMP/seqn" "$TMP/smi.log"

# ---- measured: RAPL with wraps and nvidia-smi, sampled every 0.05 s ----
infer --summary "$TMP/s.json" --energy-interval 0.05 --gpu-energy nvidia-smi <"$TMP/in.jsonl" >"$TMP/out" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "0:" "--summary with fake RAPL and nvidia-smi: runs cleanly"
is "$(py "$TMP/s.json" '[s["records"], s["ok"], s["failed"], s["cache_hits"], sorted(e)]')" \
	'[3, 3, 0, 0, ["carbon_intensity", "co2_kg", "duration_s", "estimated", "interval_s", "kwh", "pue", "sources"]]' \
	"the summary has the run's counts and the energy object"
py "$TMP/s.json" 's["wall_s"] >= 1.2 and e["duration_s"] >= s["wall_s"] and e["duration_s"] < s["wall_s"] + 1' | grep -qx true
ok $? "the energy window encloses the requests' wall time"
n=$(py "$TMP/s.json" 'src("nvidia-smi", "gpu0")["samples"]')
[ "$n" -ge 8 ] && [ "$n" -le 50 ]
ok $? "sampled at the 0.05 s interval over ~1.2 s: $n samples, bounded"
is "$(wc -l <"$TMP/smi.log" | tr -d ' ')" "$n" "one nvidia-smi run per sample, none after the stop"
want=$("$PYTHON" -c '
import sys
mx = int(sys.argv[1]); v = [int(x) for x in sys.argv[2:]]
j = sum(b - a if b >= a else mx - a + b for a, b in zip(v, v[1:])) / 1e6
print(j / 3.6e6, j)' $MAX $SEQ)
set -- $want
is "$(py "$TMP/s.json" '[src("rapl", "package-0")["kwh"], src("rapl", "package-0")["wraps"]]')" "[$1, 2]" \
	"RAPL: the counter's kWh across two wraps equals the Python sum"
is "$(py "$TMP/s.json" '[x.get("device") for x in e["sources"] if x["source"] == "rapl"]')" '["package-0"]' \
	"RAPL: the package only, not its core sub-domain"
rapl_j=$2
for g in "gpu0 250.5" "gpu1 75"; do
	set -- $g
	close "$(py "$TMP/s.json" "src('nvidia-smi', '$1')['joules']")" \
		"$(py "$TMP/s.json" "$2 * src('nvidia-smi', '$1')['covered_s']")"
	ok $? "nvidia-smi $1: a constant $2 W integrates to $2 W x the time covered"
done
py "$TMP/s.json" 'src("nvidia-smi", "gpu0")["covered_s"] <= e["duration_s"] and src("nvidia-smi", "gpu0")["covered_s"] >= s["wall_s"] - 0.1' | grep -qx true
ok $? "nvidia-smi: the samples cover the run"
close "$(py "$TMP/s.json" 'e["kwh"]')" \
	"$(py "$TMP/s.json" "($rapl_j + 250.5 * src('nvidia-smi', 'gpu0')['covered_s'] + 75 * src('nvidia-smi', 'gpu1')['covered_s']) / 3.6e6")"
ok $? "total kWh = RAPL + both GPUs, within rounding"
is "$(py "$TMP/s.json" '[e["co2_kg"] == e["kwh"] * 1.0 * 475.0 / 1000, e["pue"], e["carbon_intensity"]["g_per_kwh"], e["estimated"]]')" \
	"[true, 1.0, 475.0, false]" "default: CO2 = kWh x 1.0 x 475 g/kWh / 1000"
is "$(py "$TMP/s.json" 'src("nvidia-smi", "gpu0")["method"]')" \
	"nvidia-smi power.draw sampled every 0.05 s, integrated over time (trapezoids)" "the method names the interval"

# ---- only with --summary: no sampling otherwise ----
rm -f "$TMP/smi.log"
infer --gpu-energy nvidia-smi <"$TMP/in.jsonl" >/dev/null 2>"$TMP/err"
is "$?:$(head -n 1 "$TMP/err")" "2:puma-infer: --gpu-energy: energy is measured only for the run summary: add --summary FILE" \
	"an energy option without --summary: usage error that says what to add"
records 2 300 | infer >/dev/null 2>&1
is "$?:$([ -f "$TMP/smi.log" ] && echo sampled || echo none)" "0:none" "no --summary: nothing is sampled"
records 1 300 | infer --summary "$TMP/s0.json" --gpu-energy nvidia-smi --energy-interval 30 >/dev/null 2>&1
is "$(wc -l <"$TMP/smi.log" | tr -d ' '):$(py "$TMP/s0.json" 'src("nvidia-smi", "gpu0")["samples"]')" "2:2" \
	"an interval longer than the run: the start and stop readings only, and the stop does not wait"

# The sampler sleeps between readings: CPU time stays far below the run's
# (not under Valgrind, whose own CPU time is the tool's many times over).
rapl_tree "$PUMA_SYSROOT" 5
rm -f "$TMP/seq"
records 2 600 >"$TMP/in2.jsonl"
if [ -n "${PUMA_VALGRIND:-}" ]; then
	skip "under Valgrind: CPU time measures Valgrind"
else
	TIMEFORMAT='%U %S'
	cpu=$({ time infer --summary "$TMP/s2.json" --energy-interval 0.05 --gpu-energy off <"$TMP/in2.jsonl" >/dev/null 2>/dev/null; } 2>&1)
	"$PYTHON" -c 'import sys; u, s = map(float, sys.argv[1:3]); sys.exit(0 if u + s < 0.6 else 1)' $cpu
	ok $? "no busy waiting: CPU $cpu s (user, sys) over a 1.2 s run sampled every 0.05 s"
fi

# ---- carbon intensity and PUE ----
TABLE="$ROOT/config/carbon_intensity.json"
rapl_tree "$PUMA_SYSROOT" 900000000
printf '%s\n' $SEQ >"$TMP/seq"
rm -f "$TMP/seqn"
records 1 300 | infer --summary "$TMP/c.json" --country esp --pue 1.2 --energy-interval 0.05 --gpu-energy nvidia-smi >/dev/null
want=$("$PYTHON" - "$TABLE" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["countries"]["ESP"]
print(json.dumps([c["g_per_kwh"], "ESP", c["year"], c["source"], c["note"]]))
PY
)
is "$(py "$TMP/c.json" '[e["carbon_intensity"][k] for k in ("g_per_kwh", "country", "year", "source", "note")]')" "$want" \
	"--country esp: Spain's intensity, year, source and note from the table"
is "$(py "$TMP/c.json" '[e["pue"], e["co2_kg"] == e["kwh"] * 1.2 * e["carbon_intensity"]["g_per_kwh"] / 1000, e["kwh"] > 0]')" \
	"[1.2, true, true]" "--pue 1.2: CO2 = kWh x 1.2 x g/kWh / 1000"
records 1 100 | infer --summary "$TMP/i.json" --intensity 56.25 --pue 1.58 --energy-interval 0.05 --gpu-energy nvidia-smi >/dev/null
is "$(py "$TMP/i.json" '[e["carbon_intensity"], e["pue"], e["co2_kg"] == e["kwh"] * 1.58 * 56.25 / 1000]')" \
	'[{"g_per_kwh": 56.25, "source": "given with --intensity"}, 1.58, true]' "--intensity 56.25 --pue 1.58"
before=$(requests "$PORT_S")
records 1 0 | infer --summary "$TMP/x.json" --country XYZ >/dev/null 2>"$TMP/err"
st=$?
grep -q "^puma-infer: --country XYZ: not in .*carbon_intensity.json (known: AUS CAN .* USA); give --intensity G_PER_KWH instead" "$TMP/err"
ok $((st != 2 || $?)) "an unknown country: usage error listing the known ones"
is "$(requests "$PORT_S"):$([ -e "$TMP/x.json" ] && echo written || echo none)" "$before:none" "... found before any request, no summary"
records 1 0 | infer --summary "$TMP/x.json" --country DEU --intensity 5 >/dev/null 2>"$TMP/err"
is "$?:$(head -n 1 "$TMP/err")" "2:puma-infer: give --country or --intensity, not both" "--country with --intensity: usage error"
records 1 0 | infer --summary "$TMP/x.json" --pue 0.9 >/dev/null 2>"$TMP/err"
is "$?:$(head -n 1 "$TMP/err")" "2:puma-infer: --pue: '0.9' is not a number from 1 to 10" "--pue below 1: usage error"
records 1 0 | infer --summary "$TMP/x.json" --country FRA --carbon-table "$TMP/none.json" >/dev/null 2>"$TMP/err"
is "$?:$(head -n 1 "$TMP/err")" "1:puma-infer: $TMP/none.json: cannot read: No such file or directory" \
	"--carbon-table that cannot be read: exit 1, naming it"

# ---- nothing measurable: null with reasons, never zero ----
export PUMA_SYSROOT="$TMP/nothing"
mkdir -p "$PUMA_SYSROOT"
mv "$FB/nvidia-smi" "$TMP/nvidia-smi.aside"
records 1 100 | infer --summary "$TMP/n.json" --energy-interval 0.05 $GPUOPT >/dev/null
is "$(py "$TMP/n.json" '[e["kwh"], e["co2_kg"], e["reason"]]')" \
	'[null, null, "no energy source could be read (see \"sources\" for why)"]' "no source: kWh and CO2 are null, with the reason"
is "$(py "$TMP/n.json" 'sorted(set((x["status"], x["kwh"], bool(x.get("reason"))) for x in e["sources"]))')" \
	'[["unavailable", null, true]]' "no source: every source unavailable, each with a reason"
is "$(py "$TMP/n.json" 'src("rapl")["reason"]')" \
	"no RAPL package domain under /sys/class/powercap (not an Intel or AMD CPU with RAPL, the powercap driver is not loaded, or a virtual machine)" \
	"no powercap: RAPL says why"
is "$(py "$TMP/n.json" 'src("nvidia-smi")["reason"]')" "nvidia-smi not found on PATH" "no nvidia-smi: says so"
if [ -z "$GPUOPT" ]; then
	is "$(py "$TMP/n.json" 'src("nvml")["reason"].startswith("libnvidia-ml.so.1 cannot be loaded (")')" "true" "no NVML: the loader's reason"
else
	skip "a real libnvidia-ml.so.1 is installed here"
fi
is "$(py "$TMP/n.json" '[s["records"], s["ok"]]')" "[1, 1]" "no source: the run itself is unaffected"

# RAPL present but energy_uj unreadable (a directory; and mode 0400 for a user).
export PUMA_SYSROOT="$TMP/sys3"
rapl_tree "$PUMA_SYSROOT" 1
rm "$PUMA_SYSROOT/sys/class/powercap/intel-rapl:0/energy_uj"
mkdir "$PUMA_SYSROOT/sys/class/powercap/intel-rapl:0/energy_uj"
records 1 0 | infer --summary "$TMP/u.json" --gpu-energy off >/dev/null
is "$(py "$TMP/u.json" '[src("rapl")["status"], src("rapl")["reason"], e["kwh"], e["co2_kg"]]')" \
	'["unavailable", "cannot read /sys/class/powercap/intel-rapl:0/energy_uj: Is a directory", null, null]' \
	"unreadable energy_uj: unavailable with the file and the error; CO2 null"
export PUMA_SYSROOT="$TMP/sys4"
rapl_tree "$PUMA_SYSROOT" 1
chmod 0400 "$PUMA_SYSROOT/sys/class/powercap/intel-rapl:0/energy_uj"
if [ "$(id -u)" != 0 ]; then
	records 1 0 | infer --summary "$TMP/p.json" --gpu-energy off >/dev/null
	is "$(py "$TMP/p.json" '[src("rapl")["reason"].startswith("needs root: /sys/class/powercap/intel-rapl:0/energy_uj is readable by root only"), e["co2_kg"]]')" \
		'[true, null]' \
		"energy_uj readable by root only: says it needs root"
elif [ -x /usr/bin/setpriv ]; then
	mkdir -m 777 "$TMP/nobody"
	chmod 755 "$TMP"
	records 1 0 | PATH="$BIN:$FB" /usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups \
		puma-infer -m m -u "$URL" --no-cache -q --summary "$TMP/nobody/p.json" --gpu-energy off >/dev/null
	is "$(py "$TMP/nobody/p.json" '[src("rapl")["reason"].startswith("needs root: /sys/class/powercap/intel-rapl:0/energy_uj is readable by root only"), e["co2_kg"]]')" \
		'[true, null]' \
		"energy_uj readable by root only (run as nobody): says it needs root"
else
	skip "root without setpriv: permission test"
fi

# ---- --estimate: labelled, only where the CPU is not measured ----
export PUMA_SYSROOT="$TMP/nothing"
records 1 100 | infer --summary "$TMP/t.json" --gpu-energy off --estimate=40 --energy-interval 0.05 >/dev/null
is "$(py "$TMP/t.json" '[src("tdp-estimate")["status"], e["estimated"], src("tdp-estimate")["joules"] == 20 * e["duration_s"], e["kwh"] > 0]')" \
	'["estimated", true, true, true]' "--estimate=40: half of 40 W over the window, marked as an estimate"

# ---- the summary through puma-parse and puma-metrics ----
mv "$TMP/nvidia-smi.aside" "$FB/nvidia-smi"
export PUMA_SYSROOT="$TMP/sys1"
rapl_tree "$PUMA_SYSROOT" 900000000
printf '%s\n' $SEQ >"$TMP/seq"
rm -f "$TMP/seqn"
# Four records with one prompt, so one answer, and each gold label once:
# exactly one is right, and F1 is above 0.
for g in Critical Major Minor Trivial; do
	printf '{"id":"%s","scenario":"triage_jira","title":"FAULT:delay-250","description":"d","gold":"%s"}\n' "$g" "$g"
done >"$TMP/in4.jsonl"
infer --summary "$TMP/m.json" --energy-interval 0.05 --gpu-energy nvidia-smi <"$TMP/in4.jsonl" | puma-parse |
	puma-metrics --summary "$TMP/m.json" >"$TMP/metrics" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "0:" "puma-infer | puma-parse | puma-metrics --summary: runs cleanly"
"$PYTHON" - "$TMP/metrics" "$TMP/m.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); e = json.load(open(sys.argv[2]))["energy"]
f1 = m["f1_macro"]
want = [e["kwh"], e["co2_kg"], e["duration_s"],
        e["kwh"] * 1000.0 / (100.0 * f1) if f1 else None, e["co2_kg"] * 1000.0 / (100.0 * f1) if f1 else None]
got = [m["kwh"], m["co2_kg"], m["duration_s"], m["wh_per_f1_point"], m["gco2_per_f1_point"]]
sys.exit(0 if got == want and m["kwh"] > 0 and f1 > 0 else 1)
PY
ok $? "puma-metrics carries the run's kWh, CO2 and duration, and Wh and g CO2 per F1 point"
done_testing
