#!/usr/bin/env bash
# puma-detect on fake Linux machines: a system root (PUMA_SYSROOT) and
# fake probe programs as the whole PATH.  Every profile boundary of PUMA
# (RAM 7.9/8/15.9/16 GB, VRAM 5.9/6/11.9/12/23.9/24 GB), two GPUs, probes
# that hang, fail or print garbage, a missing /proc/meminfo, the options.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/detect-lib.sh"
need_python json

# --- RAM boundaries, no GPU -------------------------------------------
for case in "7.9:null:1" "8:cpu-lite:0" "15.9:cpu-lite:0" "16:cpu-standard:0" \
	"7.994:null:1" "7.996:cpu-lite:0" "15.996:cpu-standard:0"; do
	IFS=: read -r gib want wst <<<"$case"
	linux_box "$(kb "$gib")"
	detect
	is "$st $(q 'd["profile"]')" "$wst $want" "RAM $gib GiB, no GPU: ${want/null/insufficient hardware}"
done
# 7.996 and 15.996 show PUMA's rule: GiB rounded to two decimals, then compared.
linux_box "$(kb 7.9)"
detect
is "$(q 'd["ram"]["total_gib"]')" "7.9" "7.9 GiB is printed as the figure compared"
grep -q "insufficient hardware: 7.9 GiB of RAM, PUMA needs at least 8 GiB" "$ERR"
ok $? "insufficient hardware is said on stderr"
is "$(q '[p["severity"] for p in d["problems"] if "insufficient" in p["message"]]')" '["error"]' \
	"insufficient hardware is an error in problems"
is "$(q 'd["scenarios"]')" "[]" "no profile: nothing it can run"
detect --profile cpu-lite
is "$st $(q 'd["profile"]')" "0 cpu-lite" "--profile overrides insufficient hardware"
is "$(q '[p["message"] for p in d["problems"] if "RAM" in p["message"]]')" '["cpu-lite asks for 8 GiB of RAM; this machine has 7.9 GiB"]' \
	"the override still reports what the machine misses"

# --- VRAM boundaries with 32 GiB of RAM --------------------------------
for case in "6041:5.9:cpu-standard" "6144:6.0:gpu-entry" "12185:11.9:gpu-entry" "12288:12.0:gpu-mid" \
	"24473:23.9:gpu-mid" "24576:24.0:gpu-high" "24564:24.0:gpu-high" "81559:79.6:gpu-high"; do
	IFS=: read -r mib gib want <<<"$case"
	linux_box $((32 * GIB_KB))
	nvidia "NVIDIA Test GPU, $mib MiB, 550.54.15"
	detect
	is "$st $(q 'd["profile"]') $(q 'd["gpus"][0]["vram_gib"]') $(q 'd["gpus"][0]["vram_bytes"]')" \
		"0 $want $gib $((mib * 1048576))" "VRAM $mib MiB = $gib GiB: $want"
done
is "$(q 'd["profile_selected_by"]') $(q 'd["empirical_validation"]')" "gpu pending" "a GPU profile says how it was chosen"
is "$(q 'd["gpus"][0]["driver"]') $(q 'd["gpus"][0]["vendor"]') $(q 'd["gpus"][0]["source"]')" \
	"550.54.15 nvidia nvidia-smi" "driver, vendor and source of an NVIDIA GPU"
is "$(q '[p["status"] for p in d["probes"] if p["name"] == "nvidia-smi"]')" '["ok"]' "nvidia-smi probe: ok"
is "$(q '[p["command"] for p in d["probes"] if p["name"] == "nvidia-smi"][0]')" \
	"nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader" "the exact query is logged"

# PUMA's gpu-entry reference machine: RTX 2060 Mobile 6 GB, 32 GB RAM.
linux_box $((32 * GIB_KB))
nvidia "NVIDIA GeForce RTX 2060, 6144 MiB, 535.183.01"
detect
is "$(q 'd["profile"]') $(q 'd["empirical_validation"]')" "gpu-entry validated" "PUMA's reference machine is gpu-entry, validated"

# A GPU profile chosen on VRAM alone says what else the machine misses.
linux_box $((16 * GIB_KB))
nvidia "NVIDIA RTX 6000 Ada Generation, 49140 MiB, 550.54.15"
detect
is "$(q 'd["profile"]')" "gpu-high" "VRAM decides even with 16 GiB of RAM (as PUMA)"
is "$(q '[p["message"] for p in d["problems"] if "RAM" in p["message"]]')" \
	'["gpu-high asks for 32 GiB of RAM; this machine has 16.0 GiB"]' "...and the RAM shortfall is a warning"

# --- two NVIDIA GPUs: every one is listed, the largest decides ---------
linux_box $((64 * GIB_KB))
nvidia "NVIDIA GeForce RTX 3060, 12288 MiB, 550.54.15" "NVIDIA GeForce RTX 4090, 24564 MiB, 550.54.15"
detect
is "$(q '[g["name"] for g in d["gpus"]]')" '["NVIDIA GeForce RTX 3060", "NVIDIA GeForce RTX 4090"]' "two GPUs, in order"
is "$(q 'd["profile"]')" "gpu-high" "the larger GPU decides"
is "$(q 'd["profile_reason"]')" "GPU 1 (NVIDIA GeForce RTX 4090) has 24.0 GiB of VRAM (at least 24)" "the reason names it"
is "$(q '[p["detail"] for p in d["probes"] if p["name"] == "nvidia-smi"][0]')" "2 GPUs" "the probe says what it gave"

# A name with a comma; a GPU that hides its memory.
linux_box $((32 * GIB_KB))
nvidia "GRID A100D-4C, rev 2, 4096 MiB, 535.54" "NVIDIA A100-SXM4-80GB MIG 1g.10gb, [N/A], [N/A]"
detect
is "$(q '[(g["name"], g["vram_gib"], g["driver"], g["counts_for_profile"]) for g in d["gpus"]]')" \
	'[["GRID A100D-4C, rev 2", 4.0, "535.54", true], ["NVIDIA A100-SXM4-80GB MIG 1g.10gb", null, null, false]]' \
	"names with commas; [N/A] memory and driver read as unknown"
is "$(q 'd["profile"]')" "cpu-standard" "unknown VRAM never selects a GPU profile"
grep -q "GPU 1 (NVIDIA A100-SXM4-80GB MIG 1g.10gb) reports no VRAM" "$OUT"
ok $? "...and a note says so"

# --- probes that hang, fail or print garbage ---------------------------
linux_box $((16 * GIB_KB))
fake nvidia-smi 'exec /bin/sleep 31.25'
start=$(date +%s%N)
detect --timeout 0.5
ms=$((($(date +%s%N) - start) / 1000000))
is "$st $(q '[p["status"] for p in d["probes"] if p["name"] == "nvidia-smi"]')" '0 ["timed out"]' "a hanging nvidia-smi times out"
ok $((ms < 5000 ? 0 : 1)) "and the run stays bounded (${ms} ms with --timeout 0.5)"
ps -eo args | grep -q '^/bin/sleep 31\.25'
ok $((! $?)) "the hung probe was killed"
is "$(q 'd["profile"]') $(q 'd["gpus"]')" "cpu-standard []" "no GPU from a probe that hangs"
is "$(q '[p["detail"] for p in d["probes"] if p["name"] == "nvidia-smi"][0]')" "no answer within 0.5 s; killed" \
	"the probe log says how long it waited"

# A probe that forks and leaves a child holding the pipe is killed too.
fake nvidia-smi '/bin/sleep 31.5 &
echo "NVIDIA Test GPU, 6144 MiB, 1"
wait'
detect --timeout 0.5
is "$(q '[p["status"] for p in d["probes"] if p["name"] == "nvidia-smi"]')" '["timed out"]' "a probe with a lingering child times out"
ps -eo args | grep -q '^/bin/sleep 31\.5'
ok $((! $?)) "its whole process group was killed"

linux_box $((16 * GIB_KB))
fake nvidia-smi 'echo "NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver."; exit 9'
detect
is "$(q '[(p["status"], p["detail"]) for p in d["probes"] if p["name"] == "nvidia-smi"]')" \
	'[["failed", "exit status 9: NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver."]]' \
	"a failing nvidia-smi: status and its message"

for garbage in 'Segmentation fault lol' 'NVIDIA Test GPU, lots MiB, 550' 'just, two' ', 6144 MiB, 550'; do
	linux_box $((16 * GIB_KB))
	nvidia "NVIDIA GeForce RTX 3060, 12288 MiB, 550.54.15" "$garbage"
	detect
	is "$st $(q 'd["profile"]') $(q 'd["gpus"]') $(q '[p["status"] for p in d["probes"] if p["name"] == "nvidia-smi"]')" \
		'0 cpu-standard [] ["garbage"]' "garbage from nvidia-smi ('$garbage'): no GPU taken from it"
done
grep -q '"severity":"warning","message":"nvidia-smi printed output that cannot be read (line 2: empty GPU name' "$OUT"
ok $? "garbage is a warning that names the line"

printf 'NVIDIA \001\033[31mEvil\377\nbad' >"$TMP/evil"
linux_box $((16 * GIB_KB))
fake nvidia-smi "/bin/cat '$TMP/evil'"
detect
"$PYTHON" -c 'import json,sys; json.load(open(sys.argv[1]))' "$OUT"
ok $? "control bytes in probe output never break the JSON"

# --- AMD through rocm-smi ----------------------------------------------
linux_box $((32 * GIB_KB))
fake rocm-smi "/bin/cat '$FIX/rocm-smi.json'"
detect
is "$(q '[(g["vendor"], g["name"], g["vram_gib"], g["driver"]) for g in d["gpus"]]')" \
	'[["amd", "AMD Radeon RX 7900 XTX", 24.0, "6.7.0"], ["amd", "Navi 21 [Radeon RX 6800/6800 XT / 6900 XT]", 16.0, "6.7.0"]]' \
	"rocm-smi: every card, after a warning line"
is "$(q 'd["profile"]')" "gpu-high" "an AMD GPU selects a GPU profile"
fake rocm-smi 'echo "{not json"'
detect
is "$(q '[p["status"] for p in d["probes"] if p["name"] == "rocm-smi"]') $(q 'd["gpus"]')" '["garbage"] []' "rocm-smi garbage"

# --- the CPU ------------------------------------------------------------
linux_box $((16 * GIB_KB))
detect
is "$(q 'd["cpu"]')" '{"model": "Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz", "cores": 16, "threads": 32}' \
	"two sockets of 8 cores with SMT: the real model string, 16 cores, 32 threads"
is "$(q 'd["os"]["version"]')" "Debian GNU/Linux 12 (bookworm)" "distribution from /etc/os-release"

machine arm
cp "$FIX/cpuinfo-arm64" "$R/proc/cpuinfo"
meminfo $((8 * GIB_KB))
for i in 0 1 2 3; do
	mkdir -p "$R/sys/devices/system/cpu/cpu$i/topology"
	echo "$i" >"$R/sys/devices/system/cpu/cpu$i/topology/core_id"
	echo "-1" >"$R/sys/devices/system/cpu/cpu$i/topology/physical_package_id"
done
detect
is "$(q 'd["cpu"]')" '{"model": "CPU implementer 0x41 part 0xd0c", "cores": 4, "threads": 4}' \
	"arm64: implementer and part as the model, cores from sysfs topology"
is "$(q 'd["os"]["version"]')" "null" "no os-release: version unknown"
grep -q '"severity":"warning","message":"cannot read [^"]*/etc/os-release or /usr/lib/os-release' "$OUT"
ok $? "...with a warning"

# --- /proc/meminfo missing or unreadable --------------------------------
linux_box 0
rm "$R/proc/meminfo"
detect
is "$st $(q 'd["ram"]["total_bytes"]') $(q 'd["profile"]')" "1 null null" "no /proc/meminfo: RAM unknown, no profile, exit 1"
grep -q "cannot read $R/proc/meminfo: No such file or directory" "$OUT"
ok $? "the problem names the file and why"
is "$(cat "$ERR")" "puma-detect: no profile chosen: RAM unknown (use --profile NAME to choose one)" "stderr says how to go on"
detect --profile gpu-entry
is "$st $(q 'd["profile"]')" "0 gpu-entry" "--profile works without RAM figures"
printf 'MemTotal: lots kB\n' >"$R/proc/meminfo"
detect
is "$st $(q 'd["ram"]["total_bytes"]')" "1 null" "an unreadable MemTotal is RAM unknown"
printf 'MemTotal: 16777216 kB\nMemFree: 100 kB\nBuffers: 200 kB\nCached: 300 kB\n' >"$R/proc/meminfo"
detect
is "$(q 'd["ram"]["available_bytes"]')" "614400" "no MemAvailable: estimated from MemFree + Buffers + Cached"

# --- disk where the run writes --------------------------------------------
linux_box $((16 * GIB_KB))
detect
want=$("$PYTHON" -c 'import os,sys; s=os.statvfs(sys.argv[1]); print(s.f_bavail*s.f_frsize)' "$TMP")
got=$(q 'd["disk"]["free_bytes"]')
"$PYTHON" -c 'import sys; a,b=int(sys.argv[1]),int(sys.argv[2]); sys.exit(abs(a-b) > 64<<20)' "$got" "$want"
ok $? "free disk in --dir matches os.statvfs ($got vs $want)"
is "$(q 'd["disk"]["dir"]')" "$TMP" "--dir is the directory reported"

# --- uname: the program, else the system call ----------------------------
linux_box $((16 * GIB_KB))
detect
is "$(q '[p["status"] for p in d["probes"] if p["name"] == "uname"]')" '["not found"]' "no uname program on PATH"
is "$(q 'd["os"]["name"]')" "$(uname -s)" "...the uname() call answers"
fake uname 'echo "Linux 5.15.0-105-generic aarch64"'
detect
is "$(q 'd["os"]["release"]') $(q 'd["os"]["arch"]')" "5.15.0-105-generic aarch64" "the uname program is believed"
fake uname 'echo "Linux"'
detect
is "$(q '[p["status"] for p in d["probes"] if p["name"] == "uname"]') $(q 'd["os"]["name"]')" \
	"[\"garbage\"] $(uname -s)" "garbage from uname: the system call instead"

# --- text report ---------------------------------------------------------
linux_box $((32 * GIB_KB))
nvidia "NVIDIA GeForce RTX 4090, 24564 MiB, 550.54.15"
detect --format text
grep -q "^  Chosen      gpu-high (empirical validation: pending)$" "$OUT" &&
	grep -q "^  GPU 0       NVIDIA GeForce RTX 4090, 24.0 GiB VRAM, driver 550.54.15 (nvidia-smi)$" "$OUT" &&
	grep -q "^  CPU         Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz (16 cores, 32 threads)$" "$OUT" &&
	grep -q "^  Can run     triage_jira, estimation_tawos$" "$OUT" &&
	grep -q "^  nvidia-smi       ok          1 GPU$" "$OUT"
ok $? "text report: hardware, probes, profile, what it can run"
[ "$st" = 0 ] && head -n 1 "$OUT" | grep -q "^PUMA preflight (puma-detect "
ok $? "text report exits 0 and starts with its title"
linux_box $((4 * GIB_KB))
detect -f text
grep -q "^  Chosen      none$" "$OUT" && grep -q "^  error    insufficient hardware: 4.0 GiB of RAM" "$OUT"
ok $? "text report of insufficient hardware"

# --- options and exit codes ----------------------------------------------
linux_box $((16 * GIB_KB))
detect --profile gpu-giant
is "$st" 2 "unknown profile: exit 2"
names=$("$PYTHON" -c 'import json,sys; print(", ".join(p["name"] for p in json.load(open(sys.argv[1]))["profiles"]))' "$ROOT/config/profiles.json")
is "$(head -n 1 "$ERR")" "puma-detect: unknown profile 'gpu-giant'; valid profiles: $names" "...listing every valid profile"
is "$(wc -c <"$OUT" | tr -d ' ')" 0 "...and printing nothing"
detect -f yaml
is "$st:$(head -n 1 "$ERR")" "2:puma-detect: --format must be json or text, not 'yaml'" "bad --format"
detect --timeout 0
is "$st" 2 "bad --timeout"
detect --dir "$TMP/nowhere"
is "$st:$(head -n 1 "$ERR")" "2:puma-detect: --dir $TMP/nowhere: No such file or directory" "bad --dir"
detect --dir "$ROOT/VERSION"
is "$st:$(head -n 1 "$ERR")" "2:puma-detect: --dir $ROOT/VERSION: not a directory" "--dir that is a file"
detect --require-server
is "$st" 2 "--require-server without a server"
detect extra
is "$st" 2 "unexpected argument"
"$BIN/puma-detect" --help >"$OUT"
is "$?:$(head -n 1 "$OUT")" "0:Usage: puma-detect [-f json|text] [--profile NAME] [--server URL [--require-server]]" "--help"
"$BIN/puma-detect" --version >"$OUT"
is "$?:$(cat "$OUT")" "0:puma-detect (PUMA) $(cat "$ROOT/VERSION")" "--version"
/usr/bin/env -u OLLAMA_HOST PATH="$FB" PUMA_SYSROOT="$R" "$BIN/puma-detect" --config-dir "$ROOT/config" >/dev/full 2>"$ERR"
is "$?:$(cat "$ERR")" "1:puma-detect: write error: No space left on device" "output to /dev/full: write error, exit 1"
detect --config-dir "$TMP/noconfig"
is "$st:$(head -n 1 "$ERR")" "1:puma-detect: $TMP/noconfig/profiles.json: cannot read: No such file or directory" \
	"missing profiles.json: exit 1, named"
mkdir -p "$TMP/badconfig"
"$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["profiles"][2]["requirements"]["min_vram_gb"]; json.dump(d, open(sys.argv[2], "w"))' \
	"$ROOT/config/profiles.json" "$TMP/badconfig/profiles.json"
detect --config-dir "$TMP/badconfig"
is "$st:$(head -n 1 "$ERR")" \
	"1:puma-detect: $TMP/badconfig/profiles.json: profile 3 (gpu-entry): requirements.min_vram_gb must be a number >= 0, not absent" \
	"a broken profiles.json names the profile and the field"
/usr/bin/env -u OLLAMA_HOST PATH="$FB" PUMA_SYSROOT="$TMP/elsewhere" "$BIN/puma-detect" \
	--config-dir "$ROOT/config" --dir "$TMP" --sysroot "$R" >"$OUT" 2>"$ERR"
is "$?:$(q 'd["ram"]["total_gib"]')" "0:16.0" "--sysroot wins over PUMA_SYSROOT"

# --- the man page's examples run ---------------------------------------
mkdir -p "$TMP/manex"
awk '/^See how a machine/ {f=1} f && /^\.nf/ {g=1; next} g && /^\.fi/ {exit} g' "$ROOT/docs/man/puma-detect.1" |
	sed 's/\\\\/\\/g' >"$TMP/manex/example.sh"
(cd "$TMP/manex" && PATH="$BIN:$PATH" OLLAMA_HOST="" bash example.sh) >"$OUT" 2>"$ERR"
grep -q "^  Chosen      gpu-high " "$OUT" && grep -q "RTX 4090, 24.0 GiB VRAM" "$OUT"
ok $? "man page example: a fake RTX 4090 machine comes out gpu-high"
ex1=$(awk '/^The profile of this machine/ {f=1} f && /^\.nf/ {g=1; next} g && /^\.fi/ {exit} g' "$ROOT/docs/man/puma-detect.1")
got=$(cd "$TMP" && PATH="$BIN:$PATH" bash -c "$ex1" 2>/dev/null)
"$PYTHON" -c 'import json,sys; names=[p["name"] for p in json.load(open(sys.argv[1]))["profiles"]]; sys.exit(sys.argv[2] not in names + ["None"])' \
	"$ROOT/config/profiles.json" "$got"
ok $? "man page example: the profile for a script ($got)"

done_testing
