// The CPU backend's kernel interface: one object per graph node, built once by the executor
// (init + prepare: validate, pack weights, precompute quantization constants), then Eval'd for
// every batch (compute only). Kernels are created from an explicit list in cpu_kernels.cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/graph.h"
#include "kernels/aligned_vector.h"

namespace adderq::kernels {

// Per-thread scratch buffers, reused across nodes and batches.
// Aligned so that two threads' scratch headers (rewritten by resize) never share a cache line.
struct alignas(128) Scratch {
  std::vector<float> col_f, acc_f, pad_f, pool_rows;
  std::vector<int32_t> acc_i, sums;
  AlignedBytes codes_u8, col_u8;
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

}  // namespace adderq::kernels
