#!/usr/bin/env bash
# Replay of a real NVIDIA H100 machine captured by
# tests/fixtures/detect/capture.sh (see tests/fixtures/detect/h100/README):
# its /proc and /etc as the system root, its nvidia-smi and uname answers
# as fake programs.  It must come out as gpu-high with the right VRAM, and
# agree with what puma-detect said on the machine itself.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/detect-lib.sh"
CAP=$ROOT/tests/fixtures/detect/h100
[ -f "$CAP/nvidia-smi.csv" ] ||
	skip_all "no H100 capture yet: run tests/fixtures/detect/capture.sh on the H100 machine (see $CAP/README)"
need_python json

machine h100
R=$CAP/root
fake nvidia-smi "/bin/cat '$CAP/nvidia-smi.csv'"
fake uname "/bin/cat '$CAP/uname.txt'"
detect
is "$st $(q 'd["profile"]') $(q 'd["profile_selected_by"]')" "0 gpu-high gpu" "the H100 machine replays as gpu-high, chosen by its GPU"

# What nvidia-smi said, read here independently of the C parser.
"$PYTHON" - "$CAP/nvidia-smi.csv" >"$TMP/want" <<'PY'
import json, sys
gpus = []
for line in open(sys.argv[1]):
    if line.strip():
        name, mem, drv = [x.strip() for x in line.rsplit(",", 2)]
        mib = int(mem.split()[0])
        gpus.append([name, mib * 2**20, round(mib / 1024, 1), drv])
print(json.dumps(gpus))
PY
is "$(q '[[g["name"], g["vram_bytes"], g["vram_gib"], g["driver"]] for g in d["gpus"]]')" "$(cat "$TMP/want")" \
	"every GPU with its VRAM (bytes and GiB as PUMA rounds them) and driver, as nvidia-smi reported"
is "$(q 'all("H100" in g["name"] and g["vram_gib"] >= 24 for g in d["gpus"]) and len(d["gpus"]) > 0')" "true" \
	"they are H100s with at least 24 GiB each"
model=$(sed -n 's/^model name[[:space:]]*: //p' "$CAP/root/proc/cpuinfo" | head -n 1)
is "$(q 'd["cpu"]["model"]')" "$model" "the CPU model string of the machine"

if [ -f "$CAP/detect.json" ]; then
	cp "$OUT" "$TMP/replay.json"
	"$PYTHON" - "$CAP/detect.json" "$TMP/replay.json" <<'PY' >"$TMP/cmp"
import json, sys
real, rep = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
def line(name, a, b):
    print("%s|%s" % ("PASS" if a == b else "FAIL", name if a == b else "%s: real %r, replay %r" % (name, a, b)))
line("real run: profile gpu-high", real["profile"], "gpu-high")
line("real run: nvidia-smi probe ok", [p["status"] for p in real["probes"] if p["name"] == "nvidia-smi"], ["ok"])
line("real run and replay: GPUs", real["gpus"], rep["gpus"])
line("real run and replay: CPU", real["cpu"], rep["cpu"])
line("real run and replay: RAM total", real["ram"]["total_bytes"], rep["ram"]["total_bytes"])
line("real run and replay: OS", real["os"], rep["os"])
PY
	while IFS='|' read -r verdict rest; do
		if [ "$verdict" = PASS ]; then ok 0 "$rest"; else ok 1 "${rest%%:*}"; echo "# ${rest#*: }"; fi
	done <"$TMP/cmp"
else
	skip "no detect.json in the capture ($(cat "$CAP/detect.status" 2>/dev/null || echo 'no status'))"
fi
done_testing
