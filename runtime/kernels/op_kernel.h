// The CPU backend's kernel interface: one object per graph node, built once by the executor
// (init + prepare: validate, pack weights, precompute quantization constants), then Eval'd for
// every batch (compute only). Kernels are created from an explicit list in cpu_kernels.cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/graph.h"

namespace adderq::kernels {

// Per-thread scratch buffers, reused across nodes and batches.
struct Scratch {
  std::vector<float> col_f, acc_f, pad_f;
  std::vector<int32_t> acc_i, sums;
  std::vector<int16_t> col_i16;
  std::vector<uint8_t> codes_u8, col_u8;
};

struct OpContext {
  std::vector<const float*> inputs;  // batch buffers, image-major
  std::vector<size_t> input_sizes;   // per-image element counts
  float* output = nullptr;
  size_t output_size = 0;            // per image
  const float* residual = nullptr;   // fused residual operand (same layout as output), or null
};

class OpKernel {
 public:
  virtual ~OpKernel() = default;
  // Computes images [begin, end) of the batch; must not touch other images (threads split the batch).
  virtual void Eval(const OpContext& ctx, int begin, int end, Scratch& scratch) const = 0;
};

// Builds the kernel for graph.nodes[index] (the graph must have passed ValidateGraph); `relu` asks
// for a fused ReLU after the node's result (and after OpContext::residual, when given).
Result<std::unique_ptr<OpKernel>> CreateCpuKernel(const Graph& graph, size_t index, bool relu = false);

// The fused epilogue of convolution-like kernels, for one image: y[o][p] = scale[o] * acc[o][p] +
// shift[o], then + residual, then ReLU; the same float operations as separate Add and ReLU nodes.
// One pass, with the residual/ReLU choice made outside the loops so each variant vectorizes.
template <bool kResidual, bool kRelu, typename Acc>
inline void AffineEpilogue(const Acc* acc, const float* scale, const float* shift, const float* residual, int channels,
                           size_t plane, float* y) {
  for (size_t o = 0; o < size_t(channels); ++o) {
    const float a = scale[o], b = shift[o];
    for (size_t p = o * plane; p < (o + 1) * plane; ++p) {
      float v = a * float(acc[p]) + b;
      if constexpr (kResidual) v = v + residual[p];
      if constexpr (kRelu) v = v < 0.f ? 0.f : v;
      y[p] = v;
    }
  }
}
template <typename Acc>
inline void AffineEpilogue(const Acc* acc, const float* scale, const float* shift, const float* residual, bool relu,
                           int channels, size_t plane, float* y) {
  if (residual) {
    if (relu) AffineEpilogue<true, true>(acc, scale, shift, residual, channels, plane, y);
    else AffineEpilogue<true, false>(acc, scale, shift, residual, channels, plane, y);
  } else {
    if (relu) AffineEpilogue<false, true>(acc, scale, shift, residual, channels, plane, y);
    else AffineEpilogue<false, false>(acc, scale, shift, residual, channels, plane, y);
  }
}

}  // namespace adderq::kernels
