#!/usr/bin/python3
"""Reference for puma-diff: the comparison restated from docs/cross-arch.md
in Python, NumPy and SciPy, independent of the C code.

    diff_ref.py A.jsonl B.jsonl [--bins N] [--bootstrap B] [--ci L] [--seed S]

Prints the figures puma-diff computes, as JSON (floats by repr), with the
significance tests taken from SciPy itself (binomtest for the exact
McNemar test, wilcoxon for PUMA's test), so the tests can compare.
"""

import argparse
import json
import os
import sys
import warnings

import numpy as np
from scipy import stats

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import puma_ref  # noqa: E402


def load(path):
    return [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]


def correct(r):
    return r["pred"] is not None and r["pred"] == r["gold"]


def tokens(r):
    lp = r.get("logprobs")
    return None if lp is None else lp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--bins", type=int, default=15)
    ap.add_argument("--bootstrap", type=int, default=1000)
    ap.add_argument("--ci", type=float, default=0.95)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    A, B = load(args.a), load(args.b)
    byid = {r["id"]: r for r in A}
    pairs = [(byid[r["id"]], r) for r in B if r["id"] in byid]
    cfg = puma_ref.load_scenario(A[0]["scenario"])
    labels = puma_ref.label_set(cfg) if cfg["task"] == "classification" else None
    pa = [p for p, _ in pairs]
    pb = [q for _, q in pairs]
    ha = puma_ref.headline(cfg, labels, pa)
    hb = puma_ref.headline(cfg, labels, pb)
    out = {"paired": len(pairs), "metrics": {}}
    for k in ha:
        out["metrics"][k] = {"a": ha[k], "b": hb[k],
                             "delta": None if ha[k] is None or hb[k] is None else hb[k] - ha[k]}

    # Agreement and logprobs on the shared prefix of the token sequences.
    nresp = sum(1 for p, q in pairs if p.get("response") == q.get("response"))
    npred = sum(1 for p, q in pairs if p["pred"] == q["pred"])
    diffs, tops, firsts = [], [], []
    ntok = neq = 0
    for p, q in pairs:
        tp, tq = tokens(p), tokens(q)
        if tp is None or tq is None:
            continue
        ntok += 1
        m = min(len(tp), len(tq))
        fd = next((k for k in range(m) if tp[k]["token"] != tq[k]["token"]), m)
        if fd == m and len(tp) == len(tq):
            neq += 1
        else:
            firsts.append(fd)
        for k in range(fd):
            diffs.append(abs(tp[k]["logprob"] - tq[k]["logprob"]))
            alt = {t["token"]: t["logprob"] for t in reversed(tq[k].get("top_logprobs") or [])}
            for t in tp[k].get("top_logprobs") or []:
                if t["token"] in alt:
                    tops.append(abs(t["logprob"] - alt[t["token"]]))
    out["agreement"] = {"n_responses_identical": nresp, "n_predictions_identical": npred,
                        "n_with_tokens": ntok, "n_tokens_identical": neq,
                        "first_differing": sorted(firsts)}
    out["logprobs"] = {
        "n_positions": len(diffs),
        "mean_abs_diff": float(np.mean(np.array(diffs))) if diffs else None,
        "max_abs_diff": float(max(diffs)) if diffs else None,
        "top_n": len(tops),
        "top_mean_abs_diff": float(np.mean(np.array(tops))) if tops else None,
    }
    ea = puma_ref.ece_object(pa, args.bins, None)["ece"]
    eb = puma_ref.ece_object(pb, args.bins, None)["ece"]
    out["calibration"] = {"ece_a": ea, "ece_b": eb}

    ca = np.array([correct(p) for p in pa], dtype=int)
    cb = np.array([correct(q) for q in pb], dtype=int)
    b = int(((ca == 1) & (cb == 0)).sum())
    c = int(((ca == 0) & (cb == 1)).sum())
    out["mcnemar"] = {"b": b, "c": c,
                      "p": 1.0 if b + c == 0 else float(stats.binomtest(b, b + c, 0.5).pvalue)}
    d = ca - cb
    if (d != 0).sum() == 0:
        out["wilcoxon"] = {"statistic": 0.0, "p": 1.0, "z": None}
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = stats.wilcoxon(ca, cb, zero_method="wilcox", method="auto")
            # scipy gives z only when asked for the approximation by name;
            # "auto" takes it with zeros present or above 50 pairs.
            z = None
            if len(d) > 50 or (d == 0).any():
                z = stats.wilcoxon(ca, cb, zero_method="wilcox", method="approx").zstatistic
        out["wilcoxon"] = {"statistic": float(res.statistic), "p": float(res.pvalue),
                           "z": None if z is None else float(z)}

    # Paired bootstrap of B - A.
    rng = np.random.RandomState(args.seed)
    n = len(pairs)
    vals = {k: [] for k in ha}
    for _ in range(args.bootstrap if n else 0):
        idx = rng.randint(0, n, size=n)
        xa = puma_ref.headline(cfg, labels, [pa[i] for i in idx])
        xb = puma_ref.headline(cfg, labels, [pb[i] for i in idx])
        for k in ha:
            if xa[k] is not None and xb[k] is not None:
                vals[k].append(xb[k] - xa[k])
    lo, hi = (1 - args.ci) / 2 * 100, (1 + args.ci) / 2 * 100
    out["bootstrap"] = {k: ([float(np.percentile(np.array(v), lo)), float(np.percentile(np.array(v), hi))]
                            if v else [None, None]) for k, v in vals.items()}
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
