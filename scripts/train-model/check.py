#!/usr/bin/python3
"""check.py: the exported GGUF against PyTorch, next token by next token.

usage: /usr/bin/python3 check.py WEIGHTS.npz SERVER_URL PROMPTS.jsonl [N]

PROMPTS.jsonl holds records with a "prompt" (puma-infer --keep-prompt writes
them); the first N (default 40) are used.  Each prompt is wrapped in the
chat template by the server (/apply-template) and tokenized by it
(/tokenize); the same ids go to PyTorch (model.py, with the weights rounded
to F16 as the GGUF stores them, computed in float32 on the CPU) and to the
server (/completion with n_probs).  For each prompt it compares the most
likely next token and the log-probabilities of the server's top tokens, and
prints one JSON summary line: prompts, same_top1, max_abs_dlogprob,
mean_abs_dlogprob.  Exit 1 when any top-1 differs.
"""
import json
import os
import sys
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

if len(sys.argv) not in (4, 5):
    print("usage: check.py WEIGHTS.npz SERVER_URL PROMPTS.jsonl [N]", file=sys.stderr)
    sys.exit(2)
wpath, url, ppath = sys.argv[1:4]
N = int(sys.argv[4]) if len(sys.argv) == 5 else 40

import numpy as np  # noqa: E402
import torch  # noqa: E402

from model import Decoder  # noqa: E402

cfg = json.load(open(os.path.join(HERE, "config.json")))
cfg["dropout"] = 0.0
z = np.load(wpath)
model = Decoder(cfg, z["token_embd.weight"].shape[0])
sd = {}
for k in model.state_dict():
    parts = k.split(".")
    name = f"blk.{parts[1]}.{parts[2]}.weight" if parts[0] == "blk" else f"{parts[0]}.weight"
    a = z[name]
    if a.ndim == 2:
        a = a.astype(np.float16).astype(np.float32)
    sd[k] = torch.from_numpy(a)
model.load_state_dict(sd)
model.eval()


def post(path, body):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=300) as r:
        return json.loads(r.read())


recs = []
with open(ppath, encoding="utf-8") as f:
    for line in f:
        r = json.loads(line)
        if r.get("prompt"):
            recs.append(r)
        if len(recs) == N:
            break

same, dmax, dsum, dn = 0, 0.0, 0.0, 0
for r in recs:
    text = post("/apply-template", {"messages": [{"role": "user", "content": r["prompt"]}]})["prompt"]
    ids = post("/tokenize", {"content": text, "add_special": True, "parse_special": True})["tokens"]
    with torch.no_grad():
        lp = torch.log_softmax(model(torch.tensor([ids]))[0, -1].double(), -1)
    res = post("/completion", {"prompt": ids, "n_predict": 1, "n_probs": 10, "temperature": 0,
                               "cache_prompt": False, "post_sampling_probs": False})
    top = res["completion_probabilities"][0]["top_logprobs"]
    if int(torch.argmax(lp)) == top[0]["id"]:
        same += 1
    else:
        print(f"check.py: {r.get('id')}: top-1 differs: torch {int(torch.argmax(lp))}, "
              f"server {top[0]['id']}", file=sys.stderr)
    for t in top:
        d = abs(float(lp[t["id"]]) - t["logprob"])
        dmax, dsum, dn = max(dmax, d), dsum + d, dn + 1
print(json.dumps({"prompts": len(recs), "same_top1": same, "max_abs_dlogprob": dmax,
                  "mean_abs_dlogprob": dsum / max(dn, 1), "compared_logprobs": dn}))
sys.exit(0 if same == len(recs) else 1)
