"""gguf_vocab.py - what the project's GGUF writers share.

Three scripts write models: the random test model
(tests/fixtures/llama/make-tiny-model.py), the random real-size model
(scripts/make-random-model.py) and the trained model's export
(scripts/train-model/export.py). Each takes its tokenizer from one of the
vocab GGUFs in llama.cpp's source tree, and the two random ones share the
Qwen2 header. The gguf module is passed in: it comes from the llama.cpp tree
each script is pointed at, not from an installed package.
"""


def copy_tokenizer(gguf, writer, vocab, skip=()):
    """Copy every tokenizer.* field of the reader vocab into writer, strings
    as raw bytes so nothing is re-encoded; keys in skip are left out."""
    vt = gguf.GGUFValueType
    for key, f in vocab.fields.items():
        if not key.startswith("tokenizer.") or key in skip:
            continue
        vtype = vt(f.types[0])
        if vtype == vt.ARRAY:
            sub = vt(f.types[-1])
            if sub == vt.STRING:
                val = [bytes(f.parts[i]) for i in f.data]
            else:
                val = [f.parts[i].tolist()[0] for i in f.data]
            writer.add_key_value(key, val, vtype, sub_type=sub)
        elif vtype == vt.STRING:
            writer.add_key_value(key, bytes(f.parts[f.data[0]]), vtype)
        else:
            writer.add_key_value(key, f.parts[f.data[0]].tolist()[0], vtype)


def qwen2_writer(gguf, path, name, shape, n_ctx, file_type):
    """A GGUFWriter for a Qwen2-architecture model with the given name and
    shape (n_embd, n_layer, n_head, n_head_kv, n_ff), Qwen2's RoPE base and
    RMS-norm epsilon, a training context of n_ctx and the given file type."""
    n_embd, n_layer, n_head, n_head_kv, n_ff = shape
    w = gguf.GGUFWriter(path, "qwen2")
    w.add_name(name)
    w.add_block_count(n_layer)
    w.add_context_length(n_ctx)
    w.add_embedding_length(n_embd)
    w.add_feed_forward_length(n_ff)
    w.add_head_count(n_head)
    w.add_head_count_kv(n_head_kv)
    w.add_rope_freq_base(1000000.0)
    w.add_layer_norm_rms_eps(1e-6)
    w.add_file_type(file_type)
    return w
