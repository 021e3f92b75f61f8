#include "cuda/kernel_sources.h"

#include <fmt/format.h>

namespace adderq::cuda {
namespace {

// Shared by every kernel: 64-bit index helpers and the epilogue.
constexpr const char* kCommon = R"(
typedef unsigned int u32;
typedef long long i64;
__device__ __forceinline__ i64 adq_global_index() { return i64(blockIdx.x) * blockDim.x + threadIdx.x; }
// std::max(v, 0.f) of the CPU backend: (v < 0) ? 0 : v (keeps -0.0 and NaN as they are).
__device__ __forceinline__ float adq_relu(float v) { return v < 0.f ? 0.f : v; }
__device__ __forceinline__ float adq_epilogue(float acc, float scale, float shift, const float* residual, i64 idx) {
  float v = __fadd_rn(__fmul_rn(scale, acc), shift);
  if (kResidual) v = __fadd_rn(v, residual[idx]);
  if (kRelu) v = adq_relu(v);
  return v;
}
)";

std::string Constants(std::initializer_list<std::pair<const char*, long long>> values) {
  std::string out = "// adderq kernel variant (generated; its constants first)\n";
  for (const auto& [name, v] : values) out += fmt::format("constexpr long long {} = {};\n", name, v);
  return out;
}

std::string EpilogueConstants(const Epilogue& e) {
  return fmt::format("constexpr bool kResidual = {};\nconstexpr bool kRelu = {};\n", e.residual, e.relu);
}

}  // namespace

std::string QuantizeSource(const QuantizeSpec& s) {
  const int lane_bits = 32 / s.lanes;
  return Constants({{"kC", s.channels}, {"kPlane", s.plane}, {"kWords", s.words_per_pixel}, {"kLanes", s.lanes},
                    {"kLaneBits", lane_bits}, {"kLevels", (1 << s.bits) - 1}, {"kOffset", 1 << s.bits}}) +
         EpilogueConstants({}) + kCommon + R"(
// codes[n][pixel][word]: lane e of word w holds channel w*kLanes+e as q_a + kOffset (kOffset alone
// for padding channels, which the weights match, so they add 0).
extern "C" __global__ void adq_kernel(const float* __restrict__ x, u32* __restrict__ codes, float multiplier,
                                      int images) {
  const i64 i = adq_global_index();  // (n, word, pixel), pixel fastest: coalesced reads of x
  if (i >= i64(images) * kPlane * kWords) return;
  const int pixel = int(i % kPlane);
  const int word = int((i / kPlane) % kWords);
  const i64 n = i / (i64(kPlane) * kWords);
  const float* xn = x + n * (kC * kPlane) + pixel;
  u32 packed = 0;
#pragma unroll
  for (int e = 0; e < kLanes; ++e) {
    const int c = word * kLanes + e;
    // q_a = clip(round_half_even(x * m), 0, L), as quant::QuantizeActivation.
    float q = 0.f;
    if (c < kC) q = fminf(fmaxf(rintf(__fmul_rn(xn[i64(c) * kPlane], multiplier)), 0.f), float(kLevels));
    if (kLanes == 1) packed = __float_as_uint(q);  // float lanes (8 bits): the code as a float
    else packed |= (u32(q) + u32(kOffset)) << (e * kLaneBits);
  }
  codes[(n * kPlane + pixel) * kWords + word] = packed;
}
)";
}

std::string AdderQuantSource(const AdderQuantSpec& s) {
  const int lane_bits = 32 / s.lanes;
  long long pad_word = 0;  // the code of a zero-padding position (float lanes: 0.0f, all bits 0)
  if (s.lanes > 1)
    for (int e = 0; e < s.lanes; ++e) pad_word |= (1LL << s.bits) << (e * lane_bits);
  return Constants({{"kInH", s.in_h}, {"kInW", s.in_w}, {"kWords", s.words_per_pixel}, {"kLanes", s.lanes},
                    {"kKH", s.kernel_h}, {"kKW", s.kernel_w}, {"kStride", s.stride}, {"kPad", s.padding},
                    {"kOutC", s.out_c}, {"kOutH", s.out_h}, {"kOutW", s.out_w}, {"kTile", s.channel_tile},
                    {"kChunk", s.chunk}, {"kThreads", s.threads}, {"kPadWord", pad_word}}) +
         EpilogueConstants(s.epilogue) + kCommon + R"(
constexpr int kWeightsPerChannel = kKH * kKW * kWords;
// acc += sum of |a_i - b_i| over the packed lanes (4 x 8-bit or 2 x 16-bit), as one PTX video
// instruction with its accumulate (the __vsadu4 intrinsic adds a separate add and a zero move).
__device__ __forceinline__ void adq_sad_acc(int& acc, u32 a, u32 b) {
  if (kLanes == 4) asm("vabsdiff4.u32.u32.u32.add %0, %1, %2, %0;" : "+r"(acc) : "r"(a), "r"(b));
  else asm("vabsdiff2.u32.u32.u32.add %0, %1, %2, %0;" : "+r"(acc) : "r"(a), "r"(b));
}
// Float lanes (8 bits: |q_a - 2 q_w| needs 10 bits, too wide for byte lanes, and the 16-bit video
// instruction is slow): two FP32 adds per term, the absolute value a free operand modifier. Exact:
// every partial sum is an integer below 2^24.
__device__ __forceinline__ void adq_sad_acc(float& acc, u32 a, u32 b) {
  acc = __fadd_rn(acc, fabsf(__fsub_rn(__uint_as_float(a), __uint_as_float(b))));
}
typedef )" + std::string(s.lanes == 1 ? "float" : "int") + R"( acc_t;

// codes: [images][kInH*kInW][kWords]; weights: [set_channels][kKH][kKW][kWords] packed as 2 q_w + 2^b;
// channel_map: output channel of each of the set's channels; y, residual: [images][kOutC][kOutH*kOutW].
extern "C" __global__ void __launch_bounds__(kThreads)
adq_kernel(const u32* __restrict__ codes, const u32* __restrict__ weights, const int* __restrict__ channel_map,
           const float* __restrict__ scale, const float* __restrict__ shift, const float* __restrict__ residual,
           float* __restrict__ y, int set_channels, int images) {
  __shared__ __align__(16) u32 w_s[kTile * kWeightsPerChannel];
  const int o0 = blockIdx.y * kTile;
  for (int i = threadIdx.x; i < kTile * kWeightsPerChannel; i += kThreads) {
    const int o = o0 + i / kWeightsPerChannel;
    w_s[i] = o < set_channels ? weights[i64(o) * kWeightsPerChannel + i % kWeightsPerChannel] : 0u;
  }
  __syncthreads();
  const i64 pix = i64(blockIdx.x) * kThreads + threadIdx.x;
  if (pix >= i64(images) * kOutH * kOutW) return;
  const int ox = int(pix % kOutW), oy = int((pix / kOutW) % kOutH);
  const i64 n = pix / (kOutH * kOutW);
  const u32* img = codes + n * (i64(kInH) * kInW * kWords);
  acc_t acc[kTile];
#pragma unroll
  for (int o = 0; o < kTile; ++o) acc[o] = 0;
  // The window loops stay rolled: the unrolled body (kTile x kChunk packed SADs) already hides
  // their overhead, and unrolling them too multiplies NVRTC time (10 s for a 64-channel layer).
#pragma unroll 1
  for (int ki = 0; ki < kKH; ++ki) {
    const int iy = oy * kStride + ki - kPad;
#pragma unroll 1
    for (int kj = 0; kj < kKW; ++kj) {
      const int ix = ox * kStride + kj - kPad;
      const bool inside = iy >= 0 && iy < kInH && ix >= 0 && ix < kInW;
      const u32* a_ptr = img + (i64(iy) * kInW + ix) * kWords;
#pragma unroll
      for (int c0 = 0; c0 < kWords; c0 += kChunk) {
        u32 a[kChunk];
        if (kChunk % 4 == 0 && kWords % 4 == 0) {
#pragma unroll
          for (int c = 0; c < kChunk; c += 4) {
            uint4 v = inside ? *reinterpret_cast<const uint4*>(a_ptr + c0 + c) : make_uint4(kPadWord, kPadWord, kPadWord, kPadWord);
            a[c] = v.x; a[c + 1] = v.y; a[c + 2] = v.z; a[c + 3] = v.w;
          }
        } else {
#pragma unroll
          for (int c = 0; c < kChunk; ++c) a[c] = inside ? a_ptr[c0 + c] : u32(kPadWord);
        }
#pragma unroll
        for (int o = 0; o < kTile; ++o) {
          const u32* w = w_s + o * kWeightsPerChannel + (ki * kKW + kj) * kWords + c0;
          if (kChunk % 4 == 0 && kWords % 4 == 0) {
            // 128-bit shared loads (a broadcast: every thread reads the same filter words).
#pragma unroll
            for (int c = 0; c < kChunk; c += 4) {
              const uint4 wv = *reinterpret_cast<const uint4*>(w + c);
              adq_sad_acc(acc[o], a[c], wv.x);
              adq_sad_acc(acc[o], a[c + 1], wv.y);
              adq_sad_acc(acc[o], a[c + 2], wv.z);
              adq_sad_acc(acc[o], a[c + 3], wv.w);
            }
          } else {
#pragma unroll
            for (int c = 0; c < kChunk; ++c) adq_sad_acc(acc[o], a[c], w[c]);
          }
        }
      }
    }
  }
  const i64 p = i64(oy) * kOutW + ox;
#pragma unroll
  for (int o = 0; o < kTile; ++o) {
    const int oc = o0 + o;
    if (oc >= set_channels) break;
    const int ch = channel_map[oc];
    const i64 idx = (n * kOutC + ch) * (i64(kOutH) * kOutW) + p;
    y[idx] = adq_epilogue(float(acc[o]), scale[ch], shift[ch], residual, idx);
  }
}
)";
}

std::string ConvLikeFloatSource(const ConvLikeFloatSpec& s) {
  return Constants({{"kAdder", s.adder}, {"kC", s.in_c}, {"kInH", s.in_h}, {"kInW", s.in_w}, {"kO", s.out_c},
                    {"kOutH", s.out_h}, {"kOutW", s.out_w}, {"kKH", s.kernel_h}, {"kKW", s.kernel_w},
                    {"kStride", s.stride}, {"kPad", s.padding}}) +
         EpilogueConstants(s.epilogue) + kCommon + R"(
// One thread per output value, accumulating over (c, i, j) in the CPU backend's order, padding
// included (a padded position reads 0), so the float sums are identical.
extern "C" __global__ void adq_kernel(const float* __restrict__ x, const float* __restrict__ weight,
                                      const float* __restrict__ scale, const float* __restrict__ shift,
                                      const float* __restrict__ residual, float* __restrict__ y, int images) {
  const i64 i = adq_global_index();
  constexpr i64 kP = i64(kOutH) * kOutW;
  if (i >= i64(images) * kO * kP) return;
  const int p = int(i % kP);
  const int o = int((i / kP) % kO);
  const i64 n = i / (kO * kP);
  const int oy = p / kOutW, ox = p % kOutW;
  const float* xn = x + n * (i64(kC) * kInH * kInW);
  const float* w = weight + i64(o) * kC * kKH * kKW;
  float acc = 0.f;
  for (int c = 0; c < kC; ++c) {
#pragma unroll
    for (int ki = 0; ki < kKH; ++ki) {
      const int iy = oy * kStride + ki - kPad;
#pragma unroll
      for (int kj = 0; kj < kKW; ++kj) {
        const int ix = ox * kStride + kj - kPad;
        const float v = (iy >= 0 && iy < kInH && ix >= 0 && ix < kInW) ? xn[(i64(c) * kInH + iy) * kInW + ix] : 0.f;
        const float wv = w[(c * kKH + ki) * kKW + kj];
        acc = __fadd_rn(acc, kAdder ? fabsf(__fsub_rn(v, wv)) : __fmul_rn(v, wv));
      }
    }
  }
  y[i] = adq_epilogue(acc, scale[o], shift[o], residual, i);
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
  return Constants({{"kC", channels}, {"kInH", in_h}, {"kInW", in_w}, {"kK", kernel}, {"kStride", stride},
                    {"kOutH", out_h}, {"kOutW", out_w}}) +
         EpilogueConstants({}) + kCommon + R"(
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
