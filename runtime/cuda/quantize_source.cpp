// QuantizeSource: the activation codes of an adder layer (byte lanes or thermometer codes).
#include "cuda/kernel_sources.h"

#include "core/quant_math.h"
#include "cuda/kernel_source_parts.h"

namespace adderq::cuda {

// The shared pieces of kernel text (kernel_source_parts.h).
using namespace source_parts;

std::string QuantizeSource(const QuantizeSpec& s) {
  const int lane_bits = 32 / s.lanes;
  const bool sampled = s.stride > 1;
  return Constants({{"kC", s.channels}, {"kPlane", s.plane}, {"kWords", s.words_per_pixel}, {"kLanes", s.lanes},
                    {"kLaneBits", lane_bits}, {"kLevels", (1 << s.bits) - 1}, {"kOffset", quant::ByteCodeOffset(s.bits, s.code_kind)},
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

}  // namespace adderq::cuda
