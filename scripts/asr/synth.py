"""Speech synthesis for the ASR corpus: espeak-ng voice variants and flite voices at 16 kHz,
with speed/pitch variation, a random channel filter, gain and additive noise.

Every random choice comes from the numpy Generator passed in, so an utterance is a pure function
of (seed, set, index) given the same synthesiser versions (see versions()).
"""
import hashlib
import os
import subprocess
import tempfile

import numpy as np

ESPEAK_DATA = "/usr/lib/x86_64-linux-gnu/espeak-ng-data"
# Accents (espeak-ng language voices); each combines with a variant below.
ESPEAK_LANGS = ["en-us", "en", "en-gb-x-rp", "en-gb-scotland", "en-029", "en-gb-x-gbclan",
                "en-gb-x-gbcwmd"]
# Variants never used anywhere (not speech-like enough for a command corpus).
EXCLUDED_VARIANTS = {"whisper", "whisperf", "Mr serious", "croak", "UniRobot", "anikaRobot"}
# Variants held out of training: the `unseen` test set uses only these.
UNSEEN_VARIANTS = ["Andy", "Gene2", "Hugo", "Mario", "belinda", "edward2", "f4", "iven3", "m6",
                   "klatt4", "robert", "steph3", "rob"]
FLITE_TRAIN = ["kal16", "slt", "awb", "rms"]

SPOKEN = {"oclock": "o'clock", "am": "A.M.", "pm": "P.M.", "i": "I"}


def all_variants():
    d = os.path.join(ESPEAK_DATA, "voices", "!v")
    vs = sorted(v for v in os.listdir(d) if v not in EXCLUDED_VARIANTS and " " not in v)
    return vs


def train_variants():
    return [v for v in all_variants() if v not in UNSEEN_VARIANTS]


def train_voices():
    """List of voice ids used for training and for the `main` test set."""
    vs = ["espeak:%s+%s" % (l, v) for l in ESPEAK_LANGS for v in train_variants()]
    vs += ["espeak:%s" % l for l in ESPEAK_LANGS]
    return vs


def unseen_voices():
    return ["espeak:%s+%s" % (l, v) for l in ESPEAK_LANGS for v in UNSEEN_VARIANTS]


def _run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          **kw).stdout


def _to16k(path, speed):
    raw = _run(["sox", "-D", path, "-t", "raw", "-e", "floating-point", "-b", "32", "-c", "1", "-",
                "speed", "%.4f" % speed, "rate", "-h", "16000"])
    return np.frombuffer(raw, dtype=np.float32).astype(np.float64)


def text_of(words):
    return " ".join(SPOKEN.get(w, w) for w in words)


def synth_clean(words, voice, rng, tmpdir):
    """Returns (float64 signal at 16 kHz in [-1,1]-ish, params string)."""
    text = text_of(words)
    kind, _, name = voice.partition(":")
    wav = os.path.join(tmpdir, "s.wav")
    speed = float(rng.uniform(0.88, 1.12))  # sox speed: pitch+tempo (vocal-tract-ish) change
    if kind == "espeak":
        wpm = int(rng.integers(120, 211))
        pitch = int(rng.integers(20, 81))
        gap = int(rng.integers(0, 3))
        _run(["espeak-ng", "-v", name, "-s", str(wpm), "-p", str(pitch), "-g", str(gap),
              "-w", wav, text])
        params = "wpm=%d pitch=%d gap=%d speed=%.4f" % (wpm, pitch, gap, speed)
    elif kind == "flite":
        stretch = float(rng.uniform(0.8, 1.3))
        _run(["flite", "-voice", name, "--setf", "duration_stretch=%.3f" % stretch, "-t", text,
              "-o", wav])
        params = "stretch=%.3f speed=%.4f" % (stretch, speed)
    else:
        raise ValueError(voice)
    return _to16k(wav, speed), params


def degrade(x, rng):
    """Channel filter, leading/trailing silence, gain, additive noise -> int16."""
    x = x - 0.0
    # random short FIR channel (tilt)
    a = float(rng.uniform(-0.6, 0.6))
    b = float(rng.uniform(-0.2, 0.2))
    x = np.convolve(x, [1.0, a, b])[:len(x)]
    lead = int(rng.integers(800, 4000))
    trail = int(rng.integers(800, 4000))
    x = np.concatenate([np.zeros(lead), x, np.zeros(trail)])
    peak = np.max(np.abs(x)) + 1e-9
    x = x / peak * float(rng.uniform(0.05, 0.9))
    sig_pow = np.mean(x[lead:len(x) - trail] ** 2) + 1e-12
    r = rng.random()
    if r < 0.1:
        snr = None
    else:
        snr = float(rng.uniform(5.0, 40.0))
        white = rng.standard_normal(len(x))
        kind = rng.random()
        if kind < 0.4:
            noise = white
        elif kind < 0.8:  # brown-ish / pink-ish: leaky integration
            c = float(rng.uniform(0.5, 0.98))
            noise = np.zeros_like(white)
            acc = 0.0
            # vectorised leaky integrator via cumulative trick is unstable; use lfilter-free loop
            # on a decimated grid and interpolate
            step = 8
            w2 = white[::step]
            out = np.empty_like(w2)
            for i in range(len(w2)):
                acc = c * acc + w2[i]
                out[i] = acc
            noise = np.interp(np.arange(len(x)), np.arange(len(w2)) * step, out)
            noise += 0.1 * white
        else:  # hum + white
            f0 = float(rng.choice([50.0, 60.0]))
            t = np.arange(len(x)) / 16000.0
            noise = np.sin(2 * np.pi * f0 * t) + 0.5 * np.sin(2 * np.pi * 3 * f0 * t) + 0.3 * white
        noise = noise / np.sqrt(np.mean(noise ** 2) + 1e-12)
        x = x + noise * np.sqrt(sig_pow / (10 ** (snr / 10)))
    q = np.clip(np.round(x * 32767.0), -32768, 32767).astype(np.int16)
    return q, ("snr=%.1f" % snr if snr is not None else "clean")


def synth(words, voice, rng, tmpdir):
    x, p = synth_clean(words, voice, rng, tmpdir)
    q, n = degrade(x, rng)
    return q, p + " " + n


def versions():
    def first(cmd):
        try:
            out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT).stdout
            return out.decode(errors="replace").strip().splitlines()
        except OSError:
            return ["missing"]
    dpkg = {}
    for p in ["espeak-ng", "espeak-ng-data", "libespeak-ng1", "flite", "libflite1", "sox",
              "libsox3", "python3-numpy", "pocketsphinx-testdata"]:
        o = first(["dpkg-query", "-W", "-f", "${Version}", p])
        dpkg[p] = o[0] if o else "?"
    return dpkg


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()
