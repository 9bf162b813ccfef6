#!/usr/bin/python3
"""prune_ref: an independent numpy reference of sasp's tile pruner (docs/formats.md,
prune/sa_prune.h), used by tests/prune to check the C implementation.

It shares no code with the C side: its own safetensors reader/writer, mask-file reader
(with zlib's CRC-32) and scoring/threshold rules written from the documentation.

Library use: read_safetensors, write_safetensors, read_mask, load_manifest, prune.
Command line:
  prune_ref.py --model DIR --tile RxC --rate r [--criterion C] [--scope S]
               [--global|--per-layer] [--cap c] [--act-norms FILE] [--check OUT]
prints the reference per-layer pruned-tile counts as JSON; with --check OUT it compares
OUT/mask.bin, OUT/model.safetensors and OUT/summary.json written by 'sasp prune' and exits
non-zero on any difference.
"""
import argparse
import json
import math
import os
import struct
import sys
import zlib

import numpy as np

DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4",
          "I16": "<i2", "I8": "i1", "U8": "u1", "BOOL": "u1"}
COUNT_EPS = 1e-9          # floor(rate * tiles + 1e-9), as documented
ROLES_IN_SCOPE = {"ff": {"ff"}, "attn": {"attn_qkv", "attn_out"},
                  "all": {"conv", "in_proj", "attn_qkv", "attn_out", "ff", "out"}}


def read_safetensors(path):
    """Returns (ordered list of names, {name: float32 array}, {name: dtype})."""
    with open(path, "rb") as f:
        buf = f.read()
    hlen = int.from_bytes(buf[:8], "little")
    header = json.loads(buf[8:8 + hlen].decode("utf-8"))
    data = buf[8 + hlen:]
    names, arrays, dtypes = [], {}, {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        raw = data[b:e]
        dt = info["dtype"]
        if dt == "BF16":
            a = (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            a = np.frombuffer(raw, DTYPES[dt]).astype(np.float32)
        arrays[name] = a.reshape(info["shape"])
        dtypes[name] = dt
        names.append(name)
    names.sort(key=lambda n: header[n]["data_offsets"][0])
    return names, arrays, dtypes


def write_safetensors(path, tensors):
    """tensors: list of (name, dtype string, numpy array already in that dtype's values)."""
    header, blobs, off = {}, [], 0
    for name, dt, arr in tensors:
        if dt == "BF16":
            f = np.ascontiguousarray(arr, dtype=np.float32)
            raw = (f.view(np.uint32) >> 16).astype("<u2").tobytes()
        else:
            raw = np.ascontiguousarray(arr).astype(DTYPES[dt]).tobytes()
        header[name] = {"dtype": dt, "shape": list(arr.shape),
                        "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def read_mask(path):
    """Returns (R, C, {name: (K, N, keep array kt x nt of 0/1)}) after checking the CRC."""
    with open(path, "rb") as f:
        buf = f.read()
    assert buf[:8] == b"SASPMASK", "bad magic"
    body, (crc,) = buf[:-4], struct.unpack("<I", buf[-4:])
    assert zlib.crc32(body) & 0xFFFFFFFF == crc, "bad CRC"
    version, nl, r, c = struct.unpack("<IIQQ", body[8:32])
    assert version == 1
    p, masks = 32, {}
    for _ in range(nl):
        (ln,) = struct.unpack("<H", body[p:p + 2])
        name = body[p + 2:p + 2 + ln].decode()
        p += 2 + ln
        k, n = struct.unpack("<QQ", body[p:p + 16])
        p += 16
        kt, nt = -(-k // r), -(-n // c)
        nbytes = (kt * nt + 7) // 8
        bits = np.unpackbits(np.frombuffer(body[p:p + nbytes], np.uint8), bitorder="little")
        masks[name] = (k, n, bits[:kt * nt].reshape(kt, nt).astype(np.uint8))
        p += nbytes
    assert p == len(body), "trailing bytes"
    return r, c, masks


def write_mask(path, r, c, masks):
    """Writes a mask file (docs/formats.md) from {name: (K, N, keep array kt x nt)}, in the
    given order (the inverse of read_mask)."""
    body = b"SASPMASK" + struct.pack("<IIQQ", 1, len(masks), r, c)
    for name, (k, n, keep) in masks.items():
        nb = name.encode()
        body += struct.pack("<H", len(nb)) + nb + struct.pack("<QQ", k, n)
        body += np.packbits(np.asarray(keep, np.uint8).reshape(-1), bitorder="little").tobytes()
    with open(path, "wb") as f:
        f.write(body + struct.pack("<I", zlib.crc32(body) & 0xFFFFFFFF))


def load_manifest(path):
    try:
        import yaml
    except ImportError:
        sys.exit("prune_ref.py: needs PyYAML (Debian package python3-yaml)")
    with open(path) as f:
        m = yaml.safe_load(f)
    return m


def layer_matrix(arrays, layer):
    """The layer's weight as a K x N float64 matrix."""
    w = arrays[layer["weight"]].astype(np.float64)
    k, n = layer["k"], layer["n"]
    if layer["layout"] == "out_in":
        return w.reshape(n, k).T
    return w.reshape(k, n)


def tile_scores(w, r, c, criterion, norm=None):
    """kt x nt scores: mean over each tile's real elements (edge tiles: real elements only)."""
    k, n = w.shape
    kt, nt = -(-k // r), -(-n // c)
    if criterion == "mean_abs":
        a = np.abs(w)
    elif criterion == "l2":
        a = w * w
    else:
        a = np.abs(w) * np.asarray(norm, np.float64)[:, None]
    pad = np.zeros((kt * r, nt * c))
    cnt = np.zeros((kt * r, nt * c))
    pad[:k, :n] = a
    cnt[:k, :n] = 1
    s = pad.reshape(kt, r, nt, c).sum(axis=(1, 3))
    m = s / cnt.reshape(kt, r, nt, c).sum(axis=(1, 3))
    return np.sqrt(m) if criterion == "l2" else m


def count_of(frac, tiles):
    return max(0, min(tiles, int(math.floor(frac * tiles + COUNT_EPS))))


def prune(manifest, arrays, r, c, rate, criterion="mean_abs", scope="ff",
          threshold="global", cap=1.0, norms=None):
    """Returns {layer name: keep array (kt x nt)} and the selected-tile count."""
    layers = manifest["layers"]
    keep, scores, selected = {}, {}, []
    for li, l in enumerate(layers):
        w = layer_matrix(arrays, l)
        kt, nt = -(-l["k"] // r), -(-l["n"] // c)
        keep[l["name"]] = np.ones((kt, nt), np.uint8)
        if l["role"] in ROLES_IN_SCOPE[scope]:
            selected.append(li)
            norm = norms[l["name"]] if criterion == "act_aware" else None
            scores[li] = tile_scores(w, r, c, criterion, norm).ravel()
    total = sum(scores[li].size for li in selected)
    caps = {li: count_of(cap, scores[li].size) for li in selected}
    if threshold == "global":
        cands = sorted((float(s), li, t) for li in selected for t, s in enumerate(scores[li]))
        target, done, per = count_of(rate, total), 0, {li: 0 for li in selected}
        for s, li, t in cands:
            if done == target:
                break
            if per[li] >= caps[li]:
                continue
            keep[layers[li]["name"]].ravel()[t] = 0
            per[li] += 1
            done += 1
    else:
        for li in selected:
            cands = sorted((float(s), t) for t, s in enumerate(scores[li]))
            take = min(count_of(rate, len(cands)), caps[li])
            for s, t in cands[:take]:
                keep[layers[li]["name"]].ravel()[t] = 0
    return keep, total


def paper_rule(manifest, arrays, r, c, rate, scope="ff"):
    """The paper's literal rule: threshold = sorted scores[int(rate * n)], prune score < it.
    Agrees with prune() (mean_abs, global, no cap) whenever no ties straddle the threshold."""
    layers = [l for l in manifest["layers"] if l["role"] in ROLES_IN_SCOPE[scope]]
    sc = {l["name"]: tile_scores(layer_matrix(arrays, l), r, c, "mean_abs") for l in layers}
    allv = np.sort(np.concatenate([s.ravel() for s in sc.values()]))
    idx = int(rate * len(allv))
    if idx >= len(allv):
        return {n: np.zeros_like(s, np.uint8) for n, s in sc.items()}
    thr = allv[idx]
    return {n: (s >= thr).astype(np.uint8) for n, s in sc.items()}


def pruned_arrays(manifest, arrays, keep, r, c):
    """The original tensors with every pruned tile zeroed, in the stored layout."""
    out = {k: v.copy() for k, v in arrays.items()}
    for l in manifest["layers"]:
        w = layer_matrix(out, l).copy()
        kp = keep[l["name"]]
        for a, b in zip(*np.nonzero(kp == 0)):
            w[a * r:(a + 1) * r, b * c:(b + 1) * c] = 0
        src = out[l["weight"]]
        st = w.T if l["layout"] == "out_in" else w
        out[l["weight"]] = st.reshape(src.shape).astype(np.float32)
    return out


def check(args, manifest, names, arrays, keep, total):
    bad = []
    r, c, masks = read_mask(os.path.join(args.check, "mask.bin"))
    if (r, c) != (args.r, args.c):
        bad.append(f"mask tile {r}x{c}")
    if list(masks) != [l["name"] for l in manifest["layers"]]:
        bad.append("mask layer list differs")
    for l in manifest["layers"]:
        k, n, km = masks[l["name"]]
        if (k, n) != (l["k"], l["n"]) or not np.array_equal(km, keep[l["name"]]):
            bad.append(f"mask of {l['name']} differs")
    onames, oarr, odt = read_safetensors(os.path.join(args.check, "model.safetensors"))
    ref = pruned_arrays(manifest, arrays, keep, args.r, args.c)
    if sorted(onames) != sorted(names):
        bad.append(f"tensor names differ: {onames} vs {names}")
    for nm in names:
        if nm not in oarr or odt[nm] != "F32" or oarr[nm].shape != ref[nm].shape or \
                not np.array_equal(oarr[nm], ref[nm]):
            bad.append(f"pruned tensor {nm} differs")
    with open(os.path.join(args.check, "summary.json")) as f:
        s = json.load(f)
    pruned = sum(int((k == 0).sum()) for k in keep.values())
    if s["tiles_pruned"] != pruned or s["tiles_selected"] != total:
        bad.append(f"summary counts {s['tiles_pruned']}/{s['tiles_selected']} vs {pruned}/{total}")
    for sl in s["layers"]:
        if sl["pruned"] != int((keep[sl["name"]] == 0).sum()):
            bad.append(f"summary layer {sl['name']} pruned {sl['pruned']}")
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--tile", required=True)
    ap.add_argument("--rate", type=float, required=True)
    ap.add_argument("--criterion", default="mean_abs")
    ap.add_argument("--scope", default="ff")
    ap.add_argument("--global", dest="threshold", action="store_const", const="global",
                    default="global")
    ap.add_argument("--per-layer", dest="threshold", action="store_const", const="per_layer")
    ap.add_argument("--cap", type=float, default=1.0)
    ap.add_argument("--act-norms")
    ap.add_argument("--check")
    args = ap.parse_args()
    args.r, args.c = (int(x) for x in args.tile.lower().split("x"))
    mpath = args.model if os.path.isfile(args.model) else os.path.join(args.model, "manifest.yaml")
    manifest = load_manifest(mpath)
    names, arrays, _ = read_safetensors(os.path.join(os.path.dirname(mpath), manifest["weights"]))
    norms = read_safetensors(args.act_norms)[1] if args.act_norms else None
    keep, total = prune(manifest, arrays, args.r, args.c, args.rate, args.criterion, args.scope,
                        args.threshold, args.cap, norms)
    if not args.check:
        print(json.dumps({"tiles_selected": total,
                          "layers": {n: int((k == 0).sum()) for n, k in keep.items()}}))
        return 0
    bad = check(args, manifest, names, arrays, keep, total)
    for b in bad:
        print("MISMATCH:", b, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
