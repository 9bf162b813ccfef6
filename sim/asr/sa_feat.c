/* sa_feat: log-mel features (docs/asr.md "Log-mel features") with GSL's radix-2 real FFT. */
#include "sa_feat.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_fft_real.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sa_file.h"
#include "sa_testset.h"

#define F_MIN 20.0
#define F_MAX 8000.0
#define LOG_FLOOR 1e-10
#define NORM_EPS 1e-5
#define WAV_MAX ((size_t)1 << 30)
enum { N_BINS = SA_FEAT_NFFT / 2 + 1 };

static double fbank[N_BINS * SA_FEAT_MELS];
static double window[SA_FEAT_WIN];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static double hz_to_mel(double f) { return 2595.0 * log10(1.0 + f / 700.0); }
static double mel_to_hz(double m) { return 700.0 * (pow(10.0, m / 2595.0) - 1.0); }

static void init_tables(void) {
  double lo = hz_to_mel(F_MIN), hi = hz_to_mel(F_MAX), f[SA_FEAT_MELS + 2];
  for (int i = 0; i < SA_FEAT_MELS + 2; i++) {
    /* numpy.linspace: start + i * step, the last point exactly the stop */
    double m = i == SA_FEAT_MELS + 1 ? hi : lo + i * ((hi - lo) / (SA_FEAT_MELS + 1));
    f[i] = mel_to_hz(m);
  }
  for (int k = 0; k < N_BINS; k++) {
    double fk = (double)k * SA_FEAT_RATE / SA_FEAT_NFFT;
    for (int m = 0; m < SA_FEAT_MELS; m++) {
      double up = (fk - f[m]) / (f[m + 1] - f[m]);
      double down = (f[m + 2] - fk) / (f[m + 2] - f[m + 1]);
      double w = up < down ? up : down;
      fbank[k * SA_FEAT_MELS + m] = w > 0 ? w : 0;
    }
  }
  for (int i = 0; i < SA_FEAT_WIN; i++)
    window[i] = 0.5 - 0.5 * cos(2.0 * M_PI * i / SA_FEAT_WIN);
}

const double *sa_feat_filterbank(void) {
  pthread_once(&tables_once, init_tables);
  return fbank;
}

int64_t sa_feat_n_frames(int64_t n) {
  return n < SA_FEAT_WIN ? 0 : 1 + (n - SA_FEAT_WIN) / SA_FEAT_HOP;
}

int sa_feat_logmel(const int16_t *pcm, int64_t n, float **out, int64_t *n_frames, sa_err *e) {
  *out = NULL;
  *n_frames = 0;
  int64_t t = sa_feat_n_frames(n);
  if (t < 1)
    return sa_err_set(e, "utterance of %lld samples is shorter than one %d-sample window",
                      (long long)n, SA_FEAT_WIN);
  pthread_once(&tables_once, init_tables);
  float *y = sa_calloc((size_t)t, SA_FEAT_MELS * sizeof *y, e);
  if (!y) return -1;
  double buf[SA_FEAT_NFFT], power[N_BINS];
  for (int64_t i = 0; i < t; i++) {
    const int16_t *s = pcm + i * SA_FEAT_HOP;
    for (int j = 0; j < SA_FEAT_WIN; j++) buf[j] = s[j] / 32768.0 * window[j];
    for (int j = SA_FEAT_WIN; j < SA_FEAT_NFFT; j++) buf[j] = 0;
    /* halfcomplex result: buf[k] = Re X[k] (k <= N/2), buf[N-k] = Im X[k] (0 < k < N/2) */
    int rc = gsl_fft_real_radix2_transform(buf, 1, SA_FEAT_NFFT);
    SA_ASSERT(rc == GSL_SUCCESS);
    power[0] = buf[0] * buf[0];
    power[N_BINS - 1] = buf[SA_FEAT_NFFT / 2] * buf[SA_FEAT_NFFT / 2];
    for (int k = 1; k < N_BINS - 1; k++)
      power[k] = buf[k] * buf[k] + buf[SA_FEAT_NFFT - k] * buf[SA_FEAT_NFFT - k];
    for (int m = 0; m < SA_FEAT_MELS; m++) {
      double acc = 0;
      for (int k = 0; k < N_BINS; k++) acc += power[k] * fbank[k * SA_FEAT_MELS + m];
      y[i * SA_FEAT_MELS + m] = (float)log(acc > LOG_FLOOR ? acc : LOG_FLOOR);
    }
  }
  *out = y;
  *n_frames = t;
  return 0;
}

void sa_feat_normalize(float *x, int64_t t, int64_t n_mels) {
  SA_ASSERT(t >= 1 && n_mels >= 1);
  for (int64_t m = 0; m < n_mels; m++) {
    double mean = 0, var = 0;
    for (int64_t i = 0; i < t; i++) mean += x[i * n_mels + m];
    mean /= (double)t;
    for (int64_t i = 0; i < t; i++) {
      double d = x[i * n_mels + m] - mean;
      var += d * d;
    }
    var /= (double)t;
    double inv = 1.0 / sqrt(var + NORM_EPS);
    for (int64_t i = 0; i < t; i++) x[i * n_mels + m] = (float)((x[i * n_mels + m] - mean) * inv);
  }
}

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static unsigned le16(const uint8_t *p) { return (unsigned)p[0] | (unsigned)p[1] << 8; }

int sa_feat_read_wav(const char *path, int16_t **pcm, int64_t *n, sa_err *e) {
  *pcm = NULL;
  *n = 0;
  uint8_t *b;
  size_t len;
  if (!(b = sa_file_read(path, WAV_MAX, &len, e))) return -1;
  int rc = 0, have_fmt = 0;
  if (len < 12 || memcmp(b, "RIFF", 4) || memcmp(b + 8, "WAVE", 4)) {
    rc = sa_err_set(e, "%s: not a RIFF/WAVE file", path);
    goto done;
  }
  for (size_t off = 12; off + 8 <= len;) {
    uint32_t sz = le32(b + off + 4);
    const uint8_t *c = b + off + 8;
    if (sz > len - off - 8) {
      rc = sa_err_set(e, "%s: truncated chunk '%.4s' at byte %zu", path, (const char *)b + off,
                      off);
      goto done;
    }
    if (!memcmp(b + off, "fmt ", 4)) {
      if (sz < 16) {
        rc = sa_err_set(e, "%s: fmt chunk of %u bytes is too short", path, sz);
        goto done;
      }
      unsigned fmt = le16(c), ch = le16(c + 2), bits = le16(c + 14);
      uint32_t rate = le32(c + 4);
      if (fmt == 0xFFFE && sz >= 26) fmt = le16(c + 24); /* WAVE_FORMAT_EXTENSIBLE subformat */
      if (fmt != 1 || ch != 1 || bits != 16 || rate != SA_FEAT_RATE) {
        rc = sa_err_set(e,
                        "%s: holds format %u, %u channel(s), %u bits, %u Hz; expected PCM (1), "
                        "mono, 16 bits, %d Hz",
                        path, fmt, ch, bits, rate, SA_FEAT_RATE);
        goto done;
      }
      have_fmt = 1;
    } else if (!memcmp(b + off, "data", 4)) {
      if (!have_fmt) {
        rc = sa_err_set(e, "%s: data chunk before the fmt chunk", path);
        goto done;
      }
      int64_t cnt = sz / 2;
      int16_t *s = sa_malloc((size_t)(cnt ? cnt : 1) * sizeof *s, e);
      if (!s) {
        rc = sa_err_prefix(e, "%s", path);
        goto done;
      }
      for (int64_t i = 0; i < cnt; i++) s[i] = (int16_t)(uint16_t)le16(c + 2 * i);
      *pcm = s;
      *n = cnt;
      goto done;
    }
    off += 8 + (size_t)sz + (sz & 1);
  }
  rc = sa_err_set(e, "%s: no data chunk", path);
done:
  free(b);
  return rc;
}
