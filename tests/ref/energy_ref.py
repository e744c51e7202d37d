#!/usr/bin/python3
"""Reference for puma-metrics --summary: the energy members, written from
docs/metrics.md (section 12) and not from the C code.

    energy_ref.py metrics --summary FILE [--scenario S] [--group-by F,...]
                          [--ci LEVEL --bootstrap B --seed S] [--pretty] < predictions
    energy_ref.py batch DIR N     (DIR/I.json with DIR/I.jsonl for I = 0 .. N-1,
                                   as many metrics runs, in one process)

The metrics themselves come from puma_ref.py (the NumPy transcription);
this adds kwh, co2_kg, duration_s and the energy per F1 point or per unit
of MAE, placed before "ci", and prints each object as puma_ref does.
Only well-formed input is handled.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import puma_ref  # noqa: E402


def energy_members(task, out, energy, one_group):
    """The members --summary adds to one metrics object, in order."""
    kwh, co2 = energy["kwh"], energy["co2_kg"]
    known = kwh is not None
    add = {
        "kwh": float(kwh) if known else None,
        "co2_kg": float(co2) if known else None,
        "duration_s": float(energy["duration_s"]),
    }
    if task == "classification":
        f1 = out["f1_macro"]
        # Per F1 percentage point: F1 x 100 points.
        ok = known and one_group and f1 is not None and f1 > 0
        add["wh_per_f1_point"] = float(kwh) * 1000.0 / (100.0 * f1) if ok else None
        add["gco2_per_f1_point"] = float(co2) * 1000.0 / (100.0 * f1) if ok else None
    else:
        mae = out["mae"]
        ok = known and one_group and mae is not None and mae > 0
        add["wh_per_mae_unit"] = float(kwh) * 1000.0 / mae if ok else None
        add["gco2_per_mae_unit"] = float(co2) * 1000.0 / mae if ok else None
    if known and energy.get("estimated") is True:
        add["energy_estimated"] = True
    if not known:
        add["energy_reason"] = energy.get("reason") or "the run summary gives no energy"
    return add


def with_energy(args, recs, group, energy, one_group):
    out = puma_ref.metrics_object(args, recs, group)
    task = puma_ref.load_scenario(out["scenario"])["task"]
    ci = out.pop("ci", None)
    out.update(energy_members(task, out, energy, one_group))
    if ci is not None:
        out["ci"] = ci
    return out


def cmd_metrics(args, stdin=sys.stdin):
    with open(args.summary, encoding="utf-8") as f:
        energy = json.load(f)["energy"]
    groups = puma_ref.metric_groups(args, stdin)
    for g, rs in groups:
        print(puma_ref.dump(with_energy(args, rs, g, energy, len(groups) == 1), args.pretty))


def cmd_batch(args):
    for i in range(args.n):
        one = argparse.Namespace(summary="%s/%d.json" % (args.dir, i), scenario=None, labels=None,
                                 group_by=None, ci=None, bootstrap=1000, seed=0, pretty=False)
        with open("%s/%d.jsonl" % (args.dir, i), encoding="utf-8") as f:
            cmd_metrics(one, f)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("metrics")
    m.add_argument("--summary", required=True)
    m.add_argument("--scenario")
    m.add_argument("--labels")
    m.add_argument("--group-by")
    m.add_argument("--ci", type=float)
    m.add_argument("--bootstrap", type=int, default=1000)
    m.add_argument("--seed", type=int, default=0)
    m.add_argument("--pretty", action="store_true")
    b = sub.add_parser("batch")
    b.add_argument("dir")
    b.add_argument("n", type=int)
    args = ap.parse_args()
    {"metrics": cmd_metrics, "batch": cmd_batch}[args.cmd](args)


if __name__ == "__main__":
    main()
