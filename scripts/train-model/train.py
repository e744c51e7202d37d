#!/usr/bin/env python3
"""train.py: train the decoder on prep.py's sequences, loss on the answer tokens.

usage: python3 train.py TRAIN.npz OUT.npz [LOG.json]

Reads the sequences prep.py wrote (the prompt as llama-server tokenizes it,
then the answer and the end-of-sequence token) and trains model.Decoder with
cross-entropy on the answer and end tokens only.  Everything that varies is
fixed by config.json's seed: initial weights, the order of the sequences,
dropout.  Writes the float32 weights under their GGUF names to OUT.npz
(export.py reads it) and, with LOG.json, the losses, the times, the torch and
CUDA versions and the GPU.  Runs on a CUDA GPU when there is one (bf16
autocast), else on the CPU (slowly).
Exit status: 0 done, 1 failure, 2 usage error.
"""
import json
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

if len(sys.argv) not in (3, 4):
    print("usage: train.py TRAIN.npz OUT.npz [LOG.json]", file=sys.stderr)
    sys.exit(2)

os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from model import Decoder  # noqa: E402

cfg = json.load(open(os.path.join(HERE, "config.json")))
T = cfg["train"]
torch.manual_seed(cfg["seed"])
torch.use_deterministic_algorithms(True, warn_only=True)
dev = "cuda" if torch.cuda.is_available() else "cpu"

z = np.load(sys.argv[1])
tokens, offsets, plen, task = z["tokens"].astype(np.int64), z["offsets"], z["prompt_len"], z["task"]
n = len(plen)
lens = offsets[1:] - offsets[:-1]
N_VOCAB = 32000

# Triage has far fewer rows than estimation: repeat its sequences.
base = np.concatenate([np.repeat(np.where(task == 0)[0], T["triage_repeat"]), np.where(task == 1)[0]])


def batches(epoch):
    """Shuffle, sort chunks by length (less padding), cut into batches, shuffle those."""
    rng = np.random.RandomState(cfg["seed"] + epoch)
    idx = base[rng.permutation(len(base))]
    out = []
    chunk = T["batch"] * 64
    for s in range(0, len(idx), chunk):
        c = idx[s:s + chunk]
        c = c[np.argsort(lens[c], kind="stable")]
        out += [c[i:i + T["batch"]] for i in range(0, len(c), T["batch"])]
    return [out[i] for i in rng.permutation(len(out))]


def make_batch(b):
    L = int(lens[b].max())
    ids = np.zeros((len(b), L), np.int64)
    rows, cols, tgt = [], [], []
    for r, i in enumerate(b):
        seq = tokens[offsets[i]:offsets[i + 1]]
        ids[r, :len(seq)] = seq
        for p in range(int(plen[i]) - 1, len(seq) - 1):  # predict answer and end tokens
            rows.append(r)
            cols.append(p)
            tgt.append(seq[p + 1])
    t = lambda a: torch.tensor(np.asarray(a), device=dev)  # noqa: E731
    return t(ids), t(rows), t(cols), t(tgt)


model = Decoder(cfg, N_VOCAB).to(dev)
decay = [p for p in model.parameters() if p.dim() >= 2]
nodecay = [p for p in model.parameters() if p.dim() < 2]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": T["weight_decay"]},
                         {"params": nodecay, "weight_decay": 0.0}],
                        lr=T["lr"], betas=(0.9, 0.95), eps=1e-8)
steps_per_epoch = len(batches(0))
total = steps_per_epoch * T["epochs"]
warm = T["warmup"]


def lr_at(s):
    if s < warm:
        return T["lr"] * (s + 1) / warm
    return T["lr"] * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * (s - warm) / max(1, total - warm))))


log = {"torch": torch.__version__, "cuda": torch.version.cuda,
       "device": torch.cuda.get_device_name(0) if dev == "cuda" else "cpu",
       "sequences": int(n), "per_epoch": int(len(base)), "steps": total,
       "params": sum(p.numel() for p in model.parameters()), "config": cfg, "losses": []}
print(json.dumps({k: v for k, v in log.items() if k != "losses"}), flush=True)
t0 = time.time()
step = 0
stopped_early = False
model.train()
for ep in range(T["epochs"]):
    acc, cnt = 0.0, 0
    for b in batches(ep):
        ids, rows, cols, tgt = make_batch(b)
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        with torch.autocast(dev, dtype=torch.bfloat16, enabled=dev == "cuda"):
            h = model.hidden(ids)
            logits = model.logits(h[rows, cols])
        loss = F.cross_entropy(logits.float(), tgt)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        acc += loss.item()
        cnt += 1
        step += 1
        if time.time() - t0 > T["max_seconds"]:
            stopped_early = True
            break
        if step % 200 == 0:
            print(f"step {step}/{total} epoch {ep} loss {acc / cnt:.4f} {time.time() - t0:.0f}s", flush=True)
    log["losses"].append({"epoch": ep, "mean_loss": acc / max(cnt, 1), "t": time.time() - t0})
    print(f"epoch {ep} mean loss {acc / max(cnt, 1):.4f} at {time.time() - t0:.0f}s", flush=True)
    if stopped_early:
        print("train.py: time guard reached; stopped before the schedule's end", flush=True)
        break
log["seconds"] = time.time() - t0
log["stopped_early"] = stopped_early
np.savez(sys.argv[2], **model.gguf_state())
if len(sys.argv) == 4:
    json.dump(log, open(sys.argv[3], "w"), indent=1)
print(f"train.py: wrote {sys.argv[2]} after {step} steps, {log['seconds']:.0f}s", flush=True)
