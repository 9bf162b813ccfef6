"""transformer_ctc model of docs/asr.md in PyTorch, safetensors export and manifest writer."""
import json
import math
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

N_MELS = 40


def conv_out(n):
    return (n - 3) // 2 + 1


def enc_len(t):
    return conv_out(conv_out(t))


def sinusoid(T, d):
    pe = np.zeros((T, d), dtype=np.float64)
    t = np.arange(T)[:, None].astype(np.float64)
    i = np.arange(0, d, 2).astype(np.float64)
    div = 10000.0 ** (i / d)
    pe[:, 0::2] = np.sin(t / div)
    pe[:, 1::2] = np.cos(t / div)
    return torch.tensor(pe, dtype=torch.float32)


class Layer(nn.Module):
    def __init__(self, d, heads, d_ff, dropout):
        super().__init__()
        self.h = heads
        self.ln1 = nn.LayerNorm(d, eps=1e-5)
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)
        self.out = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d, eps=1e-5)
        self.ff1 = nn.Linear(d, d_ff)
        self.ff2 = nn.Linear(d_ff, d)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, key_pad=None):
        B, T, D = x.shape
        h = self.ln1(x)
        dh = D // self.h

        def split(t):
            return t.view(B, T, self.h, dh).transpose(1, 2)
        q, k, v = split(self.q(h)), split(self.k(h)), split(self.v(h))
        s = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(dh)
        if key_pad is not None:
            s = s.masked_fill(key_pad[:, None, None, :], float("-inf"))
        a = torch.softmax(s, dim=-1)
        o = torch.matmul(self.drop(a), v).transpose(1, 2).reshape(B, T, D)
        x = x + self.drop(self.out(o))
        x = x + self.drop(self.ff2(self.drop(F.relu(self.ff1(self.ln2(x))))))
        return x


class TransformerCTC(nn.Module):
    def __init__(self, vocab, conv_channels=32, d_model=192, heads=4, d_ff=768, layers=4,
                 dropout=0.1):
        super().__init__()
        self.cfg = dict(n_mels=N_MELS, conv_channels=conv_channels, d_model=d_model, heads=heads,
                        d_ff=d_ff, layers=layers, vocab_size=vocab)
        C = conv_channels
        self.conv1 = nn.Conv2d(1, C, 3, stride=2)
        self.conv2 = nn.Conv2d(C, C, 3, stride=2)
        self.fprime = conv_out(conv_out(N_MELS))
        self.proj = nn.Linear(C * self.fprime, d_model)
        self.layers = nn.ModuleList(Layer(d_model, heads, d_ff, dropout) for _ in range(layers))
        self.final_ln = nn.LayerNorm(d_model, eps=1e-5)
        self.output = nn.Linear(d_model, vocab)
        self.drop = nn.Dropout(dropout)
        self.register_buffer("pe", sinusoid(2000, d_model), persistent=False)

    def forward(self, x, lens=None):
        """x: (B, T, n_mels) normalised features. Returns log-probs (B, T', V), out lens."""
        B, T, _ = x.shape
        y = F.relu(self.conv1(x[:, None]))
        y = F.relu(self.conv2(y))  # (B, C, T', F')
        Tp = y.shape[2]
        y = y.permute(0, 2, 1, 3).reshape(B, Tp, -1)
        y = self.proj(y) + self.pe[:Tp][None]
        y = self.drop(y)
        key_pad = None
        olens = None
        if lens is not None:
            olens = enc_len(lens)
            key_pad = torch.arange(Tp)[None, :] >= olens[:, None]
            if not key_pad.any():
                key_pad = None
        for l in self.layers:
            y = l(y, key_pad)
        y = self.output(self.final_ln(y))
        return F.log_softmax(y, dim=-1), olens


# --- tensor naming (docs/asr.md "Tensor names") -------------------------------------------
def param_tensors(model):
    """The model's parameters under their safetensors names (docs/asr.md "Tensor names")."""
    m = model
    t = {
        "frontend.conv1.weight": m.conv1.weight, "frontend.conv1.bias": m.conv1.bias,
        "frontend.conv2.weight": m.conv2.weight, "frontend.conv2.bias": m.conv2.bias,
        "frontend.proj.weight": m.proj.weight, "frontend.proj.bias": m.proj.bias,
    }
    for i, l in enumerate(m.layers):
        p = "encoder.%d." % i
        for name, mod in (("ln1", l.ln1), ("attn.q", l.q), ("attn.k", l.k), ("attn.v", l.v),
                          ("attn.out", l.out), ("ln2", l.ln2), ("ff1", l.ff1), ("ff2", l.ff2)):
            t[p + name + ".weight"] = mod.weight
            t[p + name + ".bias"] = mod.bias
    t["final_ln.weight"] = m.final_ln.weight
    t["final_ln.bias"] = m.final_ln.bias
    t["output.weight"] = m.output.weight
    t["output.bias"] = m.output.bias
    return t


def export_tensors(model):
    return {k: v.detach().cpu().float().contiguous().numpy()
            for k, v in param_tensors(model).items()}


def write_safetensors(path, tensors, metadata=None):
    header = {}
    off = 0
    blobs = []
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name], dtype="<f4")
        b = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        off += len(b)
        blobs.append(b)
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        s, e = v["data_offsets"]
        out[k] = np.frombuffer(data[8 + n + s:8 + n + e], dtype="<f4").reshape(v["shape"]).copy()
    return out


def load_tensors(model, tensors):
    m = model
    with torch.no_grad():
        def put(mod, name):
            mod.weight.copy_(torch.from_numpy(tensors[name + ".weight"]))
            mod.bias.copy_(torch.from_numpy(tensors[name + ".bias"]))
        put(m.conv1, "frontend.conv1")
        put(m.conv2, "frontend.conv2")
        put(m.proj, "frontend.proj")
        for i, l in enumerate(m.layers):
            p = "encoder.%d." % i
            for name, mod in (("ln1", l.ln1), ("attn.q", l.q), ("attn.k", l.k), ("attn.v", l.v),
                              ("attn.out", l.out), ("ln2", l.ln2), ("ff1", l.ff1), ("ff2", l.ff2)):
                put(mod, p + name)
        put(m.final_ln, "final_ln")
        put(m.output, "output")


# --- manifest ------------------------------------------------------------------------------
def manifest_text(cfg, tokens, name="asr-tiny", n_params=0):
    """docs/manifest.md manifest at nominal encoder length `tokens`."""
    C, d, H, dff, L, V = (cfg["conv_channels"], cfg["d_model"], cfg["heads"], cfg["d_ff"],
                          cfg["layers"], cfg["vocab_size"])
    T2 = tokens
    T1 = 2 * T2 + 1            # conv1 output length that gives T2 (and T = 2*T1 + 1 input frames)
    T0 = 2 * T1 + 1
    F1 = conv_out(N_MELS)
    F2 = conv_out(F1)
    layers = []

    def L_(name, role, w, k, n, m, bias=True):
        layers.append((name, role, w, w.replace(".weight", ".bias") if bias else None, k, n, m))
    L_("frontend.conv1", "conv", "frontend.conv1.weight", 9, C, T1 * F1)
    L_("frontend.conv2", "conv", "frontend.conv2.weight", C * 9, C, T2 * F2)
    L_("frontend.proj", "in_proj", "frontend.proj.weight", C * F2, d, T2)
    for i in range(L):
        p = "encoder.%d." % i
        for nm in ("q", "k", "v"):
            L_("enc.%d.%s" % (i, nm), "attn_qkv", p + "attn.%s.weight" % nm, d, d, T2)
        L_("enc.%d.attn_out" % i, "attn_out", p + "attn.out.weight", d, d, T2)
        L_("enc.%d.ff1" % i, "ff", p + "ff1.weight", d, dff, T2)
        L_("enc.%d.ff2" % i, "ff", p + "ff2.weight", dff, d, T2)
    L_("output", "out", "output.weight", d, V, T2)

    q_in = sum(m * k for (_, _, _, _, k, n, m) in layers)
    deq = sum(m * n for (_, _, _, _, k, n, m) in layers)
    out = []
    out.append("format: sasp-manifest/1")
    out.append("name: %s" % name)
    out.append("description: word-CTC transformer (%d params) over the closed command vocabulary,"
               " trained by scripts/train-asr on synthetic espeak-ng/flite speech" % n_params)
    out.append("weights: model.safetensors")
    out.append("arch:")
    out.append("  type: transformer_ctc")
    for k in ("n_mels", "conv_channels", "d_model", "heads", "d_ff", "layers"):
        out.append("  %s: %d" % (k, cfg[k]))
    out.append("  vocab: vocab.txt")
    out.append("schedule:")
    out.append("  tokens: %d                   # median encoder length of the main test set"
               " (input frames %d)" % (T2, T0))
    out.append("layers:")
    for (nm, role, w, b, k, n, m) in layers:
        out.append("  - name: %s" % nm)
        out.append("    role: %s" % role)
        out.append("    weight: %s" % w)
        if b:
            out.append("    bias: %s" % b)
        out.append("    layout: out_in")
        out.append("    k: %d" % k)
        out.append("    n: %d" % n)
        out.append("    m: %d" % m)
        out.append("    count: 1")
    out.append("host_ops:")
    out.append("  - {op: layernorm, elements: %d, count: 1}   # per-utterance feature normalisation"
               % (T0 * N_MELS))
    out.append("  - {op: conv_pad, elements: %d, count: 1}   # im2col copies of both convolutions"
               % (T1 * F1 * 9 + T2 * F2 * C * 9))
    out.append("  - {op: relu, elements: %d, count: 1}   # front-end ReLUs" % (C * (T1 * F1 + T2 * F2)))
    out.append("  - {op: add, elements: %d, count: 1}   # sinusoidal positions" % (T2 * d))
    out.append("  - {op: layernorm, elements: %d, count: %d}" % (T2 * d, 2 * L + 1))
    out.append("  - {op: softmax, elements: %d, count: %d}" % (H * T2 * T2, L))
    out.append("  - {op: attn_matmul, elements: %d, count: %d}   # q.kT and attn.v per layer"
               % (2 * T2 * T2 * d, L))
    out.append("  - {op: relu, elements: %d, count: %d}" % (T2 * dff, L))
    out.append("  - {op: add, elements: %d, count: %d}   # residuals" % (T2 * d, 2 * L))
    out.append("  - {op: quantize, elements: %d, count: 1}   # GEMM inputs" % q_in)
    out.append("  - {op: dequantize, elements: %d, count: 1}   # GEMM outputs" % deq)
    out.append("  - {op: argmax, elements: %d, count: 1}   # greedy CTC over the logits" % (T2 * V))
    return "\n".join(out) + "\n"


def greedy(logp_row):
    """logp (T', V) numpy -> token ids (collapse repeats, drop blanks)."""
    best = np.argmax(logp_row, axis=-1)
    out, prev = [], -1
    for b in best:
        b = int(b)
        if b != prev and b != 0:
            out.append(b)
        prev = b
    return out
