#!/usr/bin/python3
"""Reference pairs for puma-pair, from pandas and NumPy.

    pair_ref.py puma N SEED FILE    PUMA's prioritization sample: 2N rows drawn
                                    by PUMA's triage sampler (sample_ref.py),
                                    rows (0,1), (2,3), ... paired, N pairs kept
    pair_ref.py mixed N SEED FILE   mixed-class pairs as puma-pair(1) defines
                                    them, with NumPy's RandomState

Each pair is printed as one JSON object: id_a, id_b, priority_a, priority_b,
rank_a, rank_b, title_a, title_b, description_a, description_b, gold.
"""
import json
import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sample_ref import stratified  # noqa: E402

ORDER = {"Blocker": 5, "Critical": 4, "Major": 3, "Minor": 2, "Trivial": 1}


def rank(p):
    return ORDER.get(str(p).capitalize(), 0)


def pair(a, b, i):
    ra, rb = rank(a["gold"]), rank(b["gold"])
    return {"id_a": a.get("id") or "A_%d" % i, "id_b": b.get("id") or "B_%d" % i,
            "priority_a": a["gold"], "priority_b": b["gold"], "rank_a": ra, "rank_b": rb,
            "title_a": a.get("title") or "", "title_b": b.get("title") or "",
            "description_a": a.get("description") or "",
            "description_b": b.get("description") or "",
            "gold": "A" if ra >= rb else "B"}


def puma(recs, n, seed):
    df = pd.DataFrame({"pos": range(len(recs)), "gold": [r["gold"] for r in recs]})
    rows = [recs[p] for p in stratified(df, 2 * n, seed, "gold")["pos"].tolist()]
    return [pair(rows[i], rows[i + 1], i) for i in range(0, len(rows) - 1, 2)][:n]


def mixed(recs, n, seed):
    rs = np.random.RandomState(seed)
    perm = rs.permutation(len(recs)).tolist()
    used = set()
    pairs = []
    for i, x in enumerate(perm):
        if len(pairs) >= n:
            break
        if x in used:
            continue
        for y in perm[i + 1:]:
            if y not in used and rank(recs[y]["gold"]) != rank(recs[x]["gold"]):
                used.update((x, y))
                pairs.append([x, y])
                break
    m = len(pairs)
    gold = np.array([0] * (m - m // 2) + [1] * (m // 2))
    rs.shuffle(gold)
    out = []
    for k, (x, y) in enumerate(pairs):
        hi, lo = (x, y) if rank(recs[x]["gold"]) > rank(recs[y]["gold"]) else (y, x)
        a, b = (hi, lo) if gold[k] == 0 else (lo, hi)
        out.append(pair(recs[a], recs[b], 2 * k))
    return out


def main():
    mode, n, seed, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    recs = [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]
    for p in (puma if mode == "puma" else mixed)(recs, n, seed):
        print(json.dumps(p, sort_keys=True))


main()
