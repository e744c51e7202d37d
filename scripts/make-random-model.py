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
w = gguf.GGUFWriter(out + ".tmp", "qwen2")
w.add_name(name)
w.add_block_count(N_LAYER)
w.add_context_length(32768)
w.add_embedding_length(N_EMBD)
w.add_feed_forward_length(N_FF)
w.add_head_count(N_HEAD)
w.add_head_count_kv(N_HEAD_KV)
w.add_rope_freq_base(1000000.0)
w.add_layer_norm_rms_eps(1e-6)
w.add_file_type(gguf.LlamaFileType.MOSTLY_F16)

# Every tokenizer.* field verbatim (strings as raw bytes, nothing re-encoded).
for key, f in vocab.fields.items():
    if not key.startswith("tokenizer."):
        continue
    vtype = gguf.GGUFValueType(f.types[0])
    if vtype == gguf.GGUFValueType.ARRAY:
        sub = gguf.GGUFValueType(f.types[-1])
        if sub == gguf.GGUFValueType.STRING:
            val = [bytes(f.parts[i]) for i in f.data]
        else:
            val = [f.parts[i].tolist()[0] for i in f.data]
        w.add_key_value(key, val, vtype, sub_type=sub)
    elif vtype == gguf.GGUFValueType.STRING:
        w.add_key_value(key, bytes(f.parts[f.data[0]]), vtype)
    else:
        w.add_key_value(key, f.parts[f.data[0]].tolist()[0], vtype)

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
