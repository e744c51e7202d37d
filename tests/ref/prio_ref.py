#!/usr/bin/python3
"""References for the prioritization scenario.

    prio_ref.py issues COUNT SEED     random triage issues: priorities of every
                                      rank and spelling, some without an id
    prio_ref.py answers COUNT SEED    random model answers (one JSON string a line)
    prio_ref.py parse FILE            PUMA's parser over those answers: the
                                      reasoning stripped, then the first
                                      case-insensitive stand-alone A or B
    prio_ref.py metrics FILE          accuracy over parsed records, parse
                                      failure rate, and the NDCG and MRR of
                                      docs/metrics.md with NumPy, from predictions
"""
import json
import random
import re
import sys

import numpy as np

ANSWER = re.compile(r"\b([AB])\b", re.IGNORECASE)


def strip_reasoning(s):
    # PUMA's _reasoning.py, restated: closed blocks, then an unclosed one
    # to the end, then stray closing tags.
    s = re.sub(r"<think>.*?</think>", "", s, flags=re.IGNORECASE | re.DOTALL)
    s = re.sub(r"<think>.*\Z", "", s, flags=re.IGNORECASE | re.DOTALL)
    return re.sub(r"</think>", "", s, flags=re.IGNORECASE)


def parse(s):
    m = ANSWER.search(strip_reasoning(s))
    return m.group(0).upper() if m else None


def issues(count, seed):
    g = random.Random(seed)
    prios = ["Blocker", "Critical", "Major", "Minor", "Trivial", "major", "CRITICAL",
             "bloc\u212aer", "Unknown", ""]
    for i in range(count):
        r = {"scenario": "triage_jira", "title": "Issue %d" % i,
             "description": "Text of issue %d" % i, "gold": g.choice(prios)}
        if g.random() < 0.9:
            r = dict({"id": "P-%d" % i}, **r)
        if g.random() < 0.1:
            r["description"] = None
        print(json.dumps(r))


def answers(count, seed):
    g = random.Random(seed)
    bits = ["A", "B", "a", "b", " ", "the ", "Issue ", "AB", "A.", "(B)", "_A", "A1", "\n",
            "<think>", "</think>", "I'd say ", "b!", "x", "Answer: "]
    for _ in range(count):
        print(json.dumps("".join(g.choice(bits) for _ in range(g.randint(0, 8)))))


def metrics(path):
    recs = [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]
    parsed = [r for r in recs if r["pred"] is not None]
    d2 = (1.0 / np.log2(np.arange(2) + 2))
    ndcg, rr = [], []
    for r in parsed:
        rel = [r["rank_a"], r["rank_b"]] if r["pred"] == "A" else [r["rank_b"], r["rank_a"]]
        ideal = float(np.dot(sorted(rel, reverse=True), d2))
        ndcg.append(float(np.dot(rel, d2)) / ideal if ideal > 0 else 0.0)
        rr.append(1.0 if rel[0] >= rel[1] else 0.5)
    out = {"n": len(recs), "n_parsed": len(parsed),
           "parse_failure_rate": (len(recs) - len(parsed)) / len(recs),
           "accuracy": float(np.mean([r["pred"] == r["gold"] for r in parsed])) if parsed else None,
           "ranking": {"n": len(parsed), "ndcg": float(np.mean(ndcg)), "mrr": float(np.mean(rr))}
           if parsed else None}
    print(json.dumps(out, sort_keys=True))


mode = sys.argv[1]
if mode == "issues":
    issues(int(sys.argv[2]), int(sys.argv[3]))
elif mode == "answers":
    answers(int(sys.argv[2]), int(sys.argv[3]))
elif mode == "parse":
    for line in open(sys.argv[2], encoding="utf-8"):
        print(json.dumps(parse(json.loads(line))))
else:
    metrics(sys.argv[2])
