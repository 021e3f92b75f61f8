// The network as data: one in-memory representation shared by the compiler (which builds and
// rewrites it) and the runtime (which loads it from an artifact and executes it).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/quant_math.h"
#include "core/status.h"

namespace adderq {

enum class OpKind : uint8_t {
  kConv2d = 0,
  kAdder2d = 1,
  kBatchNorm = 2,
  kRelu = 3,
  kAdd = 4,
  kAvgPool = 5,
  kFlatten = 6,
  kLinear = 7,
  kMaxPool = 8,
};
const char* OpKindName(OpKind kind);

// Per-image activation shape (the batch dimension is implicit).
struct Shape3 {
  int c = 0, h = 0, w = 0;
  size_t size() const { return size_t(c) * size_t(h) * size_t(w); }
  bool operator==(const Shape3&) const = default;
};

struct TensorDesc {
  std::string name;
  Shape3 shape;
};

// AdderQuant parameters of one adder layer (ALGORITHM.md). bits == 0 means full precision.
struct AdderQuantParams {
  int bits = 0;
  std::vector<float> group_scale;      // s_g
  std::vector<int> channel_group;      // group of each output channel
  quant::WeightCodeKind code_kind = quant::WeightCodeKind::kSignedDoubled;
  std::vector<int16_t> codes;          // q_w, row-major [O][C][KH][KW] (range: quant::WeightCodeMin/Max)
  std::vector<float> clamp_bias;       // beta_o per output channel (0 when not clamped)
  float act_range = 0.f;               // A_l
  int clamped_channels = 0;
  int groups() const { return int(group_scale.size()); }
  std::vector<int> GroupSizes() const {  // filters per group
    std::vector<int> sizes(group_scale.size(), 0);
    for (int g : channel_group) sizes[size_t(g)]++;
    return sizes;
  }
  bool enabled() const { return bits > 0; }
};

struct Node {
  OpKind kind = OpKind::kRelu;
  std::string name;
  std::vector<int> inputs;  // tensor indices
  int output = -1;          // tensor index

  // Conv2d / Adder2d / Linear
  int out_channels = 0, in_channels = 0, kernel_h = 1, kernel_w = 1, stride = 1, padding = 0;
  std::vector<float> weight;        // [O][C][KH][KW] (Linear: [O][C])
  std::vector<float> affine_scale;  // y = scale * acc + shift, per output channel
  std::vector<float> affine_shift;

  // BatchNorm
  std::vector<float> bn_gamma, bn_beta, bn_mean, bn_var;
  float bn_eps = 1e-5f;

  // AvgPool (no padding), MaxPool (padding never wins)
  int pool_kernel = 0, pool_stride = 1, pool_padding = 0;

  AdderQuantParams quant;  // Adder2d only

  size_t WeightCount() const {
    return size_t(out_channels) * size_t(in_channels) * size_t(kernel_h) * size_t(kernel_w);
  }
};

struct ModelMetadata {
  std::string architecture;
  Shape3 input_shape{3, 32, 32};
  std::vector<float> mean, std;
  std::vector<std::string> class_names;
  // Image files to input: 0 = the largest centred crop of the input's aspect ratio, resized to the
  // input; N > 0 = shorter side resized to N, then a centred crop of the input's size (ImageNet).
  int resize_shorter = 0;
  std::string source_checkpoint, source_sha256, compiler_version, method;
  std::map<std::string, std::string> compile_options;  // sorted: deterministic artifacts
};

struct Graph {
  std::vector<TensorDesc> tensors;
  std::vector<Node> nodes;  // topological order
  int input = 0;
  int output = 0;
  ModelMetadata meta;

  int AddTensor(std::string name, Shape3 shape) {
    tensors.push_back({std::move(name), shape});
    return int(tensors.size()) - 1;
  }
  const Shape3& ShapeOf(int tensor) const { return tensors[size_t(tensor)].shape; }
};

// Checks that the graph is well formed: indices in range, topological order, every node's shapes,
// weight and parameter counts consistent with its declared sizes. Everything loaded from a file
// passes through here before a kernel touches it.
Status ValidateGraph(const Graph& graph);

// Output shape of a node given its input shapes; an error names the node and the mismatch.
Result<Shape3> InferOutputShape(const Node& node, const std::vector<Shape3>& inputs);

}  // namespace adderq
