#!/usr/bin/python3
"""Reference for puma-board, in Python, NumPy and SciPy, independent of the
C code.

    board_ref.py gen OUTDIR SEED      write OUTDIR/r0.jsonl ... (random runs)
    board_ref.py ref [--bootstrap B] [--ci L] [--seed S] RUN.jsonl...

"ref" prints one JSON object per run, best first, with the figures
puma-board --format json computes: the headline metric and its bootstrap
interval, and against the first run the paired difference and its
bootstrap interval, McNemar (scipy's binomtest), Wilcoxon (scipy's
wilcoxon) and the matched-pairs rank-biserial correlation.
"""

import argparse
import json
import math
import os
import random
import sys
import warnings

import numpy as np
from scipy import stats

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import puma_ref  # noqa: E402

LABELS = ["Critical", "Major", "Minor", "Trivial"]


def gen(out, seed):
    rng = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    task = "triage_jira" if seed % 3 else "estimation_tawos"
    n = rng.choice([8, 20, 45, 60, 120])
    for k in range(rng.randint(2, 5)):
        recs = []
        skill = rng.random()
        for i in range(n):
            if rng.random() < 0.1 and k > 0:
                continue  # a record this run lacks: unpaired
            if task == "triage_jira":
                gold = LABELS[i % 4]
                pred = None if rng.random() < 0.08 else (gold if rng.random() < skill else rng.choice(LABELS))
            else:
                gold = rng.choice([1, 2, 3, 5, 8, 13, 21, 40])
                pred = None if rng.random() < 0.08 else (gold if rng.random() < skill else rng.choice([1, 2, 3, 5, 8, 13, 21]))
            recs.append({"id": "R-%d" % i, "scenario": task, "gold": gold, "pred": pred,
                         "model": "m%d" % k, "strategy": "s%d" % (k % 2)})
        rng.shuffle(recs)
        with open(os.path.join(out, "r%d.jsonl" % k), "w") as f:
            for r in recs:
                f.write(json.dumps(r) + "\n")


def interval(vals, level):
    if not vals:
        return None, None
    a = np.array(vals, dtype=float)
    return float(np.percentile(a, (1 - level) / 2 * 100)), float(np.percentile(a, (1 + level) / 2 * 100))


def ref(args):
    runs = [[json.loads(l) for l in open(p)] for p in args.runs]
    cfg = puma_ref.load_scenario(runs[0][0]["scenario"])
    labels = puma_ref.label_set(cfg) if cfg["task"] == "classification" else None
    key = "f1_macro" if labels else "mae"
    right = lambda r: r["pred"] is not None and r["pred"] == r["gold"]
    rows = []
    for k, (path, recs) in enumerate(zip(args.runs, runs)):
        value = puma_ref.headline(cfg, labels, recs)[key]
        rng = np.random.RandomState(args.seed)
        vals = []
        for _ in range(args.bootstrap):
            idx = rng.randint(0, len(recs), size=len(recs))
            v = puma_ref.headline(cfg, labels, [recs[i] for i in idx])[key]
            if v is not None:
                vals.append(v)
        lo, hi = interval(vals, args.ci)
        row = {"run": path, "value": value, "ci_lo": lo, "ci_hi": hi, "n": len(recs)}
        if k > 0:
            byid = {r["id"]: r for r in runs[0]}
            pairs = [(byid[r["id"]], r) for r in recs if r["id"] in byid]
            pa, pb = [p for p, _ in pairs], [q for _, q in pairs]
            row["n_pairs"] = len(pairs)
            ha, hb = puma_ref.headline(cfg, labels, pa)[key], puma_ref.headline(cfg, labels, pb)[key]
            row["delta"] = None if ha is None or hb is None else hb - ha
            rng = np.random.RandomState(args.seed)
            vals = []
            for _ in range(args.bootstrap if pairs else 0):
                idx = rng.randint(0, len(pairs), size=len(pairs))
                xa = puma_ref.headline(cfg, labels, [pa[i] for i in idx])[key]
                xb = puma_ref.headline(cfg, labels, [pb[i] for i in idx])[key]
                if xa is not None and xb is not None:
                    vals.append(xb - xa)
            row["delta_lo"], row["delta_hi"] = interval(vals, args.ci)
            if labels:
                x = np.array([right(q) for q in pb], dtype=float)
                y = np.array([right(p) for p in pa], dtype=float)
                b = int(((y == 1) & (x == 0)).sum())
                c = int(((y == 0) & (x == 1)).sum())
                row["mcnemar_b"], row["mcnemar_c"] = b, c
                row["mcnemar_p"] = 1.0 if b + c == 0 else float(stats.binomtest(b, b + c, 0.5).pvalue)
            else:
                both = [(p, q) for p, q in pairs if p["pred"] is not None and q["pred"] is not None]
                x = -np.array([abs(q["pred"] - q["gold"]) for _, q in both], dtype=float)
                y = -np.array([abs(p["pred"] - p["gold"]) for p, _ in both], dtype=float)
            d = x - y
            nz = d[d != 0]
            if len(nz) == 0:
                row["wilcoxon_statistic"], row["wilcoxon_p"], row["wilcoxon_z"], row["effect_r"] = None, 1.0, None, None
            else:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    res = stats.wilcoxon(x, y, zero_method="wilcox", correction=False, method="auto")
                    z = None
                    if len(d) > 50 or (d == 0).any():
                        z = float(stats.wilcoxon(x, y, zero_method="wilcox", correction=False, method="approx").zstatistic)
                r = stats.rankdata(np.abs(nz))
                rp, rm = float(r[nz > 0].sum()), float(r[nz < 0].sum())
                row["wilcoxon_statistic"] = float(res.statistic)
                row["wilcoxon_p"] = float(res.pvalue)
                row["wilcoxon_z"] = z
                row["effect_r"] = (rp - rm) / (rp + rm)
        rows.append(row)
    order = sorted(range(len(rows)), key=lambda i: (rows[i]["value"] is None,
                                                   -(rows[i]["value"] or 0) if labels else (rows[i]["value"] or 0), i))
    for rank, i in enumerate(order, 1):
        rows[i]["rank"] = rank
        print(json.dumps(rows[i]))


def main():
    if sys.argv[1] == "gen":
        gen(sys.argv[2], int(sys.argv[3]))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd")
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--bootstrap", type=int, default=1000)
    ap.add_argument("--ci", type=float, default=0.95)
    ap.add_argument("--seed", type=int, default=42)
    ref(ap.parse_args())


if __name__ == "__main__":
    main()
