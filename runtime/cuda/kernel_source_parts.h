// Pieces of CUDA source text that several kernel generators share (kernel_sources.h holds the
// generators): the constants block that specializes a variant, the common helpers and epilogue,
// and the fused-codes writers. A generator concatenates them, so a variant's text is unchanged
// by where its pieces live (the kernel cache keys on that text).
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

#include "cuda/kernel_sources.h"

namespace adderq::cuda::source_parts {

// Shared by every kernel: 64-bit index helpers and the epilogue.
inline constexpr const char* kCommon = R"(
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

// "constexpr long long NAME = VALUE;" for each pair, after a header line.
std::string Constants(std::initializer_list<std::pair<const char*, long long>> values);
// kResidual and kRelu, which kCommon's adq_epilogue reads.
std::string EpilogueConstants(const Epilogue& e);
// The fused-codes constants (kCodesOut, kFloatOut, kOut*, kShortcut*) that kCodeWordsOut and the
// epilogues read. Unfused layers get the same constants (unused) so that one kernel text serves both forms.
std::string CodesOutConstants(const CodesOut& c, bool float_out);

// Fused codes, for the epilogues that write them (the packed-SIMD adder kernel, the float
// convolution): one lane's code and a thread's whole code words of one pixel.
inline constexpr const char* kCodeWordsOut = R"(
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

}  // namespace adderq::cuda::source_parts
