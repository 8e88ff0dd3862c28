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
  const float* xz;     // [batch, steps, 4u]: x·W + b
  const float* r;      // [u, 4u]
  const float* rt;     // [4u, u] (backward)
  const int32_t* last; // [batch]
  // forward outputs
  float *y, *hprev, *cs, *tc, *gates;
  // backward
  const float* dy;
  float* dz;
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
    for (int64_t r = 0; r < rows; r++)
      memcpy(z + r * g4, c->xz + ((part->row0 + r) * T + t) * g4, sizeof(float) * g4);
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

typedef struct {
  int threads;
  float timeStride;
} LstmAttrs;

static void* lstm_create(TF_OpKernelConstruction* ctx) {
  LstmAttrs* attrs = calloc(1, sizeof(LstmAttrs));
  TF_Status* s = TF_NewStatus();
  int64_t threads = 1;
  float stride = 1;
  TF_OpKernelConstruction_GetAttrInt64(ctx, "threads", &threads, s);
  if (TF_GetCode(s) == TF_OK) TF_OpKernelConstruction_GetAttrFloat(ctx, "time_stride", &stride, s);
  if (TF_GetCode(s) != TF_OK) TF_OpKernelConstruction_Failure(ctx, s);
  attrs->threads = (int)threads;
  attrs->timeStride = stride;
  TF_DeleteStatus(s);
  return attrs;
}
static void lstm_delete(void* p) { free(p); }

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

// inputs: xz [B, T, 4u], r [u, 4u], frames [B, 1]
// outputs: y [B, u] (h at each row's last step), hprev [B, T, u] (h_{t-1}), cs [B, T, u] (c_t),
//          tc [B, T, u] (tanh c_t), gates [B, T, 4u] (i, f, c̃, o after activation)
static void lstm_forward_compute(void* kernel, TF_OpKernelContext* ctx) {
  LstmAttrs* attrs = kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor *xz = NULL, *r = NULL, *frames = NULL, *outs[5] = {0};
  int32_t* last = NULL;
  TF_GetInput(ctx, 0, &xz, s);
  if (TF_GetCode(s) == TF_OK) TF_GetInput(ctx, 1, &r, s);
  if (TF_GetCode(s) == TF_OK) TF_GetInput(ctx, 2, &frames, s);
  if (TF_GetCode(s) != TF_OK) {
    TF_OpKernelContext_Failure(ctx, s);
    goto done;
  }
  if (TF_NumDims(xz) != 3 || TF_NumDims(r) != 2 || TF_Dim(r, 1) != 4 * TF_Dim(r, 0) ||
      TF_Dim(xz, 2) != TF_Dim(r, 1) || (int64_t)TF_TensorElementCount(frames) != TF_Dim(xz, 0)) {
    fail(ctx, "SerxLstmSequence: xz must be [batch, steps, 4u], r [u, 4u], frames [batch, 1]");
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
  call.xz = TF_TensorData(xz), call.r = TF_TensorData(r), call.last = last;
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
  TF_DeleteStatus(s);
}

// inputs: dy [B, u], r [u, 4u], frames [B, 1], cs [B, T, u], tc [B, T, u], gates [B, T, 4u]
// output: dz [B, T, 4u], the gradient of the gate pre-activations (x·W + h·R + b)
static void lstm_backward_compute(void* kernel, TF_OpKernelContext* ctx) {
  LstmAttrs* attrs = kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor* in[6] = {0};
  TF_Tensor* dzt = NULL;
  int32_t* last = NULL;
  float* rt = NULL;
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
  dzt = output(ctx, 0, dg, 3, s);
  last = malloc(sizeof(int32_t) * (B > 0 ? B : 1));
  rt = malloc(sizeof(float) * 4 * u * u + sizeof(float));
  if (TF_GetCode(s) != TF_OK || !last || !rt) {
    TF_OpKernelContext_Failure(ctx, s);
    goto done;
  }
  const float* rd = TF_TensorData(r);
  for (int64_t i = 0; i < u; i++)
    for (int64_t k = 0; k < 4 * u; k++) rt[k * u + i] = rd[i * 4 * u + k];
  call.stepsRun = T > 0 ? last_steps(TF_TensorData(frames), B, attrs->timeStride, T, last) : 0;
  call.r = rd, call.rt = rt, call.last = last, call.dy = TF_TensorData(dy);
  call.cs = TF_TensorData(cs), call.tc = TF_TensorData(tc), call.gates = TF_TensorData(gates);
  call.dz = TF_TensorData(dzt);
  if (call.stepsRun < T) {
    for (int64_t b = 0; b < B; b++)
      memset(call.dz + (size_t)(b * T + call.stepsRun) * 4 * u, 0, sizeof(float) * (T - call.stepsRun) * 4 * u);
  }
  if (run_parts(&call, attrs->threads, lstm_backward_part)) fail(ctx, "SerxLstmSequenceGrad: out of memory");
done:
  free(last);
  free(rt);
  if (dzt) TF_DeleteTensor(dzt);
  for (int i = 0; i < 6; i++)
    if (in[i]) TF_DeleteTensor(in[i]);
  TF_DeleteStatus(s);
}

static int register_op(const char* name, const char** inputs, int nin, const char** outputs, int nout,
                       void (*compute)(void*, TF_OpKernelContext*), TF_Status* s) {
  TF_OpDefinitionBuilder* b = TF_NewOpDefinitionBuilder(name);
  for (int i = 0; i < nin; i++) TF_OpDefinitionBuilderAddInput(b, inputs[i]);
  for (int i = 0; i < nout; i++) TF_OpDefinitionBuilderAddOutput(b, outputs[i]);
  TF_OpDefinitionBuilderAddAttr(b, "threads: int = 1");
  TF_OpDefinitionBuilderAddAttr(b, "time_stride: float = 1.0");
  TF_RegisterOpDefinition(b, s);
  if (TF_GetCode(s) != TF_OK) return 0;
  TF_KernelBuilder* kb = TF_NewKernelBuilder(name, "CPU", lstm_create, compute, lstm_delete);
  TF_RegisterKernelBuilder(name, kb, s);
  return TF_GetCode(s) == TF_OK;
}

static int registered = 0;

static napi_value init(napi_env env, napi_value exports) {
  if (!registered) {
    TF_Status* s = TF_NewStatus();
    const char* fin[] = {"xz: float", "r: float", "frames: float"};
    const char* fout[] = {"y: float", "hprev: float", "cs: float", "tc: float", "gates: float"};
    const char* bin[] = {"dy: float", "r: float", "frames: float", "cs: float", "tc: float", "gates: float"};
    const char* bout[] = {"dz: float"};
    int ok = register_op("SerxLstmSequence", fin, 3, fout, 5, lstm_forward_compute, s) &&
             register_op("SerxLstmSequenceGrad", bin, 6, bout, 1, lstm_backward_compute, s);
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
