// AdderQuantSource: the packed-SIMD (vabsdiff4) quantized adder kernel, one or several output
// pixels per thread, with its epilogue and fused codes.
#include "cuda/kernel_sources.h"

#include "core/quant_math.h"
#include "cuda/kernel_source_parts.h"

namespace adderq::cuda {

// The shared pieces of kernel text (kernel_source_parts.h).
using namespace source_parts;

namespace {

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

// Both forms of the packed-SIMD adder kernel: the buffers' layout, and after each form's
// __launch_bounds__ its parameters and the copy of the block's filters to shared memory.
constexpr const char* kAdderLayout = R"(// codes: [images][kInH*kInW][kWords]; weights: [set_channels][kKH][kKW][kWords] byte lanes (quant::WeightByte);
// channel_map: output channel of each of the set's channels; y, residual: [images][kOutC][kOutH*kOutW].
)";
constexpr const char* kAdderParametersAndWeights = R"(adq_kernel(const u32* __restrict__ codes, const u32* __restrict__ weights, const int* __restrict__ channel_map,
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
)";

// The packed-SIMD adder kernel's body, one output pixel per thread: the form measured on a GPU
// (docs/benchmarks.md). The blocked form below computes the same sums; written for one pixel it
// costs ptxas registers (64 -> 104) or spills, so the one-pixel form stays as it is.
constexpr const char* kAdderOnePixelBounds = "extern \"C\" __global__ void __launch_bounds__(kThreads)\n";
constexpr const char* kAdderOnePixelBody = R"(  const i64 pix = i64(blockIdx.x) * kThreads + threadIdx.x;
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
ADQ_CHUNK_LOOP_PRAGMA
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
constexpr const char* kAdderBlockedBounds = R"(// At least two blocks per SM (up to 255 registers): left to itself ptxas held the blocked kernel
// to 80 registers and spilled.
extern "C" __global__ void __launch_bounds__(kThreads, 2)
)";
constexpr const char* kAdderBlockedBody = R"(  // kPixels output pixels per thread (register blocking: each filter word read from shared memory
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

// The one-pixel body. Where a tap holds several chunks (more than 64 channels: ImageNet-sized
// layers), the chunk loop stays rolled: unrolled, ptxas keeps the next chunk's loads live and
// spills (128 channels: 48 bytes on sm_80). Up to 64 channels it is one chunk and the text is
// exactly the measured kernel's.
std::string OnePixelBody(const AdderQuantSpec& s) {
  std::string body = kAdderOnePixelBody;
  const std::string marker = "ADQ_CHUNK_LOOP_PRAGMA";
  body.replace(body.find(marker), marker.size(), s.words_per_pixel > s.chunk ? "#pragma unroll 1" : "#pragma unroll");
  return body;
}

}  // namespace

std::string AdderQuantSource(const AdderQuantSpec& s) {
  const int lane_bits = 32 / s.lanes;
  long long pad_word = 0;  // the code of a zero-padding position: the offset in every lane
  for (int e = 0; e < s.lanes; ++e) pad_word |= (long long)quant::ByteCodeOffset(s.bits, s.code_kind) << (e * lane_bits);
  return Constants({{"kInH", s.in_h}, {"kInW", s.in_w}, {"kWords", s.words_per_pixel}, {"kLanes", s.lanes},
                    {"kKH", s.kernel_h}, {"kKW", s.kernel_w}, {"kStride", s.stride}, {"kPad", s.padding},
                    {"kOutC", s.out_c}, {"kOutH", s.out_h}, {"kOutW", s.out_w}, {"kTile", s.channel_tile},
                    {"kChunk", s.chunk}, {"kThreads", s.threads}, {"kPixels", s.pixels}, {"kPadWord", pad_word},
                    {"kSumBias", s.bits > 7 && s.code_kind == quant::WeightCodeKind::kSignedDoubled}}) +
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
)" + kCodeWordsOut + kAdderStorePixel + kAdderLayout +
         (s.pixels > 1 ? std::string(kAdderBlockedBounds) + kAdderParametersAndWeights + kAdderBlockedBody
                       : std::string(kAdderOnePixelBounds) + kAdderParametersAndWeights + OnePixelBody(s));
}

}  // namespace adderq::cuda
