#!/usr/bin/python3
"""export.py: write the trained weights as a llama-architecture GGUF (F16).

usage: /usr/bin/python3 export.py LLAMA_SRC WEIGHTS.npz OUT.gguf
       /usr/bin/python3 export.py LLAMA_SRC --random OUT.gguf

LLAMA_SRC is the llama.cpp tree from tests/fixtures/llama/build-llama-server.sh
--print-src: its gguf-py writes the file and its models/ggml-vocab-llama-spm.gguf
gives the tokenizer (every tokenizer.* field copied verbatim), so llama-server
tokenizes exactly as prep.py saw it.  WEIGHTS.npz is what train.py saves
(float32 arrays named as in model.py).  --random writes the same shapes with
noise from a fixed seed: the model prep.py tokenizes against.

Matrices go out as F16, norms as F32 (as llama.cpp's own converter does);
the output matrix is tied to the embedding, so there is no output.weight.
The chat template is a ChatML-like one, declared in tokenizer.chat_template.
Exit status: 0 written, 1 failure, 2 usage error.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

if len(sys.argv) != 4:
    print("usage: export.py LLAMA_SRC WEIGHTS.npz|--random OUT.gguf", file=sys.stderr)
    sys.exit(2)
src, weights, out = sys.argv[1:4]
sys.path.insert(0, os.path.join(src, "gguf-py"))

import numpy as np  # noqa: E402
import gguf  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from gguf_vocab import copy_tokenizer  # noqa: E402

cfg = json.load(open(os.path.join(HERE, "config.json")))
E, L, H, HKV, FF = cfg["n_embd"], cfg["n_layer"], cfg["n_head"], cfg["n_head_kv"], cfg["n_ff"]
HD = E // H

# ChatML-like: llama-server recognises "<|im_start|>" and applies its own
# ChatML formatter, which renders the same text as this Jinja source.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

vocab = gguf.GGUFReader(os.path.join(src, "models", "ggml-vocab-llama-spm.gguf"))
n_vocab = len(vocab.fields["tokenizer.ggml.tokens"].data)


def shapes():
    """Every tensor's name and numpy shape (rows = ggml's ne[1])."""
    yield "token_embd.weight", (n_vocab, E)
    for i in range(L):
        yield f"blk.{i}.attn_norm.weight", (E,)
        yield f"blk.{i}.attn_q.weight", (H * HD, E)
        yield f"blk.{i}.attn_k.weight", (HKV * HD, E)
        yield f"blk.{i}.attn_v.weight", (HKV * HD, E)
        yield f"blk.{i}.attn_output.weight", (E, H * HD)
        yield f"blk.{i}.ffn_norm.weight", (E,)
        yield f"blk.{i}.ffn_gate.weight", (FF, E)
        yield f"blk.{i}.ffn_up.weight", (FF, E)
        yield f"blk.{i}.ffn_down.weight", (E, FF)
    yield "output_norm.weight", (E,)


if weights == "--random":
    # RandomState: its stream is frozen across numpy versions.
    rng = np.random.RandomState(cfg["seed"])
    tensors = {}
    for name, shp in shapes():
        if len(shp) == 1:
            tensors[name] = np.ones(shp, np.float32)
        else:
            tensors[name] = (rng.standard_normal(shp) * 0.02).astype(np.float32)
    name_tag = cfg["name"] + "-random"
else:
    z = np.load(weights)
    tensors = {k: z[k] for k in z.files}
    name_tag = cfg["name"]
    for name, shp in shapes():
        if name not in tensors or tensors[name].shape != shp:
            print(f"export.py: {weights}: {name} missing or not of shape {shp}", file=sys.stderr)
            sys.exit(1)

w = gguf.GGUFWriter(out + ".tmp", "llama")
w.add_name(name_tag)
w.add_block_count(L)
w.add_context_length(cfg["n_ctx_train"])
w.add_embedding_length(E)
w.add_feed_forward_length(FF)
w.add_head_count(H)
w.add_head_count_kv(HKV)
w.add_rope_dimension_count(HD)
w.add_rope_freq_base(cfg["rope_theta"])
w.add_layer_norm_rms_eps(cfg["rms_eps"])
w.add_vocab_size(n_vocab)
w.add_file_type(gguf.LlamaFileType.MOSTLY_F16)

copy_tokenizer(gguf, w, vocab, skip=("tokenizer.chat_template",))
w.add_chat_template(CHAT_TEMPLATE)

for name, shp in shapes():
    a = tensors[name]
    w.add_tensor(name, a.astype(np.float32 if len(shp) == 1 else np.float16))

w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
os.replace(out + ".tmp", out)
