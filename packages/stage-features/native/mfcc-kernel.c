/*
 * The MFCC frame pipeline of src/mfcc/extractor.ts in C (float64 throughout, like the JS path):
 * scaling + pre-emphasis, framing, DC removal, per-frame pre-emphasis, window, real FFT, power,
 * sparse mel filterbank, log (ln or dB, floored), top-dB clamp, DCT-II with the orthonormal scale
 * and lifter folded in, raw log energy in C0. Built by scripts/build-native.mjs; src/mfcc/
 * native-kernel.ts loads it and falls back to the JS pipeline when it is absent.
 *
 * Determinism: built with -ffp-contract=off and without -ffast-math, so vectorised and scalar
 * builds do the same operations in the same order and give the same bits on every x86-64 host.
 */
#define NAPI_VERSION 8
#include <math.h>
#include <node_api.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  int nfft, half, win, hop, nf, nc, bins;
  int remove_dc, use_energy, preemph_per_frame, log_db, has_top_db;
  double preemph, log_floor, top_db, power_scale, input_scale;
  double *window;       /* win */
  int *f_start, *f_len; /* nf */
  int *f_off;           /* nf */
  double *f_w;          /* sum of f_len */
  double *dct;          /* nc x nf, scale x lifter folded in */
  int *bitrev;          /* half */
  double *tw_re, *tw_im; /* per-stage twiddles, concatenated: stage m at offset m - 1 */
  double *post_re, *post_im; /* e^{-2 pi i k / nfft}, k < half */
  double *frame, *zr, *zi, *power, *cep;
} Kernel;

static void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n == 0 ? 1 : n, size);
  if (!p) abort();
  return p;
}

static void kernel_free(Kernel *k) {
  if (!k) return;
  free(k->window); free(k->f_start); free(k->f_len); free(k->f_off); free(k->f_w); free(k->dct);
  free(k->bitrev); free(k->tw_re); free(k->tw_im); free(k->post_re); free(k->post_im);
  free(k->frame); free(k->zr); free(k->zi); free(k->power); free(k->cep);
  free(k);
}

/* In-place complex FFT of size k->half (radix-2, decimation in time, split re/im arrays). */
static void fft_half(const Kernel *k, double *restrict re, double *restrict im) {
  const int n = k->half;
  for (int i = 0; i < n; i++) {
    int j = k->bitrev[i];
    if (j > i) {
      double t = re[i]; re[i] = re[j]; re[j] = t;
      t = im[i]; im[i] = im[j]; im[j] = t;
    }
  }
  for (int i = 0; i + 1 < n; i += 2) { /* m = 1: twiddle 1 */
    double ar = re[i], ai = im[i], br = re[i + 1], bi = im[i + 1];
    re[i] = ar + br; im[i] = ai + bi; re[i + 1] = ar - br; im[i + 1] = ai - bi;
  }
  if (n >= 4)
    for (int i = 0; i < n; i += 4) { /* m = 2: twiddles 1, -i */
      double ar = re[i], ai = im[i], br = re[i + 2], bi = im[i + 2];
      re[i] = ar + br; im[i] = ai + bi; re[i + 2] = ar - br; im[i + 2] = ai - bi;
      ar = re[i + 1]; ai = im[i + 1]; br = im[i + 3]; bi = -re[i + 3];
      re[i + 1] = ar + br; im[i + 1] = ai + bi; re[i + 3] = ar - br; im[i + 3] = ai - bi;
    }
  for (int m = 4; m < n; m *= 2) {
    const double *restrict wr = k->tw_re + (m - 1);
    const double *restrict wi = k->tw_im + (m - 1);
    for (int base = 0; base < n; base += 2 * m) {
      double *restrict ar = re + base, *restrict ai = im + base;
      double *restrict br = re + base + m, *restrict bi = im + base + m;
      for (int j = 0; j < m; j++) {
        double tr = br[j] * wr[j] - bi[j] * wi[j];
        double ti = br[j] * wi[j] + bi[j] * wr[j];
        double xr = ar[j], xi = ai[j];
        ar[j] = xr + tr; ai[j] = xi + ti;
        br[j] = xr - tr; bi[j] = xi - ti;
      }
    }
  }
}

/* |X[k]|^2 * scale, k = 0 .. nfft/2, of the real frame in k->frame (zero-padded to nfft). */
static void power_spectrum(Kernel *k, const double *restrict frame) {
  const int h = k->half;
  double *restrict zr = k->zr, *restrict zi = k->zi;
  for (int i = 0; i < h; i++) {
    int a = 2 * i, b = 2 * i + 1;
    zr[i] = a < k->win ? frame[a] : 0.0;
    zi[i] = b < k->win ? frame[b] : 0.0;
  }
  fft_half(k, zr, zi);
  const double s = k->power_scale;
  double *restrict p = k->power;
  double x0 = zr[0] + zi[0], xh = zr[0] - zi[0];
  p[0] = x0 * x0 * s;
  p[h] = xh * xh * s;
  for (int j = 1; j < h; j++) {
    /* X[j] = (Z[j] + conj Z[h-j]) / 2 - i e^{-2 pi i j / N} (Z[j] - conj Z[h-j]) / 2 */
    double er = 0.5 * (zr[j] + zr[h - j]), ei = 0.5 * (zi[j] - zi[h - j]);
    double or_ = 0.5 * (zi[j] + zi[h - j]), oi = -0.5 * (zr[j] - zr[h - j]);
    double wr = k->post_re[j], wi = k->post_im[j];
    double xr = er + (or_ * wr - oi * wi), xi = ei + (or_ * wi + oi * wr);
    p[j] = (xr * xr + xi * xi) * s;
  }
}

static void compute(Kernel *k, const float *samples, int n, int frames, int first_start, float *out) {
  double *signal = xcalloc((size_t)n, sizeof(double));
  const double sc = k->input_scale, c = k->preemph_per_frame ? 0.0 : k->preemph;
  if (n > 0) signal[0] = (double)samples[0] * sc;
  for (int i = 1; i < n; i++) signal[i] = (double)samples[i] * sc - c * ((double)samples[i - 1] * sc);

  const int nf = k->nf, win = k->win;
  double *log_mel = xcalloc((size_t)frames * nf, sizeof(double));
  double *energy = k->use_energy ? xcalloc((size_t)frames, sizeof(double)) : NULL;
  double *restrict f = k->frame;
  for (int t = 0; t < frames; t++) {
    const int start = first_start + t * k->hop;
    for (int i = 0; i < win; i++) {
      int j = start + i;
      f[i] = j >= 0 && j < n ? signal[j] : 0.0;
    }
    if (k->remove_dc) {
      double mean = 0;
      for (int i = 0; i < win; i++) mean += f[i];
      mean /= win;
      for (int i = 0; i < win; i++) f[i] = f[i] - mean;
    }
    if (energy) {
      double e = 0;
      for (int i = 0; i < win; i++) e += f[i] * f[i];
      energy[t] = log(e > k->log_floor ? e : k->log_floor);
    }
    if (k->preemph_per_frame && k->preemph != 0) {
      for (int i = win - 1; i > 0; i--) f[i] = f[i] - k->preemph * f[i - 1];
      f[0] = f[0] - k->preemph * f[0];
    }
    for (int i = 0; i < win; i++) f[i] = f[i] * k->window[i];
    power_spectrum(k, f);
    double *row = log_mel + (size_t)t * nf;
    for (int j = 0; j < nf; j++) {
      const double *w = k->f_w + k->f_off[j];
      const double *p = k->power + k->f_start[j];
      double e = 0;
      for (int i = 0; i < k->f_len[j]; i++) e += w[i] * p[i];
      double clamped = e > k->log_floor ? e : k->log_floor;
      row[j] = k->log_db ? 10 * log10(clamped) : log(clamped);
    }
  }
  free(signal);

  if (k->log_db && k->has_top_db) {
    const size_t total = (size_t)frames * nf;
    double max = -INFINITY;
    for (size_t i = 0; i < total; i++) if (log_mel[i] > max) max = log_mel[i];
    const double floor = max - k->top_db;
    for (size_t i = 0; i < total; i++) if (log_mel[i] < floor) log_mel[i] = floor;
  }

  const int nc = k->nc;
  double *restrict cep = k->cep;
  for (int t = 0; t < frames; t++) {
    const double *x = log_mel + (size_t)t * nf;
    for (int q = 0; q < nc; q++) cep[q] = 0;
    /* j outer, q inner: each cep[q] still sums in j order, and the inner loop vectorises. */
    for (int j = 0; j < nf; j++) {
      const double xj = x[j];
      const double *restrict col = k->dct + (size_t)j * nc;
      for (int q = 0; q < nc; q++) cep[q] += col[q] * xj;
    }
    float *o = out + (size_t)t * nc;
    for (int q = 0; q < nc; q++) o[q] = (float)cep[q];
    if (energy) o[0] = (float)energy[t];
  }
  free(log_mel);
  free(energy);
}

/* ---- N-API glue ---- */

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, "mfcc-kernel: " #call); return NULL; } } while (0)

static int get_num(napi_env env, napi_value obj, const char *name, double *out) {
  napi_value v;
  if (napi_get_named_property(env, obj, name, &v) != napi_ok) return 0;
  return napi_get_value_double(env, v, out) == napi_ok;
}

static void *get_array(napi_env env, napi_value obj, const char *name, napi_typedarray_type want, size_t *length) {
  napi_value v;
  napi_typedarray_type type;
  void *data;
  if (napi_get_named_property(env, obj, name, &v) != napi_ok) return NULL;
  if (napi_get_typedarray_info(env, v, &type, length, &data, NULL, NULL) != napi_ok || type != want) return NULL;
  return data;
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env; (void)hint;
  kernel_free((Kernel *)data);
}

/* create({nfft, winLength, hopLength, numCeps, flags..., window: F64, filterStart: I32, ...}) */
static napi_value create(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  napi_value o = argv[0];
  double v[14];
  const char *names[] = {"nfft", "winLength", "hopLength", "numCeps", "removeDcOffset", "useEnergy",
                         "preEmphasisPerFrame", "logDb", "hasTopDb", "preEmphasis", "logFloor",
                         "topDb", "powerScale", "inputScale"};
  for (int i = 0; i < 14; i++)
    if (!get_num(env, o, names[i], &v[i])) {
      napi_throw_type_error(env, NULL, "mfcc-kernel: missing numeric option");
      return NULL;
    }
  Kernel *k = xcalloc(1, sizeof(Kernel));
  k->nfft = (int)v[0]; k->half = k->nfft / 2; k->bins = k->half + 1;
  k->win = (int)v[1]; k->hop = (int)v[2]; k->nc = (int)v[3];
  k->remove_dc = v[4] != 0; k->use_energy = v[5] != 0; k->preemph_per_frame = v[6] != 0;
  k->log_db = v[7] != 0; k->has_top_db = v[8] != 0;
  k->preemph = v[9]; k->log_floor = v[10]; k->top_db = v[11]; k->power_scale = v[12]; k->input_scale = v[13];

  size_t len_window, len_start, len_len, len_w, len_dct;
  const double *window = get_array(env, o, "window", napi_float64_array, &len_window);
  const int *f_start = get_array(env, o, "filterStart", napi_int32_array, &len_start);
  const int *f_len = get_array(env, o, "filterLength", napi_int32_array, &len_len);
  const double *f_w = get_array(env, o, "filterWeights", napi_float64_array, &len_w);
  const double *dct = get_array(env, o, "dct", napi_float64_array, &len_dct);
  if (!window || !f_start || !f_len || !f_w || !dct || (int)len_window != k->win || len_start != len_len ||
      k->nfft < 8 || (k->nfft & (k->nfft - 1)) != 0 || k->win > k->nfft) {
    kernel_free(k);
    napi_throw_type_error(env, NULL, "mfcc-kernel: inconsistent pipeline arrays");
    return NULL;
  }
  k->nf = (int)len_start;
  if (len_dct != (size_t)k->nf * k->nc) {
    kernel_free(k);
    napi_throw_type_error(env, NULL, "mfcc-kernel: dct must be numFilters x numCeps");
    return NULL;
  }
  k->window = xcalloc(k->win, sizeof(double)); memcpy(k->window, window, k->win * sizeof(double));
  k->f_start = xcalloc(k->nf, sizeof(int)); memcpy(k->f_start, f_start, k->nf * sizeof(int));
  k->f_len = xcalloc(k->nf, sizeof(int)); memcpy(k->f_len, f_len, k->nf * sizeof(int));
  k->f_off = xcalloc(k->nf, sizeof(int));
  size_t total = 0;
  for (int j = 0; j < k->nf; j++) {
    if (f_start[j] < 0 || f_len[j] < 0 || f_start[j] + f_len[j] > k->bins) {
      kernel_free(k);
      napi_throw_range_error(env, NULL, "mfcc-kernel: filter outside the spectrum");
      return NULL;
    }
    k->f_off[j] = (int)total;
    total += f_len[j];
  }
  if (total != len_w) {
    kernel_free(k);
    napi_throw_type_error(env, NULL, "mfcc-kernel: filterWeights length");
    return NULL;
  }
  k->f_w = xcalloc(total, sizeof(double)); memcpy(k->f_w, f_w, total * sizeof(double));
  k->dct = xcalloc(len_dct, sizeof(double)); memcpy(k->dct, dct, len_dct * sizeof(double));

  const int h = k->half;
  int bits = 0;
  while ((1 << bits) < h) bits++;
  k->bitrev = xcalloc(h, sizeof(int));
  for (int i = 0; i < h; i++) {
    int r = 0;
    for (int b = 0; b < bits; b++) if (i & (1 << b)) r |= 1 << (bits - 1 - b);
    k->bitrev[i] = r;
  }
  k->tw_re = xcalloc(h, sizeof(double)); k->tw_im = xcalloc(h, sizeof(double));
  for (int m = 1; m < h; m *= 2)
    for (int j = 0; j < m; j++) {
      k->tw_re[m - 1 + j] = cos(-M_PI * j / m);
      k->tw_im[m - 1 + j] = sin(-M_PI * j / m);
    }
  k->post_re = xcalloc(h, sizeof(double)); k->post_im = xcalloc(h, sizeof(double));
  for (int j = 0; j < h; j++) {
    k->post_re[j] = cos(-2 * M_PI * j / k->nfft);
    k->post_im[j] = sin(-2 * M_PI * j / k->nfft);
  }
  k->frame = xcalloc(k->nfft, sizeof(double));
  k->zr = xcalloc(h, sizeof(double)); k->zi = xcalloc(h, sizeof(double));
  k->power = xcalloc(k->bins, sizeof(double));
  k->cep = xcalloc(k->nc, sizeof(double));

  napi_value handle;
  if (napi_create_external(env, k, finalize, NULL, &handle) != napi_ok) {
    kernel_free(k);
    napi_throw_error(env, NULL, "mfcc-kernel: napi_create_external");
    return NULL;
  }
  return handle;
}

/* compute(handle, samples: Float32Array, frames, firstStart, out: Float32Array(frames * numCeps)) */
static napi_value compute_js(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Kernel *k;
  CHECK(napi_get_value_external(env, argv[0], (void **)&k));
  napi_typedarray_type type;
  size_t n, out_len;
  void *samples, *out;
  int32_t frames, first_start;
  CHECK(napi_get_typedarray_info(env, argv[1], &type, &n, &samples, NULL, NULL));
  if (type != napi_float32_array) { napi_throw_type_error(env, NULL, "mfcc-kernel: samples must be Float32Array"); return NULL; }
  CHECK(napi_get_value_int32(env, argv[2], &frames));
  CHECK(napi_get_value_int32(env, argv[3], &first_start));
  CHECK(napi_get_typedarray_info(env, argv[4], &type, &out_len, &out, NULL, NULL));
  if (type != napi_float32_array || frames < 0 || out_len != (size_t)frames * k->nc) {
    napi_throw_range_error(env, NULL, "mfcc-kernel: out must be a Float32Array of frames x numCeps");
    return NULL;
  }
  compute(k, (const float *)samples, (int)n, frames, first_start, (float *)out);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "create", NAPI_AUTO_LENGTH, create, NULL, &fn);
  napi_set_named_property(env, exports, "create", fn);
  napi_create_function(env, "compute", NAPI_AUTO_LENGTH, compute_js, NULL, &fn);
  napi_set_named_property(env, exports, "compute", fn);
  return exports;
}
