// The CUDA backend's execution plan for a graph, built without a GPU: which specialized kernel
// variant each step runs, what it reads and writes, and the parameters to upload once (packed
// weights, folded affine). Elementwise successors are fused into the layer that feeds them as
// core/fusion.h decides (residual add, ReLU), like the CPU executor. `adderq-run jit` compiles the plan's
// variants ahead of time; the executor compiles (or finds in the cache) the same ones.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/graph.h"

namespace adderq::cuda {

enum class StepKind {
  kQuantize, kAdderQuant, kAdderTensorCore, kConvLikeFloat, kLinear, kAvgPool, kBatchNorm, kElementwise,
  kMaxPool,
  kPixelInput,  // CudaPlan::pixel_input only
};

// Which kernel runs the quantized adder layers. Both give identical integer sums.
enum class AdderKernel {
  kAuto,        // the kernel verified and measured on a GPU: packed SIMD for now (see below)
  kPackedSimd,  // vabsdiff4 byte lanes: every bit width, every GPU
  kTensorCore,  // binary tensor cores where supported, packed SIMD for the other layers
};
// The tensor-core kernel is tested on the host (the identity, its packing) and compiled by NVRTC
// for sm_80/sm_90, but has not yet run on a GPU: `auto` switches to it only once tools/gpu-check.sh
// has shown it bit-identical and faster on a device (docs/benchmarks.md).
inline constexpr bool kTensorCoreAdderByDefault = false;
// "auto", "simd" or "tensor-core" (the --cuda-adder values).
Result<AdderKernel> AdderKernelFromName(const std::string& name);

// One pixel per thread is what ran on a GPU (docs/benchmarks.md); more (register blocking: a
// filter word read from shared memory serves several pixels) is checked on the host and compiled,
// and becomes the default once tools/gpu-check.sh has measured it faster.
inline constexpr int kDefaultSimdPixels = 1;
// Fused codes are checked on the host (cuda_emulation_test) and compiled without spills, but have
// not run on a GPU: on once tools/gpu-check.sh has shown them identical and faster there.
inline constexpr bool kFuseCodesByDefault = false;
inline constexpr int kMaxSimdPixels = 8;

// One quantized adder layer's kernel, replacing PlanOptions::adder, simd_pixels and the tiles for
// it: what `adderq-run tune` measured fastest for the layer on one card (tools/kernel_tuning.h).
// Every choice computes the same sums, so a tuning applied to another model or card is only slower.
struct LayerKernel {
  AdderKernel adder = AdderKernel::kAuto;  // kAuto: PlanOptions::adder
  int simd_pixels = 0;                     // 0: kDefaultSimdPixels (not PlanOptions::simd_pixels:
  int tc_n_tiles = 0, tc_m_tiles = 0;      // 0: the default tiles    the layer runs as it was timed)
};

struct PlanOptions {
  int arch = 90;  // compute capability x 10 of the target GPU
  AdderKernel adder = AdderKernel::kAuto;
  // Tensor-core tiles per warp, for tuning (0: the defaults, measured in docs/benchmarks.md):
  // at most tc_n_tiles x 8 output channels and tc_m_tiles x 16 output pixels.
  int tc_n_tiles = 0, tc_m_tiles = 0;
  // Output pixels per thread of the packed-SIMD kernel, for tuning (0: kDefaultSimdPixels).
  int simd_pixels = 0;
  // Fused codes: a packed-SIMD adder layer whose output feeds another one writes that layer's
  // activation codes from its epilogue (no quantize kernel; no float output where nothing else
  // reads it). Identical results; the default until measured (kFuseCodesByDefault).
  bool fuse_codes = kFuseCodesByDefault;
  // Per layer (by node name): every name must be a quantized adder layer of the graph.
  std::map<std::string, LayerKernel> layers{};
  // The architecture those were tuned on (0: none); the executor refuses another GPU's.
  int tuned_arch = 0;
};

// mma.sync .b1 .and.popc needs sm_80; thermometer codes of 2^b bits fit 256-bit k steps for b <= 4.
inline bool TensorCoreAdderSupported(int bits, int arch) { return bits >= 2 && bits <= 4 && arch >= 80; }
// The tensor-core kernel keeps a pixel's thermometer words in registers: beyond 64 words (128
// channels at 4 bits) ptxas runs out of registers (255) and spills in every ImageNet-sized layer
// (cuda_jit_test), so such layers take the packed-SIMD kernel even where tensor cores are asked for.
inline constexpr int kMaxTensorCoreWords = 64;

struct KernelVariant {
  std::string name;    // readable: what it is specialized for
  std::string source;  // CUDA C++ (see kernel_sources.h)
};

struct PlanStep {
  StepKind kind = StepKind::kElementwise;
  size_t node = 0;     // graph node this step computes (its name labels timings and errors)
  int variant = -1;    // index into CudaPlan::variants
  int input = -1;      // tensor read (quantized adder steps read their codes instead)
  int input2 = -1;     // second operand of an elementwise add
  int residual = -1;   // fused residual operand, or -1
  int output = -1;     // tensor written (-1: none; a quantize step writes codes only, and so may a
                       // fused-codes adder step whose float output nothing reads)
  int codes = -1;      // code buffer written (kQuantize) or read (quantized adder steps)
  int codes_out = -1;  // kAdderQuant with fused codes: the code buffer its epilogue writes, or -1
  float codes_out_multiplier = 0.f;  // the consumer's quantizer multiplier L/s for those codes
  int shortcut_codes_out = -1;       // and a strided 1x1 shortcut's codes of the same tensor, or -1
  float shortcut_codes_multiplier = 0.f;
  size_t threads_per_image = 0;  // grid.x covers images * threads_per_image work items
  int items_per_block = 0;       // work items per block (0: one per thread, `block`)
  int grid_y = 1;
  int block = 256;

  // Parameters uploaded once.
  std::vector<uint32_t> packed_weights;  // kAdderQuant: [set channels][KH][KW][words]
  std::vector<int32_t> channel_map;      // kAdderQuant: output channel of each set channel
  std::vector<int32_t> weight_abs;       // kAdderTensorCore: sum |2 q_w| of each set channel
  std::vector<int32_t> sum_bias;         // kAdderQuant at 8 bits: sum max(-2 q_w, 0) of each set channel
  std::vector<float> weight, scale, shift;
  float scalar = 0.f;                    // kQuantize: multiplier L/s; kAvgPool: 1/area
  int set_channels = 0;
  size_t codes_words_per_image = 0;      // kQuantize
};

struct CudaPlan {
  std::vector<KernelVariant> variants;   // distinct sources only
  std::vector<PlanStep> steps;
  std::vector<int> tensor_slot;          // per tensor: activation buffer slot (-1: not materialized)
  int slots = 0;
  size_t slot_floats_per_image = 0;      // every slot holds one tensor of at most this size
  int code_buffers = 0;                  // code buffers (a step's `codes`, `codes_out` index them)
  size_t max_codes_words_per_image = 0;  // every code buffer holds at most this many words per image
  int fused_nodes = 0;                   // elementwise nodes folded into a producer's epilogue
  int fused_codes = 0;                   // quantize steps replaced by a producer's epilogue
  // What a run from 8-bit pixels does first (kPixelInput; not one of `steps`, which start from the
  // input's floats): the pixels, planar or interleaved, to the input tensor's normalised floats by
  // the table in `weight` (data::NormalizationTable). Its variant comes after the steps' variants.
  PlanStep pixel_input;
};

// Every name in `layers` is a quantized adder layer of `graph`, with pixels in 0..kMaxSimdPixels and
// tiles in 0..8; the message names the first that is not. BuildCudaPlan checks it too.
Status CheckLayerKernels(const Graph& graph, const std::map<std::string, LayerKernel>& layers);

// The graph must have passed ValidateGraph.
Result<CudaPlan> BuildCudaPlan(const Graph& graph, const PlanOptions& options = {});


}  // namespace adderq::cuda
