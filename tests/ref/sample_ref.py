#!/usr/bin/python3
"""Reference selections from pandas itself, to check puma-sample.

    sample_ref.py plain ROWS:N:SEED ...
        for each case, the row positions DataFrame.sample(n=N,
        random_state=SEED) picks from ROWS rows (all rows, in order, when
        N >= ROWS, as PUMA does), printed as "ROWS N SEED: i i i ...".
    sample_ref.py stratified FIELD N:SEED,N:SEED,... FILE ...
        for each file (JSON Lines) and case, the "id"s of the records that
        PUMA's per-class sampler picks with FIELD as the class, printed as
        "FILE N SEED: id id ...".

The stratified sampler is PUMA's, restated with the same pandas calls:
max(1, n // classes) rows from each class (groupby, then sample with the
seed), topped up from the rows not picked (again with the seed), then the
first n.
"""
import json
import sys

import pandas as pd


def pick(df, n, seed):
    if n >= len(df):
        return df
    return df.sample(n=n, random_state=seed)


def stratified(df, n, seed, field):
    if n >= len(df):
        return df
    per_class = max(1, n // df[field].nunique())
    picked = df.groupby(field, group_keys=False).apply(
        lambda g: g.sample(min(per_class, len(g)), random_state=seed))
    if len(picked) < n:
        rest = df.drop(picked.index)
        extra = rest.sample(min(n - len(picked), len(rest)), random_state=seed)
        picked = pd.concat([picked, extra])
    return picked.head(n)


def main():
    mode = sys.argv[1]
    if mode == "plain":
        for case in sys.argv[2:]:
            rows, n, seed = (int(x) for x in case.split(":"))
            df = pd.DataFrame({"i": range(rows)})
            got = pick(df, n, seed)["i"].tolist()
            print("%d %d %d: %s" % (rows, n, seed, " ".join(map(str, got))))
    elif mode == "stratified":
        field, cases = sys.argv[2], sys.argv[3].split(",")
        for path in sys.argv[4:]:
            recs = [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]
            df = pd.DataFrame({"id": [r["id"] for r in recs], field: [r[field] for r in recs]})
            for case in cases:
                n, seed = (int(x) for x in case.split(":"))
                got = stratified(df, n, seed, field)["id"].tolist()
                print("%s %d %d: %s" % (path, n, seed, " ".join(got)))
    else:
        sys.exit("usage: sample_ref.py plain|stratified ...")


if __name__ == "__main__":
    main()
