#!/usr/bin/python3
"""prep.py: the held-out split and the training sequences, as llama-server sees them.

usage: /usr/bin/python3 prep.py DATA_DIR PUMA_PROMPTS SERVER_URL OUT_DIR

DATA_DIR      what `make data` writes: triage_jira.jsonl, estimation_tawos.jsonl
PUMA_PROMPTS  PUMA's Jinja templates (<scenario>/*.jinja), rendered with
              python3-jinja2 under PUMA's settings (trim_blocks, lstrip_blocks,
              no autoescape, no trailing newline; examples=[]), as PUMA's runner
              renders them
SERVER_URL    a llama-server serving a model with this tokenizer and chat template
              (export.py --random): its /apply-template and /tokenize make the
              token ids, so they are the ids the server itself computes
OUT_DIR       gets heldout_triage.jsonl and heldout_estimation.jsonl (records as
              `make data` writes them, never trained on), split.json (the ids of
              each side) and train.npz (the sequences)

Every prompt is rendered twice over: with this project's templates
(config/prompts/<scenario>/<strategy>.txt, the text puma-infer sends) and with
PUMA's own .jinja templates, for several strategies each, so the model answers
whichever wording it is given.  The answer is the gold label (triage) or the
story points as an integer (estimation), followed by the end-of-sequence
token; train.py puts the loss on those tokens only.
Exit status: 0 done, 1 failure, 2 usage error.
"""
import json
import os
import sys
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

if len(sys.argv) != 5:
    print("usage: prep.py DATA_DIR PUMA_PROMPTS SERVER_URL OUT_DIR", file=sys.stderr)
    sys.exit(2)
data_dir, puma_prompts, url, out_dir = sys.argv[1:5]

import jinja2  # noqa: E402
import numpy as np  # noqa: E402

cfg = json.load(open(os.path.join(HERE, "config.json")))
os.makedirs(out_dir, exist_ok=True)

# Strategies whose templates need no examples: the project's file names and PUMA's.
OWN = ["zero-shot", "zero-shot-cot", "rcoif", "contextual-anchoring", "egi"]
PUMA = ["zero_shot", "zero_shot_cot", "few_shot", "cot_few_shot", "rcoif",
        "contextual_anchoring", "egi"]
LABELS = {"triage_jira": ["Critical", "Major", "Minor", "Trivial"], "estimation_tawos": []}
SCALE = "1, 2, 3, 5, 8, 13, 21"


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def split(recs, key, frac, rng):
    """Hold out round(frac * n) records of each group (gold for triage, project for
    TAWOS), chosen by one RandomState in file order of the groups."""
    groups = {}
    for r in recs:
        groups.setdefault(r[key], []).append(r["id"])
    held = set()
    for g in groups:  # dict order: first appearance in the file
        ids = groups[g]
        perm = rng.permutation(len(ids))
        held.update(ids[i] for i in perm[: int(len(ids) * frac + 0.5)])
    return held


rng = np.random.RandomState(cfg["split_seed"])
triage = load(os.path.join(data_dir, "triage_jira.jsonl"))
est = load(os.path.join(data_dir, "estimation_tawos.jsonl"))
held_t = split(triage, "gold", cfg["heldout_jira"], rng)
held_e = split(est, "project", cfg["heldout_tawos"], rng)
for name, recs, held in (("triage", triage, held_t), ("estimation", est, held_e)):
    with open(os.path.join(out_dir, f"heldout_{name}.jsonl"), "w", encoding="utf-8") as f:
        for r in recs:
            if r["id"] in held:
                f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
json.dump({"triage_heldout": sorted(held_t), "estimation_heldout": sorted(held_e),
           "triage_train": sorted(r["id"] for r in triage if r["id"] not in held_t),
           "estimation_train": sorted(r["id"] for r in est if r["id"] not in held_e)},
          open(os.path.join(out_dir, "split.json"), "w"), indent=0)


def own_template(scenario, strategy):
    with open(os.path.join(ROOT, "config", "prompts", scenario, strategy + ".txt"), encoding="utf-8") as f:
        t = f.read()
    # As puma-infer loads it: one trailing newline (and a CR before it) dropped.
    if t.endswith("\n"):
        t = t[:-1]
    if t.endswith("\r"):
        t = t[:-1]
    return t


def own_render(t, rec, scenario):
    """puma-infer's substitution: {{labels}} and {{field}}; null prints nothing."""
    labels = ", ".join(LABELS[scenario]) if scenario == "triage_jira" else SCALE
    out, i = [], 0
    while True:
        j = t.find("{{", i)
        if j < 0:
            out.append(t[i:])
            return "".join(out)
        k = t.index("}}", j)
        out.append(t[i:j])
        name = t[j + 2:k].strip()
        if name == "labels":
            out.append(labels)
        else:
            v = rec[name]
            out.append("" if v is None else str(v))
        i = k + 2


def puma_instance(rec, scenario):
    """The row dict PUMA's runner passes as `instance` (PUMA-FIDELITY section 2)."""
    d = rec.get("description")
    d = "nan" if d is None else d
    if scenario == "triage_jira":
        return {"issue_key": rec["id"], "title": rec["title"], "description": d,
                "priority": rec["gold"]}
    return {"project_key": rec["project"], "story_id": rec["id"], "title": rec["title"],
            "description": d, "story_points": float(rec["gold"])}


def puma_env(scenario):
    return jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(puma_prompts, scenario)),
                              autoescape=jinja2.select_autoescape([]), trim_blocks=True,
                              lstrip_blocks=True, keep_trailing_newline=False)


def post(path, body):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read())


def chat(prompt):
    return "<|im_start|>user\n" + prompt + "<|im_end|>\n<|im_start|>assistant\n"


def tokenize(text):
    return post("/tokenize", {"content": text, "add_special": True, "parse_special": True})["tokens"]


def answer_of(rec, scenario):
    if scenario == "triage_jira":
        return rec["gold"]
    g = float(rec["gold"])
    return str(int(g)) if g == int(g) else str(g)


seqs, meta = [], []
checked_chat = 0
answer_tail = {}
skipped = 0
for scenario, recs, held in (("triage_jira", triage, held_t), ("estimation_tawos", est, held_e)):
    env = puma_env(scenario)
    temps = [("own:" + s, own_template(scenario, s)) for s in OWN]
    temps += [("puma:" + s, env.get_template(s + ".jinja")) for s in PUMA]
    for rec in recs:
        if rec["id"] in held:
            continue
        ans = answer_of(rec, scenario)
        for tname, t in temps:
            if tname.startswith("own:"):
                prompt = own_render(t, rec, scenario)
            else:
                prompt = t.render(instance=puma_instance(rec, scenario), examples=[],
                                  labels=LABELS[scenario], scenario=None)
            if len(prompt) > cfg["max_prompt_chars"]:
                skipped += 1
                continue
            text = chat(prompt)
            # The wrapper must be what the server's own chat template gives.
            if checked_chat < 40:
                got = post("/apply-template", {"messages": [{"role": "user", "content": prompt}]})["prompt"]
                if got != text:
                    print(f"prep.py: /apply-template differs for {rec['id']} {tname}:\n{got!r}\n{text!r}",
                          file=sys.stderr)
                    sys.exit(1)
                checked_chat += 1
            ids = tokenize(text)
            if ans not in answer_tail:
                full = tokenize(text + ans)
                if full[: len(ids)] != ids:
                    print(f"prep.py: the answer changes the prompt's tokens ({rec['id']})", file=sys.stderr)
                    sys.exit(1)
                answer_tail[ans] = full[len(ids):]
            # Spot-check one in 97: prompt plus answer tokenizes as the parts joined.
            if len(seqs) % 97 == 0 and tokenize(text + ans) != ids + answer_tail[ans]:
                print(f"prep.py: prompt+answer of {rec['id']} {tname} tokenizes differently",
                      file=sys.stderr)
                sys.exit(1)
            seq = ids + answer_tail[ans] + [cfg.get("eos_id", 2)]
            if len(seq) > cfg["max_tokens"]:
                skipped += 1
                continue
            seqs.append((seq, len(ids)))
            meta.append((scenario, tname, rec["id"], ans))

lens = np.array([len(s) for s, _ in seqs], np.int64)
np.savez_compressed(
    os.path.join(out_dir, "train.npz"),
    tokens=np.concatenate([np.array(s, np.uint16) for s, _ in seqs]),
    offsets=np.concatenate([[0], np.cumsum(lens)]).astype(np.int64),
    prompt_len=np.array([n for _, n in seqs], np.int64),
    task=np.array([0 if m[0] == "triage_jira" else 1 for m in meta], np.int8),
    template=np.array([m[1] for m in meta]),
    rid=np.array([m[2] for m in meta]),
    answer=np.array([m[3] for m in meta]))
print(f"prep.py: {len(seqs)} sequences ({sum(1 for m in meta if m[0] == 'triage_jira')} triage), "
      f"{int(lens.sum())} tokens, longest {int(lens.max())}; {skipped} skipped as too long; "
      f"held out {len(held_t)} triage and {len(held_e)} estimation records; "
      f"answers: {json.dumps(answer_tail)}")
