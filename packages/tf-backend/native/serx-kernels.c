// serx's own TensorFlow kernels, registered into the process's libtensorflow (the one tfjs-node
// loaded) through TensorFlow's C kernel API, and called like any TF op through tfjs-node's
// `binding.executeOp`: no copies between tfjs and these kernels.
//
// SerxLstmSequence / SerxLstmSequenceGrad: the recurrence of an LSTM (Keras gate layout i, f, c, o;
// sigmoid gates, tanh cell; no peepholes, no forget bias added) over a whole batch-major sequence
// in one op each. The input projection x·W + b (one large matmul) and the weight gradients
// (three large matmuls over all steps) stay with TensorFlow's GEMM; these kernels do what is
// inherently sequential: per step one [rows × u]·[u × 4u] product and the gate arithmetic fused
// in registers, and backward the gate derivatives and one [rows × 4u]·[4u × u] product. Rows are
// independent through the recurrence, so the batch is split across `threads` threads that never
// synchronise; each row's arithmetic is the same whatever the split (bit-identical results).
//
// Built by build.mjs (system C compiler, this CPU's vector width) against the TensorFlow C headers
// and libtensorflow_framework that tfjs-node links; loaded by src/kernels.ts.
#include <math.h>
#include <node_api.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tensorflow/c/c_api.h"
#include "tensorflow/c/kernels.h"
typedef struct TF_DimensionHandle TF_DimensionHandle;
typedef struct TF_OpDefinitionBuilder TF_OpDefinitionBuilder;
typedef struct TF_ShapeHandle TF_ShapeHandle;
typedef struct TF_ShapeInferenceContext TF_ShapeInferenceContext;
#include "tensorflow/c/ops.h"

#define VL 16
typedef float vf __attribute__((vector_size(VL * 4)));
typedef float vfu __attribute__((vector_size(VL * 4), aligned(4)));
typedef int32_t vi __attribute__((vector_size(VL * 4)));

static inline vf vload(const float* p) { return *(const vfu*)p; }
static inline void vstore(float* p, vf v) { *(vfu*)p = v; }
static inline vf vset(float x) { return (vf){} + x; }
static inline vf vselect(vi mask, vf a, vf b) {
  vi ia, ib;
  memcpy(&ia, &a, sizeof ia);
  memcpy(&ib, &b, sizeof ib);
  vi r = (ia & mask) | (ib & ~mask);
  vf out;
  memcpy(&out, &r, sizeof out);
  return out;
}
// Clamps that keep NaN (a comparison with NaN is false).
static inline vf vmin(vf a, vf b) { return vselect(a > b, b, a); }
static inline vf vmax(vf a, vf b) { return vselect(a < b, b, a); }

// exp on a vector (Cephes' expf: range reduction by ln 2, degree-5 polynomial; ~1 ulp).
static inline vf vexp(vf x) {
  x = vmax(vmin(x, vset(88.3762626647949f)), vset(-87.3365447505531f));
  // n = round(x / ln 2) by the 1.5 * 2^23 trick
  const vf magic = vset(12582912.0f);
  vf t = x * vset(1.44269504088896341f) + magic;
  vf n = t - magic;
  vf r = x - n * vset(0.693359375f);
  r = r - n * vset(-2.12194440e-4f);
  vf r2 = r * r;
  vf p = vset(1.9875691500e-4f);
  p = p * r + vset(1.3981999507e-3f);
  p = p * r + vset(8.3334519073e-3f);
  p = p * r + vset(4.1665795894e-2f);
  p = p * r + vset(1.6666665459e-1f);
  p = p * r + vset(5.0000001201e-1f);
  p = p * r2 + r + vset(1.0f);
  vi e = (__builtin_convertvector(n, vi) + 127) << 23;
  vf scale;
  memcpy(&scale, &e, sizeof scale);
  return p * scale;
}
static inline vf vsigmoid(vf x) { return vset(1.0f) / (vset(1.0f) + vexp(-x)); }
// tanh(x) = 1 - 2 / (e^{2x} + 1); |x| clipped at 9 (tanh is ±1 in float32 beyond).
static inline vf vtanh(vf x) {
  x = vmax(vmin(x, vset(9.0f)), vset(-9.0f));
  return vset(1.0f) - vset(2.0f) / (vexp(x + x) + vset(1.0f));
}
static inline float ssigmoid(float x) {
  float v[VL] = {x};
  vf r = vsigmoid(vload(v));
  return r[0];
}
static inline float stanh(float x) {
  float v[VL] = {x};
  vf r = vtanh(vload(v));
  return r[0];
}

// C[M×N] += A[M×K]·B[K×N], row-major with leading dimensions; register blocks of 4 rows × 64 columns.
static void gemm_acc(int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C,
                     int ldc) {
  int nv = N / VL;  // whole vectors per row
  int j = 0;
  for (; j + 4 <= nv; j += 4) {
    int i = 0;
    for (; i + 4 <= M; i += 4) {
      vf acc[4][4];
      for (int r = 0; r < 4; r++)
        for (int q = 0; q < 4; q++) acc[r][q] = vload(C + (size_t)(i + r) * ldc + (j + q) * VL);
      for (int k = 0; k < K; k++) {
        const float* b = B + (size_t)k * ldb + j * VL;
        vf b0 = vload(b), b1 = vload(b + VL), b2 = vload(b + 2 * VL), b3 = vload(b + 3 * VL);
        for (int r = 0; r < 4; r++) {
          vf a = vset(A[(size_t)(i + r) * lda + k]);
          acc[r][0] += a * b0;
          acc[r][1] += a * b1;
          acc[r][2] += a * b2;
          acc[r][3] += a * b3;
        }
      }
      for (int r = 0; r < 4; r++)
        for (int q = 0; q < 4; q++) vstore(C + (size_t)(i + r) * ldc + (j + q) * VL, acc[r][q]);
    }
    for (; i < M; i++) {
      vf acc[4];
      for (int q = 0; q < 4; q++) acc[q] = vload(C + (size_t)i * ldc + (j + q) * VL);
      for (int k = 0; k < K; k++) {
        const float* b = B + (size_t)k * ldb + j * VL;
        vf a = vset(A[(size_t)i * lda + k]);
        for (int q = 0; q < 4; q++) acc[q] += a * vload(b + q * VL);
      }
      for (int q = 0; q < 4; q++) vstore(C + (size_t)i * ldc + (j + q) * VL, acc[q]);
    }
  }
  for (; j < nv; j++) {
    for (int i = 0; i < M; i++) {
      vf acc = vload(C + (size_t)i * ldc + j * VL);
      for (int k = 0; k < K; k++) acc += vset(A[(size_t)i * lda + k]) * vload(B + (size_t)k * ldb + j * VL);
      vstore(C + (size_t)i * ldc + j * VL, acc);
    }
  }
  for (int jj = nv * VL; jj < N; jj++) {
    for (int i = 0; i < M; i++) {
      float acc = C[(size_t)i * ldc + jj];
      for (int k = 0; k < K; k++) acc += A[(size_t)i * lda + k] * B[(size_t)k * ldb + jj];
      C[(size_t)i * ldc + jj] = acc;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Shared shapes of one call.
typedef struct {
  int64_t batch, steps, units;
  int64_t stepsRun;  // steps actually computed: max(last) + 1
  const float* xz;     // [batch, steps, 4u]: x·W
  const float* bias;   // [4u]
  const float* r;      // [u, 4u]
  const float* rt;     // [4u, u] (backward)
  const int32_t* last; // [batch]
  // forward outputs
  float *y, *hprev, *cs, *tc, *gates;
  // backward
  const float* dy;
  float* dz;
  float* dbRows;  // [batch, 4u]: each row's Σ_t dz (summed over rows in order afterwards)
} LstmCall;

typedef struct {
  LstmCall* call;
  int64_t row0, row1;
  int failed;
} LstmPart;

static void* lstm_forward_part(void* arg) {
  LstmPart* part = arg;
  LstmCall* c = part->call;
  const int64_t u = c->units, g4 = 4 * u, T = c->steps, rows = part->row1 - part->row0;
  float* z = malloc(sizeof(float) * rows * g4);
  float* h = calloc(rows * u, sizeof(float));
  float* cell = calloc(rows * u, sizeof(float));
  if (!z || !h || !cell) {
    part->failed = 1;
    free(z), free(h), free(cell);
    return NULL;
  }
  for (int64_t t = 0; t < c->stepsRun; t++) {
    for (int64_t r = 0; r < rows; r++) {
      const float* xz = c->xz + ((part->row0 + r) * T + t) * g4;
      float* zr = z + r * g4;
      int64_t j = 0;
      for (; j + VL <= g4; j += VL) vstore(zr + j, vload(xz + j) + vload(c->bias + j));
      for (; j < g4; j++) zr[j] = xz[j] + c->bias[j];
    }
    if (t > 0) gemm_acc((int)rows, (int)g4, (int)u, h, (int)u, c->r, (int)g4, z, (int)g4);
    for (int64_t r = 0; r < rows; r++) {
      const int64_t b = part->row0 + r;
      const size_t at = (size_t)(b * T + t);
      float* zr = z + r * g4;
      float* hr = h + r * u;
      float* cr = cell + r * u;
      memcpy(c->hprev + at * u, hr, sizeof(float) * u);
      float* gr = c->gates + at * g4;
      float* csr = c->cs + at * u;
      float* tcr = c->tc + at * u;
      int64_t j = 0;
      for (; j + VL <= u; j += VL) {
        vf i = vsigmoid(vload(zr + j)), f = vsigmoid(vload(zr + u + j));
        vf gg = vtanh(vload(zr + 2 * u + j)), o = vsigmoid(vload(zr + 3 * u + j));
        vf cn = f * vload(cr + j) + i * gg;
        vf tn = vtanh(cn);
        vf hn = o * tn;
        vstore(gr + j, i), vstore(gr + u + j, f), vstore(gr + 2 * u + j, gg), vstore(gr + 3 * u + j, o);
        vstore(csr + j, cn), vstore(tcr + j, tn), vstore(cr + j, cn), vstore(hr + j, hn);
      }
      for (; j < u; j++) {
        float i = ssigmoid(zr[j]), f = ssigmoid(zr[u + j]), gg = stanh(zr[2 * u + j]), o = ssigmoid(zr[3 * u + j]);
        float cn = f * cr[j] + i * gg;
        float tn = stanh(cn);
        gr[j] = i, gr[u + j] = f, gr[2 * u + j] = gg, gr[3 * u + j] = o;
        csr[j] = cn, tcr[j] = tn, cr[j] = cn, hr[j] = o * tn;
      }
      if (t == c->last[b]) memcpy(c->y + b * u, hr, sizeof(float) * u);
    }
  }
  free(z), free(h), free(cell);
  return NULL;
}

static void* lstm_backward_part(void* arg) {
  LstmPart* part = arg;
  LstmCall* c = part->call;
  const int64_t u = c->units, g4 = 4 * u, T = c->steps, rows = part->row1 - part->row0;
  float* dh = calloc(rows * u, sizeof(float));
  float* dc = calloc(rows * u, sizeof(float));
  float* dzt = malloc(sizeof(float) * rows * g4);
  if (!dh || !dc || !dzt) {
    part->failed = 1;
    free(dh), free(dc), free(dzt);
    return NULL;
  }
  for (int64_t t = c->stepsRun - 1; t >= 0; t--) {
    for (int64_t r = 0; r < rows; r++) {
      const int64_t b = part->row0 + r;
      const size_t at = (size_t)(b * T + t);
      float* dhr = dh + r * u;
      float* dcr = dc + r * u;
      float* dzr = dzt + r * g4;
      if (t == c->last[b])
        for (int64_t j = 0; j < u; j++) dhr[j] += c->dy[b * u + j];
      const float* gr = c->gates + at * g4;
      const float* tcr = c->tc + at * u;
      const float* cpr = t > 0 ? c->cs + (at - 1) * u : NULL;
      int64_t j = 0;
      for (; j + VL <= u; j += VL) {
        vf i = vload(gr + j), f = vload(gr + u + j), gg = vload(gr + 2 * u + j), o = vload(gr + 3 * u + j);
        vf tn = vload(tcr + j), dhv = vload(dhr + j);
        vf cp = cpr ? vload(cpr + j) : vset(0.0f);
        vf one = vset(1.0f);
        vf dzo = dhv * tn * o * (one - o);
        vf dcv = vload(dcr + j) + dhv * o * (one - tn * tn);
        vf dzi = dcv * gg * i * (one - i);
        vf dzf = dcv * cp * f * (one - f);
        vf dzg = dcv * i * (one - gg * gg);
        vstore(dcr + j, dcv * f);
        vstore(dzr + j, dzi), vstore(dzr + u + j, dzf), vstore(dzr + 2 * u + j, dzg), vstore(dzr + 3 * u + j, dzo);
      }
      for (; j < u; j++) {
        float i = gr[j], f = gr[u + j], gg = gr[2 * u + j], o = gr[3 * u + j];
        float tn = tcr[j], dhv = dhr[j], cp = cpr ? cpr[j] : 0.0f;
        float dzo = dhv * tn * o * (1 - o);
        float dcv = dcr[j] + dhv * o * (1 - tn * tn);
        dzr[j] = dcv * gg * i * (1 - i);
        dzr[u + j] = dcv * cp * f * (1 - f);
        dzr[2 * u + j] = dcv * i * (1 - gg * gg);
        dzr[3 * u + j] = dzo;
        dcr[j] = dcv * f;
      }
      memcpy(c->dz + at * g4, dzr, sizeof(float) * g4);
      float* dbr = c->dbRows + b * g4;
      for (int64_t k = 0; k < g4; k++) dbr[k] += dzr[k];
    }
    if (t > 0) {
      memset(dh, 0, sizeof(float) * rows * u);
      gemm_acc((int)rows, (int)u, (int)g4, dzt, (int)g4, c->rt, (int)u, dh, (int)u);
    }
  }
  free(dh), free(dc), free(dzt);
  return NULL;
}

// Runs `fn` over the batch rows split into `threads` contiguous parts (the caller's thread takes the first).
static int run_parts(LstmCall* call, int threads, void* (*fn)(void*)) {
  int64_t batch = call->batch;
  if (threads < 1) threads = 1;
  if (threads > 8) threads = 8;
  if (threads > batch) threads = (int)(batch > 0 ? batch : 1);
  LstmPart parts[8];
  pthread_t ids[8];
  int started[8] = {0};
  for (int p = 0; p < threads; p++) {
    parts[p].call = call;
    parts[p].row0 = batch * p / threads;
    parts[p].row1 = batch * (p + 1) / threads;
    parts[p].failed = 0;
  }
  for (int p = 1; p < threads; p++) started[p] = pthread_create(&ids[p], NULL, fn, &parts[p]) == 0;
  fn(&parts[0]);
  int failed = parts[0].failed;
  for (int p = 1; p < threads; p++) {
    if (started[p]) pthread_join(ids[p], NULL);
    else fn(&parts[p]);
    failed |= parts[p].failed;
  }
  return failed;
}

// ---------------------------------------------------------------------------------------------
// TF glue

// Every op's attrs, read once when TensorFlow instantiates the kernel (absent ones keep defaults).
typedef struct {
  int threads;
  float timeStride;
  // convolutions: strides, padding before (top, left), the output size of a transposed convolution
  int64_t strideH, strideW, padTop, padLeft, outH, outW;
  // Adam
  float beta1, oneMinusBeta1, beta2, oneMinusBeta2, epsilon, learningRate;
  // dropout masks: keep where the uniform draw >= rate; kept values are 1 / keep
  float rate, keep;
} OpAttrs;

static void read_int(TF_OpKernelConstruction* ctx, const char* name, int64_t* out, TF_Status* s) {
  if (TF_GetCode(s) == TF_OK && TF_OpKernelConstruction_HasAttr(ctx, name, s))
    TF_OpKernelConstruction_GetAttrInt64(ctx, name, out, s);
}
static void read_float(TF_OpKernelConstruction* ctx, const char* name, float* out, TF_Status* s) {
  if (TF_GetCode(s) == TF_OK && TF_OpKernelConstruction_HasAttr(ctx, name, s))
    TF_OpKernelConstruction_GetAttrFloat(ctx, name, out, s);
}

static void* attrs_create(TF_OpKernelConstruction* ctx) {
  OpAttrs* a = calloc(1, sizeof(OpAttrs));
  TF_Status* s = TF_NewStatus();
  int64_t threads = 1;
  a->timeStride = 1;
  a->strideH = a->strideW = 1;
  read_int(ctx, "threads", &threads, s);
  read_float(ctx, "time_stride", &a->timeStride, s);
  read_int(ctx, "stride_h", &a->strideH, s);
  read_int(ctx, "stride_w", &a->strideW, s);
  read_int(ctx, "pad_top", &a->padTop, s);
  read_int(ctx, "pad_left", &a->padLeft, s);
  read_int(ctx, "out_h", &a->outH, s);
  read_int(ctx, "out_w", &a->outW, s);
  read_float(ctx, "beta1", &a->beta1, s);
  read_float(ctx, "one_minus_beta1", &a->oneMinusBeta1, s);
  read_float(ctx, "beta2", &a->beta2, s);
  read_float(ctx, "one_minus_beta2", &a->oneMinusBeta2, s);
  read_float(ctx, "epsilon", &a->epsilon, s);
  read_float(ctx, "learning_rate", &a->learningRate, s);
  read_float(ctx, "rate", &a->rate, s);
  read_float(ctx, "keep", &a->keep, s);
  if (TF_GetCode(s) != TF_OK) TF_OpKernelConstruction_Failure(ctx, s);
  a->threads = (int)threads;
  TF_DeleteStatus(s);
  return a;
}
static void attrs_delete(void* p) { free(p); }

static void fail(TF_OpKernelContext* ctx, const char* message) {
  TF_Status* s = TF_NewStatus();
  TF_SetStatus(s, TF_INVALID_ARGUMENT, message);
  TF_OpKernelContext_Failure(ctx, s);
  TF_DeleteStatus(s);
}

// The last valid step of each row: clip(ceil(frames / timeStride) - 1, 0, steps - 1) in float32,
// as the tfjs graph computed it. Returns max(last) + 1.
static int64_t last_steps(const float* frames, int64_t batch, float stride, int64_t steps, int32_t* last) {
  int64_t most = 0;
  for (int64_t b = 0; b < batch; b++) {
    float q = ceilf(frames[b] / stride) - 1.0f;
    if (!(q >= 0)) q = 0;
    if (q > (float)(steps - 1)) q = (float)(steps - 1);
    last[b] = (int32_t)q;
    if (last[b] + 1 > most) most = last[b] + 1;
  }
  return most;
}

static TF_Tensor* output(TF_OpKernelContext* ctx, int i, const int64_t* dims, int nd, TF_Status* s) {
  size_t n = 1;
  for (int d = 0; d < nd; d++) n *= (size_t)dims[d];
  TF_Tensor* t = TF_AllocateOutput(ctx, i, TF_FLOAT, dims, nd, n * sizeof(float), s);
  return TF_GetCode(s) == TF_OK ? t : NULL;
}

// inputs: xz [B, T, 4u] (x·W), r [u, 4u], frames [B, 1], bias [4u]
// outputs: y [B, u] (h at each row's last step), hprev [B, T, u] (h_{t-1}), cs [B, T, u] (c_t),
//          tc [B, T, u] (tanh c_t), gates [B, T, 4u] (i, f, c̃, o after activation)
static void lstm_forward_compute(void* kernel, TF_OpKernelContext* ctx) {
  OpAttrs* attrs = kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor *xz = NULL, *r = NULL, *frames = NULL, *bias = NULL, *outs[5] = {0};
  int32_t* last = NULL;
  TF_GetInput(ctx, 0, &xz, s);
  if (TF_GetCode(s) == TF_OK) TF_GetInput(ctx, 1, &r, s);
  if (TF_GetCode(s) == TF_OK) TF_GetInput(ctx, 2, &frames, s);
  if (TF_GetCode(s) == TF_OK) TF_GetInput(ctx, 3, &bias, s);
  if (TF_GetCode(s) != TF_OK) {
    TF_OpKernelContext_Failure(ctx, s);
    goto done;
  }
  if (TF_NumDims(xz) != 3 || TF_NumDims(r) != 2 || TF_Dim(r, 1) != 4 * TF_Dim(r, 0) ||
      TF_Dim(xz, 2) != TF_Dim(r, 1) || (int64_t)TF_TensorElementCount(frames) != TF_Dim(xz, 0) ||
      (int64_t)TF_TensorElementCount(bias) != TF_Dim(r, 1)) {
    fail(ctx, "SerxLstmSequence: xz must be [batch, steps, 4u], r [u, 4u], frames [batch, 1], bias [4u]");
    goto done;
  }
  LstmCall call = {.batch = TF_Dim(xz, 0), .steps = TF_Dim(xz, 1), .units = TF_Dim(r, 0)};
  const int64_t B = call.batch, T = call.steps, u = call.units;
  int64_t dy[2] = {B, u}, dseq[3] = {B, T, u}, dg[3] = {B, T, 4 * u};
  outs[0] = output(ctx, 0, dy, 2, s);
  for (int i = 1; i < 4 && TF_GetCode(s) == TF_OK; i++) outs[i] = output(ctx, i, dseq, 3, s);
  if (TF_GetCode(s) == TF_OK) outs[4] = output(ctx, 4, dg, 3, s);
  last = malloc(sizeof(int32_t) * (B > 0 ? B : 1));
  if (TF_GetCode(s) != TF_OK || !last) {
    TF_OpKernelContext_Failure(ctx, s);
    goto done;
  }
  call.stepsRun = T > 0 ? last_steps(TF_TensorData(frames), B, attrs->timeStride, T, last) : 0;
  call.xz = TF_TensorData(xz), call.r = TF_TensorData(r), call.last = last, call.bias = TF_TensorData(bias);
  call.y = TF_TensorData(outs[0]), call.hprev = TF_TensorData(outs[1]), call.cs = TF_TensorData(outs[2]);
  call.tc = TF_TensorData(outs[3]), call.gates = TF_TensorData(outs[4]);
  // steps after every row's last one are not computed: zeros (their gradients are zero)
  if (call.stepsRun < T) {
    for (int64_t b = 0; b < B; b++) {
      size_t from = (size_t)(b * T + call.stepsRun), n = (size_t)(T - call.stepsRun);
      memset(call.hprev + from * u, 0, sizeof(float) * n * u);
      memset(call.cs + from * u, 0, sizeof(float) * n * u);
      memset(call.tc + from * u, 0, sizeof(float) * n * u);
      memset(call.gates + from * 4 * u, 0, sizeof(float) * n * 4 * u);
    }
  }
  if (B * u > 0 && T == 0) memset(call.y, 0, sizeof(float) * B * u);
  if (run_parts(&call, attrs->threads, lstm_forward_part)) fail(ctx, "SerxLstmSequence: out of memory");
done:
  free(last);
  for (int i = 0; i < 5; i++)
    if (outs[i]) TF_DeleteTensor(outs[i]);
  if (xz) TF_DeleteTensor(xz);
  if (r) TF_DeleteTensor(r);
  if (frames) TF_DeleteTensor(frames);
  if (bias) TF_DeleteTensor(bias);
  TF_DeleteStatus(s);
}

// inputs: dy [B, u], r [u, 4u], frames [B, 1], cs [B, T, u], tc [B, T, u], gates [B, T, 4u]
// outputs: dz [B, T, 4u], the gradient of the gate pre-activations (x·W + h·R + b); dbias [4u] = Σ dz
static void lstm_backward_compute(void* kernel, TF_OpKernelContext* ctx) {
  OpAttrs* attrs = kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor* in[6] = {0};
  TF_Tensor *dzt = NULL, *dbt = NULL;
  int32_t* last = NULL;
  float *rt = NULL, *dbRows = NULL;
  for (int i = 0; i < 6 && TF_GetCode(s) == TF_OK; i++) TF_GetInput(ctx, i, &in[i], s);
  if (TF_GetCode(s) != TF_OK) {
    TF_OpKernelContext_Failure(ctx, s);
    goto done;
  }
  TF_Tensor *dy = in[0], *r = in[1], *frames = in[2], *cs = in[3], *tc = in[4], *gates = in[5];
  if (TF_NumDims(gates) != 3 || TF_NumDims(r) != 2 || TF_Dim(r, 1) != 4 * TF_Dim(r, 0) ||
      TF_Dim(gates, 2) != TF_Dim(r, 1) || TF_Dim(dy, 0) != TF_Dim(gates, 0) ||
      (int64_t)TF_TensorElementCount(frames) != TF_Dim(gates, 0)) {
    fail(ctx, "SerxLstmSequenceGrad: inconsistent shapes");
    goto done;
  }
  LstmCall call = {.batch = TF_Dim(gates, 0), .steps = TF_Dim(gates, 1), .units = TF_Dim(r, 0)};
  const int64_t B = call.batch, T = call.steps, u = call.units;
  int64_t dg[3] = {B, T, 4 * u};
  int64_t g4 = 4 * u;
  dzt = output(ctx, 0, dg, 3, s);
  if (dzt) dbt = output(ctx, 1, &g4, 1, s);
  last = malloc(sizeof(int32_t) * (B > 0 ? B : 1));
  rt = malloc(sizeof(float) * 4 * u * u + sizeof(float));
  dbRows = calloc(B * g4 + 1, sizeof(float));
  if (TF_GetCode(s) != TF_OK || !last || !rt || !dbRows) {
    TF_OpKernelContext_Failure(ctx, s);
    goto done;
  }
  const float* rd = TF_TensorData(r);
  for (int64_t i = 0; i < u; i++)
    for (int64_t k = 0; k < 4 * u; k++) rt[k * u + i] = rd[i * 4 * u + k];
  call.stepsRun = T > 0 ? last_steps(TF_TensorData(frames), B, attrs->timeStride, T, last) : 0;
  call.r = rd, call.rt = rt, call.last = last, call.dy = TF_TensorData(dy);
  call.cs = TF_TensorData(cs), call.tc = TF_TensorData(tc), call.gates = TF_TensorData(gates);
  call.dz = TF_TensorData(dzt), call.dbRows = dbRows;
  if (call.stepsRun < T) {
    for (int64_t b = 0; b < B; b++)
      memset(call.dz + (size_t)(b * T + call.stepsRun) * 4 * u, 0, sizeof(float) * (T - call.stepsRun) * 4 * u);
  }
  if (run_parts(&call, attrs->threads, lstm_backward_part)) {
    fail(ctx, "SerxLstmSequenceGrad: out of memory");
    goto done;
  }
  float* db = TF_TensorData(dbt);
  memset(db, 0, sizeof(float) * g4);
  for (int64_t b = 0; b < B; b++)
    for (int64_t k = 0; k < g4; k++) db[k] += dbRows[b * g4 + k];
done:
  free(last);
  free(rt);
  free(dbRows);
  if (dzt) TF_DeleteTensor(dzt);
  if (dbt) TF_DeleteTensor(dbt);
  for (int i = 0; i < 6; i++)
    if (in[i]) TF_DeleteTensor(in[i]);
  TF_DeleteStatus(s);
}

// ---------------------------------------------------------------------------------------------
// Fixed chunks over threads: chunk c runs on thread c % threads. What is reduced across chunks is
// reduced in chunk order afterwards, so no result depends on the thread count.
typedef void (*ChunkFn)(void* ctx, int64_t chunk);
typedef struct {
  ChunkFn fn;
  void* ctx;
  int64_t chunks;
  int threads, index;
} ChunkWorker;

static void* chunk_worker(void* arg) {
  ChunkWorker* w = arg;
  for (int64_t c = w->index; c < w->chunks; c += w->threads) w->fn(w->ctx, c);
  return NULL;
}

static void parallel_chunks(int threads, int64_t chunks, ChunkFn fn, void* ctx) {
  if (threads > 8) threads = 8;
  if (threads > chunks) threads = (int)chunks;
  if (threads < 1) threads = 1;
  ChunkWorker w[8];
  pthread_t ids[8];
  int started[8] = {0};
  for (int t = 0; t < threads; t++) w[t] = (ChunkWorker){fn, ctx, chunks, threads, t};
  for (int t = 1; t < threads; t++) started[t] = pthread_create(&ids[t], NULL, chunk_worker, &w[t]) == 0;
  chunk_worker(&w[0]);
  for (int t = 1; t < threads; t++) {
    if (started[t]) pthread_join(ids[t], NULL);
    else chunk_worker(&w[t]);
  }
}

// Elements per chunk of the element-wise kernels (whole rows).
#define CHUNK_ELEMENTS 32768
static int64_t rows_per_chunk(int64_t width) {
  int64_t r = CHUNK_ELEMENTS / (width > 0 ? width : 1);
  return r > 0 ? r : 1;
}

static int get_inputs(TF_OpKernelContext* ctx, TF_Tensor** in, int n, TF_Status* s) {
  for (int i = 0; i < n && TF_GetCode(s) == TF_OK; i++) TF_GetInput(ctx, i, &in[i], s);
  if (TF_GetCode(s) != TF_OK) {
    TF_OpKernelContext_Failure(ctx, s);
    return 0;
  }
  return 1;
}
static void delete_all(TF_Tensor** t, int n) {
  for (int i = 0; i < n; i++)
    if (t[i]) TF_DeleteTensor(t[i]);
}
static void dims_of(TF_Tensor* t, int64_t* dims, int* nd) {
  *nd = TF_NumDims(t);
  for (int i = 0; i < *nd; i++) dims[i] = TF_Dim(t, i);
}

// ---------------------------------------------------------------------------------------------
// SerxBiasRelu(x [..., C], bias [C]) = max(x + bias, 0): TensorFlow's Add then Relu in one pass
// (the same float operations, the same bits).
typedef struct {
  const float *x, *b;
  float *y, *db;
  const float* dy;
  int64_t rows, width, chunkRows;
} RowsCall;

static void bias_relu_chunk(void* arg, int64_t chunk) {
  RowsCall* c = arg;
  const int64_t C = c->width, r0 = chunk * c->chunkRows;
  const int64_t r1 = r0 + c->chunkRows < c->rows ? r0 + c->chunkRows : c->rows;
  const vf zero = vset(0.0f);
  for (int64_t r = r0; r < r1; r++) {
    const float* x = c->x + r * C;
    float* y = c->y + r * C;
    int64_t j = 0;
    for (; j + VL <= C; j += VL) {
      vf v = vload(x + j) + vload(c->b + j);
      vstore(y + j, vselect(v < zero, zero, v));
    }
    for (; j < C; j++) {
      float v = x[j] + c->b[j];
      y[j] = v < 0.0f ? 0.0f : v;
    }
  }
}

static void bias_relu_compute(void* kernel, TF_OpKernelContext* ctx) {
  OpAttrs* attrs = kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor *in[2] = {0}, *out = NULL;
  if (!get_inputs(ctx, in, 2, s)) goto done;
  int64_t dims[8];
  int nd;
  dims_of(in[0], dims, &nd);
  if (nd < 1 || nd > 8 || TF_NumDims(in[1]) != 1 || TF_Dim(in[1], 0) != dims[nd - 1]) {
    fail(ctx, "SerxBiasRelu: bias must be [channels], x [..., channels]");
    goto done;
  }
  out = output(ctx, 0, dims, nd, s);
  if (!out) {
    TF_OpKernelContext_Failure(ctx, s);
    goto done;
  }
  RowsCall call = {.x = TF_TensorData(in[0]), .b = TF_TensorData(in[1]), .y = TF_TensorData(out)};
  call.width = dims[nd - 1];
  call.rows = call.width > 0 ? (int64_t)TF_TensorElementCount(in[0]) / call.width : 0;
  call.chunkRows = rows_per_chunk(call.width);
  parallel_chunks(attrs->threads, (call.rows + call.chunkRows - 1) / call.chunkRows, bias_relu_chunk, &call);
done:
  if (out) TF_DeleteTensor(out);
  delete_all(in, 2);
  TF_DeleteStatus(s);
}

// SerxReluBiasGrad(dy, y = relu(x + bias)) = (dx = dy where y > 0 else 0, dbias = Σ dx over all but
// the last axis): TensorFlow's ReluGrad and the bias gradient's Sum in one pass. Partial sums per
// chunk, added in chunk order.
typedef struct {
  RowsCall rows;
  float* partial;  // [chunks, C]
} ReluBiasGradCall;

static void relu_bias_grad_chunk(void* arg, int64_t chunk) {
  ReluBiasGradCall* g = arg;
  RowsCall* c = &g->rows;
  const int64_t C = c->width, r0 = chunk * c->chunkRows;
  const int64_t r1 = r0 + c->chunkRows < c->rows ? r0 + c->chunkRows : c->rows;
  float* acc = g->partial + chunk * C;
  memset(acc, 0, sizeof(float) * C);
  const vf zero = vset(0.0f);
  for (int64_t r = r0; r < r1; r++) {
    const float* dy = c->dy + r * C;
    const float* y = c->x + r * C;
    float* dx = c->y + r * C;
    int64_t j = 0;
    for (; j + VL <= C; j += VL) {
      vf d = vselect(vload(y + j) > zero, vload(dy + j), zero);
      vstore(dx + j, d);
      vstore(acc + j, vload(acc + j) + d);
    }
    for (; j < C; j++) {
      float d = y[j] > 0.0f ? dy[j] : 0.0f;
      dx[j] = d;
      acc[j] += d;
    }
  }
}

static void relu_bias_grad_compute(void* kernel, TF_OpKernelContext* ctx) {
  OpAttrs* attrs = kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor *in[2] = {0}, *out[2] = {0};
  float* partial = NULL;
  if (!get_inputs(ctx, in, 2, s)) goto done;
  int64_t dims[8];
  int nd;
  dims_of(in[0], dims, &nd);
  if (nd < 1 || nd > 8 || TF_TensorElementCount(in[0]) != TF_TensorElementCount(in[1])) {
    fail(ctx, "SerxReluBiasGrad: dy and y must have the same shape");
    goto done;
  }
  int64_t C = dims[nd - 1];
  out[0] = output(ctx, 0, dims, nd, s);
  if (out[0]) out[1] = output(ctx, 1, &C, 1, s);
  if (!out[1]) {
    TF_OpKernelContext_Failure(ctx, s);
    goto done;
  }
  ReluBiasGradCall call = {.rows = {.dy = TF_TensorData(in[0]), .x = TF_TensorData(in[1]), .y = TF_TensorData(out[0])}};
  call.rows.width = C;
  call.rows.rows = C > 0 ? (int64_t)TF_TensorElementCount(in[0]) / C : 0;
  call.rows.chunkRows = rows_per_chunk(C);
  int64_t chunks = (call.rows.rows + call.rows.chunkRows - 1) / call.rows.chunkRows;
  partial = malloc(sizeof(float) * (chunks * C + 1));
  if (!partial) {
    fail(ctx, "SerxReluBiasGrad: out of memory");
    goto done;
  }
  call.partial = partial;
  parallel_chunks(attrs->threads, chunks, relu_bias_grad_chunk, &call);
  float* db = TF_TensorData(out[1]);
  memset(db, 0, sizeof(float) * C);
  for (int64_t k = 0; k < chunks; k++)
    for (int64_t j = 0; j < C; j++) db[j] += partial[k * C + j];
done:
  free(partial);
  delete_all(out, 2);
  delete_all(in, 2);
  TF_DeleteStatus(s);
}

// SerxBiasGrad(dy [..., C]) = Σ dy over all but the last axis (TensorFlow's BiasAddGrad, which is
// slow for few channels), partial sums per chunk added in chunk order.
static void bias_grad_chunk(void* arg, int64_t chunk) {
  ReluBiasGradCall* g = arg;
  RowsCall* c = &g->rows;
  const int64_t C = c->width, r0 = chunk * c->chunkRows;
  const int64_t r1 = r0 + c->chunkRows < c->rows ? r0 + c->chunkRows : c->rows;
  float* acc = g->partial + chunk * C;
  memset(acc, 0, sizeof(float) * C);
  if (C == 1) {
    // one channel: a plain sum, vectorised over rows
    vf v = vset(0.0f);
    int64_t r = r0;
    for (; r + VL <= r1; r += VL) v += vload(c->dy + r);
    float sum = 0.0f;
    for (int k = 0; k < VL; k++) sum += v[k];
    for (; r < r1; r++) sum += c->dy[r];
    acc[0] = sum;
    return;
  }
  for (int64_t r = r0; r < r1; r++) {
    const float* dy = c->dy + r * C;
    int64_t j = 0;
    for (; j + VL <= C; j += VL) vstore(acc + j, vload(acc + j) + vload(dy + j));
    for (; j < C; j++) acc[j] += dy[j];
  }
}

static void bias_grad_compute(void* kernel, TF_OpKernelContext* ctx) {
  OpAttrs* attrs = kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor *in[1] = {0}, *out = NULL;
  float* partial = NULL;
  if (!get_inputs(ctx, in, 1, s)) goto done;
  int64_t dims[8];
  int nd;
  dims_of(in[0], dims, &nd);
  if (nd < 1 || nd > 8) {
    fail(ctx, "SerxBiasGrad: dy must have rank 1 to 8");
    goto done;
  }
  int64_t C = dims[nd - 1];
  out = output(ctx, 0, &C, 1, s);
  if (!out) {
    TF_OpKernelContext_Failure(ctx, s);
    goto done;
  }
  ReluBiasGradCall call = {.rows = {.dy = TF_TensorData(in[0])}};
  call.rows.width = C;
  call.rows.rows = C > 0 ? (int64_t)TF_TensorElementCount(in[0]) / C : 0;
  call.rows.chunkRows = rows_per_chunk(C);
  int64_t chunks = (call.rows.rows + call.rows.chunkRows - 1) / call.rows.chunkRows;
  partial = malloc(sizeof(float) * (chunks * C + 1));
  if (!partial) {
    fail(ctx, "SerxBiasGrad: out of memory");
    goto done;
  }
  call.partial = partial;
  parallel_chunks(attrs->threads, chunks, bias_grad_chunk, &call);
  float* db = TF_TensorData(out);
  memset(db, 0, sizeof(float) * C);
  for (int64_t k = 0; k < chunks; k++)
    for (int64_t j = 0; j < C; j++) db[j] += partial[k * C + j];
done:
  free(partial);
  if (out) TF_DeleteTensor(out);
  delete_all(in, 1);
  TF_DeleteStatus(s);
}

// ---------------------------------------------------------------------------------------------
// Reconstruction losses: SerxSquaredErrorSum(a, b, mask) = Σ (a - b)² · mask and SerxAbsSum(x, mask)
// = Σ |x| · mask, `mask` one value per row (the last axis is broadcast) or empty (none), partial sums
// per chunk added in chunk order; their gradients SerxSquaredErrorGrad(g, a, b, mask) =
// (g · mask) · (2 (a - b)) and SerxAbsGrad(g, x, mask) = (g · mask) · step(x) (1 above 0, else -1; NaN stays NaN): tfjs'
// chain of ops for these sums, in its order (no FMA contraction), so the same bits.
typedef struct {
  const float *a, *b, *mask;
  float g;
  float *out, *partial;
  int64_t rows, width, chunkRows;
  int kind;  // 0 squared error, 1 abs
} LossCall;

static void loss_sum_chunk(void* arg, int64_t chunk) {
  LossCall* c = arg;
  const int64_t C = c->width, r0 = chunk * c->chunkRows;
  const int64_t r1 = r0 + c->chunkRows < c->rows ? r0 + c->chunkRows : c->rows;
  vf acc = vset(0.0f);
  float tail = 0.0f;
  for (int64_t r = r0; r < r1; r++) {
    const vf m = vset(c->mask ? c->mask[r] : 1.0f);
    const float ms = c->mask ? c->mask[r] : 1.0f;
    const float* a = c->a + r * C;
    int64_t j = 0;
    if (c->kind == 0) {
      const float* b = c->b + r * C;
      for (; j + VL <= C; j += VL) {
        vf d = vload(a + j) - vload(b + j);
        acc += (d * d) * m;
      }
      for (; j < C; j++) tail += ((a[j] - b[j]) * (a[j] - b[j])) * ms;
    } else {
      for (; j + VL <= C; j += VL) {
        vf v = vload(a + j);
        acc += vselect(v < vset(0.0f), -v, v) * m;
      }
      for (; j < C; j++) tail += fabsf(a[j]) * ms;
    }
  }
  float sum = tail;
  for (int k = 0; k < VL; k++) sum += acc[k];
  c->partial[chunk] = sum;
}

__attribute__((optimize("fp-contract=off"))) static void loss_grad_chunk(void* arg, int64_t chunk) {
  LossCall* c = arg;
  const int64_t C = c->width, r0 = chunk * c->chunkRows;
  const int64_t r1 = r0 + c->chunkRows < c->rows ? r0 + c->chunkRows : c->rows;
  for (int64_t r = r0; r < r1; r++) {
    const float d = c->mask ? c->g * c->mask[r] : c->g;
    const float* a = c->a + r * C;
    float* out = c->out + r * C;
    if (c->kind == 0) {
      const float* b = c->b + r * C;
      for (int64_t j = 0; j < C; j++) {
        float t = a[j] - b[j];
        float t2 = 2.0f * t;
        out[j] = d * t2;
      }
    } else {
      for (int64_t j = 0; j < C; j++) {
        float x = a[j];
        float step = x > 0.0f ? 1.0f : (x != x ? x : -1.0f);
        out[j] = d * step;
      }
    }
  }
}

// inputs (sum): a[, b], mask; (grad): g, a[, b], mask; an empty mask: none
static void loss_compute(TF_OpKernelContext* ctx, OpAttrs* attrs, int kind, int grad) {
  TF_Status* s = TF_NewStatus();
  TF_Tensor *in[4] = {0}, *out = NULL;
  float* partial = NULL;
  const int n = TF_NumInputs(ctx);
  const int first = grad ? 1 : 0, operands = kind == 0 ? 2 : 1;
  if (n != first + operands + 1 || !get_inputs(ctx, in, n, s)) {
    if (TF_GetCode(s) == TF_OK) fail(ctx, "serx loss kernel: wrong number of inputs");
    goto done;
  }
  LossCall c = {.a = TF_TensorData(in[first]), .kind = kind};
  if (kind == 0) c.b = TF_TensorData(in[first + 1]);
  TF_Tensor* mask = TF_TensorElementCount(in[first + operands]) > 0 ? in[first + operands] : NULL;
  int64_t dims[8];
  int nd;
  dims_of(in[first], dims, &nd);
  c.width = nd > 0 ? dims[nd - 1] : 1;
  c.rows = c.width > 0 ? (int64_t)TF_TensorElementCount(in[first]) / c.width : 0;
  if ((kind == 0 && TF_TensorElementCount(in[first + 1]) != TF_TensorElementCount(in[first])) ||
      (mask && (int64_t)TF_TensorElementCount(mask) != c.rows) ||
      (grad && TF_TensorElementCount(in[0]) != 1)) {
    fail(ctx, "serx loss kernel: a and b must have one shape, the mask one value per row, g one value");
    goto done;
  }
  if (mask) c.mask = TF_TensorData(mask);
  c.chunkRows = rows_per_chunk(c.width);
  const int64_t chunks = (c.rows + c.chunkRows - 1) / c.chunkRows;
  if (grad) {
    c.g = *(const float*)TF_TensorData(in[0]);
    out = output(ctx, 0, dims, nd, s);
    if (!out) {
      TF_OpKernelContext_Failure(ctx, s);
      goto done;
    }
    c.out = TF_TensorData(out);
    parallel_chunks(attrs->threads, chunks, loss_grad_chunk, &c);
  } else {
    out = output(ctx, 0, NULL, 0, s);
    partial = malloc(sizeof(float) * (chunks + 1));
    if (!out || !partial) {
      if (TF_GetCode(s) != TF_OK) TF_OpKernelContext_Failure(ctx, s);
      else fail(ctx, "serx loss kernel: out of memory");
      goto done;
    }
    c.partial = partial;
    parallel_chunks(attrs->threads, chunks, loss_sum_chunk, &c);
    float sum = 0.0f;
    for (int64_t k = 0; k < chunks; k++) sum += partial[k];
    *(float*)TF_TensorData(out) = sum;
  }
done:
  free(partial);
  if (out) TF_DeleteTensor(out);
  delete_all(in, 4);
  TF_DeleteStatus(s);
}
static void squared_error_sum_compute(void* k, TF_OpKernelContext* ctx) { loss_compute(ctx, k, 0, 0); }
static void squared_error_grad_compute(void* k, TF_OpKernelContext* ctx) { loss_compute(ctx, k, 0, 1); }
static void abs_sum_compute(void* k, TF_OpKernelContext* ctx) { loss_compute(ctx, k, 1, 0); }
static void abs_grad_compute(void* k, TF_OpKernelContext* ctx) { loss_compute(ctx, k, 1, 1); }

// ---------------------------------------------------------------------------------------------
// SerxAdam: one variable's Adam update in one pass, the float32 operations of tfjs' AdamOptimizer
// in its order (no contraction into FMAs: the same bits as its ~14 separate ops):
//   m' = m·β1 + g·(1-β1); v' = v·β2 + g²·(1-β2); w' = ((m'/(1-β1ᵗ)) / (sqrt(v'/(1-β2ᵗ)) + ε))·(-lr) + w
__attribute__((optimize("fp-contract=off"))) static void adam_update(
    int64_t n, const float* w, const float* m, const float* v, const float* g, float om1, float om2,
    const OpAttrs* a, float* w2, float* m2, float* v2) {
  const float b1 = a->beta1, c1 = a->oneMinusBeta1, b2 = a->beta2, c2 = a->oneMinusBeta2;
  const float eps = a->epsilon, nlr = -a->learningRate;
  for (int64_t i = 0; i < n; i++) {
    float gi = g[i];
    float mn = m[i] * b1 + gi * c1;
    float vn = v[i] * b2 + (gi * gi) * c2;
    float mh = mn / om1;
    float vh = vn / om2;
    w2[i] = (mh / (sqrtf(vh) + eps)) * nlr + w[i];
    m2[i] = mn;
    v2[i] = vn;
  }
}

static void adam_compute(void* kernel, TF_OpKernelContext* ctx) {
  OpAttrs* attrs = kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor *in[6] = {0}, *out[3] = {0};
  if (!get_inputs(ctx, in, 6, s)) goto done;
  size_t n = TF_TensorElementCount(in[0]);
  if (TF_TensorElementCount(in[1]) != n || TF_TensorElementCount(in[2]) != n ||
      TF_TensorElementCount(in[3]) != n || TF_TensorElementCount(in[4]) != 1 ||
      TF_TensorElementCount(in[5]) != 1) {
    fail(ctx, "SerxAdam: value, m, v and gradient must have one shape; the bias corrections are scalars");
    goto done;
  }
  int64_t dims[8];
  int nd;
  dims_of(in[0], dims, &nd);
  for (int i = 0; i < 3 && TF_GetCode(s) == TF_OK; i++) out[i] = output(ctx, i, dims, nd, s);
  if (TF_GetCode(s) != TF_OK) {
    TF_OpKernelContext_Failure(ctx, s);
    goto done;
  }
  adam_update((int64_t)n, TF_TensorData(in[0]), TF_TensorData(in[1]), TF_TensorData(in[2]),
              TF_TensorData(in[3]), *(const float*)TF_TensorData(in[4]), *(const float*)TF_TensorData(in[5]),
              attrs, TF_TensorData(out[0]), TF_TensorData(out[1]), TF_TensorData(out[2]));
done:
  delete_all(out, 3);
  delete_all(in, 6);
  TF_DeleteStatus(s);
}

// ---------------------------------------------------------------------------------------------
// A transposed convolution to one image channel (conv2d's input gradient when the conv's input has
// one channel; NHWC, any stride, padding given as the rows/columns before), which oneDNN runs ~3×
// slower than this (its blocked layouts assume many channels). With the conv
//   y[b, i, j, c] = Σ_{di, dj} x[b, i·sh + di - pt, j·sw + dj - pl] · f[di, dj, 0, c],
// it computes dx[b, p, q] = Σ over (i, j, di, dj) reaching (p, q) of Σ_c dy[b, i, j, c] · f[di, dj, 0, c].
typedef struct {
  const float* dy;
  float *y, *partial;
  int64_t B, H, W, OH, OW, C, KH, KW, sh, sw, pt, pl;
} ConvCall;

#define INLINE static inline __attribute__((always_inline))
#define MAX_TAPS 32

// The input offsets (or -1 outside the image) of output pixel (i, j)'s taps; true when all inside.
INLINE int tap_offsets(const ConvCall* c, int64_t i, int64_t j, int64_t* off) {
  const int64_t p0 = i * c->sh - c->pt, q0 = j * c->sw - c->pl;
  if (p0 >= 0 && p0 + c->KH <= c->H && q0 >= 0 && q0 + c->KW <= c->W) {
    int64_t t = 0;
    for (int64_t di = 0; di < c->KH; di++)
      for (int64_t dj = 0; dj < c->KW; dj++) off[t++] = (p0 + di) * c->W + q0 + dj;
    return 1;
  }
  for (int64_t di = 0; di < c->KH; di++) {
    const int64_t p = p0 + di;
    for (int64_t dj = 0; dj < c->KW; dj++) {
      const int64_t q = q0 + dj;
      off[di * c->KW + dj] = p >= 0 && p < c->H && q >= 0 && q < c->W ? p * c->W + q : -1;
    }
  }
  return 0;
}

// transposed conv to one channel for one batch element: per input pixel the taps' dot products
// over the channels (4 pixels at a time, independent accumulators), scattered to the output
static void conv_out1_chunk(void* arg, int64_t b) {
  ConvCall* c = arg;
  const int64_t C = c->C, taps = c->KH * c->KW, blocks = (taps + VL - 1) / VL;
  float* x = c->y + b * c->H * c->W;  // output, [H, W]
  memset(x, 0, sizeof(float) * c->H * c->W);
  const float* ft = c->partial;  // filter transposed: [C][blocks · VL]
  int64_t off[MAX_TAPS];
  for (int64_t i = 0; i < c->OH; i++) {
    for (int64_t j0 = 0; j0 < c->OW; j0 += 4) {
      const int64_t n = c->OW - j0 < 4 ? c->OW - j0 : 4;
      const float* dy = c->dy + ((b * c->OH + i) * c->OW + j0) * C;
      for (int64_t blk = 0; blk < blocks; blk++) {
        vf acc[4] = {vset(0.0f), vset(0.0f), vset(0.0f), vset(0.0f)};
        for (int64_t k = 0; k < C; k++) {
          const vf f = vload(ft + (k * blocks + blk) * VL);
          for (int64_t u = 0; u < n; u++) acc[u] += vset(dy[u * C + k]) * f;
        }
        for (int64_t u = 0; u < n; u++) {
          float lanes[VL];
          vstore(lanes, acc[u]);
          tap_offsets(c, i, j0 + u, off);
          for (int64_t t = blk * VL; t < taps && t < (blk + 1) * VL; t++)
            if (off[t] >= 0) x[off[t]] += lanes[t - blk * VL];
        }
      }
    }
  }
}

static int conv_geometry(ConvCall* c, const OpAttrs* a) {
  c->sh = a->strideH, c->sw = a->strideW, c->pt = a->padTop, c->pl = a->padLeft;
  return c->sh > 0 && c->sw > 0 && c->pt >= 0 && c->pl >= 0;
}

// SerxConvOut1(dy [B, OH, OW, C], filter [KH, KW, 1, C]) → dx [B, out_h, out_w, 1]
static void conv_out1_compute(void* kernel, TF_OpKernelContext* ctx) {
  OpAttrs* a = kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor *in[2] = {0}, *out = NULL;
  float* ft = NULL;
  if (!get_inputs(ctx, in, 2, s)) goto done;
  ConvCall c = {.dy = TF_TensorData(in[0]), .H = a->outH, .W = a->outW};
  if (TF_NumDims(in[0]) != 4 || TF_NumDims(in[1]) != 4 || TF_Dim(in[1], 2) != 1 ||
      TF_Dim(in[1], 3) != TF_Dim(in[0], 3) || !conv_geometry(&c, a) || c.H < 0 || c.W < 0 ||
      TF_Dim(in[1], 0) * TF_Dim(in[1], 1) > MAX_TAPS) {
    fail(ctx, "SerxConvOut1: dy must be [batch, oh, ow, channels], filter [kh, kw, 1, channels]");
    goto done;
  }
  c.B = TF_Dim(in[0], 0), c.OH = TF_Dim(in[0], 1), c.OW = TF_Dim(in[0], 2), c.C = TF_Dim(in[0], 3);
  c.KH = TF_Dim(in[1], 0), c.KW = TF_Dim(in[1], 1);
  const int64_t taps = c.KH * c.KW, blocks = (taps + VL - 1) / VL;
  int64_t dims[4] = {c.B, c.H, c.W, 1};
  out = output(ctx, 0, dims, 4, s);
  ft = calloc(c.C * blocks * VL + 1, sizeof(float));
  if (!out || !ft) {
    if (TF_GetCode(s) != TF_OK) TF_OpKernelContext_Failure(ctx, s);
    else fail(ctx, "SerxConvOut1: out of memory");
    goto done;
  }
  const float* f = TF_TensorData(in[1]);
  for (int64_t t = 0; t < taps; t++)
    for (int64_t k = 0; k < c.C; k++) ft[(k * blocks + t / VL) * VL + t % VL] = f[t * c.C + k];
  c.partial = ft;
  c.y = TF_TensorData(out);
  parallel_chunks(a->threads, c.B, conv_out1_chunk, &c);
done:
  free(ft);
  if (out) TF_DeleteTensor(out);
  delete_all(in, 2);
  TF_DeleteStatus(s);
}

// ---------------------------------------------------------------------------------------------
// SerxKeepMask(shape [n] int32, state [3] int32) = a dropout mask of `shape`: 1/keep where the
// uniform draw >= rate, else 0, i.e. tfjs' `div(cast(greaterEqual(randomUniform(shape, 0, 1,
// 'float32', seed), rate), 'float32'), 1 - rate)` bit for bit. The draws are seedrandom's Alea
// (what tfjs' randomUniform draws from), a lag-3 multiply-with-carry generator: with every state
// value s = x / 2^32, t = 2091639·x0 + c, c' = t >> 32, x' = t mod 2^32, the draw x' / 2^32 rounded to
// float32 (as tfjs stores it). `state` holds x0, x1, x2 after seeding (Mash, done in JS: dropout.ts),
// the carry starts at 1. `rate` and `keep` (= 1 - rate) are float32 as TensorFlow compared and divided.
static void keep_mask_compute(void* kernel, TF_OpKernelContext* ctx) {
  OpAttrs* attrs = kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor *in[2] = {NULL, NULL}, *out = NULL;
  for (int i = 0; i < 2 && TF_GetCode(s) == TF_OK; i++) TF_GetInput(ctx, i, &in[i], s);
  if (TF_GetCode(s) != TF_OK) {
    TF_OpKernelContext_Failure(ctx, s);
    goto done;
  }
  if (TF_NumDims(in[0]) != 1 || TF_Dim(in[0], 0) > 8 || TF_NumDims(in[1]) != 1 || TF_Dim(in[1], 0) != 3) {
    fail(ctx, "SerxKeepMask: shape must be [rank <= 8], state [3]");
    goto done;
  }
  int64_t dims[8];
  const int nd = (int)TF_Dim(in[0], 0);
  const int32_t* shape = TF_TensorData(in[0]);
  int64_t n = 1;
  for (int d = 0; d < nd; d++) {
    if (shape[d] < 0) {
      fail(ctx, "SerxKeepMask: negative dimension");
      goto done;
    }
    dims[d] = shape[d];
    n *= shape[d];
  }
  out = output(ctx, 0, dims, nd, s);
  if (!out) {
    TF_OpKernelContext_Failure(ctx, s);
    goto done;
  }
  const uint32_t* st = TF_TensorData(in[1]);
  uint64_t x0 = st[0], x1 = st[1], x2 = st[2], c = 1;
  const float rate = attrs->rate, scale = 1.0f / attrs->keep;
  float* y = TF_TensorData(out);
  for (int64_t i = 0; i < n; i++) {
    const uint64_t t = 2091639ULL * x0 + c;
    c = t >> 32;
    x0 = x1;
    x1 = x2;
    x2 = t & 0xffffffffULL;
    const float u = (float)((double)x2 * 2.3283064365386963e-10);
    y[i] = u >= rate ? scale : 0.0f;
  }
done:
  if (out) TF_DeleteTensor(out);
  delete_all(in, 2);
  TF_DeleteStatus(s);
}

static int register_op(const char* name, const char** specs, int nspecs,
                       void (*compute)(void*, TF_OpKernelContext*), TF_Status* s) {
  // specs: "in:<input spec>", "out:<output spec>", "attr:<attr spec>"
  TF_OpDefinitionBuilder* b = TF_NewOpDefinitionBuilder(name);
  for (int i = 0; i < nspecs; i++) {
    const char* spec = specs[i];
    if (!strncmp(spec, "in:", 3)) TF_OpDefinitionBuilderAddInput(b, spec + 3);
    else if (!strncmp(spec, "out:", 4)) TF_OpDefinitionBuilderAddOutput(b, spec + 4);
    else TF_OpDefinitionBuilderAddAttr(b, spec + 5);
  }
  TF_OpDefinitionBuilderAddAttr(b, "threads: int = 1");
  TF_RegisterOpDefinition(b, s);
  if (TF_GetCode(s) != TF_OK) return 0;
  TF_KernelBuilder* kb = TF_NewKernelBuilder(name, "CPU", attrs_create, compute, attrs_delete);
  TF_RegisterKernelBuilder(name, kb, s);
  return TF_GetCode(s) == TF_OK;
}

static int registered = 0;

static napi_value init(napi_env env, napi_value exports) {
  if (!registered) {
    TF_Status* s = TF_NewStatus();
    const char* lstm[] = {"in:xz: float", "in:r: float", "in:frames: float", "in:bias: float", "out:y: float",
                          "out:hprev: float", "out:cs: float", "out:tc: float", "out:gates: float",
                          "attr:time_stride: float = 1.0"};
    const char* lstmGrad[] = {"in:dy: float", "in:r: float", "in:frames: float", "in:cs: float",
                              "in:tc: float", "in:gates: float", "out:dz: float", "out:dbias: float",
                              "attr:time_stride: float = 1.0"};
    const char* biasRelu[] = {"in:x: float", "in:bias: float", "out:y: float"};
    const char* reluBiasGrad[] = {"in:dy: float", "in:y: float", "out:dx: float", "out:dbias: float"};
    const char* biasGrad[] = {"in:dy: float", "out:dbias: float"};
    // the losses' mask: one value per row, or empty for none
    const char* sqSum[] = {"in:a: float", "in:b: float", "in:mask: float", "out:sum: float"};
    const char* sqGrad[] = {"in:g: float", "in:a: float", "in:b: float", "in:mask: float", "out:da: float"};
    const char* absSum[] = {"in:x: float", "in:mask: float", "out:sum: float"};
    const char* absGrad[] = {"in:g: float", "in:x: float", "in:mask: float", "out:dx: float"};
    const char* adam[] = {"in:value: float", "in:m: float", "in:v: float", "in:gradient: float",
                          "in:one_minus_acc_beta1: float", "in:one_minus_acc_beta2: float",
                          "out:new_value: float", "out:new_m: float", "out:new_v: float",
                          "attr:beta1: float", "attr:one_minus_beta1: float", "attr:beta2: float",
                          "attr:one_minus_beta2: float", "attr:epsilon: float", "attr:learning_rate: float"};
#define CONV_ATTRS "attr:stride_h: int", "attr:stride_w: int", "attr:pad_top: int", "attr:pad_left: int"
    const char* convOut1[] = {"in:dy: float", "in:filter: float", "out:dx: float", CONV_ATTRS,
                              "attr:out_h: int", "attr:out_w: int"};
    const char* keepMask[] = {"in:shape: int32", "in:state: int32", "out:mask: float", "attr:rate: float",
                              "attr:keep: float"};
#define N(a) (int)(sizeof(a) / sizeof(a[0]))
    int ok = register_op("SerxLstmSequence", lstm, N(lstm), lstm_forward_compute, s) &&
             register_op("SerxLstmSequenceGrad", lstmGrad, N(lstmGrad), lstm_backward_compute, s) &&
             register_op("SerxBiasRelu", biasRelu, N(biasRelu), bias_relu_compute, s) &&
             register_op("SerxReluBiasGrad", reluBiasGrad, N(reluBiasGrad), relu_bias_grad_compute, s) &&
             register_op("SerxBiasGrad", biasGrad, N(biasGrad), bias_grad_compute, s) &&
             register_op("SerxSquaredErrorSum", sqSum, N(sqSum), squared_error_sum_compute, s) &&
             register_op("SerxSquaredErrorGrad", sqGrad, N(sqGrad), squared_error_grad_compute, s) &&
             register_op("SerxAbsSum", absSum, N(absSum), abs_sum_compute, s) &&
             register_op("SerxAbsGrad", absGrad, N(absGrad), abs_grad_compute, s) &&
             register_op("SerxAdam", adam, N(adam), adam_compute, s) &&
             register_op("SerxConvOut1", convOut1, N(convOut1), conv_out1_compute, s) &&
             register_op("SerxKeepMask", keepMask, N(keepMask), keep_mask_compute, s);
    if (!ok) {
      napi_throw_error(env, NULL, TF_Message(s));
      TF_DeleteStatus(s);
      return NULL;
    }
    TF_DeleteStatus(s);
    registered = 1;
  }
  napi_value v;
  napi_create_int32(env, 1, &v);
  napi_set_named_property(env, exports, "version", v);
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
