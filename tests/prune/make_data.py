#!/usr/bin/python3
"""Writes tests/prune/data/tiny/: a tiny manifest and safetensors model for the pruner tests
(every dtype, both layouts, a 4-D conv weight, edge tiles, exact score ties, extra tensors)
plus input-channel norms for act_aware. Deterministic; rerun to regenerate."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from prune_ref import write_safetensors  # noqa: E402

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "tiny")
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(20250101)

# name, role, tensor, dtype, layout, stored shape, k, n, bias
layers = [
    ("conv", "conv", "front.conv.weight", "F32", "out_in", (8, 2, 3, 3), 18, 8, True),
    ("proj", "in_proj", "front.proj.weight", "F16", "in_out", (24, 12), 24, 12, False),
    ("enc.0.q", "attn_qkv", "enc.0.attn.q.weight", "BF16", "out_in", (12, 12), 12, 12, False),
    ("enc.0.o", "attn_out", "enc.0.attn.o.weight", "F32", "out_in", (12, 12), 12, 12, True),
    ("enc.0.ff1", "ff", "enc.0.ff1.weight", "F32", "out_in", (30, 12), 12, 30, True),
    ("enc.0.ff2", "ff", "enc.0.ff2.weight", "F16", "out_in", (12, 30), 30, 12, False),
    ("enc.1.ff1", "ff", "enc.1.ff1.weight", "I8", "in_out", (12, 30), 12, 30, False),
    ("enc.1.ff2", "ff", "enc.1.ff2.weight", "F32", "out_in", (12, 30), 30, 12, True),
    ("out", "out", "out.weight", "F64", "out_in", (10, 12), 12, 10, False),
]
tensors = []
for name, role, tname, dt, layout, shape, k, n, bias in layers:
    if dt == "I8":
        w = rng.integers(-8, 9, size=shape).astype(np.int8)
    else:
        w = rng.normal(0, 1 / np.sqrt(k), size=shape)
        if dt == "F16":
            w = w.astype(np.float16)
        elif dt == "BF16":
            w = ((w.astype(np.float32).view(np.uint32) >> 16) << 16).view(np.float32)
        elif dt == "F32":
            w = w.astype(np.float32)
    if name in ("enc.0.ff1", "enc.1.ff2"):
        # exact ties across layers: a constant 4x4 block of 1/8 in the stored tensor
        w[0:4, 0:4] = 0.125
    tensors.append((tname, dt, w))
    if bias:
        tensors.append((tname.replace("weight", "bias"), "F32",
                        rng.normal(0, 0.1, size=(n,)).astype(np.float32)))
tensors.append(("enc.0.norm.weight", "F32", np.ones(12, np.float32)))
tensors.append(("enc.0.norm.bias", "BF16", np.zeros(12, np.float32)))
tensors.append(("step", "I64", np.array(1234, np.int64)))
write_safetensors(os.path.join(out, "model.safetensors"), tensors)

norms = [(name, "F32", rng.uniform(0.1, 3.0, size=(k,)).astype(np.float32))
         for name, role, tname, dt, layout, shape, k, n, bias in layers]
write_safetensors(os.path.join(out, "norms.safetensors"), norms)

with open(os.path.join(out, "manifest.yaml"), "w") as f:
    f.write("# Written by tests/prune/make_data.py: a tiny model for the pruner tests.\n"
            "format: sasp-manifest/1\nname: tiny\nweights: model.safetensors\n"
            "schedule:\n  tokens: 16\nlayers:\n")
    for name, role, tname, dt, layout, shape, k, n, bias in layers:
        f.write(f"  - name: {name}\n    role: {role}\n    weight: {tname}\n")
        if bias:
            f.write(f"    bias: {tname.replace('weight', 'bias')}\n")
        f.write(f"    layout: {layout}\n    k: {k}\n    n: {n}\n    m: 16\n")
    f.write("host_ops:\n  - {op: layernorm, elements: 192, count: 2}\n"
            "  - {op: relu, elements: 480, count: 2}\n")
