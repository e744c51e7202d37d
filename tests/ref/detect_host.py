#!/usr/bin/python3
"""Check puma-detect's JSON about this machine against an independent reading.

    detect_host.py DETECT.json DIR

Reads the machine itself (/proc, os.statvfs, platform, nvidia-smi when it is
on PATH; sysctl on macOS) and applies PUMA's selection rules as
docs/HARDWARE.md states them, transcribed here without looking at the C
code.  Prints one line per check, "PASS name" or
"FAIL name: why".
"""
import json
import os
import platform
import shutil
import subprocess
import sys

GIB = 2 ** 30

# PUMA section 10, in its order.  Apple minimums are docs/HARDWARE.md's.
APPLE = {
    "Apple M3": ("apple-silicon-m3", 8), "Apple M3 Pro": ("apple-silicon-m3-pro", 18),
    "Apple M3 Max": ("apple-silicon-m3-max", 36), "Apple M4": ("apple-silicon-m4", 16),
    "Apple M4 Pro": ("apple-silicon-m4-pro", 24), "Apple M4 Max": ("apple-silicon-m4-max", 36),
    "Apple M5": ("apple-silicon-m5", 16), "Apple M5 Pro": ("apple-silicon-m5-pro", 24),
    "Apple M5 Max": ("apple-silicon-m5-max", 36), "Apple M5 Ultra": ("apple-silicon-m5-ultra", 96),
}


def select(ram_gib, vram_gibs, chip=None, memsize=None):
    """PUMA's profile for these figures (GiB as PUMA rounds them); None = insufficient."""
    if chip in APPLE and memsize is not None and memsize // GIB >= APPLE[chip][1]:
        return APPLE[chip][0]
    if ram_gib < 8.0:
        return None
    vram = max(vram_gibs) if vram_gibs else None
    if vram is not None and vram >= 24.0:
        return "gpu-high"
    if vram is not None and vram >= 12.0:
        return "gpu-mid"
    if vram is not None and vram >= 6.0:
        return "gpu-entry"
    return "cpu-standard" if ram_gib >= 16.0 else "cpu-lite"


results = []


def check(name, good, why=""):
    results.append("PASS %s" % name if good else "FAIL %s: %s" % (name, why))


def same(name, got, want):
    check(name, got == want, "got %r, want %r" % (got, want))


def near(name, got, want, tol):
    check(name, got is not None and abs(got - want) <= tol, "got %r, want %r +- %r" % (got, want, tol))


def linux_facts():
    cpu = open("/proc/cpuinfo").read()
    model, threads, pairs, complete = None, 0, set(), True
    for block in cpu.split("\n\n"):
        kv = {}
        for line in block.splitlines():
            if ":" in line:
                k, v = line.split(":", 1)
                kv.setdefault(k.strip(), v.strip())
        if "processor" not in kv:
            continue
        threads += 1
        if model is None and kv.get("model name"):
            model = kv["model name"]
        if "physical id" in kv and "core id" in kv:
            pairs.add((kv["physical id"], kv["core id"]))
        else:
            complete = False
    cores = len(pairs) if complete and pairs else None
    mem = {}
    for line in open("/proc/meminfo"):
        k, v = line.split(":", 1)
        mem[k] = int(v.split()[0]) * (1024 if v.strip().endswith("kB") else 1)
    return model, cores, threads, mem["MemTotal"], mem.get("MemAvailable")


def main():
    d = json.load(open(sys.argv[1]))
    outdir = sys.argv[2]
    same("os name", d["os"]["name"], platform.system())
    same("kernel release", d["os"]["release"], platform.release())
    same("architecture", d["os"]["arch"], platform.machine())
    chip = memsize = None
    if platform.system() == "Linux":
        model, cores, threads, total, avail = linux_facts()
        if model is not None:
            same("CPU model string from /proc/cpuinfo", d["cpu"]["model"], model)
        same("threads", d["cpu"]["threads"], threads)
        if cores is not None:
            same("physical cores", d["cpu"]["cores"], cores)
        same("RAM total bytes", d["ram"]["total_bytes"], total)
        if avail is not None:
            near("RAM available bytes (moves a little)", d["ram"]["available_bytes"], avail,
                 max(256 << 20, avail // 10))
    elif platform.system() == "Darwin":
        def sysctl(k):
            return subprocess.run(["sysctl", "-n", k], capture_output=True, text=True).stdout.strip()
        chip = sysctl("machdep.cpu.brand_string")
        memsize = int(sysctl("hw.memsize"))
        same("CPU brand string", d["cpu"]["model"], chip)
        same("RAM total bytes", d["ram"]["total_bytes"], memsize)
        total = memsize
        if platform.machine() != "arm64":
            chip = None
    same("RAM GiB as PUMA rounds it", d["ram"]["total_gib"], round(total / GIB, 2))
    st = os.statvfs(outdir)
    near("free disk (moves a little)", d["disk"]["free_bytes"], st.f_bavail * st.f_frsize, 256 << 20)

    want_gpus = []
    if shutil.which("nvidia-smi"):
        r = subprocess.run(["nvidia-smi", "--query-gpu=name,memory.total,driver_version",
                            "--format=csv,noheader"], capture_output=True, text=True, timeout=60)
        if r.returncode == 0:
            for line in r.stdout.splitlines():
                if line.strip():
                    name, mem, drv = [x.strip() for x in line.rsplit(",", 2)]
                    want_gpus.append((name, int(mem.split()[0]) * 2 ** 20, drv))
    got = [(g["name"], g["vram_bytes"], g["driver"]) for g in d["gpus"] if g["source"] == "nvidia-smi"]
    same("NVIDIA GPUs, as nvidia-smi lists them", got, want_gpus)

    # The profile must follow from the figures printed ...
    vrams = [g["vram_gib"] for g in d["gpus"] if g["counts_for_profile"]]
    for g in d["gpus"]:
        if g["vram_bytes"] is not None:
            same("VRAM GiB of %s as PUMA rounds it" % g["name"], g["vram_gib"], round(g["vram_bytes"] / GIB, 1))
    same("profile follows from the printed figures", d["profile"],
         select(d["ram"]["total_gib"], vrams, chip, memsize))
    # ... and from this script's own reading of the machine.
    same("profile follows from an independent reading", d["profile"],
         select(round(total / GIB, 2), [round(b / GIB, 1) for _, b, _ in want_gpus], chip, memsize))
    profiles = {p["name"]: p for p in json.load(open(sys.argv[3]))["profiles"]} if len(sys.argv) > 3 else {}
    if d["profile"] in profiles:
        p = profiles[d["profile"]]
        same("empirical_validation of the profile", d["empirical_validation"], p["empirical_validation"])
        same("scenarios of the profile", d["scenarios"], p["scenarios"])
    print("\n".join(results))


main()
