// The float kernels: convolution and full-precision adder layers, the classifier, pooling,
// BatchNorm and elementwise steps.
#include "cuda/kernel_sources.h"

#include "cuda/kernel_source_parts.h"

namespace adderq::cuda {

// The shared pieces of kernel text (kernel_source_parts.h).
using namespace source_parts;

// A 1x1 layer's channel loop is all of its work; NVRTC unrolls it, and from 1,024 weights per
// thread (64 channels x 16 outputs: the ImageNet bottlenecks) ptxas spilled on sm_80 and sm_90
// (cuda_jit_test). Those keep it rolled; the smaller ones (ResNet-20's shortcuts and classifier)
// keep the text that was measured on a GPU.
static bool RollChannelLoop(const ConvLikeFloatSpec& s) {
  return s.kernel_h * s.kernel_w == 1 && s.in_c * s.channels_per_thread > 512;
}

std::string ConvLikeFloatSource(const ConvLikeFloatSpec& s) {
  return Constants({{"kAdder", s.adder}, {"kC", s.in_c}, {"kInH", s.in_h}, {"kInW", s.in_w}, {"kO", s.out_c},
                    {"kOutH", s.out_h}, {"kOutW", s.out_w}, {"kKH", s.kernel_h}, {"kKW", s.kernel_w},
                    {"kStride", s.stride}, {"kPad", s.padding}, {"kOB", s.channels_per_thread},
                    {"kSharedWeights", s.shared_weights}}) +
         EpilogueConstants(s.epilogue) + CodesOutConstants(s.codes_out, s.float_out) + kCommon + kCodeWordsOut + R"(
// One thread per output pixel and kOB output channels (block row blockIdx.y): each input value is
// loaded once for all kOB channels, and their weights come as 128-bit broadcasts (all threads of
// the block read the same address) from shared memory, or from global memory through L1 where
// they do not fit. One output value per thread (this kernel's first form) loaded an input value
// and a weight for every multiply-add: the loads, not the arithmetic, were the limit. Each sum
// still runs over (c, i, j) in the CPU backend's order, padding included (a padded position reads
// 0), so the floats are identical. weight: the layer's [kO][kC][kKH][kKW] regrouped by the plan as
// [kO / kOB, rounded up][kC * kKH * kKW][kOB]; padding channels hold 0 and are not stored.
constexpr int kTaps = int(kC * kKH * kKW);
__device__ __forceinline__ float adq_term(float v, float w) { return kAdder ? fabsf(__fsub_rn(v, w)) : __fmul_rn(v, w); }
extern "C" __global__ void __launch_bounds__(128) adq_kernel(const float* __restrict__ x, const float* __restrict__ weight,
                                      const float* __restrict__ scale, const float* __restrict__ shift,
                                      const float* __restrict__ residual, float* __restrict__ y, int images,
                                      u32* __restrict__ codes_out, float out_multiplier) {
  constexpr int kWeightVectors = kTaps * kOB / 4;  // the block's weights as float4
  const float4* block_weights = reinterpret_cast<const float4*>(weight) + i64(blockIdx.y) * kWeightVectors;
  __shared__ float4 w_shared[kSharedWeights ? kWeightVectors : 1];
  if (kSharedWeights) {
    for (int k = threadIdx.x; k < kWeightVectors; k += blockDim.x) w_shared[k] = block_weights[k];
    __syncthreads();
  }
  const float4* w = kSharedWeights ? w_shared : block_weights;
  const i64 i = adq_global_index();  // (n, pixel), pixel fastest: coalesced input loads and stores
  constexpr i64 kP = i64(kOutH) * kOutW;
  if (i >= i64(images) * kP) return;
  const int p = int(i % kP);
  const i64 n = i / kP;
  const int oy = p / kOutW, ox = p % kOutW;
  const float* xn = x + n * (i64(kC) * kInH * kInW);
  float acc[kOB];
#pragma unroll
  for (int o = 0; o < kOB; ++o) acc[o] = 0.f;
)" + std::string(RollChannelLoop(s) ? "#pragma unroll 1\n" : "") + R"(  for (int c = 0; c < kC; ++c) {
#pragma unroll
    for (int ki = 0; ki < kKH; ++ki) {
      const int iy = oy * kStride + ki - kPad;
#pragma unroll
      for (int kj = 0; kj < kKW; ++kj) {
        const int ix = ox * kStride + kj - kPad;
        const float v = (iy >= 0 && iy < kInH && ix >= 0 && ix < kInW) ? xn[(i64(c) * kInH + iy) * kInW + ix] : 0.f;
        const float4* wt = w + ((c * kKH + ki) * kKW + kj) * (kOB / 4);
#pragma unroll
        for (int q = 0; q < kOB / 4; ++q) {
          const float4 w4 = wt[q];
          acc[4 * q] = __fadd_rn(acc[4 * q], adq_term(v, w4.x));
          acc[4 * q + 1] = __fadd_rn(acc[4 * q + 1], adq_term(v, w4.y));
          acc[4 * q + 2] = __fadd_rn(acc[4 * q + 2], adq_term(v, w4.z));
          acc[4 * q + 3] = __fadd_rn(acc[4 * q + 3], adq_term(v, w4.w));
        }
      }
    }
  }
  const int o0 = int(blockIdx.y) * kOB;
  if (!kCodesOut) {
#pragma unroll
    for (int o = 0; o < kOB; ++o) {
      if (kO % kOB != 0 && o0 + o >= kO) break;
      const i64 out = (n * kO + o0 + o) * kP + p;
      y[out] = adq_epilogue(acc[o], scale[o0 + o], shift[o0 + o], residual, out);
    }
    return;
  }
  // Fused codes (the stem feeding the first adder layer): this thread's kOB channels of pixel i
  // are whole code words of the consumer, quantized as its quantize kernel would (identical
  // words; padding channels get the padding lanes' offset).
  static_assert(kOB % kOutLanes == 0, "a thread must hold whole code words");
  static_assert(!kShortcutCodesOut, "shortcut codes come from adder epilogues only");
  constexpr int kWordsHere = kOB / kOutLanes;
  u32 words[kWordsHere];
  adq_pack_code_words(words, out_multiplier, [&](int o, float& v) {
    if (o0 + o >= kO) return false;  // the last group's padding channels
    const i64 out = (n * kO + o0 + o) * kP + p;
    v = adq_epilogue(acc[o], scale[o0 + o], shift[o0 + o], residual, out);
    if (kFloatOut) y[out] = v;
    return true;
  });
  const int first_word = o0 / kOutLanes;
  adq_store_code_words(codes_out + i * kOutWords + first_word, words, first_word);  // codes[n][pixel][word], i = n * kP + p
}
)";
}

std::string LinearSource(int in_features, int out_features) {
  return Constants({{"kIn", in_features}, {"kOut", out_features}}) + EpilogueConstants({}) + kCommon + R"(
extern "C" __global__ void adq_kernel(const float* __restrict__ x, const float* __restrict__ weight,
                                      const float* __restrict__ scale, const float* __restrict__ shift,
                                      float* __restrict__ y, int images) {
  const i64 i = adq_global_index();
  if (i >= i64(images) * kOut) return;
  const int o = int(i % kOut);
  const float* xn = x + (i / kOut) * kIn;
  float acc = 0.f;
  for (int c = 0; c < kIn; ++c) acc = __fadd_rn(acc, __fmul_rn(weight[i64(o) * kIn + c], xn[c]));
  y[i] = __fadd_rn(__fmul_rn(scale[o], acc), shift[o]);
}
)";
}

std::string AvgPoolSource(int channels, int in_h, int in_w, int kernel, int stride, int out_h, int out_w) {
  const std::string constants =
      Constants({{"kC", channels}, {"kInH", in_h}, {"kInW", in_w}, {"kK", kernel}, {"kStride", stride},
                 {"kOutH", out_h}, {"kOutW", out_w}}) +
      EpilogueConstants({}) + kCommon;
  if (GlobalAvgPoolStaged(in_h, in_w, kernel, out_h, out_w)) return constants + R"(
// Global pooling, one thread per plane (image, channel), 128 planes per block. The planes are
// copied to shared memory first, coalesced: a thread reading its own plane straight from global
// memory (this kernel's first form) makes each warp load touch 32 planes' cache lines, as many L1
// wavefronts, which accounts for that form's measured time. Rows of kRow floats (odd) keep a
// warp's reads in 32 different banks.
// Each sum runs in the CPU backend's order, so the floats are identical.
constexpr int kPlane = int(kInH * kInW);
constexpr int kRow = kPlane | 1;
constexpr int kPlanes = 128;
extern "C" __global__ void __launch_bounds__(kPlanes) adq_kernel(const float* __restrict__ x, float* __restrict__ y, float inv_area, int images) {
  __shared__ float planes[kPlanes * kRow];
  const i64 first = i64(blockIdx.x) * kPlanes, total = i64(images) * kC;
  const float* src = x + first * kPlane;
  const int here = int(total - first < kPlanes ? total - first : kPlanes) * kPlane;  // the last block's planes
  for (int k = threadIdx.x; k < here; k += kPlanes) planes[(k / kPlane) * kRow + k % kPlane] = src[k];
  __syncthreads();
  if (first + threadIdx.x >= total) return;
  const float* p = planes + threadIdx.x * kRow;
  float sum = 0.f;
  for (int k = 0; k < kPlane; ++k) sum = __fadd_rn(sum, p[k]);
  y[first + threadIdx.x] = __fmul_rn(sum, inv_area);
}
)";
  return constants + R"(
extern "C" __global__ void adq_kernel(const float* __restrict__ x, float* __restrict__ y, float inv_area, int images) {
  const i64 i = adq_global_index();
  if (i >= i64(images) * kC * kOutH * kOutW) return;
  const int ox = int(i % kOutW), oy = int((i / kOutW) % kOutH);
  const i64 plane = i / (i64(kOutH) * kOutW);  // n * kC + c
  const float* xp = x + plane * (i64(kInH) * kInW);
  float sum = 0.f;
  for (int a = 0; a < kK; ++a)
    for (int b = 0; b < kK; ++b) sum = __fadd_rn(sum, xp[(oy * kStride + a) * kInW + ox * kStride + b]);
  y[i] = __fmul_rn(sum, inv_area);
}
)";
}

std::string MaxPoolSource(int channels, int in_h, int in_w, int kernel, int stride, int padding, int out_h, int out_w) {
  return Constants({{"kC", channels}, {"kInH", in_h}, {"kInW", in_w}, {"kK", kernel}, {"kStride", stride},
                    {"kPad", padding}, {"kOutH", out_h}, {"kOutW", out_w}}) +
         EpilogueConstants({}) + kCommon + R"(
// One thread per output. The maxima are taken in the CPU kernel's order (each column's down the
// window's rows, then across the columns, as `m < v ? v : m`), so even the sign of a zero matches.
// Taps outside the image are skipped: padding never wins.
extern "C" __global__ void adq_kernel(const float* __restrict__ x, float* __restrict__ y, float unused, int images) {
  const i64 i = adq_global_index();
  if (i >= i64(images) * kC * kOutH * kOutW) return;
  const int ox = int(i % kOutW), oy = int((i / kOutW) % kOutH);
  const i64 plane = i / (i64(kOutH) * kOutW);  // n * kC + c
  const float* xp = x + plane * (i64(kInH) * kInW);
  const int top = oy * kStride - kPad, left = ox * kStride - kPad;
  const int row_begin = top > 0 ? top : 0, row_end = top + kK < kInH ? top + kK : kInH;
  const int col_begin = left > 0 ? left : 0, col_end = left + kK < kInW ? left + kK : kInW;
  float m = 0.f;
  for (int b = col_begin; b < col_end; ++b) {
    float col = xp[row_begin * kInW + b];
    for (int a = row_begin + 1; a < row_end; ++a) {
      const float v = xp[a * kInW + b];
      col = col < v ? v : col;
    }
    m = b == col_begin ? col : (m < col ? col : m);
  }
  y[i] = m;
}
)";
}

bool GlobalAvgPoolStaged(int in_h, int in_w, int kernel, int out_h, int out_w) {
  const long long row = (static_cast<long long>(in_h) * in_w) | 1;
  return out_h == 1 && out_w == 1 && kernel == in_h && kernel == in_w && row * 128 <= static_cast<long long>(kMaxSharedWords);
}

std::string BatchNormSource(int channels, int plane) {
  return Constants({{"kC", channels}, {"kPlane", plane}}) + EpilogueConstants({}) + kCommon + R"(
// a, b per channel are computed on the host exactly as the CPU kernel computes them.
extern "C" __global__ void adq_kernel(const float* __restrict__ x, const float* __restrict__ a,
                                      const float* __restrict__ b, float* __restrict__ y, int images) {
  const i64 i = adq_global_index();
  if (i >= i64(images) * kC * kPlane) return;
  const int c = int((i / kPlane) % kC);
  y[i] = __fadd_rn(__fmul_rn(a[c], x[i]), b[c]);
}
)";
}

std::string ElementwiseSource(bool add, bool relu) {
  return Constants({{"kAdd", add}}) + EpilogueConstants({false, relu}) + kCommon + R"(
extern "C" __global__ void adq_kernel(const float* __restrict__ a, const float* __restrict__ b,
                                      float* __restrict__ y, long long count) {
  const i64 i = adq_global_index();
  if (i >= count) return;
  float v = kAdd ? __fadd_rn(a[i], b[i]) : a[i];
  if (kRelu) v = adq_relu(v);
  y[i] = v;
}
)";
}


}  // namespace adderq::cuda
