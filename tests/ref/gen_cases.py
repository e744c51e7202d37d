#!/usr/bin/python3
"""Random inputs for the differential tests of puma-parse, puma-metrics and
puma-ece against puma_ref.py.

    gen_cases.py responses N SEED      response records (mixed scenarios)
    gen_cases.py predictions N SEED    prediction records in N groups ("case")
    gen_cases.py calibration N SEED    records with confidences in N groups
    gen_cases.py bootstrap N SEED      small prediction groups for --ci

Each group is one test case: the tools are run with --group-by case.
"""

import json
import random
import sys

TRIAGE4 = ["Critical", "Major", "Minor", "Trivial"]
TRIAGE5 = ["Blocker"] + TRIAGE4
SCALE = [1, 2, 3, 5, 8, 13, 21]

FRAGMENTS = [
    "Critical", "critical", "CRITICAL", "cRiTiCaL", "Major", "major", "MAJOR", "Minor",
    "minor", "Trivial", "trivial", "Blocker", "blocker", "non-", "Critically", "critical_bug",
    "Major2", "**", "<think>", "</think>", "<THINK>", "</Think>", "<thinking>", "\n", " ", " ",
    ".", ",", "-", "_", "e", "ly", "s", "2", "\u00e9", "\u4e2d", "\u212a", "\t", "Priority: ",
    "3", "5", "8", "13", "21", "4", "2.5", "-3", ".5", "1,000", "3-5", "2024", "0", "7", "9",
    "12", "14", "20", "22", "10", "11", "15", "34", "1e3", "0.5", "3.", "99999999999999999999",
    "\u0663", "\x00", "\"", "\\", "story points", "I think", "The answer is",
]

TOKENS = ["Critical", "critical", "CRITICAL", "C", "c", "Major", "major", "M", "m", "Minor",
          "minor", "MINOR", "Trivial", "trivial", "T", "t", "Blocker", "B", "b", "**", "\n",
          " Critical", " Major", "The", "Crit", "\u00e9"]


def response(rng):
    return "".join(rng.choice(FRAGMENTS) for _ in range(rng.randrange(0, 9)))


def logprob(rng):
    k = rng.random()
    if k < 0.05:
        return -1000.0
    if k < 0.15:
        return 0.0
    if k < 0.25:
        return -1.5
    return -rng.random() * rng.choice([1, 5, 20])


def logprobs(rng):
    k = rng.random()
    if k < 0.1:
        return None
    if k < 0.15:
        return []
    out = []
    for _ in range(rng.randrange(1, 4)):
        tok = rng.choice(TOKENS)
        lp = logprob(rng)
        top = []
        if rng.random() < 0.7:
            top.append({"token": tok, "logprob": lp if rng.random() < 0.9 else logprob(rng)})
        for _ in range(rng.randrange(0, 6)):
            top.append({"token": rng.choice(TOKENS), "logprob": logprob(rng)})
        rng.shuffle(top)
        e = {"token": tok, "logprob": lp}
        if rng.random() < 0.9:
            e["top_logprobs"] = top
        out.append(e)
    return out


def responses(n, rng):
    for i in range(n):
        scen = rng.choice(["triage_jira", "triage_jira", "triage_jira_5", "estimation_tawos"])
        rec = {"id": "R-%d" % i, "scenario": scen}
        if scen == "estimation_tawos":
            rec["gold"] = rng.choice(SCALE + [0.5, 40, 100])
        else:
            rec["gold"] = rng.choice(TRIAGE5)
        k = rng.random()
        rec["response"] = None if k < 0.03 else response(rng)
        rec["latency_ms"] = round(rng.uniform(10, 5000), 3)
        lp = logprobs(rng)
        if lp is not None or rng.random() < 0.5:
            rec["logprobs"] = lp
        rec["error"] = "HTTP 500: boom" if k > 0.97 else None
        if rng.random() < 0.05:
            rec["pred"] = "stale"
        yield rec


def latency(rng, mode):
    if mode == 0:
        return rng.choice([100.0, 250.5, 250.5, 1000.0, 3.25])
    if mode == 1:
        return round(rng.lognormvariate(6, 1), 3)
    return rng.uniform(0, 1e4)


def predictions(n, rng):
    for case in range(n):
        scen = rng.choice(["triage_jira", "triage_jira", "triage_jira_5", "estimation_tawos"])
        k = rng.random()
        if k < 0.01:
            size = rng.randrange(8193, 12000)
        elif k < 0.12:
            size = rng.randrange(120, 700)
        elif k < 0.2:
            size = 1
        else:
            size = rng.randrange(2, 60)
        fail = rng.choice([0.0, 0.0, 0.1, 0.5, 1.0 if rng.random() < 0.1 else 0.2])
        labels = TRIAGE5 if scen == "triage_jira_5" else TRIAGE4
        used = rng.sample(labels, rng.randrange(1, len(labels) + 1))
        lat_mode = rng.randrange(4)
        digest_varies = rng.random() < 0.1
        for i in range(size):
            rec = {"case": case, "scenario": scen, "model": "m%d" % (case % 3),
                   "strategy": "zero-shot"}
            if not digest_varies or i < size - 1:
                rec["model_digest"] = "d%d" % (case % 5)
            if scen == "estimation_tawos":
                rec["gold"] = rng.choice(SCALE + [34, 40, 0.5])
                pred = rng.choice(SCALE + [10, 2024, 4.5, 34])
            else:
                rec["gold"] = rng.choice(labels if rng.random() < 0.97 else ["Blocker", "Medium"])
                pred = rng.choice(used)
            failed = rng.random() < fail
            rec["pred"] = None if failed else pred
            if failed and rng.random() < 0.3:
                rec["error"] = "timeout"
            if lat_mode < 3 and rng.random() < 0.95:
                rec["latency_ms"] = latency(rng, lat_mode)
            elif lat_mode < 3:
                rec["latency_ms"] = None
            yield rec


def calibration(n, rng):
    for case in range(n):
        size = rng.choice([0, 1, 2, 5, 20, 100, 300]) if rng.random() < 0.9 else rng.randrange(129, 2000)
        size = max(size, 1)
        p_none = rng.choice([0.0, 0.1, 1.0 if rng.random() < 0.05 else 0.3])
        for i in range(size):
            k = rng.random()
            if k < 0.1:
                c = rng.randrange(0, 16) * (1.0 / 15)
            elif k < 0.15:
                c = rng.randrange(0, 11) * (1.0 / 10)
            elif k < 0.2:
                c = rng.choice([0.0, 1.0, 0.5])
            else:
                c = rng.random()
            gold = rng.choice(TRIAGE4)
            pred = gold if rng.random() < c else rng.choice(TRIAGE4 + [None])
            rec = {"case": case, "gold": gold, "pred": pred,
                   "confidence": None if rng.random() < p_none else c}
            yield rec


def bootstrap(n, rng):
    for case in range(n):
        scen = rng.choice(["triage_jira", "estimation_tawos"])
        size = rng.randrange(1, 30)
        fail = rng.choice([0.0, 0.3, 0.9])
        for i in range(size):
            rec = {"case": case, "scenario": scen}
            if scen == "estimation_tawos":
                rec["gold"] = rng.choice(SCALE)
                rec["pred"] = None if rng.random() < fail else rng.choice(SCALE + [4.5])
            else:
                rec["gold"] = rng.choice(TRIAGE4)
                rec["pred"] = None if rng.random() < fail else rng.choice(TRIAGE4)
            yield rec


def main():
    kind, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    gen = {"responses": responses, "predictions": predictions,
           "calibration": calibration, "bootstrap": bootstrap}[kind]
    for rec in gen(n, rng):
        sys.stdout.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
