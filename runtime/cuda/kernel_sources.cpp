#include "cuda/kernel_sources.h"

#include <algorithm>

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

// Unfused layers get the same constants (unused) so that one kernel text serves both forms.
std::string CodesOutConstants(const CodesOut& c, bool float_out) {
  const int lanes = kCodeLanes, bits = c.enabled ? c.bits : 8;
  return fmt::format(
      "constexpr bool kCodesOut = {};\nconstexpr bool kFloatOut = {};\nconstexpr int kOutWords = {};\n"
      "constexpr int kOutLanes = {};\nconstexpr int kOutLaneBits = {};\nconstexpr int kOutLevels = {};\n"
      "constexpr int kOutOffset = {};\nconstexpr bool kShortcutCodesOut = {};\nconstexpr int kShortcutStride = {};\n"
      "constexpr int kShortcutH = {};\nconstexpr int kShortcutW = {};\n",
      c.enabled, float_out || !c.enabled, c.enabled ? c.words_per_pixel : 1, lanes, 32 / lanes, (1 << bits) - 1, quant::ByteCodeOffset(bits),
      c.enabled && c.shortcut_stride > 0, std::max(c.shortcut_stride, 1), std::max(c.shortcut_h, 1), std::max(c.shortcut_w, 1));
}

// Fused codes, for the epilogues that write them (the packed-SIMD adder kernel, the float
// convolution): one lane's code and a thread's whole code words of one pixel.
constexpr const char* kCodeWordsOut = R"(
// q_a = clip(round_half_even(v * m), 0, L) plus the lane offset: the quantize kernel's expression.
__device__ __forceinline__ u32 adq_code_lane(float v, float multiplier) {
  return u32(fminf(fmaxf(rintf(__fmul_rn(v, multiplier)), 0.f), float(kOutLevels))) + u32(kOutOffset);
}
// words[w] holds the codes of the thread's channels w * kOutLanes.. : value(c, v) sets v to channel
// c's epilogue value (storing its float where wanted) or returns false for a padding channel,
// whose lane holds the consumer's padding code.
template <int kWords, class Value>
__device__ __forceinline__ void adq_pack_code_words(u32 (&words)[kWords], float multiplier, Value value) {
#pragma unroll
  for (int w = 0; w < kWords; ++w) {
    u32 packed = 0;
#pragma unroll
    for (int e = 0; e < kOutLanes; ++e) {
      float v = 0.f;
      const u32 code = value(w * kOutLanes + e, v) ? adq_code_lane(v, multiplier) : u32(kOutOffset);
      packed |= code << (e * kOutLaneBits);
    }
    words[w] = packed;
  }
}
// words[] at word first_word of the pixel's kOutWords (those past the end are padding channels').
template <int kWords>
__device__ __forceinline__ void adq_store_code_words(u32* __restrict__ dst, const u32 (&words)[kWords], int first_word) {
  if (kWords % 4 == 0 && kOutWords % 4 == 0) {  // 16-byte stores (first_word is a multiple of 4)
#pragma unroll
    for (int w = 0; w < kWords; w += 4)
      if (first_word + w < kOutWords) *reinterpret_cast<uint4*>(dst + w) = make_uint4(words[w], words[w + 1], words[w + 2], words[w + 3]);
  } else {
#pragma unroll
    for (int w = 0; w < kWords; ++w)
      if (first_word + w < kOutWords) dst[w] = words[w];
  }
}
)";

// The end of the packed-SIMD adder kernel for one output pixel (output offset `out_base`) and the
// block's kTile channels: the epilogue's floats and, with fused codes, the consumer's codes of the
// same values, quantized as its quantize kernel would (identical words), and where a strided 1x1
// shortcut reads the same tensor, its codes too (CodesOut::shortcut_stride).
constexpr const char* kAdderStorePixel = R"(
__device__ __forceinline__ void adq_store_pixel(const int (&acc)[kTile], int o0, int set_channels, i64 out_base,
                                                const int* __restrict__ sum_bias, const int* __restrict__ channel_map,
                                                const float* __restrict__ scale,
                                                const float* __restrict__ shift, const float* __restrict__ residual,
                                                float* __restrict__ y, u32* __restrict__ codes_out, float out_multiplier,
                                                u32* __restrict__ shortcut_codes, float shortcut_multiplier) {
  if (!kCodesOut) {
#pragma unroll
    for (int o = 0; o < kTile; ++o) {
      const int oc = o0 + o;
      if (oc >= set_channels) break;
      const int ch = channel_map[oc];
      const int offset = ch * int(kOutH * kOutW);
      y[out_base + offset] = adq_epilogue(float(acc[o] + (kSumBias ? sum_bias[oc] : 0)), scale[ch], shift[ch],
                                          kResidual ? residual + out_base : residual, offset);
    }
    return;
  }
  // The plan fuses codes only where the set is every channel in order (channel_map is the
  // identity) and kOutLanes divides kTile: this thread holds whole code words of its pixel.
  static_assert(kTile % kOutLanes == 0, "a thread must hold whole code words");
  constexpr int kWordsHere = kTile / kOutLanes;
  u32 words[kWordsHere];
  float values[kTile] = {};  // kept for the shortcut's codes
  adq_pack_code_words(words, out_multiplier, [&](int c, float& v) {
    const int oc = o0 + c;
    if (oc >= set_channels) return false;  // past the layer's channels
    const int offset = oc * int(kOutH * kOutW);
    const int sum = acc[c] + (kSumBias ? sum_bias[oc] : 0);
    v = adq_epilogue(float(sum), scale[oc], shift[oc], kResidual ? residual + out_base : residual, offset);
    if (kFloatOut) y[out_base + offset] = v;
    if (kShortcutCodesOut) values[c] = v;
    return true;
  });
  // The pixel's index over the batch, from out_base = n * kOutC * P + p (a division by a constant
  // here, rather than one more 64-bit value live across the window loops: that made ptxas spill).
  constexpr i64 kP = i64(kOutH) * kOutW;
  const i64 n = out_base / (kOutC * kP);
  const int p = int(out_base % (kOutC * kP));
  const int first_word = o0 / kOutLanes;
  adq_store_code_words(codes_out + (n * kP + p) * kOutWords + first_word, words, first_word);
  if (!kShortcutCodesOut) return;
  // The shortcut reads every kShortcutStride-th row and column: those pixels get its codes too,
  // the same values under its own multiplier, at their place in its smaller code image.
  const int oy = p / int(kOutW), ox = p % int(kOutW);
  if (oy % kShortcutStride != 0 || ox % kShortcutStride != 0) return;
  u32 shortcut_words[kWordsHere];
  adq_pack_code_words(shortcut_words, shortcut_multiplier, [&](int c, float& v) {
    if (o0 + c >= set_channels) return false;
    v = values[c];
    return true;
  });
  const i64 coded = n * (i64(kShortcutH) * kShortcutW) + (oy / kShortcutStride) * kShortcutW + ox / kShortcutStride;
  adq_store_code_words(shortcut_codes + coded * kOutWords + first_word, shortcut_words, first_word);
}
)";

// The packed-SIMD adder kernel's body, one output pixel per thread: the form measured on a GPU
// (docs/benchmarks.md). The blocked form below computes the same sums; written for one pixel it
// costs ptxas registers (64 -> 104) or spills, so the one-pixel form stays as it is.
constexpr const char* kAdderOnePixelBody = R"(// codes: [images][kInH*kInW][kWords]; weights: [set_channels][kKH][kKW][kWords] byte lanes (quant::WeightByte);
// channel_map: output channel of each of the set's channels; y, residual: [images][kOutC][kOutH*kOutW].
extern "C" __global__ void __launch_bounds__(kThreads)
adq_kernel(const u32* __restrict__ codes, const u32* __restrict__ weights, const int* __restrict__ channel_map,
           const float* __restrict__ scale, const float* __restrict__ shift, const float* __restrict__ residual,
           float* __restrict__ y, int set_channels, int images, u32* __restrict__ codes_out, float out_multiplier,
           const int* __restrict__ sum_bias, u32* __restrict__ shortcut_codes, float shortcut_multiplier) {
  __shared__ __align__(16) u32 w_s[kTile * kWeightsPerChannel];
  const int o0 = blockIdx.y * kTile;
  for (int i = threadIdx.x; i < kTile * kWeightsPerChannel; i += kThreads) {
    const int o = o0 + i / kWeightsPerChannel;
    w_s[i] = o < set_channels ? weights[i64(o) * kWeightsPerChannel + i % kWeightsPerChannel] : 0u;
  }
  __syncthreads();
  const i64 pix = i64(blockIdx.x) * kThreads + threadIdx.x;
  if (pix >= i64(images) * kOutH * kOutW) return;
  // One 64-bit division for the image, 32-bit arithmetic within it (fewer registers: the 64-bit
  // forms made ptxas spill in the 16-channel layers on sm_80).
  const i64 n = pix / (kOutH * kOutW);
  const int p = int(pix - n * (kOutH * kOutW));
  const int ox = p % int(kOutW), oy = p / int(kOutW);
  const u32* img = codes + n * (i64(kInH) * kInW * kWords);
  // Only this offset stays live across the window loops for the epilogue; the channels' offsets
  // from it are 32-bit (64-bit index arithmetic made ptxas spill in some layers).
  const i64 out_base = n * kOutC * (i64(kOutH) * kOutW) + p;
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
      // A 32-bit offset within the image: with the 64-bit one ptxas spilled a register in the
      // 32-channel layers (`adderq-run jit --resources`).
      const u32* a_ptr = img + (iy * int(kInW) + ix) * int(kWords);
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
  adq_store_pixel(acc, o0, set_channels, out_base, sum_bias, channel_map, scale, shift, residual, y, codes_out, out_multiplier,
                  shortcut_codes, shortcut_multiplier);
}
)";

// kPixels output pixels per thread (register blocking), for tuning until measured on a GPU.
constexpr const char* kAdderBlockedBody = R"(// codes: [images][kInH*kInW][kWords]; weights: [set_channels][kKH][kKW][kWords] byte lanes (quant::WeightByte);
// channel_map: output channel of each of the set's channels; y, residual: [images][kOutC][kOutH*kOutW].
// At least two blocks per SM (up to 255 registers): left to itself ptxas held the blocked kernel
// to 80 registers and spilled.
extern "C" __global__ void __launch_bounds__(kThreads, 2)
adq_kernel(const u32* __restrict__ codes, const u32* __restrict__ weights, const int* __restrict__ channel_map,
           const float* __restrict__ scale, const float* __restrict__ shift, const float* __restrict__ residual,
           float* __restrict__ y, int set_channels, int images, u32* __restrict__ codes_out, float out_multiplier,
           const int* __restrict__ sum_bias, u32* __restrict__ shortcut_codes, float shortcut_multiplier) {
  __shared__ __align__(16) u32 w_s[kTile * kWeightsPerChannel];
  const int o0 = blockIdx.y * kTile;
  for (int i = threadIdx.x; i < kTile * kWeightsPerChannel; i += kThreads) {
    const int o = o0 + i / kWeightsPerChannel;
    w_s[i] = o < set_channels ? weights[i64(o) * kWeightsPerChannel + i % kWeightsPerChannel] : 0u;
  }
  __syncthreads();
  // kPixels output pixels per thread (register blocking: each filter word read from shared memory
  // serves kPixels pixels), kThreads apart so that a warp's loads and stores stay contiguous.
  const i64 total = i64(images) * kOutH * kOutW;
  const i64 first = i64(blockIdx.x) * (kThreads * kPixels) + threadIdx.x;
  if (first >= total) return;
  const u32* img[kPixels];
  int oy[kPixels], ox[kPixels];
  bool valid[kPixels];
  // Only this offset per pixel stays live across the window loops for the epilogue; the rest is
  // 32-bit within an image (64-bit index arithmetic made ptxas spill: `adderq-run jit --resources`).
  i64 out_base[kPixels];
#pragma unroll
  for (int j = 0; j < kPixels; ++j) {
    const i64 pix = first + i64(j) * kThreads;
    valid[j] = pix < total;
    const i64 n = (valid[j] ? pix : first) / (kOutH * kOutW);
    const int p = int((valid[j] ? pix : first) - n * (kOutH * kOutW));
    ox[j] = p % int(kOutW);
    oy[j] = p / int(kOutW);
    img[j] = codes + n * (i64(kInH) * kInW * kWords);
    out_base[j] = n * kOutC * (i64(kOutH) * kOutW) + p;
  }
  acc_t acc[kPixels][kTile];
#pragma unroll
  for (int j = 0; j < kPixels; ++j)
#pragma unroll
    for (int o = 0; o < kTile; ++o) acc[j][o] = 0;
  // The window loops stay rolled: the unrolled body (kPixels x kTile x kChunk packed SADs) already
  // hides their overhead, and unrolling them too multiplies NVRTC time (10 s for a 64-channel layer).
#pragma unroll 1
  for (int ki = 0; ki < kKH; ++ki) {
#pragma unroll 1
    for (int kj = 0; kj < kKW; ++kj) {
      const u32* a_ptr[kPixels];
      bool inside[kPixels];
#pragma unroll
      for (int j = 0; j < kPixels; ++j) {
        const int iy = oy[j] * kStride + ki - kPad, ix = ox[j] * kStride + kj - kPad;
        inside[j] = iy >= 0 && iy < kInH && ix >= 0 && ix < kInW;
        a_ptr[j] = img[j] + (iy * int(kInW) + ix) * int(kWords);
      }
#pragma unroll
      for (int c0 = 0; c0 < kWords; c0 += kChunk) {
        u32 a[kPixels][kChunk];
#pragma unroll
        for (int j = 0; j < kPixels; ++j) {
          if (kChunk % 4 == 0 && kWords % 4 == 0) {
#pragma unroll
            for (int c = 0; c < kChunk; c += 4) {
              uint4 v = inside[j] ? *reinterpret_cast<const uint4*>(a_ptr[j] + c0 + c) : make_uint4(kPadWord, kPadWord, kPadWord, kPadWord);
              a[j][c] = v.x; a[j][c + 1] = v.y; a[j][c + 2] = v.z; a[j][c + 3] = v.w;
            }
          } else {
#pragma unroll
            for (int c = 0; c < kChunk; ++c) a[j][c] = inside[j] ? a_ptr[j][c0 + c] : u32(kPadWord);
          }
        }
#pragma unroll
        for (int o = 0; o < kTile; ++o) {
          const u32* w = w_s + o * kWeightsPerChannel + (ki * kKW + kj) * kWords + c0;
          if (kChunk % 4 == 0 && kWords % 4 == 0) {
            // 128-bit shared loads (a broadcast: every thread reads the same filter words).
#pragma unroll
            for (int c = 0; c < kChunk; c += 4) {
              const uint4 wv = *reinterpret_cast<const uint4*>(w + c);
#pragma unroll
              for (int j = 0; j < kPixels; ++j) {
                adq_sad_acc(acc[j][o], a[j][c], wv.x);
                adq_sad_acc(acc[j][o], a[j][c + 1], wv.y);
                adq_sad_acc(acc[j][o], a[j][c + 2], wv.z);
                adq_sad_acc(acc[j][o], a[j][c + 3], wv.w);
              }
            }
          } else {
#pragma unroll
            for (int c = 0; c < kChunk; ++c) {
              const u32 wv = w[c];
#pragma unroll
              for (int j = 0; j < kPixels; ++j) adq_sad_acc(acc[j][o], a[j][c], wv);
            }
          }
        }
      }
    }
  }
#pragma unroll
  for (int j = 0; j < kPixels; ++j)
    if (valid[j])
      adq_store_pixel(acc[j], o0, set_channels, out_base[j], sum_bias, channel_map, scale, shift, residual, y, codes_out,
                      out_multiplier, shortcut_codes, shortcut_multiplier);
}
)";

}  // namespace

std::string QuantizeSource(const QuantizeSpec& s) {
  const int lane_bits = 32 / s.lanes;
  const bool sampled = s.stride > 1;
  return Constants({{"kC", s.channels}, {"kPlane", s.plane}, {"kWords", s.words_per_pixel}, {"kLanes", s.lanes},
                    {"kLaneBits", lane_bits}, {"kLevels", (1 << s.bits) - 1}, {"kOffset", quant::ByteCodeOffset(s.bits)},
                    {"kThermometer", s.thermometer}, {"kSampleStride", sampled ? s.stride : 1},
                    {"kSrcPlane", sampled ? s.in_h * s.in_w : s.plane}, {"kSrcW", sampled ? s.in_w : 0},
                    {"kCodedW", sampled ? s.coded_w : 0}}) +
         EpilogueConstants({}) + kCommon + R"(
// codes[n][pixel][word]: lane e of word w holds channel w*kLanes+e as q_a + kOffset (kOffset alone
// for padding channels, which the weights match, so they add 0); or as the thermometer code
// 2^q_a - 1 (0 for padding channels, which the weights also hold as 0).
extern "C" __global__ void adq_kernel(const float* __restrict__ x, u32* __restrict__ codes, float multiplier,
                                      int images) {
  const i64 i = adq_global_index();  // (n, word, pixel), pixel fastest: coalesced reads of x
  if (i >= i64(images) * kPlane * kWords) return;
  const int pixel = int(i % kPlane);
  const int word = int((i / kPlane) % kWords);
  const i64 n = i / (i64(kPlane) * kWords);
  // The input pixel this code is for (a 1x1 strided layer's codes skip the others).
  const int src = kSampleStride == 1 ? pixel
                                     : (pixel / int(kCodedW)) * int(kSampleStride * kSrcW) + (pixel % int(kCodedW)) * int(kSampleStride);
  const float* xn = x + n * (kC * kSrcPlane) + src;
  u32 packed = 0;
#pragma unroll
  for (int e = 0; e < kLanes; ++e) {
    const int c = word * kLanes + e;
    // q_a = clip(round_half_even(x * m), 0, L), as quant::QuantizeActivation.
    float q = 0.f;
    if (c < kC) q = fminf(fmaxf(rintf(__fmul_rn(xn[i64(c) * kSrcPlane], multiplier)), 0.f), float(kLevels));
    if (kThermometer) packed |= ((1u << u32(q)) - 1u) << (e * kLaneBits);
    else packed |= (u32(q) + u32(kOffset)) << (e * kLaneBits);
  }
  codes[(n * kPlane + pixel) * kWords + word] = packed;
}
)";
}

std::string AdderQuantSource(const AdderQuantSpec& s) {
  const int lane_bits = 32 / s.lanes;
  long long pad_word = 0;  // the code of a zero-padding position: the offset in every lane
  for (int e = 0; e < s.lanes; ++e) pad_word |= (long long)quant::ByteCodeOffset(s.bits) << (e * lane_bits);
  return Constants({{"kInH", s.in_h}, {"kInW", s.in_w}, {"kWords", s.words_per_pixel}, {"kLanes", s.lanes},
                    {"kKH", s.kernel_h}, {"kKW", s.kernel_w}, {"kStride", s.stride}, {"kPad", s.padding},
                    {"kOutC", s.out_c}, {"kOutH", s.out_h}, {"kOutW", s.out_w}, {"kTile", s.channel_tile},
                    {"kChunk", s.chunk}, {"kThreads", s.threads}, {"kPixels", s.pixels}, {"kPadWord", pad_word},
                    {"kSumBias", s.bits > 7}}) +
         CodesOutConstants(s.codes_out, s.float_out) + EpilogueConstants(s.epilogue) + kCommon + R"(
constexpr int kWeightsPerChannel = kKH * kKW * kWords;
// acc += sum of |a_i - b_i| over the packed lanes (4 x 8-bit), as one PTX video instruction with
// its accumulate (the __vsadu4 intrinsic adds a separate add and a zero move).
// (ADQ_HOST_EMULATION: the tests compile these sources for the host, where each PTX instruction
// is a function of the test's; see tests/cuda_host_emulation.h.)
__device__ __forceinline__ void adq_sad_acc(int& acc, u32 a, u32 b) {
#ifdef ADQ_HOST_EMULATION
  acc = adq_emu_vabsdiff_add(int(kLanes), a, b, acc);
#else
  static_assert(kLanes == 4, "byte lanes");
  asm("vabsdiff4.u32.u32.u32.add %0, %1, %2, %0;" : "+r"(acc) : "r"(a), "r"(b));
#endif
}
typedef int acc_t;
)" + kCodeWordsOut + kAdderStorePixel + std::string(s.pixels > 1 ? kAdderBlockedBody : kAdderOnePixelBody);
}

std::string AdderTensorCoreSource(const AdderTensorCoreSpec& s) {
  return Constants({{"kInH", s.in_h}, {"kInW", s.in_w}, {"kWords", s.words_per_pixel}, {"kKH", s.kernel_h},
                    {"kKW", s.kernel_w}, {"kStride", s.stride}, {"kPad", s.padding}, {"kOutC", s.out_c},
                    {"kOutH", s.out_h}, {"kOutW", s.out_w}, {"kNTiles", s.n_tiles}, {"kMTiles", s.m_tiles}}) +
         EpilogueConstants(s.epilogue) + kCommon + R"KERNEL(
constexpr int kTaps = kKH * kKW;
constexpr int kChunks = kWords / 8;       // 256-bit k steps per pixel
constexpr int kWarps = 4;                 // per block (the plan launches 128 threads)
constexpr int kWarpPixels = 16 * kMTiles;

// D += popcount(A AND B) for a 16x256 (rows: pixels) by 256x8 (columns: channels) bit tile.
// Fragments (PTX ISA, mma.m16n8k256 .b1): with g = lane / 4 and t = lane % 4, a0/a2 hold row g and
// a1/a3 row g + 8, a0/a1 the k bits 32t..32t+31 and a2/a3 the bits 128+32t..; b0/b1 those k bits
// of column g; d0/d1 row g, columns 2t and 2t + 1; d2/d3 the same for row g + 8. Only the pairing
// matters for a dot product, so each thread feeds its two consecutive words 2t, 2t + 1 of every
// 8-word k step to the first and second half: A and B agree, whatever bit order that means for k.
__device__ __forceinline__ void adq_bmma(int (&d)[4], uint2 row_g, uint2 row_g8, uint2 b) {
#ifdef ADQ_HOST_EMULATION
  adq_emu_bmma_and_popc(d, row_g.x, row_g8.x, row_g.y, row_g8.y, b.x, b.y);
#else
  asm("mma.sync.aligned.m16n8k256.row.col.s32.b1.b1.s32.and.popc "
               "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};"
               : "+r"(d[0]), "+r"(d[1]), "+r"(d[2]), "+r"(d[3])
               : "r"(row_g.x), "r"(row_g8.x), "r"(row_g.y), "r"(row_g8.y), "r"(b.x), "r"(b.y));
#endif
}

// codes: [images][kInH*kInW][kWords] thermometer words; weights: [channels padded to the grid's
// n tiles][kTaps][kWords] thermometer words of max(2 q_w, 0); weight_abs: sum |2 q_w| per set
// channel; channel_map, scale, shift, residual, y as in the packed-SIMD kernel. At least two blocks
// per SM: up to 255 registers a thread. Without the hint ptxas aimed at four (128 registers) for
// 3-bit 64-channel layers and spilled; the 4-bit ones chose 174 registers unprompted.
extern "C" __global__ void __launch_bounds__(kWarps * 32, 2)
adq_kernel(const u32* __restrict__ codes, const u32* __restrict__ weights, const int* __restrict__ channel_map,
           const int* __restrict__ weight_abs, const float* __restrict__ scale, const float* __restrict__ shift,
           const float* __restrict__ residual, float* __restrict__ y, int set_channels, int images) {
  constexpr i64 kP = i64(kOutH) * kOutW;
  const int lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  const i64 total = i64(images) * kP;
  const i64 m0 = (i64(blockIdx.x) * kWarps + (threadIdx.x >> 5)) * kWarpPixels;
  if (m0 >= total) return;  // the whole warp: mma.sync needs every lane below
  const int n0 = blockIdx.y * (8 * kNTiles);

  // This thread's output pixels: row g and g + 8 of each m tile. Each keeps a pointer to its image
  // (a tap adds a 32-bit offset): a 64-bit index per tap made ptxas spill in the 32-channel layers.
  const u32* row_base[kMTiles][2];
  int row_y[kMTiles][2], row_x[kMTiles][2];
  bool row_ok[kMTiles][2];
#pragma unroll
  for (int mt = 0; mt < kMTiles; ++mt)
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      const i64 m = m0 + mt * 16 + h * 8 + g;
      row_ok[mt][h] = m < total;
      const i64 mm = row_ok[mt][h] ? m : 0;
      row_base[mt][h] = codes + (mm / kP) * (kInH * kInW * kWords) + 2 * t;
      const int p = int(mm % kP);
      row_y[mt][h] = (p / kOutW) * kStride - kPad;
      row_x[mt][h] = (p % kOutW) * kStride - kPad;
    }

  int acc[kMTiles][kNTiles][4];
  int code_sum[kMTiles][2];
#pragma unroll
  for (int mt = 0; mt < kMTiles; ++mt) {
    code_sum[mt][0] = code_sum[mt][1] = 0;
#pragma unroll
    for (int nt = 0; nt < kNTiles; ++nt) acc[mt][nt][0] = acc[mt][nt][1] = acc[mt][nt][2] = acc[mt][nt][3] = 0;
  }
  const u32* w_thread = weights + i64(n0 + g) * (kTaps * kWords) + 2 * t;

#pragma unroll 1
  for (int tap = 0; tap < kTaps; ++tap) {
    const int ki = tap / kKW, kj = tap % kKW;
    const u32* a_ptr[kMTiles][2];
#pragma unroll
    for (int mt = 0; mt < kMTiles; ++mt)
#pragma unroll
      for (int h = 0; h < 2; ++h) {
        const int iy = row_y[mt][h] + ki, ix = row_x[mt][h] + kj;
        const bool inside = row_ok[mt][h] && iy >= 0 && iy < kInH && ix >= 0 && ix < kInW;
        // Zero padding is q_a = 0: an all-zero thermometer word (nullptr: not loaded).
        a_ptr[mt][h] = inside ? row_base[mt][h] + (iy * int(kInW) + ix) * int(kWords) : nullptr;
      }
#pragma unroll
    for (int j = 0; j < kChunks; ++j) {
      uint2 a[kMTiles][2];
#pragma unroll
      for (int mt = 0; mt < kMTiles; ++mt)
#pragma unroll
        for (int h = 0; h < 2; ++h) {
          a[mt][h] = a_ptr[mt][h] ? *reinterpret_cast<const uint2*>(a_ptr[mt][h] + 8 * j) : make_uint2(0u, 0u);
          code_sum[mt][h] += __popc(a[mt][h].x) + __popc(a[mt][h].y);
        }
#pragma unroll
      for (int nt = 0; nt < kNTiles; ++nt) {
        const uint2 b = __ldg(reinterpret_cast<const uint2*>(w_thread + i64(nt * 8) * (kTaps * kWords) + tap * kWords + 8 * j));
#pragma unroll
        for (int mt = 0; mt < kMTiles; ++mt) adq_bmma(acc[mt][nt], a[mt][0], a[mt][1], b);
      }
    }
  }

  // sum(q_a) of a row: its four threads (t = 0..3) each counted a quarter of its bits.
#pragma unroll
  for (int mt = 0; mt < kMTiles; ++mt)
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      code_sum[mt][h] += __shfl_xor_sync(0xffffffffu, code_sum[mt][h], 1);
      code_sum[mt][h] += __shfl_xor_sync(0xffffffffu, code_sum[mt][h], 2);
    }

#pragma unroll
  for (int mt = 0; mt < kMTiles; ++mt)
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      if (!row_ok[mt][h]) continue;
      const i64 m = m0 + mt * 16 + h * 8 + g;
      const i64 out_base = (m / kP) * (kOutC * kP) + m % kP;
#pragma unroll
      for (int nt = 0; nt < kNTiles; ++nt)
#pragma unroll
        for (int e = 0; e < 2; ++e) {
          const int oc = n0 + nt * 8 + 2 * t + e;
          if (oc >= set_channels) continue;
          const int sum = code_sum[mt][h] + weight_abs[oc] - 2 * acc[mt][nt][h * 2 + e];
          const int ch = channel_map[oc];
          const int offset = ch * int(kP);  // 32-bit, as in the packed-SIMD kernel
          y[out_base + offset] = adq_epilogue(float(sum), scale[ch], shift[ch], kResidual ? residual + out_base : residual, offset);
        }
    }
}
)KERNEL";
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
  for (int c = 0; c < kC; ++c) {
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
