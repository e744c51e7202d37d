"""model.py: the decoder, written to compute what llama.cpp's "llama" graph computes.

RMSNorm before attention and before the SwiGLU feed-forward, rotary position
embedding on adjacent pairs of each head's dimensions (ggml's normal RoPE, so
the q and k matrices need no permutation on export), causal attention scaled
by 1/sqrt(head_dim), a final RMSNorm and an output matrix tied to the
embedding.  Parameter names are the GGUF tensor names, with '.' as '_' inside
the module tree; `gguf_state()` gives them back as GGUF names.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, n, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n))
        self.eps = eps

    def forward(self, x):
        xf = x.float()
        y = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)
        return (y * self.weight.float()).to(x.dtype)


def rope(x, pos, theta):
    """x: (B, H, T, D); rotate pairs (2i, 2i+1) by pos * theta^(-2i/D)."""
    d = x.shape[-1]
    inv = theta ** (-torch.arange(0, d, 2, device=x.device, dtype=torch.float32) / d)
    ang = pos.float()[:, None] * inv[None, :]  # (T, D/2)
    cos, sin = ang.cos(), ang.sin()
    xf = x.float().reshape(*x.shape[:-1], d // 2, 2)
    x0, x1 = xf[..., 0], xf[..., 1]
    out = torch.stack((x0 * cos - x1 * sin, x0 * sin + x1 * cos), dim=-1)
    return out.reshape(x.shape).to(x.dtype)


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        e, h, hkv = c["n_embd"], c["n_head"], c["n_head_kv"]
        hd = e // h
        self.h, self.hkv, self.hd, self.theta = h, hkv, hd, c["rope_theta"]
        self.attn_norm = RMSNorm(e, c["rms_eps"])
        self.attn_q = nn.Linear(e, h * hd, bias=False)
        self.attn_k = nn.Linear(e, hkv * hd, bias=False)
        self.attn_v = nn.Linear(e, hkv * hd, bias=False)
        self.attn_output = nn.Linear(h * hd, e, bias=False)
        self.ffn_norm = RMSNorm(e, c["rms_eps"])
        self.ffn_gate = nn.Linear(e, c["n_ff"], bias=False)
        self.ffn_up = nn.Linear(e, c["n_ff"], bias=False)
        self.ffn_down = nn.Linear(c["n_ff"], e, bias=False)
        self.drop = c.get("dropout", 0.0)

    def forward(self, x, pos):
        B, T, _ = x.shape
        a = self.attn_norm(x)
        q = self.attn_q(a).view(B, T, self.h, self.hd).transpose(1, 2)
        k = self.attn_k(a).view(B, T, self.hkv, self.hd).transpose(1, 2)
        v = self.attn_v(a).view(B, T, self.hkv, self.hd).transpose(1, 2)
        q, k = rope(q, pos, self.theta), rope(k, pos, self.theta)
        if self.hkv != self.h:
            k = k.repeat_interleave(self.h // self.hkv, dim=1)
            v = v.repeat_interleave(self.h // self.hkv, dim=1)
        if hasattr(F, "scaled_dot_product_attention"):  # its default scale is 1/sqrt(hd)
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                               dropout_p=self.drop if self.training else 0.0)
        else:  # PyTorch before 2.0 (Debian's): the same, written out
            att = (q @ k.transpose(-2, -1)) / math.sqrt(self.hd)
            mask = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)
            y = torch.softmax(att.masked_fill(mask, float("-inf")), -1) @ v
        y = y.transpose(1, 2).reshape(B, T, self.h * self.hd)
        x = x + F.dropout(self.attn_output(y), self.drop, self.training)
        m = self.ffn_norm(x)
        m = self.ffn_down(F.silu(self.ffn_gate(m)) * self.ffn_up(m))
        return x + F.dropout(m, self.drop, self.training)


class Decoder(nn.Module):
    def __init__(self, c, n_vocab):
        super().__init__()
        self.token_embd = nn.Embedding(n_vocab, c["n_embd"])
        self.blk = nn.ModuleList(Block(c) for _ in range(c["n_layer"]))
        self.output_norm = RMSNorm(c["n_embd"], c["rms_eps"])
        nn.init.normal_(self.token_embd.weight, std=0.02)
        for b in self.blk:
            for lin in (b.attn_q, b.attn_k, b.attn_v, b.ffn_gate, b.ffn_up):
                nn.init.normal_(lin.weight, std=0.02)
            for lin in (b.attn_output, b.ffn_down):
                nn.init.normal_(lin.weight, std=0.02 / math.sqrt(2 * c["n_layer"]))

    def hidden(self, ids):
        """Final normalised hidden states (B, T, E)."""
        pos = torch.arange(ids.shape[1], device=ids.device)
        x = self.token_embd(ids)
        for b in self.blk:
            x = b(x, pos)
        return self.output_norm(x)

    def logits(self, h):
        return h @ self.token_embd.weight.t().to(h.dtype)

    def forward(self, ids):
        return self.logits(self.hidden(ids))

    def gguf_state(self):
        """The weights as float32 numpy arrays under their GGUF names."""
        out = {}
        for k, v in self.state_dict().items():
            parts = k.split(".")
            if parts[0] == "blk":
                name = f"blk.{parts[1]}.{parts[2]}.weight"
            else:
                name = f"{parts[0]}.weight"
            out[name] = v.detach().float().cpu().numpy()
        return out
