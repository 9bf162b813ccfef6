#!/usr/bin/python3
"""Bring your own model (docs/byom.md): export an ESPnet-style PyTorch transformer-CTC encoder
to what sasp reads -- model.safetensors + manifest.yaml + vocab.txt -- and a test set to
feats.bin + transcripts.tsv.

The example builds a tiny model whose module and parameter names follow ESPnet's
TransformerEncoder (Conv2dSubsampling front-end, pre-LN encoder layers, CTC head), so
`espnet_to_sasp` below is the mapping a user applies to a real ESPnet checkpoint
(`torch.load("valid.acc.best.pth")` gives the same state_dict keys). Weights are random (seeded):
the point is the format, and the committed expected transcripts prove that sasp's fp32 engine
reproduces PyTorch on an exported model.

usage: scripts/export_example.py [--out tests/wer/data/byom] [--seed 3]
writes OUT/{manifest.yaml, model.safetensors, vocab.txt, expected.hyp.tsv,
            testsets/main/{feats.bin, transcripts.tsv}}
"""
import argparse
import math
import os
import sys
import wave

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from asr import features  # noqa: E402
from asr.model import manifest_text, write_safetensors, conv_out, sinusoid  # noqa: E402

VOCAB = ["<blank>", "go", "stop", "up", "down", "left", "right"]
UTTS = [("byom-0", "fc1.wav", "go up"), ("byom-1", "fc2.wav", "stop left right")]


# --- an ESPnet-shaped model (names as espnet2's TransformerEncoder + CTC) -----------------------
class MHA(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.linear_q, self.linear_k = nn.Linear(d, d), nn.Linear(d, d)
        self.linear_v, self.linear_out = nn.Linear(d, d), nn.Linear(d, d)

    def forward(self, x):
        T, D = x.shape
        dk = D // self.h
        q, k, v = (m(x).view(T, self.h, dk).transpose(0, 1)
                   for m in (self.linear_q, self.linear_k, self.linear_v))
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dk), dim=-1)
        return self.linear_out((a @ v).transpose(0, 1).reshape(T, D))


class FF(nn.Module):
    def __init__(self, d, dff):
        super().__init__()
        self.w_1, self.w_2 = nn.Linear(d, dff), nn.Linear(dff, d)

    def forward(self, x):
        return self.w_2(F.relu(self.w_1(x)))


class EncoderLayer(nn.Module):  # normalize_before=True (ESPnet's default)
    def __init__(self, d, h, dff):
        super().__init__()
        self.self_attn, self.feed_forward = MHA(d, h), FF(d, dff)
        self.norm1, self.norm2 = nn.LayerNorm(d, eps=1e-12), nn.LayerNorm(d, eps=1e-12)

    def forward(self, x):
        x = x + self.self_attn(self.norm1(x))
        return x + self.feed_forward(self.norm2(x))


class Conv2dSubsampling(nn.Module):
    def __init__(self, idim, C, d):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(1, C, 3, 2), nn.ReLU(), nn.Conv2d(C, C, 3, 2), nn.ReLU())
        self.out = nn.Sequential(nn.Linear(C * conv_out(conv_out(idim)), d))
        self.xscale = math.sqrt(d)  # ESPnet's PositionalEncoding scales x by sqrt(d) first

    def forward(self, x):
        y = self.conv(x[None, None])[0]  # (C, T', F')
        C, T, Fp = y.shape
        y = self.out(y.transpose(0, 1).reshape(T, C * Fp))
        return y * self.xscale + sinusoid(T, y.shape[1])


class Encoder(nn.Module):
    def __init__(self, idim, C, d, h, dff, L):
        super().__init__()
        self.embed = Conv2dSubsampling(idim, C, d)
        self.encoders = nn.ModuleList(EncoderLayer(d, h, dff) for _ in range(L))
        self.after_norm = nn.LayerNorm(d, eps=1e-12)

    def forward(self, x):
        x = self.embed(x)
        for layer in self.encoders:
            x = layer(x)
        return self.after_norm(x)


class Model(nn.Module):
    def __init__(self, idim=40, C=4, d=32, h=2, dff=64, L=2, V=len(VOCAB)):
        super().__init__()
        self.cfg = dict(n_mels=idim, conv_channels=C, d_model=d, heads=h, d_ff=dff, layers=L,
                        vocab_size=V)
        self.encoder = Encoder(idim, C, d, h, dff, L)
        self.ctc = nn.Module()
        self.ctc.ctc_lo = nn.Linear(d, V)

    def forward(self, x):
        return self.ctc.ctc_lo(self.encoder(x))


# --- the mapping a user applies to a real ESPnet state_dict -------------------------------------
def espnet_to_sasp(sd, d_model, n_layers):
    """ESPnet TransformerEncoder + CTC state_dict -> sasp tensor names (docs/byom.md)."""
    t = {}
    xs = math.sqrt(d_model)
    t["frontend.conv1.weight"], t["frontend.conv1.bias"] = sd["encoder.embed.conv.0.weight"], sd["encoder.embed.conv.0.bias"]
    t["frontend.conv2.weight"], t["frontend.conv2.bias"] = sd["encoder.embed.conv.2.weight"], sd["encoder.embed.conv.2.bias"]
    # fold PositionalEncoding's x * sqrt(d) into the projection (exact: it is linear)
    t["frontend.proj.weight"] = sd["encoder.embed.out.0.weight"] * xs
    t["frontend.proj.bias"] = sd["encoder.embed.out.0.bias"] * xs
    for i in range(n_layers):
        s, p = "encoder.encoders.%d." % i, "encoder.%d." % i
        for src, dst in (("norm1", "ln1"), ("self_attn.linear_q", "attn.q"),
                         ("self_attn.linear_k", "attn.k"), ("self_attn.linear_v", "attn.v"),
                         ("self_attn.linear_out", "attn.out"), ("norm2", "ln2"),
                         ("feed_forward.w_1", "ff1"), ("feed_forward.w_2", "ff2")):
            t[p + dst + ".weight"] = sd[s + src + ".weight"]
            t[p + dst + ".bias"] = sd[s + src + ".bias"]
    t["final_ln.weight"], t["final_ln.bias"] = sd["encoder.after_norm.weight"], sd["encoder.after_norm.bias"]
    t["output.weight"], t["output.bias"] = sd["ctc.ctc_lo.weight"], sd["ctc.ctc_lo.bias"]
    return {k: v.detach().cpu().float().contiguous().numpy() for k, v in t.items()}


def read_wav(path):
    with wave.open(path) as w:
        assert w.getframerate() == 16000 and w.getnchannels() == 1 and w.getsampwidth() == 2
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")


def greedy(logits):
    out, prev = [], -1
    for b in logits.argmax(-1).tolist():
        if b != prev and b != 0:
            out.append(VOCAB[b])
        prev = b
    return " ".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap.add_argument("--out", default=os.path.join(root, "tests", "wer", "data", "byom"))
    ap.add_argument("--seed", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(1)
    # the test set: features of two WAVs, exactly as docs/asr.md (int16 log-mel x 256)
    feats = []
    for _, wav, _ in UTTS:
        pcm = read_wav(os.path.join(root, "workloads", "asr", "featcheck", wav))
        feats.append(features.quantize(features.logmel(pcm)))
    # a seed whose argmax margins are wide enough that float rounding cannot flip a token
    seed = a.seed
    while True:
        torch.manual_seed(seed)
        model = Model().eval()
        with torch.no_grad():
            for p in model.parameters():  # random but not degenerate: non-trivial outputs
                p.normal_(0.0, 0.3)
            for name, p in model.named_parameters():
                if "norm" in name and name.endswith("weight"):
                    p.fill_(1.0)
            logits = [model(torch.from_numpy(features.normalize(features.dequantize(q))))
                      for q in feats]
        margin = min(float((l.topk(2).values[:, 0] - l.topk(2).values[:, 1]).min()) for l in logits)
        hyps = [greedy(l) for l in logits]
        if margin > 1e-2 and all(hyps):
            break
        seed += 1
    tensors = espnet_to_sasp(model.state_dict(), model.cfg["d_model"], model.cfg["layers"])
    # LayerNorm eps: ESPnet uses 1e-12, sasp's engine 1e-5 (docs/asr.md); with unit-variance
    # activations the difference is far below the margin checked above.
    os.makedirs(os.path.join(a.out, "testsets", "main"), exist_ok=True)
    write_safetensors(os.path.join(a.out, "model.safetensors"), tensors,
                      {"source": "scripts/export_example.py", "seed": seed})
    tokens = conv_out(conv_out(int(np.median([q.shape[0] for q in feats]))))
    text = manifest_text(model.cfg, tokens, name="byom-tiny").splitlines()
    text = [("description: tiny ESPnet-style transformer-CTC exported by scripts/export_example.py"
             " (random weights, seed %d)" % seed) if l.startswith("description:") else l
            for l in text]
    with open(os.path.join(a.out, "manifest.yaml"), "w") as f:
        f.write("\n".join(text) + "\n")
    with open(os.path.join(a.out, "vocab.txt"), "w") as f:
        f.write("\n".join(VOCAB) + "\n")
    features.write_feats_bin(os.path.join(a.out, "testsets", "main", "feats.bin"), feats)
    with open(os.path.join(a.out, "testsets", "main", "transcripts.tsv"), "w") as f:
        for uid, _, words in UTTS:
            f.write("%s\t%s\n" % (uid, words))
    with open(os.path.join(a.out, "expected.hyp.tsv"), "w") as f:
        for (uid, _, _), h in zip(UTTS, hyps):
            f.write("%s\t%s\n" % (uid, h))
    print("seed %d, min argmax margin %.3g, hypotheses: %s" % (seed, margin, hyps))


if __name__ == "__main__":
    main()
