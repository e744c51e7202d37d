#!/usr/bin/python3
"""An independent decode of a CSV file of issues, to check puma-prep.

Usage: prep_check.py CSV RECORDS REJECTS [PROJECT]
       prep_check.py --list FILE     (one "CSV RECORDS REJECTS [PROJECT]" a line)

Reads CSV with Python's csv module (no field size limit), works out which
rows must be emitted and which rejected (story points that are not a
number > 0, an empty priority), and compares every record in RECORDS and
every rejected row in REJECTS (both JSON Lines, as puma-prep writes them)
with it, field by field.  Prints "ROWS EMITTED REJECTED" when all agree;
otherwise the first differences, and exits 1.
"""
import csv
import json
import math
import os
import re
import sys

KEY = ("issue_key", "issuekey", "issue key")
PROJECT = ("project", "project_key")
POINTS = ("storypoint", "story_points", "storypoints", "story points")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def column(header, names):
    for name in names:
        if name in header:
            return header[name]
    return None


def expected(path, project):
    csv.field_size_limit(sys.maxsize)
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f, strict=True)
        header, rows, prev = None, [], 0
        for fields in reader:
            start, prev = prev + 1, reader.line_num
            if not fields:
                continue
            if header is None:
                header = {h.strip(" \t").lower(): i for i, h in enumerate(fields)}
                continue
            rows.append((start, fields))
    key = column(header, KEY)
    proj = column(header, PROJECT)
    created = column(header, ("created",))
    title = column(header, ("title", "summary"))
    desc = header["description"]
    triage = "priority" in header
    gold = header["priority"] if triage else column(header, POINTS)
    m = re.fullmatch(r"([A-Za-z0-9]+)_deep-se\.csv", os.path.basename(path))
    fallback = project or (m.group(1) if m else None)
    out = []
    for n, (line, f) in enumerate(rows, 1):
        p = f[proj] if proj is not None and f[proj] else fallback
        k = f[key] if key is not None else ""
        rec = {"id": k if k else "%s-%d" % (p, n), "scenario": "triage_jira" if triage else "estimation_tawos"}
        if p:
            rec["project"] = p
        if created is not None and f[created]:
            rec["created"] = f[created]
        rec.update(title=f[title], description=f[desc], row=n, line=line)
        g = f[gold]
        if triage:
            keep = g != ""
        else:
            t = g.strip(" \t")
            keep = NUMBER.fullmatch(t) is not None and math.isfinite(float(t)) and float(t) > 0
        rec["gold"] = g if triage or not keep else float(g)
        out.append((keep, rec))
    return out


def check(path, records, rejects, project):
    want = expected(path, project)
    got = [json.loads(l) for l in open(records, encoding="utf-8")]
    gotrej = [json.loads(l) for l in open(rejects, encoding="utf-8")]
    keep = [r for k, r in want if k]
    drop = [r for k, r in want if not k]
    diffs = []
    if len(got) != len(keep):
        diffs.append("emitted %d records, expected %d" % (len(got), len(keep)))
    if len(gotrej) != len(drop):
        diffs.append("rejected %d rows, expected %d" % (len(gotrej), len(drop)))
    for kind, exp, act in (("record", keep, got), ("rejected", drop, gotrej)):
        for e, a in zip(exp, act):
            fields = ["id", "scenario", "project", "created", "title", "description", "gold", "row"]
            if kind == "rejected":
                fields.append("line")
            for name in fields:
                ev, av = e.get(name), a.get(name)
                if name == "gold" and kind == "record" and isinstance(ev, float):
                    same = isinstance(av, (int, float)) and not isinstance(av, bool) and float(av) == ev
                else:
                    same = ev == av
                if not same:
                    diffs.append("%s row %s: %s is %r, expected %r" % (kind, e["row"], name, av, ev)[:300])
            if kind == "record" and list(a)[:2] != ["id", "scenario"]:
                diffs.append("record row %s: fields out of order: %s" % (e["row"], list(a)))
    for d in diffs[:10]:
        print("# %s: %s" % (path, d))
    if not diffs:
        print(len(want), len(keep), len(drop))
    return not diffs


def main():
    if sys.argv[1] == "--list":
        cases = [l.split() for l in open(sys.argv[2]) if l.strip()]
    else:
        cases = [sys.argv[1:]]
    good = True
    for c in cases:
        good = check(c[0], c[1], c[2], c[3] if len(c) > 3 else None) and good
    sys.exit(0 if good else 1)


main()
