#!/usr/bin/env bash
# puma-detect on fake Macs: uname, sysctl, vm_stat and system_profiler are
# scripts first on PATH, the macOS version a plist under PUMA_SYSROOT.
# All ten Apple chips at their minimum unified memory and just under it,
# an unknown chip, an Intel Mac, Rosetta, and probes that fail on a Mac.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/detect-lib.sh"
need_python json

GIB=1073741824

# mac NAME BRAND BYTES [ARCH]: a Mac with this chip and memory.
mac() {
	machine "$1"
	mkdir -p "$R/System/Library/CoreServices"
	cp "$FIX/SystemVersion.plist" "$R/System/Library/CoreServices/"
	fake uname "echo 'Darwin 23.4.0 ${4:-arm64}'"
	fake sysctl "case \"\$2\" in
machdep.cpu.brand_string) echo '$2' ;;
hw.memsize) echo $3 ;;
hw.physicalcpu) echo 12 ;;
hw.logicalcpu) echo 12 ;;
*) echo \"sysctl: unknown oid '\$2'\" >&2; exit 1 ;;
esac"
	fake vm_stat "/bin/cat '$FIX/vm_stat.txt'"
	fake system_profiler "/bin/cat '$FIX/system_profiler-apple.json'"
}

# Each chip, its profile and minimum (GiB), read from the file so the test
# covers every Apple entry there is.
"$PYTHON" - "$ROOT/config/profiles.json" >"$TMP/chips" <<'PY'
import json, sys
for p in json.load(open(sys.argv[1]))["profiles"]:
    if p["family"] == "apple":
        r = p["requirements"]
        print("%s|%s|%d" % (r["chip_brand_match"], p["name"], r["min_unified_memory_gb"]))
PY
is "$(cut -d'|' -f1 "$TMP/chips" | tr '\n' ',')" \
	"Apple M3,Apple M3 Pro,Apple M3 Max,Apple M4,Apple M4 Pro,Apple M4 Max,Apple M5,Apple M5 Pro,Apple M5 Max,Apple M5 Ultra," \
	"profiles.json holds the ten Apple chips of PUMA"

while IFS='|' read -r brand name min; do
	mac chip "$brand" $((min * GIB))
	detect
	is "$st $(q '[d["profile"], d["empirical_validation"], d["profile_selected_by"], d["apple"]]')" \
		"0 [\"$name\", \"pending\", \"apple\", {\"chip\": \"$brand\", \"unified_memory_bytes\": $((min * GIB)), \"unified_memory_gib\": $min.0, \"profile\": \"$name\"}]" \
		"$brand with $min GiB: $name, pending; chip and memory reported"
	# One MiB under the minimum: the general rules choose, as PUMA's
	# whole-GiB comparison (memsize // 2**30 >= minimum) would.  The RAM
	# figure rounds back to the minimum, so 16 GiB and up is cpu-standard.
	mac chip "$brand" $((min * GIB - 1048576))
	detect
	want=cpu-lite
	[ "$min" -ge 16 ] && want=cpu-standard
	is "$st $(q '[d["profile"], d["apple"]["profile"], [p["message"] for p in d["problems"] if "minimum" in p["message"]]]')" \
		"0 [\"$want\", \"$name\", [\"$brand with $((min - 1)).9990234375 GiB of unified memory is below the $min GiB minimum of $name; using the general rules\"]]" \
		"$brand 1 MiB under $min GiB: falls through to $want, and a warning says why"
done <"$TMP/chips"

mac m3pro "Apple M3 Pro" $((18 * GIB))
detect
is "$(q 'd["os"]')" '{"name": "Darwin", "release": "23.4.0", "version": "macOS 14.4.1", "arch": "arm64"}' "macOS version from SystemVersion.plist"
is "$(q 'd["cpu"]')" '{"model": "Apple M3 Pro", "cores": 12, "threads": 12}' "CPU from sysctl"
is "$(q 'd["ram"]')" \
	"{\"total_bytes\": $((18 * GIB)), \"total_gib\": 18.0, \"available_bytes\": 5767168000, \"available_gib\": 5.37, \"source\": \"sysctl hw.memsize\"}" \
	"RAM from hw.memsize, available from vm_stat (free + inactive pages)"
is "$(q 'd["gpus"]')" \
	'[{"vendor": "apple", "name": "Apple M3 Pro", "vram_bytes": null, "vram_gib": null, "driver": null, "unified_memory": true, "counts_for_profile": false, "source": "system_profiler"}]' \
	"the Apple GPU from system_profiler: unified memory, never a GPU profile"
is "$(q '[(p["name"], p["status"]) for p in d["probes"]]')" \
	'[["uname", "ok"], ["sysctl", "ok"], ["sysctl", "ok"], ["sysctl", "ok"], ["sysctl", "ok"], ["vm_stat", "ok"], ["nvidia-smi", "not found"], ["rocm-smi", "not found"], ["system_profiler", "ok"]]' \
	"which probes ran on a Mac, in order"
is "$(q '[p["command"] for p in d["probes"] if p["name"] == "sysctl"][:2]')" \
	'["sysctl -n machdep.cpu.brand_string", "sysctl -n hw.memsize"]' "the chip and memory come from sysctl -n"
is "$(q '[p for p in d["problems"] if "disk" not in p["message"]]')" "[]" "a known chip at its minimum: no problems (free disk aside)"

# A minimum not confirmed from Apple's specifications is said to be so.
mac m5pro "Apple M5 Pro" $((48 * GIB))
detect
is "$(q 'd["profile"]')" "apple-silicon-m5-pro" "M5 Pro with 48 GiB"
grep -q '"severity":"note","message":"the 24 GiB minimum of apple-silicon-m5-pro is provisional' "$OUT"
ok $? "...and its provisional minimum is a note"

# --- chips not in the file fall through to the general rules -----------
for brand in "Apple M6" "Apple M1" "Apple M4 Extreme"; do
	mac unknown "$brand" $((32 * GIB))
	detect
	is "$st $(q 'd["profile"]') $(q 'd["apple"]["chip"]') $(q 'd["apple"]["profile"]')" "0 cpu-standard $brand null" \
		"unknown chip '$brand': general rules, and says which chip"
	grep -q "\"message\":\"the $brand chip has no profile in profiles.json; using the general rules" "$OUT"
	ok $? "'$brand': a warning says it fell through"
done
mac small "Apple M6" $((4 * GIB))
detect
is "$st $(q 'd["profile"]')" "1 null" "an unknown chip with 4 GiB: insufficient hardware"

# --- Intel Macs and Rosetta ------------------------------------------------
mac intel "Intel(R) Core(TM) i9-9880H CPU @ 2.30GHz" $((16 * GIB)) x86_64
fake system_profiler "/bin/cat '$FIX/system_profiler-intel.json'"
detect
is "$(q 'd["apple"]') $(q 'd["profile"]')" "null cpu-standard" "an Intel Mac is not Apple Silicon"
is "$(q '[(g["vendor"], g["name"], g["vram_gib"], g["unified_memory"], g["counts_for_profile"]) for g in d["gpus"]]')" \
	'[["intel", "Intel UHD Graphics 630", null, true, false], ["amd", "AMD Radeon Pro 5500M", 8.0, false, false]]' \
	"Intel Mac GPUs are listed, shared and dedicated VRAM told apart, none counts"

mac rosetta "Apple M2" $((16 * GIB)) x86_64
detect
is "$(q 'd["apple"]["chip"]')" "Apple M2" "an Apple chip under Rosetta is still Apple Silicon"
grep -q "running under Rosetta translation" "$OUT"
ok $? "...and Rosetta is a warning"

# --- probes that fail on a Mac ------------------------------------------------
mac broken "Apple M4" $((16 * GIB))
fake sysctl 'case "$2" in machdep.cpu.brand_string) echo "Apple M4" ;; hw.memsize) echo "sixteen gigs" ;; *) echo 8 ;; esac'
detect
is "$st $(q 'd["ram"]["total_bytes"]') $(q 'd["profile"]')" "1 null null" "garbage hw.memsize: RAM unknown, no profile, exit 1"
is "$(q '[(p["status"], p["detail"]) for p in d["probes"] if p["command"] == "sysctl -n hw.memsize"]')" \
	'[["garbage", "not a number: sixteen gigs"]]' "...the probe is marked garbage"
grep -q "unified memory unknown: cannot check the 16 GiB minimum of apple-silicon-m4" "$OUT"
ok $? "...and the Apple step says why it could not decide"

mac hang "Apple M4" $((16 * GIB))
fake system_profiler 'exec /bin/sleep 30.75'
fake vm_stat 'echo "Mach Virtual Memory Statistics: (page size of lots)"'
detect --timeout 0.4
is "$st $(q 'd["profile"]')" "0 apple-silicon-m4" "a hanging system_profiler does not stop the Apple map"
is "$(q '[p["status"] for p in d["probes"] if p["name"] in ("system_profiler", "vm_stat")]')" '["garbage", "timed out"]' \
	"vm_stat garbage and system_profiler timeout are both logged"
is "$(q 'd["ram"]["available_bytes"]')" "null" "available RAM unknown without vm_stat"
rm "$R/System/Library/CoreServices/SystemVersion.plist"
detect
is "$(q 'd["os"]["version"]')" "null" "no SystemVersion.plist: macOS version unknown"

# --profile for an Apple chip on a machine that is not one.
linux_box $((32 * GIB_KB))
detect --profile apple-silicon-m4-pro
is "$st $(q 'd["profile"]')" "0 apple-silicon-m4-pro" "--profile can name an Apple profile anywhere"
grep -q "apple-silicon-m4-pro is for the Apple M4 Pro chip; this machine has no Apple chip" "$OUT"
ok $? "...with a warning that the chip differs"

done_testing
