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

namespace adderq::testing {

// The AdderNet ImageNet ResNets (the reference code's resnet50.py; BasicBlock for ResNet-18) and
// VGG-small (CIFAR) as ONNX specs with seeded random weights, for tests that need their layer
// shapes (kernel generation) rather than a trained network. BatchNorm statistics are set so that
// the adder layers' outputs come out O(1).
struct ImageNetResNet {
  bool bottleneck = false;
  std::vector<int> blocks = {2, 2, 2, 2};
  int side = 224, classes = 1000, width = 64;
  uint32_t seed = 1;
};

inline OnnxModelSpec ImageNetResNetSpec(const ImageNetResNet& r) {
  std::mt19937 rng(r.seed);
  OnnxModelSpec m;
  m.name = r.bottleneck ? "resnet50" : "resnet18";
  int counter = 0;
  auto name = [&](const std::string& p) { return p + std::to_string(counter++); };
  auto bn = [&](int64_t c, const std::string& in, float mean) {
    const std::string p = name("bn");
    m.initializers.push_back(FloatTensor(p + ".w", {c}, RandomValues(size_t(c), 0.9f, 1.1f, rng)));
    m.initializers.push_back(FloatTensor(p + ".b", {c}, RandomValues(size_t(c), -0.1f, 0.1f, rng)));
    m.initializers.push_back(FloatTensor(p + ".m", {c}, std::vector<float>(size_t(c), mean)));
    m.initializers.push_back(FloatTensor(p + ".v", {c}, std::vector<float>(size_t(c), std::max(1.f, mean * mean / 16))));
    m.nodes.push_back(Op("BatchNormalization", p, {in, p + ".w", p + ".b", p + ".m", p + ".v"}, {p + "_out"}));
    return p + "_out";
  };
  auto relu = [&](const std::string& in) {
    const std::string p = name("relu");
    m.nodes.push_back(Op("Relu", p, {in}, {p + "_out"}));
    return p + "_out";
  };
  auto adder = [&](const std::string& in, int64_t ci, int64_t co, int k, int stride) {
    const std::string p = name("adder");
    m.initializers.push_back(FloatTensor(p + ".adder", {co, ci, k, k}, RandomValues(size_t(co * ci * k * k), -0.8f, 0.8f, rng)));
    m.nodes.push_back(Op("Adder2d", p, {in, p + ".adder"}, {p + "_out"},
                         {IntsAttr("kernel_shape", {k, k}), IntsAttr("strides", {stride, stride}),
                          IntsAttr("pads", {k / 2, k / 2, k / 2, k / 2})},
                         "adderq"));
    return bn(co, p + "_out", -0.5f * float(ci * k * k));
  };
  m.inputs.push_back(ValueInfo("input", {-1, 3, r.side, r.side}));
  m.initializers.push_back(FloatTensor("stem.w", {r.width, 3, 7, 7}, RandomValues(size_t(r.width * 3 * 49), -0.1f, 0.1f, rng)));
  m.nodes.push_back(Op("Conv", "stem", {"input", "stem.w"}, {"stem_out"},
                       {IntsAttr("kernel_shape", {7, 7}), IntsAttr("strides", {2, 2}), IntsAttr("pads", {3, 3, 3, 3})}));
  std::string x = relu(bn(r.width, "stem_out", 0.f));
  m.nodes.push_back(Op("MaxPool", "maxpool", {x}, {"pool_out"},
                       {IntsAttr("kernel_shape", {3, 3}), IntsAttr("strides", {2, 2}), IntsAttr("pads", {1, 1, 1, 1})}));
  x = "pool_out";
  const int expansion = r.bottleneck ? 4 : 1;
  int64_t in_c = r.width;
  for (size_t stage = 0; stage < r.blocks.size(); ++stage) {
    const int64_t planes = int64_t(r.width) << stage;
    for (int b = 0; b < r.blocks[stage]; ++b) {
      const int stride = (stage > 0 && b == 0) ? 2 : 1;
      std::string shortcut = x;
      if (stride != 1 || in_c != planes * expansion) shortcut = adder(x, in_c, planes * expansion, 1, stride);
      std::string y;
      if (r.bottleneck) {
        y = relu(adder(x, in_c, planes, 1, 1));
        y = relu(adder(y, planes, planes, 3, stride));
        y = adder(y, planes, planes * 4, 1, 1);
      } else {
        y = relu(adder(x, in_c, planes, 3, stride));
        y = adder(y, planes, planes, 3, 1);
      }
      const std::string add = name("add");
      m.nodes.push_back(Op("Add", add, {y, shortcut}, {add + "_out"}));
      x = relu(add + "_out");
      in_c = planes * expansion;
    }
  }
  m.nodes.push_back(Op("GlobalAveragePool", "gap", {x}, {"gap_out"}));
  m.initializers.push_back(FloatTensor("fc.w", {r.classes, in_c, 1, 1}, RandomValues(size_t(r.classes * in_c), -0.1f, 0.1f, rng)));
  m.nodes.push_back(Op("Conv", "fc", {"gap_out", "fc.w"}, {"fc_out"}, {IntsAttr("kernel_shape", {1, 1})}));
  m.nodes.push_back(Op("Flatten", "flatten", {"fc_out"}, {"logits"}, {IntAttr("axis", 1)}));
  m.outputs.push_back(ValueInfo("logits", {-1, r.classes}));
  return m;
}

inline OnnxModelSpec VggSmallSpec(uint32_t seed) {
  std::mt19937 rng(seed);
  OnnxModelSpec m;
  m.name = "vgg_small";
  m.inputs.push_back(ValueInfo("input", {-1, 3, 32, 32}));
  m.initializers.push_back(FloatTensor("conv0.w", {128, 3, 3, 3}, RandomValues(128 * 27, -0.3f, 0.3f, rng)));
  m.nodes.push_back(Op("Conv", "conv0", {"input", "conv0.w"}, {"c0"}, {IntsAttr("kernel_shape", {3, 3}), IntsAttr("pads", {1, 1, 1, 1})}));
  m.nodes.push_back(Op("Relu", "relu0", {"c0"}, {"x0"}));
  std::string x = "x0";
  const int cfg[] = {128, -1, 256, 256, -1, 512, 512, -1};
  int64_t in_c = 128, i = 0;
  for (int c : cfg) {
    const std::string p = "f" + std::to_string(i++);
    if (c < 0) {
      m.nodes.push_back(Op("MaxPool", p, {x}, {p + "_out"}, {IntsAttr("kernel_shape", {2, 2}), IntsAttr("strides", {2, 2})}));
    } else {
      m.initializers.push_back(FloatTensor(p + ".adder", {c, in_c, 3, 3}, RandomValues(size_t(c * in_c * 9), -0.8f, 0.8f, rng)));
      m.nodes.push_back(Op("Adder2d", p, {x, p + ".adder"}, {p + "_a"},
                           {IntsAttr("kernel_shape", {3, 3}), IntsAttr("pads", {1, 1, 1, 1})}, "adderq"));
      m.nodes.push_back(Op("Relu", p + "_relu", {p + "_a"}, {p + "_out"}));
      in_c = c;
    }
    x = p + "_out";
  }
  m.nodes.push_back(Op("Flatten", "flatten", {x}, {"flat"}, {IntAttr("axis", 1)}));
  m.initializers.push_back(FloatTensor("fc.w", {10, in_c * 16}, RandomValues(size_t(10 * in_c * 16), -0.1f, 0.1f, rng)));
  m.initializers.push_back(FloatTensor("fc.b", {10}, RandomValues(10, -0.1f, 0.1f, rng)));
  m.nodes.push_back(Op("Gemm", "fc", {"flat", "fc.w", "fc.b"}, {"logits"}, {IntAttr("transB", 1)}));
  m.outputs.push_back(ValueInfo("logits", {-1, 10}));
  return m;
}

}  // namespace adderq::testing
