"""Log-mel features and the feats.bin test-set format, exactly as docs/asr.md specifies."""
import os
import struct
import zlib

import numpy as np

SR = 16000
WIN = 400
HOP = 160
NFFT = 512
N_MELS = 40
FMIN = 20.0
FMAX = 8000.0
SCALE = 256.0      # int16 feature values: round(logmel * 256) (training shards, feats.bin v1)
SCALE8 = 8.0       # feats.bin v2 stores round(value * 8 / 256) as a per-utterance base + int8
MAGIC = b"SASPFEAT"


def _hz_to_mel(f):
    return 2595.0 * np.log10(1.0 + f / 700.0)


def _mel_to_hz(m):
    return 700.0 * (10.0 ** (m / 2595.0) - 1.0)


def mel_filterbank():
    """(257, 40) float64 weights per docs/asr.md."""
    mels = np.linspace(_hz_to_mel(FMIN), _hz_to_mel(FMAX), N_MELS + 2)
    f = _mel_to_hz(mels)
    fk = np.arange(NFFT // 2 + 1) * SR / NFFT
    fb = np.zeros((NFFT // 2 + 1, N_MELS))
    for m in range(N_MELS):
        up = (fk - f[m]) / (f[m + 1] - f[m])
        down = (f[m + 2] - fk) / (f[m + 2] - f[m + 1])
        fb[:, m] = np.maximum(0.0, np.minimum(up, down))
    return fb


_FB = mel_filterbank()
_WINDOW = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(WIN) / WIN)


def n_frames(n_samples):
    if n_samples < WIN:
        raise ValueError("utterance shorter than one window")
    return 1 + (n_samples - WIN) // HOP


def logmel(pcm):
    """pcm: int16 array -> (T, 40) float32 natural-log mel energies (unnormalised)."""
    x = np.asarray(pcm, dtype=np.int16).astype(np.float64) / 32768.0
    T = n_frames(len(x))
    idx = np.arange(WIN)[None, :] + HOP * np.arange(T)[:, None]
    frames = x[idx] * _WINDOW[None, :]
    spec = np.fft.rfft(frames, n=NFFT, axis=1)
    power = spec.real ** 2 + spec.imag ** 2
    mel = power @ _FB
    return np.log(np.maximum(mel, 1e-10)).astype(np.float32)


def quantize(lm):
    """float log-mel -> int16 stored values (round(logmel*256), saturated)."""
    return np.clip(np.round(lm.astype(np.float64) * SCALE), -32768, 32767).astype(np.int16)


def dequantize(q):
    return q.astype(np.float32) / np.float32(SCALE)


def normalize(feats):
    """Per-utterance, per-bin mean/variance normalisation (population variance, eps 1e-5)."""
    f = feats.astype(np.float32)
    mean = f.mean(axis=0, keepdims=True)
    var = ((f - mean) ** 2).mean(axis=0, keepdims=True)
    return (f - mean) / np.sqrt(var + 1e-5)


def pack8(q):
    """int16 values (scale 256) -> (base, int8 offsets) of feats.bin v2: v = round(q / 32)
    (half to even), base = max(v) - 127, offsets = v - base saturated at -128 (only a range
    wider than 32 log units saturates, at its quiet end: the 1e-10 floor of digital silence)."""
    v = np.round(np.asarray(q, dtype=np.float64) * (SCALE8 / SCALE)).astype(np.int64)
    base = int(v.max()) - 127
    assert -32768 <= base <= 32767 - 127
    return base, np.clip(v - base, -128, 127).astype(np.int8)


def write_feats_bin(path, utts, version=1):
    """utts: list of int16 arrays (T, 40), values round(logmel * 256). Version 1 stores them as
    int16; version 2 as a per-utterance int16 base plus int8 offsets at scale 8 (pack8)."""
    assert version in (1, 2)
    scale = SCALE if version == 1 else SCALE8
    parts = [MAGIC, struct.pack("<IIIf", version, len(utts), N_MELS, scale)]
    for q in utts:
        q = np.ascontiguousarray(q, dtype="<i2")
        assert q.ndim == 2 and q.shape[1] == N_MELS
        parts.append(struct.pack("<I", q.shape[0]))
        if version == 1:
            parts.append(q.tobytes())
        else:
            base, d = pack8(q)
            parts.append(struct.pack("<h", base))
            parts.append(d.tobytes())
    body = b"".join(parts)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(body)
        f.write(struct.pack("<I", zlib.crc32(body) & 0xFFFFFFFF))
    os.replace(tmp, path)


def read_feats_bin(path):
    """-> list of float32 (T, 40) log-mel arrays (stored value / scale), versions 1 and 2."""
    data = open(path, "rb").read()
    assert data[:8] == MAGIC, "bad magic"
    crc = struct.unpack("<I", data[-4:])[0]
    assert crc == zlib.crc32(data[:-4]) & 0xFFFFFFFF, "CRC mismatch"
    ver, n, nm, scale = struct.unpack("<IIIf", data[8:24])
    assert ver in (1, 2) and nm == N_MELS and scale > 0
    off = 24
    out = []
    for _ in range(n):
        (t,) = struct.unpack("<I", data[off:off + 4])
        off += 4
        if ver == 1:
            v = np.frombuffer(data, dtype="<i2", count=t * nm, offset=off).astype(np.int32)
            off += t * nm * 2
        else:
            (base,) = struct.unpack("<h", data[off:off + 2])
            off += 2
            v = np.frombuffer(data, dtype="i1", count=t * nm, offset=off).astype(np.int32) + base
            off += t * nm
        out.append(v.reshape(t, nm).astype(np.float32) / np.float32(scale))
    assert off == len(data) - 4
    return out


def read_transcripts(path):
    ids, words = [], []
    for line in open(path):
        line = line.rstrip("\n")
        if not line:
            continue
        i, _, w = line.partition("\t")
        ids.append(i)
        words.append(w.split())
    return ids, words
