#!/usr/bin/env python3
"""pipelines/cross-arch-table.py OUT - the cross-architecture matrix as a
Markdown table, from the puma-diff reports cross-arch-matrix.sh wrote
(OUT/diffs/index.tsv and the JSON it names) and each run's summary.json.
Every figure is read from those files; nothing is computed here but
formatting.  Also writes OUT/table.json (one object per cell)."""
import json
import os
import sys

PROG = "cross-arch-table"


def fmt(x, spec="%.3g"):
    """A number for the table; an em dash for a value puma-diff left null."""
    if x is None:
        return "\u2014"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return str(x)
    return spec % x


def verdict(v):
    """holds / fails / n/t (not testable) from a puma-diff verdict."""
    h = v.get("holds")
    return "n/t" if h is None else ("holds" if h else "fails")


def row(scen, backend, label, np_, rep, run):
    """One cell's figures, from its puma-diff report and its run's summary."""
    ag, ver, lp = rep["agreement"], rep["verdicts"], rep["logprobs"]
    fd = ag["first_differing_token"]
    h0 = ver["H0"]
    try:
        with open(os.path.join(run, "summary.json"), encoding="utf-8") as f:
            summ = json.load(f)
    except OSError:
        summ = {}
    return {
        "scenario": scen, "backend": backend, "model": label, "np": int(np_),
        "run": os.path.basename(run), "valid": rep["valid"],
        "metric": h0["metric"], "metric_ref": h0["a"], "metric_cell": h0["b"],
        "H0": h0["holds"], "H2": ver["H2"]["holds"], "H3": ver["H3"]["holds"],
        "h2_mean": lp["mean_abs_diff"], "h2_max": lp["max_abs_diff"],
        "h3_abs_delta": ver["H3"]["abs_delta"],
        "paired": rep["compared"]["paired"],
        "n_responses_identical": ag["n_responses_identical"],
        "n_with_tokens": ag["n_with_tokens"],
        "n_tokens_identical": ag["n_tokens_identical"],
        "first_diff_n": fd["n"], "first_diff_min": fd["min"],
        "first_diff_median": fd["median"], "first_diff_max": fd["max"],
        "failed": summ.get("failed"), "wall_s": summ.get("wall_s"),
    }


def main():
    if len(sys.argv) != 2:
        print("usage: %s OUT" % PROG, file=sys.stderr)
        return 2
    out = sys.argv[1]
    index = os.path.join(out, "diffs", "index.tsv")
    rows = []
    try:
        with open(index, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                parts = line.rstrip("\n").split("\t")
                if len(parts) != 6:
                    print("%s: %s:%d: expected 6 fields" % (PROG, index, lineno), file=sys.stderr)
                    return 1
                scen, backend, label, np_, rep, run = parts
                with open(os.path.join(out, "diffs", rep), encoding="utf-8") as g:
                    rows.append(row(scen, backend, label, np_, json.load(g), run))
    except (OSError, ValueError, KeyError) as e:
        print("%s: %s" % (PROG, e), file=sys.stderr)
        return 1
    # Grouped by scenario and model, backends in the order they were compared.
    first = {}
    for r in rows:
        for key in (("s", r["scenario"]), ("m", r["model"]), ("b", r["backend"])):
            first.setdefault(key, len(first))
    rows.sort(key=lambda r: (first[("s", r["scenario"])], first[("m", r["model"])],
                             first[("b", r["backend"])], r["np"]))
    with open(os.path.join(out, "table.json.tmp"), "w", encoding="utf-8") as f:
        json.dump(rows, f, indent=1)
        f.write("\n")
    os.replace(os.path.join(out, "table.json.tmp"), os.path.join(out, "table.json"))

    print("Each cell against x86-avx2, -np 1 -j 1, same model file and scenario "
          "(puma-diff). Metric: f1_macro (triage) or mae (estimation), reference "
          "\u2192 cell. H2: |\u0394 logprob| of the chosen token over positions "
          "before the first differing token. First divergence: token position "
          "(min/median/max) among the token sequences that differ.\n")
    print("| scenario | backend | model | -np/-j | metric ref \u2192 cell | H0 | "
          "identical responses | identical token seqs | first divergence | "
          "H2 mean | H2 max | H2 | \u0394ECE | H3 | failed | wall s |")
    print("|" + "---|" * 16)
    for r in rows:
        metric = "%s %s \u2192 %s" % (r["metric"], fmt(r["metric_ref"], "%.4f"),
                                     fmt(r["metric_cell"], "%.4f"))
        if r["first_diff_n"]:
            first = "%d: %s/%s/%s" % (r["first_diff_n"], fmt(r["first_diff_min"]),
                                     fmt(r["first_diff_median"]), fmt(r["first_diff_max"]))
        else:
            first = "none"
        print("| %s | %s | %s | %d | %s | %s | %d/%d | %d/%d | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["scenario"], r["backend"], r["model"], r["np"], metric,
            verdict({"holds": r["H0"]}), r["n_responses_identical"], r["paired"],
            r["n_tokens_identical"], r["n_with_tokens"], first,
            fmt(r["h2_mean"], "%.2e"), fmt(r["h2_max"], "%.2e"), verdict({"holds": r["H2"]}),
            fmt(r["h3_abs_delta"], "%.2e"), verdict({"holds": r["H3"]}),
            fmt(r["failed"]), fmt(r["wall_s"], "%.0f")))
    notrun = os.path.join(out, "not-run.txt")
    if os.path.exists(notrun) and os.path.getsize(notrun) > 0:
        print("\nNot run:\n")
        with open(notrun, encoding="utf-8") as f:
            for line in f:
                print("- " + line.strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
