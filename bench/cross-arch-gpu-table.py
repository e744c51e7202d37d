#!/usr/bin/python3
"""cross-arch-gpu-table.py: the Markdown table of the CUDA cells.

usage: bench/cross-arch-gpu-table.py RUNS_DIR [PUMA_DIFF]

RUNS_DIR holds the run directories bench/cross-arch-gpu.sh made
(cuda-<quant>-np<N>-<scenario>__...).  For each quantisation and scenario it
prints the headline metric of the -np 1 run and of the -np 8 run (-j 8), the
failed requests, and puma-diff's comparison of the two: H0 (the metric
bit-exact), the share of identical responses, mean and max |delta logprob|
of the chosen tokens, |delta ECE|, and where the first differing token is.
PUMA_DIFF defaults to bin/puma-diff.  Exit 1 when a run is missing.
"""
import glob
import json
import os
import subprocess
import sys

if len(sys.argv) not in (2, 3):
    print("usage: cross-arch-gpu-table.py RUNS_DIR [PUMA_DIFF]", file=sys.stderr)
    sys.exit(2)
runs = sys.argv[1]
diff = sys.argv[2] if len(sys.argv) == 3 else "bin/puma-diff"


def run_dir(quant, np_, sc):
    # The newest finished run of that name (a manifest means finished).
    c = sorted(d for d in glob.glob(os.path.join(runs, f"cuda-{quant}-np{np_}-{sc}__*"))
               if os.path.exists(os.path.join(d, "manifest.json")))
    if not c:
        print(f"cross-arch-gpu-table.py: no finished run cuda-{quant}-np{np_}-{sc} in {runs}", file=sys.stderr)
        sys.exit(1)
    return c[-1]


print("| model | scenario | metric -np 1 | metric -np 8 -j 8 | failed | H0 | identical responses | "
      "mean / max abs dlogprob | abs dECE | first differing token (min / median) |")
print("|---|---|---|---|---|---|---|---|---|---|")
for quant in ("F16", "Q8_0", "Q4_K_M"):
    for sc, metric in (("triage_jira", "f1_macro"), ("estimation_tawos", "mae")):
        a, b = run_dir(quant, 1, sc), run_dir(quant, 8, sc)
        p = subprocess.run([diff, a, b], capture_output=True, text=True)
        if p.returncode == 2:
            print(f"cross-arch-gpu-table.py: puma-diff failed: {p.stderr}", file=sys.stderr)
            sys.exit(1)
        d = json.loads(p.stdout)
        m = json.load(open(os.path.join(a, "metrics.json")))
        fails = m.get("n_errors", 0)
        ag, lp, v = d["agreement"], d["logprobs"], d["verdicts"]
        fd = ag["first_differing_token"]
        print("| %s | %s | %s %.4f | %.4f | %s | %s | %d/%d | %.2g / %.2g | %.2g | %s |" % (
            quant, sc, metric, d["metrics"][metric]["a"], d["metrics"][metric]["b"], fails,
            "holds" if v["H0"]["holds"] else "fails", ag["n_responses_identical"], d["compared"]["paired"],
            lp["mean_abs_diff"], lp["max_abs_diff"], abs(d["calibration"]["delta"] or 0.0),
            "none" if not fd["n"] else "%s / %s (%d records)" % (fd["min"], fd["median"], fd["n"])))
