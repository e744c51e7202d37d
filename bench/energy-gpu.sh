#!/usr/bin/env bash
# bench/energy-gpu.sh - measure about a minute of real GPU work (a PyTorch
# bf16 matrix-product loop) with the energy meter and check that the GPU
# energy is plausible: at least the idle draw and at most the board power
# limit, for the time taken.  Needs nvidia-smi and python3 with CUDA PyTorch.
#
#   bash bench/energy-gpu.sh [SECONDS]     build (make), measure, report
#   bash bench/energy-gpu.sh --build-portable
#       build bench/out/energymeter with yajl linked in, to carry to a GPU
#       machine that lacks the build libraries; then there:
#   ENERGYMETER=bench/out/energymeter bash bench/energy-gpu.sh [SECONDS]
#
# Prints the figures; keeps the meter's summary in bench/out/energy-gpu.json
# and the report in bench/out/energy-gpu.txt ($OUT_DIR, when set, gets
# copies).  Exit 1 when the GPU energy is implausible.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out

if [ "${1:-}" = "--build-portable" ]; then
	make -s build/rel/libpuma.a
	${CC:-cc} -std=c11 -O2 -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -DPUMA_VERSION="\"$(cat VERSION)\"" \
		-Isrc/lib -o bench/out/energymeter tests/helpers/energymeter.c build/rel/libpuma.a \
		-l:libyajl_s.a -lm -lpthread -ldl
	echo "built bench/out/energymeter; it needs only:"
	ldd bench/out/energymeter | sed 's/^/  /'
	exit 0
fi

WORK_S=${1:-60}
EM=${ENERGYMETER:-}
if [ -z "$EM" ]; then
	make -s build/rel/helpers/energymeter
	EM=build/rel/helpers/energymeter
fi
PY=${PYTHON:-python3}
command -v nvidia-smi >/dev/null || { echo "energy-gpu: nvidia-smi not found: run this on a machine with an NVIDIA GPU" >&2; exit 1; }
"$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' ||
	{ echo "energy-gpu: $PY has no CUDA PyTorch" >&2; exit 1; }

# NVML is loaded by name; where the driver's folder is not in the loader's
# cache, point at it (the summary says so if NVML still cannot be loaded).
if ! /sbin/ldconfig -p 2>/dev/null | grep -q 'libnvidia-ml.so.1 '; then
	for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu /usr/lib64; do
		if [ -e "$d/libnvidia-ml.so.1" ]; then
			export LD_LIBRARY_PATH="$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
			break
		fi
	done
fi
echo "driver $(nvidia-smi --query-gpu=driver_version --format=csv,noheader | head -n 1)"

# Idle draw and power limit per GPU, before the work: ten readings, 0.5 s apart.
: >bench/out/energy-gpu-idle.csv
for _ in 1 2 3 4 5 6 7 8 9 10; do
	nvidia-smi --query-gpu=index,name,power.draw,power.limit --format=csv,noheader,nounits >>bench/out/energy-gpu-idle.csv
	sleep 0.5
done

cat >bench/out/gpu-work.py <<'PY'
# About WORK seconds of bf16 8192^3 matrix products on GPU 0; the figures go
# to the file named second (stdout belongs to the meter).
import json, sys, time
import torch
secs, out = float(sys.argv[1]), sys.argv[2]
n = 8192
a = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
b = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
c = a @ b
torch.cuda.synchronize()
t0, done = time.time(), 0
while time.time() - t0 < secs:
    for _ in range(20):
        c = a @ b
    torch.cuda.synchronize()
    done += 20
el = time.time() - t0
json.dump({"work_s": el, "matmuls": done, "tflops": 2 * n ** 3 * done / el / 1e12,
           "device": torch.cuda.get_device_name(0)}, open(out, "w"))
PY

"$EM" --gpu-energy both --energy-interval 1 -- "$PY" bench/out/gpu-work.py "$WORK_S" bench/out/gpu-work.json \
	>bench/out/energy-gpu.json

set +e
"$PY" - bench/out/energy-gpu.json bench/out/energy-gpu-idle.csv bench/out/gpu-work.json <<'PY' | tee bench/out/energy-gpu.txt
import csv, json, sys
s = json.load(open(sys.argv[1]))
work = json.load(open(sys.argv[3]))
idle, limit, names = {}, {}, {}
for row in csv.reader(open(sys.argv[2])):
    i = "gpu" + row[0].strip()
    names[i] = row[1].strip()
    idle.setdefault(i, []).append(float(row[2]))
    limit[i] = float(row[3])
idle = {k: sum(v) / len(v) for k, v in idle.items()}
T = s["duration_s"]
print("energy-gpu: %d GPU(s); meter window %.1f s; work %.1f s of bf16 matmul at %.0f TFLOP/s on %s"
      % (len(names), T, work["work_s"], work["tflops"], work["device"]))
nvml = [x for x in s["sources"] if x["source"] == "nvml" and x["status"] == "measured"]
smi = {x["device"]: x for x in s["sources"] if x["source"] == "nvidia-smi" and x["status"] == "measured"}
gpu = nvml or list(smi.values())
if not gpu:
    print("no GPU energy measured:", [(x["source"], x.get("reason")) for x in s["sources"]])
    sys.exit(1)
how = "NVML" if nvml else "nvidia-smi"
for x in gpu:
    d = x["device"]
    line = "%s %s: %s %.1f J = %.6g kWh, mean %.1f W (idle %.1f W, power limit %.0f W)" % (
        d, names.get(d, "?"), how, x["joules"], x["kwh"], x["mean_w"], idle.get(d, float("nan")), limit.get(d, float("nan")))
    if nvml and d in smi:
        y = smi[d]
        line += "; nvidia-smi %.1f J over %.1f s, %d samples, %+.2f%% vs NVML" % (
            y["joules"], y["covered_s"], y["samples"], 100 * (y["joules"] - x["joules"]) / x["joules"])
    print(line)
E = sum(x["joules"] for x in gpu)
lo = sum(idle[x["device"]] for x in gpu) * T
hi = sum(limit[x["device"]] for x in gpu) * T
ok = lo <= E <= hi
print("GPU energy %.1f J over %.1f s = mean %.1f W; plausible (idle x T %.0f J <= E <= limit x T %.0f J): %s"
      % (E, T, E / T, lo, hi, "yes" if ok else "NO"))
for x in s["sources"]:
    if x["source"] in ("rapl", "powermetrics", "tdp-estimate"):
        print("%s %s: %s%s" % (x["source"], x.get("device", ""), x["status"],
              " %.1f J" % x["joules"] if x.get("joules") is not None else " (" + str(x.get("reason")) + ")"))
if s["kwh"] is not None:
    print("total %.6g kWh, CO2 %.6g kg at %s g/kWh (%s)" % (s["kwh"], s["co2_kg"], s["carbon_intensity"]["g_per_kwh"],
          s["carbon_intensity"]["source"]))
sys.exit(0 if ok else 1)
PY
st=${PIPESTATUS[0]}
set -e
if [ -n "${OUT_DIR:-}" ]; then
	cp bench/out/energy-gpu.json bench/out/energy-gpu.txt bench/out/energy-gpu-idle.csv bench/out/gpu-work.json "$OUT_DIR"/
fi
exit "$st"
