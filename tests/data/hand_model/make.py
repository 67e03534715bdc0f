#!/usr/bin/python3
"""Expected logits of the hand models in tests/test_model_hand.cpp, computed independently in numpy
(float64) from the definitions of each architecture. Run with Debian's python (numpy):

    /usr/bin/python3 tests/data/hand_model/make.py > tests/data/hand_model/expected_logits.h

The weights come from the same generator as the C++ test (a 64-bit LCG per tensor, seeded by the
tensor's index in the list below), so both sides build the identical model without sharing files.
"""
import numpy as np

TOKENS = [1, 5, 9, 3, 14, 7, 2, 11, 0, 15]
VOCAB, EMBD, LAYERS, FFN = 16, 8, 2, 12


def lcg_values(seed, count, scale, offset):
    """count values offset + scale * u, u uniform in [-1, 1), in GGUF order (row by row)."""
    state = seed & 0xFFFFFFFFFFFFFFFF
    out = []
    for _ in range(count):
        state = (state * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
        u = ((state >> 40) & 0xFFFFFF) / 16777216.0  # 24 bits: exact in float
        out.append(np.float32(offset + (u - 0.5) * 2.0 * scale))
    return np.array(out, dtype=np.float64)


class Tensors:
    """Tensors in declaration order; the i-th gets seed 1000 + i (as in the C++ test)."""

    def __init__(self):
        self.index = 0
        self.t = {}

    def add(self, name, rows, cols, scale, offset=0.0):
        v = lcg_values(1000 + self.index, rows * cols, scale, offset)
        self.index += 1
        self.t[name] = v.reshape(rows, cols) if rows > 1 else v
        return self.t[name]


def matrix(T, name, rows, cols):
    return T.add(name, rows, cols, 0.5)


def norm(T, name, n):
    return T.add(name, 1, n, 0.2, 1.0)


def bias(T, name, n):
    return T.add(name, 1, n, 0.1)


def rmsnorm(x, w, eps):
    return x / np.sqrt(np.mean(x * x) + eps) * w


def layernorm(x, w, b, eps):
    m = np.mean(x)
    v = np.mean((x - m) ** 2)
    return (x - m) / np.sqrt(v + eps) * w + b


def rope(x, pos, heads, hd, nrot, base, freq_scale, factors, neox):
    """Rotate each head: pair i is (x[2i], x[2i+1]) (normal) or (x[i], x[i + nrot/2]) (neox),
    treated as the complex number a + ib multiplied by e^(i·θ_i)."""
    x = x.reshape(heads, hd).copy()
    for h in range(heads):
        for i in range(nrot // 2):
            theta = pos * freq_scale * base ** (-2.0 * i / nrot) / factors[i]
            a, b = (2 * i, 2 * i + 1) if not neox else (i, i + nrot // 2)
            z = complex(x[h, a], x[h, b]) * np.exp(1j * theta)
            x[h, a], x[h, b] = z.real, z.imag
    return x.reshape(-1)


def attend(qs, ks, vs, heads, kv_heads, hd):
    """Causal attention of every position over the positions up to it; heads share KV heads."""
    n = len(qs)
    out = np.zeros((n, heads * hd))
    group = heads // kv_heads
    for t in range(n):
        for h in range(heads):
            g = h // group
            q = qs[t][h * hd:(h + 1) * hd]
            s = np.array([q @ ks[j][g * hd:(g + 1) * hd] for j in range(t + 1)]) / np.sqrt(hd)
            p = np.exp(s - s.max())
            p /= p.sum()
            out[t, h * hd:(h + 1) * hd] = sum(p[j] * vs[j][g * hd:(g + 1) * hd] for j in range(t + 1))
    return out


def silu(x):
    return x / (1.0 + np.exp(-x))


def gelu(x):
    return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x ** 3)))


def llama_like(qwen):
    heads, kv_heads, hd = 2, 1, 4
    eps = 1e-5
    base = 1e6 if qwen else 10000.0
    freq_scale = 1.0 if qwen else 0.5  # llama: linear rope scaling, factor 2
    T = Tensors()
    embd = matrix(T, "token_embd.weight", VOCAB, EMBD)
    layers = []
    for l in range(LAYERS):
        L = {}
        L["attn_norm"] = norm(T, "attn_norm", EMBD)
        L["wq"] = matrix(T, "attn_q", heads * hd, EMBD)
        L["wk"] = matrix(T, "attn_k", kv_heads * hd, EMBD)
        L["wv"] = matrix(T, "attn_v", kv_heads * hd, EMBD)
        if qwen:
            L["bq"] = bias(T, "bq", heads * hd)
            L["bk"] = bias(T, "bk", kv_heads * hd)
            L["bv"] = bias(T, "bv", kv_heads * hd)
        L["wo"] = matrix(T, "attn_output", EMBD, heads * hd)
        L["ffn_norm"] = norm(T, "ffn_norm", EMBD)
        L["gate"] = matrix(T, "ffn_gate", FFN, EMBD)
        L["up"] = matrix(T, "ffn_up", FFN, EMBD)
        L["down"] = matrix(T, "ffn_down", EMBD, FFN)
        layers.append(L)
    out_norm = norm(T, "output_norm", EMBD)
    if qwen:
        output = embd  # tied
        factors = [1.0, 1.0]
    else:
        output = matrix(T, "output", VOCAB, EMBD)
        factors = T.add("rope_freqs", 1, hd // 2, 0.5, 2.0)  # values in [1.5, 2.5)

    xs = [embd[tok].copy() for tok in TOKENS]
    for L in layers:
        qs, ks, vs = [], [], []
        for p, x in enumerate(xs):
            h = rmsnorm(x, L["attn_norm"], eps)
            q, k, v = L["wq"] @ h, L["wk"] @ h, L["wv"] @ h
            if qwen:
                q, k, v = q + L["bq"], k + L["bk"], v + L["bv"]
            qs.append(rope(q, p, heads, hd, hd, base, freq_scale, factors, qwen))
            ks.append(rope(k, p, kv_heads, hd, hd, base, freq_scale, factors, qwen))
            vs.append(v)
        att = attend(qs, ks, vs, heads, kv_heads, hd)
        for t in range(len(xs)):
            xs[t] = xs[t] + L["wo"] @ att[t]
            h = rmsnorm(xs[t], L["ffn_norm"], eps)
            xs[t] = xs[t] + L["down"] @ (silu(L["gate"] @ h) * (L["up"] @ h))
    return [output @ rmsnorm(x, out_norm, eps) for x in xs]


def gpt2():
    heads, hd, positions = 2, 4, 16
    eps = 1e-5
    T = Tensors()
    embd = matrix(T, "token_embd.weight", VOCAB, EMBD)
    pos_embd = matrix(T, "position_embd.weight", positions, EMBD)
    layers = []
    for l in range(LAYERS):
        L = {}
        L["attn_norm"] = norm(T, "attn_norm", EMBD)
        L["attn_norm_b"] = bias(T, "attn_norm.bias", EMBD)
        L["wqkv"] = matrix(T, "attn_qkv", 3 * EMBD, EMBD)
        L["bqkv"] = bias(T, "attn_qkv.bias", 3 * EMBD)
        L["wo"] = matrix(T, "attn_output", EMBD, EMBD)
        L["bo"] = bias(T, "attn_output.bias", EMBD)
        L["ffn_norm"] = norm(T, "ffn_norm", EMBD)
        L["ffn_norm_b"] = bias(T, "ffn_norm.bias", EMBD)
        L["up"] = matrix(T, "ffn_up", FFN, EMBD)
        L["bup"] = bias(T, "ffn_up.bias", FFN)
        L["down"] = matrix(T, "ffn_down", EMBD, FFN)
        L["bdown"] = bias(T, "ffn_down.bias", EMBD)
        layers.append(L)
    out_norm = norm(T, "output_norm", EMBD)
    out_norm_b = bias(T, "output_norm.bias", EMBD)

    xs = [embd[tok] + pos_embd[p] for p, tok in enumerate(TOKENS)]
    for L in layers:
        qkv = [L["wqkv"] @ layernorm(x, L["attn_norm"], L["attn_norm_b"], eps) + L["bqkv"] for x in xs]
        att = attend([r[:EMBD] for r in qkv], [r[EMBD:2 * EMBD] for r in qkv], [r[2 * EMBD:] for r in qkv],
                     heads, heads, hd)
        for t in range(len(xs)):
            xs[t] = xs[t] + L["wo"] @ att[t] + L["bo"]
            h = layernorm(xs[t], L["ffn_norm"], L["ffn_norm_b"], eps)
            xs[t] = xs[t] + L["down"] @ gelu(L["up"] @ h + L["bup"]) + L["bdown"]
    return [embd @ layernorm(x, out_norm, out_norm_b, eps) for x in xs]


def emit(name, rows):
    print(f"inline constexpr float {name}[{len(rows)}][{VOCAB}] = {{")
    for r in rows:
        print("    {" + ", ".join(f"{v:.9g}f" for v in r) + "},")
    print("};")


print("// Generated by tests/data/hand_model/make.py (numpy, float64): do not edit.")
print("#pragma once")
print()
print("namespace hand_model {")
print()
print("inline constexpr int kTokens[] = {" + ", ".join(map(str, TOKENS)) + "};")
emit("kLlamaLogits", llama_like(False))
emit("kQwen2Logits", llama_like(True))
emit("kGpt2Logits", gpt2())
print()
print("} // namespace hand_model")
