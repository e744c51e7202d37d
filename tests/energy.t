#!/usr/bin/env bash
# The energy meter (src/lib/energy.c) through tests/helpers/energymeter:
# fake RAPL trees under $PUMA_SYSROOT, a fake nvidia-smi and powermetrics on
# PATH, a fake libnvidia-ml.so.1; energies checked against sums computed
# here in Python from the same traces.
. "$(dirname "$0")/lib.sh"
need_python json
EM="$BUILD/helpers/energymeter"
[ -x "$EM" ] || skip_all "$EM not built"

# jq-like checks: py FILE EXPR prints EXPR evaluated with s = the summary
# and src(kind, device) = the first source entry of that kind and device.
py() {
	"$PYTHON" - "$1" "$2" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
def src(kind, device=None):
    for x in s["sources"]:
        if x["source"] == kind and (device is None or x.get("device") == device):
            return x
    return None
v = eval(sys.argv[2])
print(json.dumps(v) if not isinstance(v, str) else v)
PY
}
# close A B: |A - B| <= 1e-9 * max(|B|, 1e-300), for computed doubles.
close() {
	"$PYTHON" -c 'import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if abs(a - b) <= 1e-9 * max(abs(b), 1e-300) else 1)' "$1" "$2"
}

# The meter runs with a PATH of only the fakes, so no real nvidia-smi or
# powermetrics is seen; emu runs it as a user that is not root.
BINDIR="$TMP/bin"
mkdir -p "$BINDIR"
em() { PATH="$BINDIR" "$EM" "$@"; }
asuser=""
if [ "$(id -u)" = 0 ] && [ -x /usr/bin/setpriv ]; then
	asuser="/usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups"
	chmod 755 "$TMP"
fi
emu() { PATH="$BINDIR" $asuser "$EM" "$@"; }
export PUMA_SYSROOT="$TMP/empty"
mkdir -p "$PUMA_SYSROOT"
# No real NVML either, unless the host has one (then the no-GPU checks skip).
REAL_NVML=0
/sbin/ldconfig -p 2>/dev/null | grep -q 'libnvidia-ml.so.1 ' && REAL_NVML=1

# ---- fakes ----

# nvidia-smi: "index,name" lists $BINDIR/smi-gpus; each power.draw run prints
# the next row of $BINDIR/smi-trace (one value per GPU; the last row repeats).
cat >"$BINDIR/nvidia-smi" <<'SH'
#!/bin/sh
PATH=/usr/bin:/bin
d=$(dirname "$0")
case "$*" in
*index,name*) cat "$d/smi-gpus"; exit 0 ;;
*power.draw*)
	[ -f "$d/smi-fail" ] && { echo "No devices were found"; exit 6; }
	n=$(cat "$d/smi-count" 2>/dev/null || echo 0)
	echo $((n + 1)) >"$d/smi-count"
	row=$(sed -n "$((n + 1))p" "$d/smi-trace")
	[ -n "$row" ] || row=$(tail -n 1 "$d/smi-trace")
	for w in $row; do echo "$w"; done
	exit 0 ;;
esac
exit 2
SH
chmod +x "$BINDIR/nvidia-smi"
smi_setup() {	# GPUS-LINES TRACE-ROWS
	printf '%s\n' "$1" >"$BINDIR/smi-gpus"
	printf '%s\n' "$2" >"$BINDIR/smi-trace"
	rm -f "$BINDIR/smi-count" "$BINDIR/smi-fail"
}

# A RAPL tree: rapl_domain N NAME VALUE [MAX [LIMIT_UW]]
rapl_domain() {
	local d="$ROOT_SYS/sys/class/powercap/intel-rapl:$1"
	mkdir -p "$d"
	echo "$2" >"$d/name"
	echo "$3" >"$d/energy_uj"
	echo "${4:-262143328850}" >"$d/max_energy_range_uj"
	[ -n "${5:-}" ] && { echo long_term >"$d/constraint_0_name"; echo "$5" >"$d/constraint_0_power_limit_uw"; }
	return 0
}

# ---- RAPL, manual time: a counter that wraps mid-run ----
ROOT_SYS="$TMP/rapl1"
MAX0=262143328850
rapl_domain 0 package-0 262000000000 $MAX0
rapl_domain 1 package-1 5000000 $MAX0
rapl_domain 0:0 core 1 $MAX0		# sub-domain: not a package
rapl_domain 2 psys 1 $MAX0		# platform: not a package
mkdir -p "$ROOT_SYS/sys/class/powercap/intel-rapl-mmio:0"	# MMIO copy of package-0: ignored
echo package-0 >"$ROOT_SYS/sys/class/powercap/intel-rapl-mmio:0/name"
# Package 0 passes max_energy_range_uj between ticks 2 and 3 and again
# between 5 and 6; package 1 climbs steadily.
P0="262000000000 262080000000 262140000000 50000000000 120000000000 262100000000 1000000000"
P1="5000000 45000000 85000000 125000000 165000000 205000000 245000000"
printf '%s\n' $P0 >"$TMP/p0"
printf '%s\n' $P1 >"$TMP/p1"
cat >"$TMP/tick.sh" <<SH
#!/bin/sh
PATH=/usr/bin:/bin
n=\$(cat "$TMP/tickn" 2>/dev/null || echo 1)
sed -n "\$((n + 1))p" "$TMP/p0" >"$ROOT_SYS/sys/class/powercap/intel-rapl:0/energy_uj"
sed -n "\$((n + 1))p" "$TMP/p1" >"$ROOT_SYS/sys/class/powercap/intel-rapl:1/energy_uj"
echo \$((n + 1)) >"$TMP/tickn"
SH
rm -f "$TMP/tickn"
PUMA_SYSROOT="$ROOT_SYS" em --gpu-energy off --ticks 6 --tick-cmd "/bin/sh $TMP/tick.sh" \
	--energy-interval 0.5 >"$TMP/out" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "0:" "RAPL, manual ticks: runs cleanly"
want=$("$PYTHON" - "$MAX0" $P0 -- $P1 <<'PY'
import sys
mx = int(sys.argv[1]); rest = sys.argv[2:]; i = rest.index("--")
def total(vals):
    s = wraps = 0
    for a, b in zip(vals, vals[1:]):
        if b >= a: s += b - a
        else: s += mx - a + b; wraps += 1
    return s, wraps
(s0, w0), (s1, w1) = total([int(v) for v in rest[:i]]), total([int(v) for v in rest[i + 1:]])
print(s0 / 1e6 / 3.6e6, w0, s1 / 1e6 / 3.6e6, w1, (s0 / 1e6 + s1 / 1e6) / 3.6e6)
PY
)
set -- $want
is "$(py "$TMP/out" 'src("rapl","package-0")["kwh"]')" "$1" "RAPL package-0: kWh across two wraps equals the Python sum"
is "$(py "$TMP/out" 'src("rapl","package-0")["wraps"]')" "$2" "RAPL package-0: both wraps counted"
is "$(py "$TMP/out" 'src("rapl","package-1")["kwh"]')" "$3" "RAPL package-1: kWh equals the Python sum"
close "$(py "$TMP/out" 's["kwh"]')" "$5"
ok $? "total kWh is the sum of the packages"
is "$(py "$TMP/out" '[x.get("device") for x in s["sources"] if x["source"] == "rapl"]')" '["package-0", "package-1"]' \
	"only package domains: not core, psys or intel-rapl-mmio"
is "$(py "$TMP/out" 's["duration_s"]')" "3.0" "manual time: duration is ticks x interval"
close "$(py "$TMP/out" 's["co2_kg"]')" "$("$PYTHON" -c "print($5 * 475 / 1000)")"
ok $? "CO2 at the world average 475 g/kWh"
is "$(py "$TMP/out" 'src("rapl","package-0")["method"]')" \
	"RAPL package energy counter /sys/class/powercap/intel-rapl:0/energy_uj, read every 0.5 s; wraps at max_energy_range_uj" \
	"the method says where the number comes from"

# ---- RAPL, real time: the sampling thread follows a counter a script rewrites ----
ROOT_SYS="$TMP/rapl2"
MAX=1000000000
rapl_domain 0 package-0 900000000 $MAX
SEQ="900000000 950000000 50000000 300000000 600000000 900000000 100000000 400000000 700000000"
cat >"$TMP/writer.sh" <<SH
#!/bin/sh
PATH=/usr/bin:/bin
f="$ROOT_SYS/sys/class/powercap/intel-rapl:0/energy_uj"
for v in $SEQ; do
	echo \$v >"\$f.new" && mv "\$f.new" "\$f"
	sleep 0.3
done
SH
PUMA_SYSROOT="$ROOT_SYS" em --gpu-energy off --energy-interval 0.05 -- /bin/sh "$TMP/writer.sh" >"$TMP/out" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "0:" "RAPL, real time: runs cleanly"
want=$("$PYTHON" -c '
import sys
mx = int(sys.argv[1]); v = [int(x) for x in sys.argv[2:]]
print(sum(b - a if b >= a else mx - a + b for a, b in zip(v, v[1:])) / 1e6 / 3.6e6)' $MAX $SEQ)
is "$(py "$TMP/out" 'src("rapl","package-0")["kwh"]')" "$want" "thread sampling: the kWh of a counter wrapping twice mid-run"
is "$(py "$TMP/out" 'src("rapl","package-0")["wraps"]')" "2" "thread sampling: both wraps seen"

# ---- RAPL unreadable, no powercap ----
ROOT_SYS="$TMP/rapl3"
rapl_domain 0 package-0 1000 $MAX 65000000
rm "$ROOT_SYS/sys/class/powercap/intel-rapl:0/energy_uj"
mkdir "$ROOT_SYS/sys/class/powercap/intel-rapl:0/energy_uj"	# unreadable even for root
PUMA_SYSROOT="$ROOT_SYS" em --gpu-energy off --sleep 0 >"$TMP/out"
is "$(py "$TMP/out" 'src("rapl")["status"]')" "unavailable" "RAPL: an unreadable energy_uj is unavailable"
is "$(py "$TMP/out" 'src("rapl")["reason"]')" \
	"cannot read /sys/class/powercap/intel-rapl:0/energy_uj: Is a directory" "RAPL: the reason names the file and the error"
is "$(py "$TMP/out" '[s["kwh"], s["co2_kg"]]')" "[null, null]" "nothing measured: kWh and CO2 are null, not zero"
is "$(py "$TMP/out" 's["reason"]')" 'no energy source could be read (see "sources" for why)' "nothing measured: the summary says why"

# Permission denied, as a user that is not root (setpriv from root; as a
# user, chmod is enough).
ROOT_SYS="$TMP/rapl4"
rapl_domain 0 package-0 1000 $MAX 65000000
chmod 0400 "$ROOT_SYS/sys/class/powercap/intel-rapl:0/energy_uj"
if [ "$(id -u)" != 0 ] || [ -n "$asuser" ]; then
	PUMA_SYSROOT="$ROOT_SYS" emu --gpu-energy off --sleep 0 >"$TMP/out"
	is "$(py "$TMP/out" 'src("rapl")["reason"]')" \
		"needs root: /sys/class/powercap/intel-rapl:0/energy_uj is readable by root only (Linux 5.10 and later); run as root or make it readable (see docs/sustainability.md)" \
		"RAPL: permission denied says it needs root and how to fix it"
	# --estimate falls back to half the long-term power limit, labelled.
	PUMA_SYSROOT="$ROOT_SYS" emu --gpu-energy off --estimate --ticks 4 --energy-interval 0.5 >"$TMP/out"
	is "$(py "$TMP/out" '[src("tdp-estimate")["status"], src("tdp-estimate")["joules"], s["estimated"], s["kwh"]]')" \
		"[\"estimated\", 65.0, true, $("$PYTHON" -c 'print(65.0 / 3.6e6)')]" \
		"--estimate: half of the 65 W power limit over 2 s, marked as an estimate"
	is "$(py "$TMP/out" 'src("tdp-estimate")["method"]')" \
		"estimate, not a measurement: half the TDP (65.0 W, RAPL long-term power limit of package-0) times the wall time, as CodeCarbon's constant mode" \
		"--estimate: the method says it is not a measurement"
else
	skip "not root and no setpriv: permission test"
	skip "not root and no setpriv: estimate test"
	skip "not root and no setpriv: estimate method"
fi

em --gpu-energy off --sleep 0 >"$TMP/out"
is "$(py "$TMP/out" 'src("rapl")["reason"]')" \
	"no RAPL package domain under /sys/class/powercap (not an Intel or AMD CPU with RAPL, the powercap driver is not loaded, or a virtual machine)" \
	"no powercap: RAPL unavailable with the reason"
em --gpu-energy off --estimate --sleep 0 >"$TMP/out"
is "$(py "$TMP/out" '[src("tdp-estimate")["status"], src("tdp-estimate")["reason"], s["kwh"]]')" \
	'["unavailable", "no TDP known: give it as --estimate=WATTS", null]' "--estimate without any TDP: unavailable, still null"
PUMA_SYSROOT="$TMP/rapl1" em --gpu-energy off --estimate=100 --sleep 0 >"$TMP/out"
is "$(py "$TMP/out" '[src("tdp-estimate")["status"], s["estimated"]]')" '["skipped", false]' \
	"--estimate is not used when RAPL measures the CPU"

# ---- no GPU ----
if [ $REAL_NVML = 0 ]; then
	rm -f "$BINDIR/smi-gpus"
	mv "$BINDIR/nvidia-smi" "$BINDIR/nvidia-smi.off"
	em --sleep 0 >"$TMP/out"
	is "$(py "$TMP/out" '[(x["source"], x["status"], x["kwh"]) for x in s["sources"] if x["source"] in ("nvml", "nvidia-smi")]')" \
		'[["nvml", "unavailable", null], ["nvidia-smi", "unavailable", null]]' "no GPU: NVML and nvidia-smi unavailable"
	is "$(py "$TMP/out" 'src("nvml")["reason"].startswith("libnvidia-ml.so.1 cannot be loaded (")')" "true" \
		"no GPU: NVML's reason is the loader's"
	is "$(py "$TMP/out" 'src("nvidia-smi")["reason"]')" "nvidia-smi not found on PATH" "no GPU: nvidia-smi's reason"
	is "$(py "$TMP/out" '[s["kwh"], s["co2_kg"]]')" "[null, null]" "no source at all: CO2 is null, not zero"
	mv "$BINDIR/nvidia-smi.off" "$BINDIR/nvidia-smi"
else
	for i in 1 2 3 4; do skip "a real libnvidia-ml.so.1 is installed here"; done
fi

# ---- nvidia-smi, manual time: a known power trace on two GPUs ----
TRACE="100 50
180 50
250 [N/A]
240 60
120 60"
smi_setup "0, Fake H100
1, Fake L4" "$TRACE"
em --gpu-energy nvidia-smi --ticks 4 --energy-interval 2 >"$TMP/out" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "0:" "nvidia-smi trace: runs cleanly"
want=$(printf '%s\n' "$TRACE" | "$PYTHON" -c '
import sys
w = [float(l.split()[0]) for l in sys.stdin]
j = sum((a + b) / 2 * 2.0 for a, b in zip(w, w[1:]))
print(j, j / 3.6e6, j / 8.0)')
set -- $want
is "$(py "$TMP/out" 'src("nvidia-smi","gpu0")["joules"]')" "$1" "nvidia-smi: trapezoid energy of the trace (J)"
is "$(py "$TMP/out" 'src("nvidia-smi","gpu0")["kwh"]')" "$2" "nvidia-smi: the same in kWh"
is "$(py "$TMP/out" '[src("nvidia-smi","gpu0")["mean_w"], src("nvidia-smi","gpu0")["samples"], src("nvidia-smi","gpu0")["name"]]')" \
	"[$3, 5, \"Fake H100\"]" "nvidia-smi: mean power, samples and GPU name"
gpu1=$(printf '%s\n' "$TRACE" | "$PYTHON" -c '
import sys
pts = [(2.0 * i, float(l.split()[1])) for i, l in enumerate(sys.stdin) if l.split()[1] != "[N/A]"]
print(sum((a[1] + b[1]) / 2 * (b[0] - a[0]) for a, b in zip(pts, pts[1:])))')
is "$(py "$TMP/out" '[src("nvidia-smi","gpu1")["joules"], src("nvidia-smi","gpu1")["failed_readings"], src("nvidia-smi","gpu1")["first_failure"]]')" \
	"[$gpu1, 1, \"nvidia-smi reports power.draw as '[N/A]'\"]" \
	"nvidia-smi: an [N/A] reading is skipped, counted and named; the gap is bridged"
is "$(py "$TMP/out" 's["kwh"] == (src("nvidia-smi","gpu0")["joules"] + src("nvidia-smi","gpu1")["joules"]) / 3.6e6')" "true" \
	"nvidia-smi: total is the sum of the GPUs"

# A GPU that never reads: unavailable, and nothing counted for it.
smi_setup "0, Fake T4" "[N/A]"
em --gpu-energy nvidia-smi --ticks 2 >"$TMP/out"
is "$(py "$TMP/out" '[src("nvidia-smi")["status"], src("nvidia-smi")["reason"], s["kwh"]]')" \
	"[\"unavailable\", \"nvidia-smi reports power.draw as '[N/A]'\", null]" "nvidia-smi: power.draw never readable: unavailable"
smi_setup "0, Fake T4" "70"
touch "$BINDIR/smi-fail"
em --gpu-energy nvidia-smi --ticks 2 >"$TMP/out"
is "$(py "$TMP/out" 'src("nvidia-smi")["reason"]')" "nvidia-smi failed (exit 6): No devices were found" \
	"nvidia-smi failing: its exit status and message"

# ---- nvidia-smi, real time: the thread samples at the interval, stops promptly ----
smi_setup "0, Fake A100" "250"
em --gpu-energy nvidia-smi --energy-interval 0.1 --sleep 1 >"$TMP/out"
n=$(py "$TMP/out" 'src("nvidia-smi")["samples"]')
[ "$n" -ge 4 ] && [ "$n" -le 13 ]
ok $? "thread: about one sample per 0.1 s over 1 s, no more ($n)"
close "$(py "$TMP/out" 'src("nvidia-smi")["joules"]')" "$(py "$TMP/out" '250 * src("nvidia-smi")["covered_s"]')"
ok $? "thread: constant 250 W integrates to 250 W x the time covered"
py "$TMP/out" 'src("nvidia-smi")["covered_s"] <= s["duration_s"] and src("nvidia-smi")["covered_s"] > 0.9' | grep -qx true
ok $? "thread: the samples cover the run"
t0=$(date +%s%N)
em --gpu-energy nvidia-smi --energy-interval 30 --sleep 0.2 >"$TMP/out"
t1=$(date +%s%N)
[ $(((t1 - t0) / 1000000)) -lt 3000 ]
ok $? "stop wakes the thread at once with a 30 s interval ($(((t1 - t0) / 1000000)) ms)"
is "$(py "$TMP/out" 'src("nvidia-smi")["samples"]')" "2" "a run shorter than the interval: the start and stop readings"

# ---- NVML through a fake libnvidia-ml.so.1 ----
CC_=${CC:-cc}
if $CC_ -shared -fPIC -o "$TMP/libnvidia-ml.so.1" "$ROOT/tests/fixtures/energy/fake_nvml.c" 2>"$TMP/cc.err"; then
	export LD_LIBRARY_PATH="$TMP"
	FAKE_NVML_GPUS=2 FAKE_NVML_MJ='1000,1000,61000;5,5,30005' em --ticks 3 >"$TMP/out"
	is "$(py "$TMP/out" '[(x["device"], x["name"], x["joules"]) for x in s["sources"] if x["source"] == "nvml"]')" \
		'[["gpu0", "Fake GPU 0", 60.0], ["gpu1", "Fake GPU 1", 30.0]]' "NVML: energy is the counter's difference, per GPU"
	is "$(py "$TMP/out" '[s["kwh"], src("nvidia-smi")]')" "[$("$PYTHON" -c 'print(90 / 3.6e6)'), null]" \
		"NVML: counted; nvidia-smi not used when NVML works"
	# Counter not supported (pre-Volta): auto falls back to nvidia-smi, and says so.
	smi_setup "0, Fake P100" "100
200
300"
	FAKE_NVML_MJ=unsupported em --ticks 2 >"$TMP/out"
	is "$(py "$TMP/out" '[src("nvml")["status"], src("nvml")["reason"], src("nvidia-smi")["status"], src("nvidia-smi")["joules"]]')" \
		'["unavailable", "GPU 0: nvmlDeviceGetTotalEnergyConsumption: Not Supported", "measured", 400.0]' \
		"NVML not supported: unavailable with NVML's error, nvidia-smi measures instead"
	FAKE_NVML_INIT=fail em --gpu-energy nvml --ticks 1 >"$TMP/out"
	is "$(py "$TMP/out" '[src("nvml")["reason"], src("nvidia-smi"), s["kwh"]]')" \
		'["nvmlInit: Driver Not Loaded", null, null]' "--gpu-energy nvml: no fallback; the reason is NVML's"
	# both: nvidia-smi beside NVML as a cross-check, not added to the total.
	smi_setup "0, Fake GPU 0" "30"
	FAKE_NVML_MJ='0,0,60000' em --gpu-energy both --ticks 2 >"$TMP/out"
	is "$(py "$TMP/out" '[src("nvml")["counted"], src("nvidia-smi")["counted"], src("nvidia-smi")["joules"], s["kwh"] * 3.6e6]')" \
		'[true, false, 60.0, 60.0]' "--gpu-energy both: nvidia-smi shown, NVML counted"
	unset LD_LIBRARY_PATH
else
	for i in 1 2 3 4 5; do skip "no C compiler for the fake NVML ($(head -n 1 "$TMP/cc.err"))"; done
fi

# ---- Apple powermetrics ----
cat >"$BINDIR/powermetrics" <<'SH'
#!/bin/sh
PATH=/usr/bin:/bin
d=$(dirname "$0")
n=$(cat "$d/pm-count" 2>/dev/null || echo 0)
echo $((n + 1)) >"$d/pm-count"
mw=$(sed -n "$((n + 1))p" "$d/pm-trace")
[ -n "$mw" ] || mw=$(tail -n 1 "$d/pm-trace")
printf '*** Sampled system activity (200.1ms elapsed) ***\n\nCPU Power: %s mW\nGPU Power: 0 mW\nANE Power: 0 mW\nCombined Power (CPU + GPU + ANE): %s mW\n' "$mw" "$mw"
SH
chmod +x "$BINDIR/powermetrics"
printf '%s\n' 9000 9000 3000 5000 >"$BINDIR/pm-trace"	# the first run is the probe
rm -f "$BINDIR/pm-count"
if [ "$(id -u)" = 0 ]; then
	em --gpu-energy off --ticks 2 --energy-interval 1 >"$TMP/out"
	is "$(py "$TMP/out" '[src("powermetrics")["status"], src("powermetrics")["joules"], src("powermetrics")["samples"]]')" \
		'["measured", 10.0, 3]' "powermetrics (as root): Combined Power integrated over the samples"
	is "$(py "$TMP/out" 'src("powermetrics")["method"]')" \
		"powermetrics Combined Power (CPU + GPU + ANE) averaged over 200 ms every 1.0 s, integrated over time (trapezoids)" \
		"powermetrics: the method names the line used"
else
	skip "not root: powermetrics runs through sudo here"
	skip "not root: powermetrics runs through sudo here"
fi
printf '#!/bin/sh\necho "sudo: a password is required" >&2\nexit 1\n' >"$BINDIR/sudo"
chmod +x "$BINDIR/sudo"
if [ "$(id -u)" != 0 ] || [ -n "$asuser" ]; then
	emu --gpu-energy off --sleep 0 >"$TMP/out"
	is "$(py "$TMP/out" '[src("powermetrics")["status"], src("powermetrics")["reason"]]')" \
		"[\"unavailable\", \"powermetrics needs root and 'sudo -n' asks for a password: run as root or allow it without one in sudoers (see docs/sustainability.md)\"]" \
		"powermetrics when sudo wants a password: unavailable, with how to fix it"
else
	skip "root without setpriv: sudo test"
fi
rm -f "$BINDIR/powermetrics" "$BINDIR/sudo"

# The whole summary is valid JSON on one line.
em --gpu-energy off --sleep 0 >"$TMP/out"
is "$(wc -l <"$TMP/out" | tr -d ' ')" "1" "one line of JSON"
em --gpu-energy off --sleep 0 >/dev/full 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:energymeter: write error: No space left on device" "a full disk is a write error"
done_testing
