#!/usr/bin/python3
"""Random CSV files of issues, for checking puma-prep against Python's csv.

Usage: csv_gen.py FIRST LAST DIR

writes DIR/SEED.csv for each seed from FIRST to LAST.  Each seed picks a
layout (Jira, TAWOS deep-se or tawos_clean, header names in random case,
summary for title), line endings (LF or CRLF), quoting (where needed or
always), a byte order mark or not, blank lines between rows and a last row
with or without its line break.  Fields hold separators, quotes, LF, CRLF
and lone CR inside quotes, spaces at either end, non-ASCII text and now and
then 200 kB of it; story points come in every form a file may hold, good
and bad.
"""
import os
import random
import sys

LAYOUTS = [
    ["issue_key", "title", "description", "priority"],
    ["issuekey", "created", "title", "description", "storypoint"],
    ["project", "title", "description", "story_points"],
]
PIECES = ["a", "b", "word", " ", "  ", "\t", ",", '"', '""', "\n", "\r\n", "\r", "é", "中文",
          "\U0001f600", "x,y", "'", ";", "\\", "0"]
POINTS = ["1", "2", "3", "5", "8", "13", "21", "0", "-1", "0.0", "abc", "", " 3 ",
          "2.5", "1e1", ".5", "+4", "5.", "1e400", "nan", "x1"]


def text(rnd):
    k = rnd.random()
    if k < 0.1:
        return ""
    if k < 0.12:
        return "long " * 40000 + "é"
    return "".join(rnd.choice(PIECES) for _ in range(rnd.randint(1, 12)))


def generate(seed):
    rnd = random.Random(seed)
    header = list(rnd.choice(LAYOUTS))
    if rnd.random() < 0.3:
        header[header.index("title")] = "summary"
    low = list(header)
    header = ["".join(c.upper() if rnd.random() < 0.3 else c for c in h) for h in header]
    eol = rnd.choice(["\n", "\r\n"])
    quote_all = rnd.random() < 0.5
    out = []

    def writerow(row):
        # RFC 4180: quote a field holding a separator, a quote or a line break.
        cells = []
        for v in row:
            if quote_all or any(c in v for c in ',"\r\n'):
                v = '"' + v.replace('"', '""') + '"'
            cells.append(v)
        out.append(",".join(cells) + eol)

    writerow(header)
    for i in range(rnd.randint(1, 300)):
        row = []
        for h in low:
            if h in ("issue_key", "issuekey"):
                row.append("" if rnd.random() < 0.05 else "K-%d" % i)
            elif h == "project":
                row.append(rnd.choice(["MESOS", "XD", "APSTUD", ""]))
            elif h == "created":
                row.append(rnd.choice(["", "04/12/2013 06:43:52"]))
            elif h == "priority":
                row.append(rnd.choice(["Critical", "Major", "Minor", "Trivial", "Blocker", ""]))
            elif h in ("storypoint", "story_points"):
                row.append(rnd.choice(POINTS))
            else:
                row.append(text(rnd))
        writerow(row)
        if rnd.random() < 0.05:
            out.append(rnd.choice(["\n", "\r\n"]))
    data = "".join(out)
    if rnd.random() < 0.3:
        data = data[:-len(eol)]
    if rnd.random() < 0.3:
        data = "\ufeff" + data
    return data


def main():
    first, last, where = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    for seed in range(first, last + 1):
        with open(os.path.join(where, "%d.csv" % seed), "w", encoding="utf-8", newline="") as f:
            f.write(generate(seed))


main()
