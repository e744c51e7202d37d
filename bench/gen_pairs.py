#!/usr/bin/python3
"""gen_pairs.py KIND N A B - two runs of N prediction records with the same
ids for puma-diff: KIND triage (labels, 10% of B's predictions changed, 5%
unparsed) or estimation (story points).  Deterministic (seed 1)."""
import json
import random
import sys

kind, n, fa, fb = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
random.seed(1)
if kind == "triage":
    scen, vals = "triage_jira", ["Critical", "Major", "Minor", "Trivial"]
else:
    scen, vals = "estimation_tawos", [1, 2, 3, 5, 8, 13, 21]
with open(fa, "w") as a, open(fb, "w") as b:
    for i in range(n):
        g = random.choice(vals)
        pa = random.choice(vals) if random.random() > 0.05 else None
        pb = pa if random.random() < 0.9 else random.choice(vals)
        for f, p in ((a, pa), (b, pb)):
            f.write(json.dumps({"id": "P-%d" % i, "scenario": scen, "gold": g, "pred": p,
                                "response": str(p), "model_digest": "a" * 64}) + "\n")
