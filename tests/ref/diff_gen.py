#!/usr/bin/python3
"""Make pairs of prediction files for the puma-diff tests.

    diff_gen.py KIND OUTDIR [SEED]

KIND is one of the constructed pairs (identical, flip, lp1e-5, lp1e-2,
digest, disjoint, failures, estimation) or "random" (a random pair of
random runs, for the differential test).  Writes OUTDIR/a.jsonl and
OUTDIR/b.jsonl.
"""

import copy
import json
import os
import random
import sys

LABELS = ["Critical", "Major", "Minor", "Trivial"]
WORDS = ["Critical", "Major", "Minor", "Trivial", " the", " is", "**", "\n", "Priority", ":", " M"]


def triage_run(rng, n, digest="d" * 64, fail_rate=0.0):
    recs = []
    for i in range(n):
        gold = LABELS[i % 4]
        failed = rng.random() < fail_rate
        toks = []
        for k in range(rng.randint(1, 6)):
            top = [{"token": w, "logprob": -rng.random() * 5} for w in rng.sample(WORDS, 3)]
            toks.append({"token": rng.choice(WORDS), "logprob": -rng.random() * 3, "top_logprobs": top})
        pred = None if failed else rng.choice(LABELS + [gold, gold])
        recs.append({
            "id": "ISS-%03d" % i, "scenario": "triage_jira", "title": "t%d" % i, "gold": gold,
            "model": "tiny", "model_digest": digest, "backend": "openai",
            "response": None if failed else "".join(t["token"] for t in toks),
            "logprobs": None if failed else toks,
            "pred": pred,
            "confidence": None if pred is None or rng.random() < 0.1 else round(rng.random(), 6),
        })
    return recs


def estimation_run(rng, n):
    scale = [1, 2, 3, 5, 8, 13, 21]
    recs = []
    for i in range(n):
        gold = rng.choice(scale + [20, 40])
        pred = None if rng.random() < 0.1 else rng.choice(scale + [10, 34])
        recs.append({"id": "XD-%d" % i, "scenario": "estimation_tawos", "gold": gold,
                     "model": "tiny", "model_digest": "e" * 64,
                     "response": None if pred is None else str(pred), "pred": pred, "confidence": None})
    return recs


def write(path, recs):
    with open(path, "w", encoding="utf-8") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def main():
    kind, out = sys.argv[1], sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    rng = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    if kind == "estimation":
        a = estimation_run(rng, 80)
        b = copy.deepcopy(a)
        b[3]["pred"] = 21 if a[3]["pred"] != 21 else 13
    elif kind == "random":
        n = rng.choice([1, 2, 5, 30, 60, 130])
        a = triage_run(rng, n, fail_rate=rng.choice([0, 0.1, 0.5]))
        b = copy.deepcopy(a)
        for r in b:
            x = rng.random()
            if x < 0.3 and r["logprobs"]:
                # Diverge at a random position, and nudge the logprobs.
                k = rng.randrange(len(r["logprobs"]))
                r["logprobs"][k]["token"] = rng.choice(WORDS)
                for t in r["logprobs"]:
                    t["logprob"] += rng.choice([0, 1e-6, 1e-3, 0.05])
                    for u in t["top_logprobs"]:
                        u["logprob"] += rng.choice([0, 1e-4])
                r["response"] = "".join(t["token"] for t in r["logprobs"])
            if x < 0.2:
                r["pred"] = rng.choice(LABELS + [None])
            if rng.random() < 0.3 and r["pred"] is not None:
                r["confidence"] = round(rng.random(), 6)
        rng.shuffle(b)
        if rng.random() < 0.3:
            b = b[: max(1, len(b) - 3)]
    else:
        a = triage_run(rng, 60)
        b = copy.deepcopy(a)
        if kind == "flip":
            b[5]["pred"] = "Trivial" if a[5]["pred"] != "Trivial" else "Major"
        elif kind in ("lp1e-5", "lp1e-2"):
            eps = 1e-5 if kind == "lp1e-5" else 1e-2
            for r in b:
                for t in r["logprobs"] or []:
                    t["logprob"] -= eps
        elif kind == "digest":
            for r in b:
                r["model_digest"] = "f" * 64
        elif kind == "disjoint":
            for r in b:
                r["id"] = "OTHER-" + r["id"]
        elif kind == "failures":
            for r in b[:6]:
                r.update(response=None, logprobs=None, pred=None, confidence=None,
                         error="HTTP 500: The model produced output that does not match")
        elif kind != "identical":
            sys.exit("unknown kind " + kind)
    write(os.path.join(out, "a.jsonl"), a)
    write(os.path.join(out, "b.jsonl"), b)


if __name__ == "__main__":
    main()
