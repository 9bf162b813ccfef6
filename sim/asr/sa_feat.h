/* sa_feat: log-mel features exactly as docs/asr.md specifies (25 ms periodic-Hann frames,
 * 10 ms hop, 512-point FFT with GSL, 40 HTK-mel triangles 20 Hz..8 kHz, natural log), the
 * per-utterance normalisation of the model input, and a 16 kHz mono int16 WAV reader. */
#ifndef SA_FEAT_H
#define SA_FEAT_H

#include <stdint.h>

#include "sa_err.h"

enum {
  SA_FEAT_RATE = 16000, /* samples per second */
  SA_FEAT_WIN = 400,    /* window length in samples */
  SA_FEAT_HOP = 160,    /* hop in samples */
  SA_FEAT_NFFT = 512,   /* FFT size (frame zero-padded) */
  SA_FEAT_MELS = 40,    /* mel filters */
};

/* Frames of an utterance of n samples: 1 + (n - 400) / 160, or 0 when n < 400. */
int64_t sa_feat_n_frames(int64_t n_samples);

/* Log-mel features of pcm (n int16 samples, 16 kHz): out receives n_frames x 40 floats
 * (frame-major), natural log of the mel energies floored at 1e-10; computed in double.
 * *out is malloc'd (caller frees). Returns 0, or -1 with e filled (fewer than 400 samples:
 * no frames; out of memory). */
int sa_feat_logmel(const int16_t *pcm, int64_t n, float **out, int64_t *n_frames, sa_err *e);

/* Mel filter weights, (257 x 40) row-major doubles: weight of FFT bin k for filter m at
 * [k * 40 + m]. Exposed for tests. */
const double *sa_feat_filterbank(void);

/* Per-utterance normalisation in place: for every bin, (v - mean) / sqrt(var + 1e-5) with
 * the mean and population variance over the t frames (t >= 1). */
void sa_feat_normalize(float *x, int64_t t, int64_t n_mels);

/* Reads a RIFF/WAVE file holding 16-bit PCM, mono, 16000 Hz (other formats are rejected
 * with a message naming what the file holds). *pcm is malloc'd. Returns 0 or -1. */
int sa_feat_read_wav(const char *path, int16_t **pcm, int64_t *n, sa_err *e);

#endif
