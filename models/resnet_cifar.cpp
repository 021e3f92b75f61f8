#include "resnet_cifar.h"

#include <cmath>

#include <fmt/ranges.h>

namespace adderq::models {
namespace {

using frontends::StateDict;
using frontends::TensorData;

class Builder {
 public:
  explicit Builder(const StateDict& sd) : sd_(sd) {}

  Result<const TensorData*> Get(const std::string& name, std::vector<int64_t> shape) {
    const TensorData* t = sd_.Find(name);
    if (!t) return BadInput("checkpoint lacks '{}' (not a CIFAR ResNet adder net?)", name);
    if (t->shape != shape) {
      return BadInput("'{}' has shape [{}], expected [{}]", name, fmt::join(t->shape, ","), fmt::join(shape, ","));
    }
    for (double v : t->values)
      if (!std::isfinite(v)) return BadInput("'{}' holds a non-finite value", name);
    return t;
  }
  static std::vector<float> ToFloat(const TensorData& t) { return std::vector<float>(t.values.begin(), t.values.end()); }

  // A convolution-like node from a 4-D weight; output shape from the input and geometry.
  Result<int> ConvLike(OpKind kind, const std::string& node_name, const std::string& weight_name, int input, int stride,
                       int padding) {
    const TensorData* w = sd_.Find(weight_name);
    if (!w) return BadInput("checkpoint lacks '{}'", weight_name);
    if (w->shape.size() != 4) return BadInput("'{}' is not a 4-D convolution weight", weight_name);
    const Shape3 in = g_.ShapeOf(input);
    ADQ_ASSIGN_OR_RETURN(w, Get(weight_name, {w->shape[0], in.c, w->shape[2], w->shape[3]}));
    Node n;
    n.kind = kind;
    n.name = node_name;
    n.inputs = {input};
    n.out_channels = int(w->shape[0]);
    n.in_channels = in.c;
    n.kernel_h = int(w->shape[2]);
    n.kernel_w = int(w->shape[3]);
    n.stride = stride;
    n.padding = padding;
    n.weight = ToFloat(*w);
    // Adder layers compute -D; conv layers the plain sum. BatchNorms get folded into this later.
    n.affine_scale.assign(size_t(n.out_channels), kind == OpKind::kAdder2d ? -1.f : 1.f);
    n.affine_shift.assign(size_t(n.out_channels), 0.f);
    return Emit(std::move(n), {input});
  }

  Result<int> BatchNorm(const std::string& prefix, int input) {
    const int64_t c = g_.ShapeOf(input).c;
    Node n;
    n.kind = OpKind::kBatchNorm;
    n.name = prefix;
    ADQ_ASSIGN_OR_RETURN(const TensorData* gamma, Get(prefix + ".weight", {c}));
    ADQ_ASSIGN_OR_RETURN(const TensorData* beta, Get(prefix + ".bias", {c}));
    ADQ_ASSIGN_OR_RETURN(const TensorData* mean, Get(prefix + ".running_mean", {c}));
    ADQ_ASSIGN_OR_RETURN(const TensorData* var, Get(prefix + ".running_var", {c}));
    n.bn_gamma = ToFloat(*gamma);
    n.bn_beta = ToFloat(*beta);
    n.bn_mean = ToFloat(*mean);
    n.bn_var = ToFloat(*var);
    for (float v : n.bn_var)
      if (v < 0.f) return BadInput("'{}.running_var' is negative", prefix);
    return Emit(std::move(n), {input});
  }

  Result<int> Simple(OpKind kind, const std::string& name, std::vector<int> inputs) {
    Node n;
    n.kind = kind;
    n.name = name;
    return Emit(std::move(n), inputs);
  }

  Result<int> AvgPool(const std::string& name, int input, int kernel) {
    Node n;
    n.kind = OpKind::kAvgPool;
    n.name = name;
    n.pool_kernel = kernel;
    n.pool_stride = 1;
    return Emit(std::move(n), {input});
  }

  Result<int> Linear(const std::string& name, const TensorData& w, const TensorData* bias, int input) {
    Node n;
    n.kind = OpKind::kLinear;
    n.name = name;
    n.out_channels = int(w.shape[0]);
    n.in_channels = int(w.shape[1]);
    n.weight = ToFloat(w);
    n.affine_scale.assign(size_t(n.out_channels), 1.f);
    n.affine_shift = bias ? ToFloat(*bias) : std::vector<float>(size_t(n.out_channels), 0.f);
    return Emit(std::move(n), {input});
  }

  Graph& graph() { return g_; }

 private:
  Result<int> Emit(Node n, std::vector<int> inputs) {
    n.inputs = std::move(inputs);
    std::vector<Shape3> in_shapes;
    for (int t : n.inputs) in_shapes.push_back(g_.ShapeOf(t));
    ADQ_ASSIGN_OR_RETURN(Shape3 out, InferOutputShape(n, in_shapes));
    n.output = g_.AddTensor(n.name, out);
    g_.nodes.push_back(std::move(n));
    return g_.nodes.back().output;
  }

  const StateDict& sd_;
  Graph g_;
};

bool Has(const StateDict& sd, const std::string& name) { return sd.Find(name) != nullptr; }

}  // namespace

Result<Graph> BuildCifarResNetAdder(const StateDict& sd) {
  int blocks = -1;
  for (int stage = 1; stage <= 3; ++stage) {
    int b = 0;
    while (Has(sd, "layer" + std::to_string(stage) + "." + std::to_string(b) + ".conv1.adder")) ++b;
    if (b == 0) return BadInput("unknown layout: no adder layers in stage {} (expected names like layer{}.0.conv1.adder)", stage, stage);
    if (blocks >= 0 && b != blocks)
      return BadInput("unknown layout: stage {} has {} blocks, stage 1 has {} (CIFAR ResNets have equal stages)", stage, b, blocks);
    blocks = b;
  }
  if (Has(sd, "layer4.0.conv1.adder")) return BadInput("unknown layout: a fourth stage (ImageNet ResNet?) is not supported");

  Builder bld(sd);
  Graph& g = bld.graph();
  g.meta.architecture = "resnet" + std::to_string(6 * blocks + 2) + "_adder_cifar";
  g.meta.input_shape = {3, 32, 32};
  g.meta.mean = {0.4914f, 0.4822f, 0.4465f};
  g.meta.std = {0.2023f, 0.1994f, 0.2010f};
  g.input = g.AddTensor("input", g.meta.input_shape);

  ADQ_ASSIGN_OR_RETURN(int x, bld.ConvLike(OpKind::kConv2d, "conv1", "conv1.weight", g.input, 1, 1));
  ADQ_ASSIGN_OR_RETURN(x, bld.BatchNorm("bn1", x));
  ADQ_ASSIGN_OR_RETURN(x, bld.Simple(OpKind::kRelu, "relu", {x}));
  for (int stage = 1; stage <= 3; ++stage) {
    for (int b = 0; b < blocks; ++b) {
      const std::string p = "layer" + std::to_string(stage) + "." + std::to_string(b);
      const bool has_down = Has(sd, p + ".downsample.0.adder");
      const int stride = (stage > 1 && b == 0) ? 2 : 1;
      ADQ_ASSIGN_OR_RETURN(int y, bld.ConvLike(OpKind::kAdder2d, p + ".conv1", p + ".conv1.adder", x, stride, 1));
      ADQ_ASSIGN_OR_RETURN(y, bld.BatchNorm(p + ".bn1", y));
      ADQ_ASSIGN_OR_RETURN(y, bld.Simple(OpKind::kRelu, p + ".relu1", {y}));
      ADQ_ASSIGN_OR_RETURN(y, bld.ConvLike(OpKind::kAdder2d, p + ".conv2", p + ".conv2.adder", y, 1, 1));
      ADQ_ASSIGN_OR_RETURN(y, bld.BatchNorm(p + ".bn2", y));
      int shortcut = x;
      if (has_down) {
        ADQ_ASSIGN_OR_RETURN(shortcut, bld.ConvLike(OpKind::kAdder2d, p + ".downsample.0", p + ".downsample.0.adder", x, stride, 0));
        ADQ_ASSIGN_OR_RETURN(shortcut, bld.BatchNorm(p + ".downsample.1", shortcut));
      } else if (!(g.ShapeOf(x) == g.ShapeOf(y))) {
        return BadInput("block {} changes shape but has no downsample layer", p);
      }
      ADQ_ASSIGN_OR_RETURN(y, bld.Simple(OpKind::kAdd, p + ".add", {y, shortcut}));
      ADQ_ASSIGN_OR_RETURN(x, bld.Simple(OpKind::kRelu, p + ".relu2", {y}));
    }
  }
  const Shape3 feat = g.ShapeOf(x);
  if (feat.h != feat.w) return BadInput("final feature map is not square ({}x{})", feat.h, feat.w);
  ADQ_ASSIGN_OR_RETURN(x, bld.AvgPool("avgpool", x, feat.h));

  const frontends::TensorData* fc = sd.Find("fc.weight");
  if (!fc) return BadInput("checkpoint lacks 'fc.weight'");
  if (fc->shape.size() == 4) {
    if (Has(sd, "fc.bias")) return Unsupported("a 1x1-conv classifier with a bias");
    ADQ_ASSIGN_OR_RETURN(x, bld.ConvLike(OpKind::kConv2d, "fc", "fc.weight", x, 1, 0));
    if (Has(sd, "bn2.weight")) {
      ADQ_ASSIGN_OR_RETURN(x, bld.BatchNorm("bn2", x));
    }
    ADQ_ASSIGN_OR_RETURN(x, bld.Simple(OpKind::kFlatten, "flatten", {x}));
  } else if (fc->shape.size() == 2) {
    ADQ_ASSIGN_OR_RETURN(x, bld.Simple(OpKind::kFlatten, "flatten", {x}));
    ADQ_ASSIGN_OR_RETURN(fc, bld.Get("fc.weight", {fc->shape[0], feat.c}));
    const frontends::TensorData* bias = sd.Find("fc.bias");
    if (bias && bias->shape != std::vector<int64_t>{fc->shape[0]}) return BadInput("'fc.bias' has the wrong shape");
    ADQ_ASSIGN_OR_RETURN(x, bld.Linear("fc", *fc, bias, x));
    if (Has(sd, "bn2.weight")) {
      ADQ_ASSIGN_OR_RETURN(x, bld.BatchNorm("bn2", x));
    }
  } else {
    return BadInput("'fc.weight' must be 2-D or 4-D");
  }
  g.output = x;
  const int classes = g.ShapeOf(x).c;
  if (classes == 10)
    g.meta.class_names = {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
  else
    for (int c = 0; c < classes; ++c) g.meta.class_names.push_back("class" + std::to_string(c));
  ADQ_RETURN_IF_ERROR(ValidateGraph(g));
  return g;
}

}  // namespace adderq::models
