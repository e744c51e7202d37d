#!/usr/bin/python3
"""prompt.py - an independent transcription of puma-infer's prompt rules, for
differential tests (see puma-infer(1), PROMPTS).

For each instance record on stdin it prints one JSON line
{"id": ..., "prompt": ..., "examples": [ids] or null, "truncated": bool}.

  template: the file's text less one final newline; "{{ name }}" is the
  record's member (string as is, number as its JSON text, null as nothing),
  "{{labels}}" the labels joined by ", ", "{{examples}}" the examples, each
  written with the example template, joined by a blank line.
  --max-chars N cuts "description" (instance and examples) to N characters.
  examples: the pool records (filtered by scenario when they name one) in
  the order numpy.random.RandomState(seed).shuffle gives their indexes;
  when every gold is a string, grouped by gold (groups in order of first
  appearance) and dealt round-robin; the instance itself (same id) is
  skipped; the first k.

usage: prompt.py TEMPLATE [--example-template F --pool F --k K --seed S]
                 [--labels A,B] [--max-chars N] [--scenario S]
"""
import argparse
import json
import re
import sys

import numpy as np

PH = re.compile(r"\{\{ *([A-Za-z0-9_.-]+) *\}\}")


def load_text(path):
    t = open(path, encoding="utf-8", newline="").read()
    if t.endswith("\n"):
        t = t[:-1]
    if t.endswith("\r"):
        t = t[:-1]
    return t


def loads(line):
    # Numbers keep their text, as the record library keeps it.
    return json.loads(line, parse_float=str, parse_int=str)


def render(tmpl, rec, labels, examples, max_chars):
    cut = [False]

    def sub(m):
        name = m.group(1)
        if name == "labels":
            return ", ".join(labels)
        if name == "examples":
            return examples
        v = rec[name]
        if v is None:
            return ""
        if v is True or v is False:
            return "true" if v else "false"
        if name == "description" and max_chars is not None and len(v) > max_chars:
            cut[0] = True
            return v[:max_chars]
        return v

    return PH.sub(sub, tmpl), cut[0]


def order(pool, stratify, seed):
    idx = np.arange(len(pool))
    np.random.RandomState(seed).shuffle(idx)
    idx = [int(i) for i in idx]
    if not stratify:
        return [idx]
    groups, keys = [], []
    for i in idx:
        g = pool[i]["gold"]
        if g not in keys:
            keys.append(g)
            groups.append([])
        groups[keys.index(g)].append(i)
    return groups


def pick(pool, groups, inst, k):
    nxt = [0] * len(groups)
    out = []
    more = True
    while len(out) < k and more:
        more = False
        for g, members in enumerate(groups):
            if len(out) >= k:
                break
            while nxt[g] < len(members) and pool[members[nxt[g]]].get("id") == inst.get("id"):
                nxt[g] += 1
            if nxt[g] < len(members):
                out.append(pool[members[nxt[g]]])
                nxt[g] += 1
                more = True
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("template")
    ap.add_argument("--example-template")
    ap.add_argument("--pool")
    ap.add_argument("--k", type=int, default=0)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--labels", default="")
    ap.add_argument("--max-chars", type=int)
    ap.add_argument("--scenario")
    a = ap.parse_args()
    tmpl = load_text(a.template)
    labels = [x.strip() for x in a.labels.split(",") if x.strip()]
    pool, groups, ex_t = [], [], None
    if a.pool:
        ex_t = load_text(a.example_template)
        stratify = True
        for line in open(a.pool, encoding="utf-8"):
            if line.strip():
                r = loads(line)
                if a.scenario and r.get("scenario", a.scenario) != a.scenario:
                    continue
                pool.append(r)
                # Gold strings (class labels), not numbers, are dealt by class.
                stratify = stratify and isinstance(json.loads(line)["gold"], str)
        groups = order(pool, stratify, a.seed)
    for line in sys.stdin:
        if not line.strip():
            continue
        rec = loads(line)
        ids = None
        text = ""
        if a.k > 0:
            chosen = pick(pool, groups, rec, a.k)
            ids = [c.get("id") for c in chosen]
            text = "\n\n".join(render(ex_t, c, labels, "", a.max_chars)[0] for c in chosen)
        prompt, cut = render(tmpl, rec, labels, text, a.max_chars)
        print(json.dumps({"id": rec.get("id"), "prompt": prompt, "examples": ids,
                          "truncated": cut}, ensure_ascii=False))


if __name__ == "__main__":
    main()
