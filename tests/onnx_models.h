// ONNX models for tests, written with onnx_writer.h: a small network with every operator class
// the front end maps (a 7x7 strided stem with a bias, BatchNorm, ReLU, padded max pooling, 3x3 and
// 1x1 adder layers, a residual add, global pooling, the exporter's Shape/Gather/Reshape flatten,
// Gemm), with seeded random weights.
#pragma once

#include <random>

#include "onnx_writer.h"

namespace adderq::testing {

struct SmallOnnxNet {
  int in_c = 3, in_hw = 32, stem_c = 8, width = 16, classes = 5;
  uint32_t seed = 1;
};

inline std::vector<float> RandomValues(size_t n, float lo, float hi, std::mt19937& rng) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

// input -> Conv 7x7/2 p3 (+bias) -> BN -> Relu -> MaxPool 3/2 p1 -> Adder2d 3x3 p1 -> BN -> Add(pool) -> Relu
//   -> Adder2d 1x1 (width) -> BN -> Relu -> GlobalAveragePool -> Shape/Gather/Unsqueeze/Concat/Reshape -> Gemm.
inline OnnxModelSpec SmallOnnxNetSpec(const SmallOnnxNet& s) {
  std::mt19937 rng(s.seed);
  OnnxModelSpec m;
  const int64_t c0 = s.stem_c, c1 = s.width;
  auto bn = [&](const std::string& p, int64_t c, const std::string& in, const std::string& out, float mean_lo, float mean_hi) {
    m.initializers.push_back(FloatTensor(p + ".weight", {c}, RandomValues(size_t(c), 0.5f, 1.5f, rng)));
    m.initializers.push_back(FloatTensor(p + ".bias", {c}, RandomValues(size_t(c), -0.2f, 0.2f, rng)));
    m.initializers.push_back(FloatTensor(p + ".running_mean", {c}, RandomValues(size_t(c), mean_lo, mean_hi, rng)));
    m.initializers.push_back(FloatTensor(p + ".running_var", {c}, RandomValues(size_t(c), 0.5f, 2.0f, rng)));
    m.nodes.push_back(Op("BatchNormalization", p, {in, p + ".weight", p + ".bias", p + ".running_mean", p + ".running_var"}, {out},
                       {FloatAttr("epsilon", 1e-5f)}));
  };
  m.inputs.push_back(ValueInfo("input", {-1, s.in_c, s.in_hw, s.in_hw}));
  m.initializers.push_back(FloatTensor("stem.weight", {c0, s.in_c, 7, 7}, RandomValues(size_t(c0 * s.in_c * 49), -0.2f, 0.2f, rng)));
  m.initializers.push_back(FloatTensor("stem.bias", {c0}, RandomValues(size_t(c0), -0.1f, 0.1f, rng)));
  m.nodes.push_back(Op("Conv", "stem", {"input", "stem.weight", "stem.bias"}, {"stem_out"},
                     {IntsAttr("kernel_shape", {7, 7}), IntsAttr("strides", {2, 2}), IntsAttr("pads", {3, 3, 3, 3})}));
  bn("bn0", c0, "stem_out", "bn0_out", -0.2f, 0.2f);
  m.nodes.push_back(Op("Relu", "relu0", {"bn0_out"}, {"relu0_out"}, {}));
  m.nodes.push_back(Op("MaxPool", "pool", {"relu0_out"}, {"pool_out"},
                     {IntsAttr("kernel_shape", {3, 3}), IntsAttr("strides", {2, 2}), IntsAttr("pads", {1, 1, 1, 1})}));
  m.initializers.push_back(FloatTensor("a1.adder", {c0, c0, 3, 3}, RandomValues(size_t(c0 * c0 * 9), -0.3f, 0.3f, rng)));
  m.nodes.push_back(Op("Adder2d", "a1", {"pool_out", "a1.adder"}, {"a1_out"},
                     {IntsAttr("kernel_shape", {3, 3}), IntsAttr("strides", {1, 1}), IntsAttr("pads", {1, 1, 1, 1})}, "adderq"));
  bn("bn1", c0, "a1_out", "bn1_out", -40.f, -20.f);
  m.nodes.push_back(Op("Add", "add", {"bn1_out", "pool_out"}, {"add_out"}, {}));
  m.nodes.push_back(Op("Relu", "relu1", {"add_out"}, {"relu1_out"}, {}));
  m.initializers.push_back(FloatTensor("a2.adder", {c1, c0, 1, 1}, RandomValues(size_t(c1 * c0), -0.3f, 0.3f, rng)));
  m.nodes.push_back(Op("Adder2d", "a2", {"relu1_out", "a2.adder"}, {"a2_out"}, {IntsAttr("kernel_shape", {1, 1})}, "adderq"));
  bn("bn2", c1, "a2_out", "bn2_out", -6.f, -2.f);
  m.nodes.push_back(Op("Relu", "relu2", {"bn2_out"}, {"relu2_out"}, {}));
  m.nodes.push_back(Op("GlobalAveragePool", "gap", {"relu2_out"}, {"gap_out"}, {}));
  // x.view(x.size(0), -1) as PyTorch exports it.
  m.nodes.push_back(Op("Shape", "shape", {"gap_out"}, {"shape_out"}, {}));
  m.initializers.push_back(Int64Tensor("zero", {0}));
  m.nodes.push_back(Op("Gather", "gather", {"shape_out", "zero"}, {"batch"}, {IntAttr("axis", 0)}));
  m.nodes.push_back(Op("Unsqueeze", "unsq", {"batch", "axes0"}, {"batch1"}, {}));
  m.initializers.push_back(Int64Tensor("axes0", {0}));
  m.initializers.push_back(Int64Tensor("minus1", {-1}));
  m.nodes.push_back(Op("Concat", "concat", {"batch1", "minus1"}, {"new_shape"}, {IntAttr("axis", 0)}));
  m.nodes.push_back(Op("Reshape", "flatten", {"gap_out", "new_shape"}, {"flat"}, {}));
  m.initializers.push_back(FloatTensor("fc.weight", {s.classes, c1}, RandomValues(size_t(s.classes * c1), -1.f, 1.f, rng)));
  m.initializers.push_back(FloatTensor("fc.bias", {s.classes}, RandomValues(size_t(s.classes), -0.5f, 0.5f, rng)));
  m.nodes.push_back(Op("Gemm", "fc", {"flat", "fc.weight", "fc.bias"}, {"logits"}, {IntAttr("transB", 1)}));
  m.outputs.push_back(ValueInfo("logits", {-1, s.classes}));
  return m;
}

}  // namespace adderq::testing
