// The arguments of a plan step's kernel, in the order the kernel declares them, and its grid size:
// shared by CudaExecutor (device pointers) and the tests' host emulation (host pointers), so the
// emulation checks the very argument order the GPU gets.
#pragma once

#include <vector>

#include "cuda/cuda_plan.h"

namespace adderq::cuda {

template <class Ptr>
struct LaunchValues {
  Ptr x{}, x2{}, residual{}, y{}, codes{}, codes_out{}, shortcut_codes_out{};
  Ptr packed_weights{}, channel_map{}, weight_abs{}, sum_bias{}, weight{}, scale{}, shift{};
  Ptr pixels{};         // kPixelInput: the 8-bit pixels
  int interleaved = 0;  // kPixelInput: their layout (data::PixelLayout::kInterleaved, else planar)
  float scalar = 0.f, codes_out_multiplier = 0.f, shortcut_codes_multiplier = 0.f;
  int images = 0, set_channels = 0;
  long long count = 0;  // work items: images x the step's threads per image
};

// Addresses into `v` (cuLaunchKernel's kernelParams); valid while `v` lives.
template <class Ptr>
std::vector<void*> KernelArguments(StepKind kind, LaunchValues<Ptr>& v) {
  switch (kind) {
    case StepKind::kQuantize: return {&v.x, &v.codes, &v.scalar, &v.images};
    case StepKind::kAdderQuant:
      return {&v.codes, &v.packed_weights, &v.channel_map, &v.scale, &v.shift, &v.residual, &v.y, &v.set_channels,
              &v.images, &v.codes_out, &v.codes_out_multiplier, &v.sum_bias, &v.shortcut_codes_out, &v.shortcut_codes_multiplier};
    case StepKind::kAdderTensorCore:
      return {&v.codes, &v.packed_weights, &v.channel_map, &v.weight_abs, &v.scale,
              &v.shift, &v.residual,       &v.y,           &v.set_channels, &v.images};
    case StepKind::kConvLikeFloat:
      return {&v.x, &v.weight, &v.scale, &v.shift, &v.residual, &v.y, &v.images, &v.codes_out, &v.codes_out_multiplier};
    case StepKind::kLinear: return {&v.x, &v.weight, &v.scale, &v.shift, &v.y, &v.images};
    case StepKind::kAvgPool:
    case StepKind::kMaxPool: return {&v.x, &v.y, &v.scalar, &v.images};
    case StepKind::kBatchNorm: return {&v.x, &v.scale, &v.shift, &v.y, &v.images};
    case StepKind::kElementwise: return {&v.x, &v.x2, &v.y, &v.count};
    case StepKind::kPixelInput: return {&v.pixels, &v.weight, &v.y, &v.images, &v.interleaved};
  }
  return {};
}

inline long long WorkItems(const PlanStep& s, int images) { return (long long)images * (long long)s.threads_per_image; }

// Blocks along x: each covers items_per_block work items (0: one per thread).
inline long long GridBlocks(const PlanStep& s, int images) {
  const long long per_block = s.items_per_block > 0 ? s.items_per_block : s.block;
  return (WorkItems(s, images) + per_block - 1) / per_block;
}

}  // namespace adderq::cuda
