// PixelInputSource: 8-bit pixels (planar or interleaved) to the network's normalised float input.
#include "cuda/kernel_sources.h"

#include "cuda/kernel_source_parts.h"

namespace adderq::cuda {

// The shared pieces of kernel text (kernel_source_parts.h).
using namespace source_parts;

std::string PixelInputSource(int channels, int plane) {
  return Constants({{"kC", channels}, {"kPlane", plane}, {"kVec", plane % 4 == 0 ? 4 : 1}}) + EpilogueConstants({}) +
         kCommon + R"(
// pixels: [images][kC][kPlane] bytes (planar: CIFAR-10's records) or [images][kPlane][kC]
// (interleaved: decoded RGB images); table: [kC][256], data::NormalizationTable, the CPU's
// normalised value of every byte, so these floats are the CPU's by construction; y: [images][kC][kPlane].
// The copy to the GPU carries a quarter of the bytes floats would. One thread per kVec pixel
// positions of an image: with 4, its bytes come as 32-bit words (each channel's in a planar image,
// the 4 x kC consecutive bytes of an interleaved one; 4-byte aligned since kPlane is a multiple of
// 4) and each channel's floats leave as one 16-byte store.
constexpr i64 kImage = i64(kC) * kPlane;
constexpr int kGroups = int(kPlane / kVec);
__device__ __forceinline__ float adq_normalized(const float* __restrict__ table, int c, u32 byte) {
  return __ldg(table + c * 256 + int(byte));
}
// kVec = 4: the group's bytes as kC words, then each channel's 4 floats as one store. The layout is
// a template argument so that every byte's place in words[] is a constant once unrolled (with the
// run-time flag inside, ptxas put words[] on the stack).
template <bool kInterleaved>
__device__ __forceinline__ void adq_normalize_group(const unsigned char* __restrict__ src, const float* __restrict__ table,
                                                    float* __restrict__ dst, int p) {
  u32 words[kC];
  const u32* src_words = reinterpret_cast<const u32*>(src);
#pragma unroll
  for (int w = 0; w < kC; ++w) words[w] = kInterleaved ? src_words[(i64(p) * kC) / 4 + w] : src_words[(i64(w) * kPlane + p) / 4];
#pragma unroll
  for (int c = 0; c < kC; ++c) {
    float v[4];
#pragma unroll
    for (int k = 0; k < 4; ++k) {
      const int at = kInterleaved ? k * int(kC) + c : c * 4 + k;  // the byte's index in words[]
      v[k] = adq_normalized(table, c, (words[at / 4] >> (8 * (at % 4))) & 0xffu);
    }
    float4 out;
    out.x = v[0], out.y = v[1], out.z = v[2], out.w = v[3];
    *reinterpret_cast<float4*>(dst + i64(c) * kPlane) = out;
  }
}
extern "C" __global__ void __launch_bounds__(256) adq_kernel(const unsigned char* __restrict__ pixels,
                                                             const float* __restrict__ table, float* __restrict__ y,
                                                             int images, int interleaved) {
  const i64 i = adq_global_index();  // (image, group of kVec positions), positions fastest: coalesced
  if (i >= i64(images) * kGroups) return;
  const i64 n = i / kGroups;
  const int p = int(i - n * kGroups) * int(kVec);
  const unsigned char* src = pixels + n * kImage;
  float* dst = y + n * kImage + p;
  if (kVec == 1) {
#pragma unroll
    for (int c = 0; c < kC; ++c)
      dst[i64(c) * kPlane] = adq_normalized(table, c, interleaved ? src[i64(p) * kC + c] : src[i64(c) * kPlane + p]);
  } else if (interleaved) {
    adq_normalize_group<true>(src, table, dst, p);
  } else {
    adq_normalize_group<false>(src, table, dst, p);
  }
}
)";
}

}  // namespace adderq::cuda
