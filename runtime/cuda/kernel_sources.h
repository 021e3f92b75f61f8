// CUDA C++ source of every kernel the CUDA backend runs. Each kernel is specialized by prepending
// its layer's constants (shape, bits, fused epilogue) as constexpr values, so NVRTC sees fixed trip
// counts and can unroll and keep accumulators in registers. One source text = one kernel variant =
// one cache entry; layers of the same shape share it. The entry point is always `adq_kernel`.
//
// Float arithmetic uses __fadd_rn/__fmul_rn in the CPU backend's order, so results are bit-identical
// to it (both sides forbid FMA contraction).
#pragma once

#include <cstddef>
#include <string>

#include "core/quant_math.h"

namespace adderq::cuda {

inline constexpr const char* kKernelEntry = "adq_kernel";

// Fused epilogue of convolution-like layers: y = scale*acc + shift, (+ residual), (ReLU).
struct Epilogue {
  bool residual = false;
  bool relu = false;
};

// The packed-SIMD kernel's codes and weights: 4 byte lanes per 32-bit word, compared with
// vabsdiff4, packed as the CPU packs its bytes (quant::ByteCodeOffset, quant::WeightByte; at 8
// bits each channel adds its "sum bias", quant::WeightByteBias summed over its taps).
inline constexpr int kCodeLanes = 4;

struct QuantizeSpec {
  int channels, plane, words_per_pixel, lanes, bits;  // plane = H*W of the codes
  bool thermometer = false;
  // Subsampling (1x1 layers with a stride and no padding read no other pixels): the codes hold
  // pixel (y * stride, x * stride) of an in_h x in_w input at (y, x) of a plane with `coded_w` columns.
  int stride = 1, in_h = 0, in_w = 0, coded_w = 0;
  // The layer's weight codes; the byte lanes' offset depends on it (quant::ByteCodeOffset).
  quant::WeightCodeKind code_kind = quant::WeightCodeKind::kSignedDoubled;
};
// Activation codes for an adder layer: x (NCHW floats) -> per pixel, channels packed `lanes` per
// 32-bit word as q_a + quant::ByteCodeOffset(bits, code_kind) (byte lanes), or, for the tensor-core kernel, as
// thermometer codes: lane = 2^q_a - 1 in 32/lanes bits (padding channels 0).
std::string QuantizeSource(const QuantizeSpec& s);

// Fused codes: the activation codes of the adder layer that reads this layer's output, written by
// this layer's epilogue from the values it computes, exactly as QuantizeSource would write them
// (the codes' layout is that of the consumer's quantize kernel).
struct CodesOut {
  bool enabled = false;
  int words_per_pixel = 0, bits = 0;  // the consumer's (kCodeLanes channels per word)
  // A second consumer of the same tensor with the same bits, a strided 1x1 layer without padding
  // (a ResNet shortcut; packed-SIMD adder epilogues only): its codes with its own multiplier, for
  // the pixels it reads only (every `shortcut_stride`-th row and column), on its
  // shortcut_h x shortcut_w code image, as its every-stride quantize kernel would write them.
  int shortcut_stride = 0;  // 0: none
  int shortcut_h = 0, shortcut_w = 0;
  quant::WeightCodeKind code_kind = quant::WeightCodeKind::kSignedDoubled;  // the consumers' (both the same)
};

struct AdderQuantSpec {
  int in_h, in_w, words_per_pixel, lanes, bits;
  int kernel_h, kernel_w, stride, padding, out_c, out_h, out_w;
  int channel_tile, chunk, threads;
  Epilogue epilogue;
  int pixels = 1;  // output pixels per thread (register blocking), `threads` apart
  CodesOut codes_out = {};  // needs one quantizer set in channel order and lanes dividing the tile
  bool float_out = true;    // false: only the codes are written (nothing else reads the floats)
  quant::WeightCodeKind code_kind = quant::WeightCodeKind::kSignedDoubled;
};
// sum |q_a - 2 q_w| (signed codes) or |q_a - q_w| (unsigned) over the layer's window with packed
// SIMD (vabsdiff4 on byte lanes; signed codes at 8 bits plus each channel's sum bias), int32 accumulators, then the folded affine and the epilogue. `pixels` output pixels per
// thread, `channel_tile` output channels per block (their weights in shared memory); a block covers
// threads x pixels consecutive output pixels.
std::string AdderQuantSource(const AdderQuantSpec& s);

struct AdderTensorCoreSpec {
  int in_h, in_w, words_per_pixel, bits;  // words_per_pixel: thermometer words, a multiple of 8
  int kernel_h, kernel_w, stride, padding, out_c, out_h, out_w;
  int n_tiles, m_tiles;  // per warp: m_tiles x 16 output pixels, n_tiles x 8 output channels
  Epilogue epilogue;
};
// sum |q_a - v| on the binary tensor cores (bits <= 4, sm_80+): with v = 2 q_w (signed codes) or
// v = q_w (unsigned; quant::WeightGridValue) and q_a >= 0,
//   |q_a - v| = q_a + |v| - 2 min(q_a, max(v, 0)),
// and min(a, b) = popcount(T(a) AND T(b)) for the thermometer codes T(a) = 2^a - 1, so the layer is
// sum(q_a) + sum|v| - 2 (A x B) with A, B binary matrices: mma.sync m16n8k256 .and.popc.
// sum(q_a) over the window comes from popcounts of the same A fragments; sum|v| per channel is
// precomputed. Exact integers, so the results are those of the packed-SIMD kernel.
std::string AdderTensorCoreSource(const AdderTensorCoreSpec& s);

struct ConvLikeFloatSpec {
  bool adder;  // |x - w| (full-precision adder) instead of x * w (Conv2d)
  int in_c, in_h, in_w, out_c, out_h, out_w, kernel_h, kernel_w, stride, padding;
  Epilogue epilogue;
  int channels_per_thread = 4;  // a multiple of 4; the weights regrouped for it (FloatConvWeights)
  bool shared_weights = true;   // a block's weights (channels_per_thread filters) in shared memory
  CodesOut codes_out = {};      // the next adder layer's codes (one quantizer set in channel order)
  bool float_out = true;        // false: only the codes are written
};
std::string ConvLikeFloatSource(const ConvLikeFloatSpec& s);

std::string LinearSource(int in_features, int out_features);
std::string AvgPoolSource(int channels, int in_h, int in_w, int kernel, int stride, int out_h, int out_w);
// Max pooling (padding skipped), one thread per output, the CPU kernel's order of maxima.
std::string MaxPoolSource(int channels, int in_h, int in_w, int kernel, int stride, int padding, int out_h, int out_w);
// 4-byte words of static shared memory a kernel may declare per block (48 KiB, CUDA's limit
// without opting in to more): what the plan and the kernel sources size their tiles by.
inline constexpr size_t kMaxSharedWords = 12288;
// Whether AvgPoolSource is the global pooling that stages 128 planes in shared memory (its step
// then needs blocks of 128 threads); else one thread per output reading global memory.
bool GlobalAvgPoolStaged(int in_h, int in_w, int kernel, int out_h, int out_w);
std::string BatchNormSource(int channels, int plane);
// y = x (copy), y = max(x, 0), y = a + b, y = max(a + b, 0)
std::string ElementwiseSource(bool add, bool relu);
// 8-bit pixels, planar or interleaved (a kernel argument), to normalised CHW floats by a table of
// [channels][256] floats (data::NormalizationTable): the input of RunPixels.
std::string PixelInputSource(int channels, int plane);

}  // namespace adderq::cuda
