#!/usr/bin/python3
"""make-random-model.py: write a real-size random-weight Qwen2 GGUF (F16).

usage: make-random-model.py LLAMA_SRC OUT.gguf N_EMBD N_LAYER N_HEAD N_HEAD_KV N_FF

For timing a GPU server at a realistic size where no trained model of that
size can travel: the shape is a real architecture's (Qwen2-0.5B is
896 24 14 2 4864, Qwen2-1.5B 1536 28 12 2 8960), the tokenizer is the real
Qwen2 one (LLAMA_SRC/models/ggml-vocab-qwen2.gguf, from the llama.cpp tree
of tests/fixtures/llama/build-llama-server.sh --print-src, whose gguf-py
writes the file), and the output matrix is tied to the embedding, as in
those models. The weights are N(0, 0.02) noise from a fixed seed
(numpy's RandomState, whose streams are frozen across versions), so the
same arguments give the same bytes. The answers are noise too: time
these runs under a grammar (puma-infer --constrain), never score them.
Exit status: 0 written, 1 failure, 2 usage error.
"""
import os
import sys

if len(sys.argv) != 8:
    print("usage: make-random-model.py LLAMA_SRC OUT.gguf N_EMBD N_LAYER N_HEAD N_HEAD_KV N_FF",
          file=sys.stderr)
    sys.exit(2)
src, out = sys.argv[1], sys.argv[2]
try:
    N_EMBD, N_LAYER, N_HEAD, N_HEAD_KV, N_FF = (int(x) for x in sys.argv[3:])
except ValueError:
    print("make-random-model.py: the shape must be five integers", file=sys.stderr)
    sys.exit(2)
if min(N_EMBD, N_LAYER, N_HEAD, N_HEAD_KV, N_FF) <= 0 or N_EMBD % N_HEAD or N_HEAD % N_HEAD_KV:
    print("make-random-model.py: N_HEAD must divide N_EMBD and N_HEAD_KV divide N_HEAD",
          file=sys.stderr)
    sys.exit(2)
sys.path.insert(0, os.path.join(src, "gguf-py"))

import numpy as np  # noqa: E402
import gguf  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gguf_vocab import copy_tokenizer, qwen2_writer  # noqa: E402

SEED = 20261206
STD = 0.02
HEAD_DIM = N_EMBD // N_HEAD
KV = N_HEAD_KV * HEAD_DIM

vocab = gguf.GGUFReader(os.path.join(src, "models", "ggml-vocab-qwen2.gguf"))
n_vocab = len(vocab.fields["tokenizer.ggml.tokens"].data)
rng = np.random.RandomState(SEED)


def f16(rows, cols):
    """A rows x cols F16 matrix (numpy order: ggml's ne = [cols, rows]) of N(0, STD)."""
    return (rng.standard_normal((rows, cols)).astype(np.float32) * STD).astype(np.float16)


def f32(n, std):
    """A vector of n N(0, std) float32 values (biases)."""
    return (rng.standard_normal(n) * std).astype(np.float32)


name = "random-qwen2-%dx%d" % (N_EMBD, N_LAYER)
w = qwen2_writer(gguf, out + ".tmp", name, (N_EMBD, N_LAYER, N_HEAD, N_HEAD_KV, N_FF), 32768,
                 gguf.LlamaFileType.MOSTLY_F16)
copy_tokenizer(gguf, w, vocab)

n_params = 0


def add(tname, a):
    """Add one tensor, counting its parameters."""
    global n_params
    n_params += a.size
    w.add_tensor(tname, a)


# No output.weight: llama.cpp then uses the embedding (tied, as Qwen2 0.5B/1.5B).
add("token_embd.weight", f16(n_vocab, N_EMBD))
add("output_norm.weight", np.ones(N_EMBD, dtype=np.float32))
for i in range(N_LAYER):
    p = "blk.%d." % i
    add(p + "attn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
    add(p + "attn_q.weight", f16(N_EMBD, N_EMBD))
    add(p + "attn_k.weight", f16(KV, N_EMBD))
    add(p + "attn_v.weight", f16(KV, N_EMBD))
    add(p + "attn_q.bias", f32(N_EMBD, STD))
    add(p + "attn_k.bias", f32(KV, STD))
    add(p + "attn_v.bias", f32(KV, STD))
    add(p + "attn_output.weight", f16(N_EMBD, N_EMBD))
    add(p + "ffn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
    add(p + "ffn_gate.weight", f16(N_FF, N_EMBD))
    add(p + "ffn_up.weight", f16(N_FF, N_EMBD))
    add(p + "ffn_down.weight", f16(N_EMBD, N_FF))

w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
# Rename last, so an interrupted run never leaves a file that looks whole.
os.replace(out + ".tmp", out)
print("%s: %s, %d parameters (vocab %d, embd %d, %d layers, %d/%d heads, ff %d), F16"
      % (sys.argv[0], name, n_params, n_vocab, N_EMBD, N_LAYER, N_HEAD, N_HEAD_KV, N_FF))
