#!/usr/bin/python3
"""Reference transcription of puma-metrics --by and --stability in NumPy.

PUMA's robustness_score and consistency_rate (metrics/robustness.py),
fairness_report and perturbation_disparity (metrics/fairness.py) and
stability_report (metrics/stability.py), restated from docs/metrics.md on
top of puma_ref.py's per-group metrics, so that the tests compare the tool
with it byte for byte.

    robust_ref.py [--by FIELD] [--stability FIELD] [--ci L --bootstrap B --seed S] FILE...
    robust_ref.py --gen N SEED DIR     (write N random cases DIR/case-K.jsonl
                                        and their options, DIR/case-K.args)
    robust_ref.py --cases N DIR        (score those cases, one after another)

Each FILE is one input, scored on its own.

Only well-formed input is handled.
"""

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import puma_ref  # noqa: E402

HEAD = {"classification": ("f1_macro", "f1_weighted", "accuracy"),
        "regression": ("mae", "mdae", "rmse")}
FEMALE, MALE = "gender_swap_prefix_female", "gender_swap_prefix_male"


def member(rec, path):
    v = rec
    for part in path.split("."):
        if not isinstance(v, dict) or part not in v:
            return None
        v = v[part]
    return v


def key_text(v):
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def robustness_score(a, b):
    if a is None or b is None:
        return None
    return max(0.0, min(1.0, 1.0 - abs(a - b)))


def same(a, b):
    # Predictions compare as Python values: None == None, 5 == 5.0.
    return a == b


def disparity(base, pert, gold):
    """perturbation_disparity on Python lists (None stays None)."""
    n = len(base)
    b = np.empty(n, dtype=object)
    p = np.empty(n, dtype=object)
    g = np.empty(n, dtype=object)
    b[:], p[:], g[:] = base, pert, gold
    hit_b = np.array([x is not None and x == y for x, y in zip(base, gold)], dtype=bool)
    hit_p = np.array([x is not None and x == y for x, y in zip(pert, gold)], dtype=bool)
    flipped = np.array([not same(x, y) for x, y in zip(base, pert)], dtype=bool)
    out = {"acc_b": float(hit_b.mean()) if n else None,
           "acc_p": float(hit_p.mean()) if n else None,
           "flips": int(flipped.sum()),
           "flip_rate": float(flipped.mean()) if n else None}
    k = int(flipped.sum())
    if k > 0:
        out["to_correct"] = float(((~hit_b[flipped]) & hit_p[flipped]).sum() / k)
        out["to_incorrect"] = float((hit_b[flipped] & (~hit_p[flipped])).sum() / k)
    else:
        out["to_correct"] = out["to_incorrect"] = 0.0
    return out


def macro_f1(gold, pred):
    labels = sorted(set(gold) | {p for p in pred if p is not None})
    f1 = []
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, pred) if g == lab and p == lab)
        fp = sum(1 for g, p in zip(gold, pred) if g != lab and p == lab)
        fn = sum(1 for g, p in zip(gold, pred) if g == lab and p != lab)
        d = 2 * tp + fp + fn
        f1.append(2 * tp / d if d else 0.0)
    return float(np.mean(np.array(f1, dtype=float)))


def fairness_report(per_group, glob):
    worst = min(per_group, key=per_group.__getitem__)
    return {"per_group": per_group, "global": glob, "worst_group": worst,
            "gap": max(per_group.values()) - per_group[worst],
            "disparities": {g: abs(v - glob) for g, v in per_group.items()}}


def stability(values):
    arr = np.array(values, dtype=float)
    mean = float(np.mean(arr))
    std = float(np.std(arr))
    if len(values) == 1:
        score = 1.0
    elif mean == 0.0:
        score = 0.0 if std > 0 else 1.0
    else:
        score = max(0.0, min(1.0, 1.0 - std / abs(mean)))
    return {"n_seeds": len(values), "mean": mean, "stddev": std,
            "cv": std / abs(mean) if mean != 0.0 else None,
            "min": float(np.min(arr)), "max": float(np.max(arr)), "stability": score}


def gen(n, seed, outdir):
    """Random prediction files: both tasks, originals marked null, absent or
    "original", missing pairs, parse failures, labels outside the list,
    integer and float points, one to 20 seeds (flat or in options)."""
    import random
    rng = random.Random(seed)
    labels = ["Critical", "Major", "Minor", "Trivial"]
    perts = ["typos_5pct", "case_upper", "case_lower", "truncate_50pct", "tech_noise",
             "register_shift_informal", "gender_swap_prefix_male", "gender_swap_prefix_female"]
    for c in range(n):
        reg = rng.random() < 0.3
        nsrc = rng.choice([1, 2, 5, 9, 30, 140])
        nseed = rng.choice([1, 1, 2, 3, 9, 20])
        use = rng.sample(perts, rng.randint(0, len(perts)))
        mark = rng.choice(["absent", "null", "original"])
        nested = rng.random() < 0.5
        pfail = rng.choice([0.0, 0.1, 0.5, 1.0])
        easy = rng.random()
        with open(os.path.join(outdir, "case-%d.jsonl" % c), "w") as f:
            for s in range(nseed):
                for i in range(nsrc):
                    gold = rng.choice([1, 2, 3, 5, 8, 13]) if reg else rng.choice(labels + ["Blocker"])
                    for p in [None] + use:
                        if rng.random() < 0.05:
                            continue   # a missing pair
                        r = {"id": "S-%d" % i if p is None else "S-%d~%s" % (i, p),
                             "scenario": "estimation_tawos" if reg else "triage_jira", "gold": gold}
                        if p is not None:
                            r["perturbation"] = p
                            r["source_id"] = "S-%d" % i
                        elif mark == "null":
                            r["perturbation"] = None
                        elif mark == "original":
                            r["perturbation"] = "original"
                            r["source_id"] = "S-%d" % i
                        if rng.random() < pfail:
                            r["pred"] = None
                        elif rng.random() < easy:
                            r["pred"] = gold if not reg or rng.random() < 0.5 else float(gold)
                        elif reg:
                            r["pred"] = rng.choice([1, 2, 3, 5, 8, 13, 2.5])
                        else:
                            r["pred"] = rng.choice(labels + ["Blocker", "Other"])
                        if nested:
                            r["options"] = {"temperature": 0.8, "seed": 100 + s}
                        else:
                            r["seed"] = 100 + s
                        f.write(json.dumps(r) + "\n")
        with open(os.path.join(outdir, "case-%d.args" % c), "w") as f:
            f.write("--by perturbation --stability %s\n" % ("options.seed" if nested else "seed"))


def options():
    """puma-metrics' options that the robustness scoring reads."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--by")
    ap.add_argument("--stability")
    ap.add_argument("--ci", type=float)
    ap.add_argument("--bootstrap", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=42)
    return ap


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--gen":
        gen(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
        return
    if len(sys.argv) == 4 and sys.argv[1] == "--cases":
        ap = options()
        for c in range(int(sys.argv[2])):
            base = os.path.join(sys.argv[3], "case-%d" % c)
            with open(base + ".args") as f:
                args = ap.parse_args(f.read().split())
            with open(base + ".jsonl") as f:
                score([json.loads(line) for line in f if line.strip()], args)
        return
    ap = options()
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    for path in args.files:
        with open(path) as f:
            score([json.loads(line) for line in f if line.strip()], args)


def score(recs, args):
    margs = argparse.Namespace(scenario=None, labels=None, ci=args.ci, bootstrap=args.bootstrap,
                               seed=args.seed, pretty=False)
    groups = {}
    for r in recs:
        k = key_text(r.get(args.by)) if args.by else ""
        groups.setdefault(k, []).append(r)
    task = puma_ref.load_scenario(recs[0]["scenario"])["task"]
    names = HEAD[task]
    heads, origs = {}, []
    for k, rs in groups.items():
        heads[k] = puma_ref.headline(puma_ref.load_scenario(rs[0]["scenario"]), None if task != "classification"
                                     else puma_ref.label_set(puma_ref.load_scenario(rs[0]["scenario"])), rs)
        if args.by and (rs[0].get(args.by) is None or rs[0].get(args.by) == "original"):
            origs.append(k)

    def pkey(r):
        sid = r.get("source_id")
        k = key_text(sid if sid is not None else r.get("id"))
        if args.stability:
            k += "\x1e" + key_text(member(r, args.stability))
        return k

    def correct(r):
        return r["pred"] is not None and r["pred"] == r["gold"]

    orig = {}
    for k in origs:
        for r in groups[k]:
            orig[pkey(r)] = r
    for k, rs in groups.items():
        group = {args.by: rs[0].get(args.by)} if args.by else None
        out = puma_ref.metrics_object(margs, rs, group)
        if args.by and k not in origs:
            paired = [(orig[pkey(r)], r) for r in rs if pkey(r) in orig]
            d = disparity([o["pred"] for o, _ in paired], [r["pred"] for _, r in paired],
                          [o["gold"] for o, _ in paired])
            if paired:
                cons = sum(same(o["pred"], r["pred"]) for o, r in paired) / len(paired)
            else:
                cons = None
            o0 = heads[origs[0]] if origs else {}
            out["vs_original"] = {
                "n_pairs": len(paired),
                "robustness": {m: robustness_score(o0.get(m), heads[k][m]) for m in names},
                "consistency": cons, "acc_original": d["acc_b"], "acc_perturbed": d["acc_p"],
                "flips": d["flips"], "flip_rate": d["flip_rate"],
                "flip_to_correct": d["to_correct"], "flip_to_incorrect": d["to_incorrect"]}
        if args.stability:
            subs = {}
            for r in rs:
                subs.setdefault(key_text(member(r, args.stability)), []).append(r)
            st = {"field": args.stability, "values": [member(v[0], args.stability) for v in subs.values()]}
            cfg = puma_ref.load_scenario(rs[0]["scenario"])
            lab = puma_ref.label_set(cfg) if task == "classification" else None
            hs = [puma_ref.headline(cfg, lab, v) for v in subs.values()]
            for m in names:
                vals = [h[m] for h in hs if h[m] is not None]
                st[m] = stability(vals) if vals else None
            out["stability"] = st
        print(json.dumps(out, ensure_ascii=False, separators=(",", ":")))
    fk, mk = key_text(FEMALE), key_text(MALE)
    if args.by and fk in groups and mk in groups:
        male = {pkey(r): r for r in groups[mk]}
        pairs = [(male[pkey(r)], r) for r in groups[fk] if pkey(r) in male]
        if pairs:
            f = {"by": args.by, "n_pairs": len(pairs)}
            fem = [r for _, r in pairs]
            mal = [m for m, _ in pairs]
            acc = {FEMALE: sum(correct(r) for r in fem) / len(fem),
                   MALE: sum(correct(r) for r in mal) / len(mal)}
            f["accuracy"] = fairness_report(acc, sum(correct(r) for r in fem + mal) / (2 * len(fem)))
            if task == "classification":
                f1 = {FEMALE: macro_f1([r["gold"] for r in fem], [r["pred"] for r in fem]),
                      MALE: macro_f1([r["gold"] for r in mal], [r["pred"] for r in mal])}
                both = fem + mal
                f["f1_macro"] = fairness_report(f1, macro_f1([r["gold"] for r in both],
                                                             [r["pred"] for r in both]))
            d = disparity([m["pred"] for m in mal], [r["pred"] for r in fem], [m["gold"] for m in mal])
            f.update({"acc_male": d["acc_b"], "acc_female": d["acc_p"], "flips": d["flips"],
                      "flip_rate": d["flip_rate"], "flip_to_correct": d["to_correct"],
                      "flip_to_incorrect": d["to_incorrect"]})
            print(json.dumps({"fairness": f}, ensure_ascii=False, separators=(",", ":")))


if __name__ == "__main__":
    main()
