#!/usr/bin/python3
"""Reference transcription of the scoring rules, in Python and NumPy.

An independent restatement of docs/metrics.md (parsers, confidence,
metrics, calibration), written from the rules and not from the C code, so
that the tests can compare the tools with it byte for byte: every float is
printed by Python's repr through json.dumps.

    puma_ref.py parse   [--scenario S] [--labels L] [--confidence MODE] < responses
    puma_ref.py metrics [--scenario S] [--labels L] [--group-by F,...]
                        [--ci LEVEL --bootstrap B --seed S] [--pretty] < predictions
    puma_ref.py ece     [--bins N] < predictions
    puma_ref.py cases   FILE          (check the parser case table)

Only well-formed input is handled; error reporting is the tools' business.
"""

import argparse
import json
import math
import os
import re
import sys

import numpy as np

CONFIG = os.environ.get("PUMA_CONFIG_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "config")


def load_scenario(name):
    path = name if ("/" in name or name.endswith(".json")) else \
        os.path.join(CONFIG, "scenarios", name + ".json")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def default_spellings(label):
    def low(s):
        return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in s)

    def up(s):
        return "".join(chr(ord(c) - 32) if "a" <= c <= "z" else c for c in s)
    return [label, low(label), up(label), label[0], low(label[0])]


def label_set(cfg):
    """[(label, [spellings])] from a classification config."""
    sp = cfg.get("spellings", {})
    return [(l, sp.get(l) or default_spellings(l)) for l in cfg["labels"]]


def labels_arg(arg):
    if "," in arg:
        return [(l, default_spellings(l)) for l in (x.strip(" \t") for x in arg.split(","))]
    return label_set(load_scenario(arg))


# ---------------------------------------------------------------- parsers

THINK_CLOSED = re.compile(r"<think>.*?</think>", re.S | re.I | re.A)
THINK_OPEN = re.compile(r"<think>.*", re.S | re.I | re.A)
THINK_STRAY = re.compile(r"</think>", re.I | re.A)
NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?")


def strip_think(text):
    text = THINK_CLOSED.sub("", text)
    text = THINK_OPEN.sub("", text)
    return THINK_STRAY.sub("", text)


def label_regex(labels):
    # Whole word: no ASCII letter, digit or underscore on either side.
    alts = "|".join(re.escape(l) for l, _ in labels)
    return re.compile(r"(?<![A-Za-z0-9_])(?:%s)(?![A-Za-z0-9_])" % alts, re.I | re.A)


def parse_label(labels, rx, text):
    m = rx.search(text)
    if not m:
        return None
    # The alternation tried the labels in order at the leftmost position.
    for l, _ in labels:
        if m.group(0).lower() == l.lower():
            return l
    raise AssertionError("matched text is no label")


def parse_points(scale, within, text):
    m = NUMBER.search(text.strip())
    if not m:
        return None
    value = float(m.group(0))
    if not math.isfinite(value):
        return None
    if value in scale:
        return value
    closest = min(scale, key=lambda x: abs(x - value))
    return closest if abs(closest - value) <= within else value


def confidence_puma(labels, cands, pred):
    max_lp = max(lp for _, lp in cands)
    exps = [(tok, math.exp(lp - max_lp)) for tok, lp in cands]
    total = sum(e for _, e in exps)
    probs = {tok: e / total for tok, e in exps}
    result = {l: sum(probs.get(t, 0.0) for t in sp) for l, sp in labels}
    s = sum(result.values())
    if s > 0:
        result = {k: v / s for k, v in result.items()}
    return float(result[pred])


def confidence_fixed(labels, cands, pred):
    owners = {}
    for l, sp in labels:
        for t in set(sp):
            owners[t] = owners.get(t, 0) + 1
    own = [(l, [t for i, t in enumerate(sp) if owners[t] == 1 and t not in sp[:i]])
           for l, sp in labels]
    if not any(cands[0][0] in sp for _, sp in own):
        return None
    distinct = {}
    for tok, lp in cands:
        distinct.setdefault(tok, lp)
    max_lp = max(distinct.values())
    e = {tok: math.exp(lp - max_lp) for tok, lp in distinct.items()}
    total = sum(e.values())
    mass = {l: sum((e[t] / total if t in e else 0.0) for t in sp) for l, sp in own}
    s = sum(mass.values())
    if not s > 0:
        return None
    return mass[pred] / s


def points_json(v):
    if v == int(v) and abs(v) < 2 ** 53:
        return int(v)
    return v


def cmd_parse(args):
    fixed_labels = labels_arg(args.labels) if args.labels else None
    cache = {}
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        rec = json.loads(line)
        name = rec.get("scenario", args.scenario)
        if name not in cache:
            cfg = load_scenario(name)
            labels = fixed_labels or (label_set(cfg) if cfg["task"] == "classification" else None)
            cache[name] = (cfg, labels, label_regex(labels) if labels else None)
        cfg, labels, rx = cache[name]
        pred = conf = None
        resp = rec.get("response")
        if "samples" in rec:
            # Self-consistency: Counter's most_common(1) is the first of
            # the most voted in order of first vote.
            import collections
            votes = collections.Counter()
            for smp in rec["samples"]:
                p = None
                if isinstance(smp.get("response"), str) and smp.get("error") is None:
                    text = strip_think(smp["response"])
                    if cfg["task"] == "regression":
                        v = parse_points(cfg["scale"], cfg.get("snap_within", 1), text)
                        p = None if v is None else points_json(v)
                    else:
                        p = parse_label(labels, rx, text)
                if p is not None:
                    votes[p] += 1
            if votes:
                pred, n = votes.most_common(1)[0]
                conf = n / len(rec["samples"])
            rec["pred"] = pred
            rec["confidence"] = conf
            rec["votes"] = [[p, n] for p, n in votes.items()]
            out.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
            continue
        if isinstance(resp, str) and rec.get("error") is None:
            text = strip_think(resp)
            if cfg["task"] == "regression":
                v = parse_points(cfg["scale"], cfg.get("snap_within", 1), text)
                pred = None if v is None else points_json(v)
            else:
                pred = parse_label(labels, rx, text)
                lps = rec.get("logprobs")
                if pred is not None and args.confidence != "off" and lps:
                    first = answer_token(rec, resp, lps)
                if pred is not None and args.confidence != "off" and lps and first is not None:
                    cands = [(first["token"], first["logprob"])]
                    cands += [(t["token"], t["logprob"]) for t in first.get("top_logprobs") or []]
                    f = confidence_puma if args.confidence == "puma" else confidence_fixed
                    conf = f(labels, cands, pred)
        rec["pred"] = pred
        rec["confidence"] = conf
        out.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")


def answer_token(rec, resp, lps):
    """The first answer token's entry: the first token, unless the model
    reasoned first (a "thinking" text, or a response starting with <think>);
    then the token holding the first byte, white space skipped, after the
    first </think> in the tokens laid end to end, else after the thinking's
    tokens (the response's text ends the token text); None when no token
    reaches it."""
    thinking = rec.get("thinking")
    if not ((isinstance(thinking, str) and thinking) or
            resp.lstrip(" \t\n\r").encode()[:6].lower() == b"<think"):
        return lps[0]
    ends, t = [], b""
    for e in lps:
        t += e["token"].encode()
        ends.append(len(t))
    r = resp.encode()
    k = t.lower().find(b"</think>")
    if k >= 0:
        start = k + 8
    elif len(t) >= len(r):
        start = len(t) - len(r)
    else:
        start = 0
    while start < len(t) and t[start:start + 1] in (b" ", b"\t", b"\n", b"\r"):
        start += 1
    for i, end in enumerate(ends):
        if end > start:
            return lps[i]
    return None


# ---------------------------------------------------------------- metrics

def classification(labels, gold, pred):
    """gold, pred: lists over the parsed records only."""
    names = [l for l, _ in labels]
    idx = {l: i for i, l in enumerate(names)}
    k = len(names)
    cm = [[0] * k for _ in range(k)]
    for g, p in zip(gold, pred):
        if g in idx and p in idx:
            cm[idx[g]][idx[p]] += 1
    # Per class: tp, gold count, predicted count (over the label list).
    tp = [cm[i][i] for i in range(k)]
    ngold = [sum(1 for g in gold if g == l) for l in names]
    npred = [sum(1 for p in pred if p == l) for l in names]
    prec = [tp[i] / npred[i] if npred[i] else 0.0 for i in range(k)]
    rec = [tp[i] / ngold[i] if ngold[i] else 0.0 for i in range(k)]
    f1 = [2 * tp[i] / (ngold[i] + npred[i]) if ngold[i] + npred[i] else 0.0 for i in range(k)]
    res = {}
    if gold:
        f1a = np.array(f1, dtype=float)
        w = np.array(ngold, dtype=float)
        res["f1_macro"] = float(np.mean(f1a))
        res["f1_weighted"] = float(np.multiply(f1a, w).sum() / w.sum()) if w.sum() else 0.0
        res["accuracy"] = float(np.mean(np.array([g == p for g, p in zip(gold, pred)], dtype=float)))
    else:
        res["f1_macro"] = res["f1_weighted"] = res["accuracy"] = None
    res["labels"] = names
    res["per_class"] = {names[i]: {"precision": prec[i], "recall": rec[i], "f1": f1[i],
                                   "support": ngold[i]} for i in range(k)}
    res["confusion_matrix"] = cm
    return res


def regression(cfg, gold, pred):
    res = {}
    if not gold:
        res["mae"] = res["mdae"] = res["rmse"] = None
        res["mae_by_bin"] = {b["name"]: None for b in cfg.get("bins", [])}
        return res
    g = np.array(gold, dtype=float)
    errors = np.abs(g - np.array(pred, dtype=float))
    res["mae"] = float(np.mean(errors))
    res["mdae"] = float(np.median(errors))
    res["rmse"] = float(math.sqrt(float(np.mean(errors ** 2))))
    bins = {}
    for b in cfg.get("bins", []):
        hi = math.inf if b["hi"] is None else b["hi"]
        mask = (g >= b["lo"]) & (g <= hi)
        bins[b["name"]] = float(np.mean(errors[mask])) if mask.sum() > 0 else None
    res["mae_by_bin"] = bins
    return res


def headline(cfg, labels, recs):
    parsed = [r for r in recs if r["pred"] is not None]
    gold = [r["gold"] for r in parsed]
    pred = [r["pred"] for r in parsed]
    if cfg["task"] == "classification":
        m = classification(labels, gold, pred)
        return {k: m[k] for k in ("f1_macro", "f1_weighted", "accuracy")}
    m = regression(cfg, gold, pred)
    return {k: m[k] for k in ("mae", "mdae", "rmse")}


def bootstrap(cfg, labels, recs, level, b, seed):
    rng = np.random.RandomState(seed)
    n = len(recs)
    vals = {}
    for _ in range(b):
        idx = rng.randint(0, n, size=n)
        h = headline(cfg, labels, [recs[i] for i in idx])
        for k, v in h.items():
            vals.setdefault(k, [])
            if v is not None:
                vals[k].append(v)
    lo_q = (1.0 - level) / 2.0 * 100.0
    hi_q = (1.0 + level) / 2.0 * 100.0
    ci = {"level": level, "bootstrap": b, "seed": seed}
    for k, v in vals.items():
        if v:
            a = np.array(v, dtype=float)
            ci[k] = [float(np.percentile(a, lo_q)), float(np.percentile(a, hi_q))]
        else:
            ci[k] = None
    return ci


def metrics_object(args, recs, group):
    name = recs[0].get("scenario", args.scenario)
    cfg = load_scenario(name)
    labels = None
    if cfg["task"] == "classification":
        labels = labels_arg(args.labels) if args.labels else label_set(cfg)
    out = {}
    if group is not None:
        out["group"] = group
    out["scenario"] = name
    for f in ("model", "model_digest", "strategy"):
        vals = [r.get(f, None) if f in r else "\0absent" for r in recs]
        if vals[0] != "\0absent" and all(json.dumps(v) == json.dumps(vals[0]) for v in vals):
            out[f] = vals[0]
    n = len(recs)
    parsed = [r for r in recs if r["pred"] is not None]
    out["n"] = n
    out["n_parsed"] = len(parsed)
    out["n_errors"] = sum(1 for r in recs if r.get("error") is not None)
    out["parse_failure_rate"] = (n - len(parsed)) / n
    gold = [r["gold"] for r in parsed]
    pred = [r["pred"] for r in parsed]
    if cfg["task"] == "classification":
        out.update(classification(labels, gold, pred))
    else:
        out.update(regression(cfg, gold, pred))
    lat = [r["latency_ms"] for r in recs if r.get("latency_ms") is not None]
    if lat:
        a = np.array(lat, dtype=float)
        out["latency"] = {"p50": float(np.percentile(a, 50)), "p95": float(np.percentile(a, 95)),
                          "p99": float(np.percentile(a, 99)), "mean": float(np.mean(a)),
                          "min": float(np.min(a)), "max": float(np.max(a))}
        total_s = float(np.sum(a)) / 1000.0
        out["throughput_per_min"] = (len(lat) / total_s) * 60.0 if total_s > 0 else None
    else:
        out["latency"] = None
        out["throughput_per_min"] = None
    if args.ci is not None:
        out["ci"] = bootstrap(cfg, labels, recs, args.ci, args.bootstrap, args.seed)
    return out


def dump(obj, pretty):
    if pretty:
        return json.dumps(obj, ensure_ascii=False, indent=2)
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


KEPT = ("scenario", "gold", "pred", "error", "latency_ms", "model", "model_digest", "strategy")


def metric_groups(args, stdin):
    """The records as the metrics group them: a list of (group fields, or
    None without --group-by, and the group's records) in order of first
    appearance."""
    # Keep only what the metrics read, so a million records fit in memory.
    keep = KEPT + tuple(args.group_by.split(",") if args.group_by else ())
    recs = []
    for line in stdin:
        if line.strip():
            r = json.loads(line)
            recs.append({k: r[k] for k in keep if k in r})
    if not args.group_by:
        return [(None, recs)]
    fields = args.group_by.split(",")
    groups = {}
    for r in recs:
        key = tuple(json.dumps(r.get(f), ensure_ascii=False) for f in fields)
        groups.setdefault(key, []).append(r)
    return [({f: rs[0].get(f) for f in fields}, rs) for rs in groups.values()]


def cmd_metrics(args):
    for g, rs in metric_groups(args, sys.stdin):
        print(dump(metrics_object(args, rs, g), args.pretty))


# ---------------------------------------------------------------- calibration

def ece_object(recs, nbins, group):
    with_c = [r for r in recs if r.get("confidence") is not None]
    confs = np.array([r["confidence"] for r in with_c], dtype=float)
    hits = np.array([r["pred"] is not None and r["pred"] == r["gold"] for r in with_c], dtype=float)
    n = len(with_c)
    edges = np.linspace(0.0, 1.0, nbins + 1)
    out = {}
    if group is not None:
        out["group"] = group
    bins = []
    ece = mce = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        mask = (confs >= lo) & (confs < hi) if hi < 1.0 else (confs >= lo) & (confs <= hi)
        k = int(mask.sum())
        b = {"lo": float(lo), "hi": float(hi), "n": k, "accuracy": None, "confidence": None}
        if k:
            bc = float(confs[mask].mean())
            ba = float(hits[mask].mean())
            ece += (mask.sum() / n) * abs(bc - ba)
            mce = max(mce, abs(bc - ba))
            b["accuracy"] = ba
            b["confidence"] = bc
        bins.append(b)
    if n:
        out["ece"] = float(ece)
        out["mce"] = float(mce)
        out["brier"] = float(np.mean((confs - hits) ** 2))
    else:
        out["ece"] = out["mce"] = out["brier"] = None
    out["n"] = n
    out["n_without_confidence"] = len(recs) - n
    out["n_bins"] = nbins
    out["bins"] = bins
    return out


def cmd_ece(args):
    recs = [json.loads(l) for l in sys.stdin if l.strip()]
    if args.group_by:
        groups = {}
        for r in recs:
            key = json.dumps(r.get(args.group_by), ensure_ascii=False)
            groups.setdefault(key, []).append(r)
        for rs in groups.values():
            print(dump(ece_object(rs, args.bins, {args.group_by: rs[0].get(args.group_by)}), args.pretty))
    else:
        print(dump(ece_object(recs, args.bins, None), args.pretty))


# ---------------------------------------------------------------- the case table

def unescape(s):
    return s.encode("latin-1", "backslashreplace").decode("unicode_escape") \
        if "\\" in s else s


def cmd_cases(args):
    """Each line: scenario<TAB>response<TAB>expected (C-style escapes in the
    response; expected "null" or the label or the number)."""
    bad = 0
    n = 0
    for line in open(args.file, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        name, resp, want = line.split("\t")
        text = strip_think(unescape(resp))
        cfg = load_scenario(name)
        if cfg["task"] == "regression":
            v = parse_points(cfg["scale"], cfg.get("snap_within", 1), text)
            got = "null" if v is None else json.dumps(points_json(v))
        else:
            labels = label_set(cfg)
            p = parse_label(labels, label_regex(labels), text)
            got = "null" if p is None else p
        n += 1
        if got != want:
            bad += 1
            print("case %d: %r: got %s, expected %s" % (n, resp, got, want))
    print("%d cases, %d wrong" % (n, bad))
    sys.exit(1 if bad else 0)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("parse")
    p.add_argument("--scenario")
    p.add_argument("--labels")
    p.add_argument("--confidence", default="puma")
    m = sub.add_parser("metrics")
    m.add_argument("--scenario")
    m.add_argument("--labels")
    m.add_argument("--group-by")
    m.add_argument("--ci", type=float)
    m.add_argument("--bootstrap", type=int, default=1000)
    m.add_argument("--seed", type=int, default=0)
    m.add_argument("--pretty", action="store_true")
    e = sub.add_parser("ece")
    e.add_argument("--bins", type=int, default=15)
    e.add_argument("--group-by")
    e.add_argument("--pretty", action="store_true")
    c = sub.add_parser("cases")
    c.add_argument("file")
    args = ap.parse_args()
    {"parse": cmd_parse, "metrics": cmd_metrics, "ece": cmd_ece, "cases": cmd_cases}[args.cmd](args)


if __name__ == "__main__":
    main()
