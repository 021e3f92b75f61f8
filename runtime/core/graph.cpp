#include "core/graph.h"

#include <algorithm>
#include <cmath>

namespace adderq {

const char* OpKindName(OpKind kind) {
  switch (kind) {
    case OpKind::kConv2d: return "conv2d";
    case OpKind::kAdder2d: return "adder2d";
    case OpKind::kBatchNorm: return "batchnorm";
    case OpKind::kRelu: return "relu";
    case OpKind::kAdd: return "add";
    case OpKind::kAvgPool: return "avgpool";
    case OpKind::kFlatten: return "flatten";
    case OpKind::kLinear: return "linear";
    case OpKind::kMaxPool: return "maxpool";
  }
  return "unknown";
}

namespace {

// Sane bounds: far above any CIFAR/ImageNet adder net, far below what could overflow size_t.
constexpr int kMaxDim = 1 << 16;
constexpr int kMaxKernel = 64;
// Per-image activation tensors beyond this (256 MiB of floats) are refused before anything allocates.
constexpr size_t kMaxTensorElements = size_t(1) << 26;

bool InRange(int v, int lo, int hi) { return v >= lo && v <= hi; }

Result<Shape3> ConvLikeShape(const Node& n, const Shape3& in) {
  if (!InRange(n.out_channels, 1, kMaxDim) || !InRange(n.in_channels, 1, kMaxDim) ||
      !InRange(n.kernel_h, 1, kMaxKernel) || !InRange(n.kernel_w, 1, kMaxKernel) ||
      !InRange(n.stride, 1, kMaxKernel) || !InRange(n.padding, 0, kMaxKernel))
    return BadInput("node '{}': bad geometry (O={} C={} K={}x{} stride={} pad={})", n.name,
                    n.out_channels, n.in_channels, n.kernel_h, n.kernel_w, n.stride, n.padding);
  if (in.c != n.in_channels)
    return BadInput("node '{}': input has {} channels, layer expects {}", n.name, in.c, n.in_channels);
  const int hp = in.h + 2 * n.padding, wp = in.w + 2 * n.padding;
  if (hp < n.kernel_h || wp < n.kernel_w)
    return BadInput("node '{}': kernel {}x{} larger than padded input {}x{}", n.name, n.kernel_h,
                    n.kernel_w, hp, wp);
  return Shape3{n.out_channels, (hp - n.kernel_h) / n.stride + 1, (wp - n.kernel_w) / n.stride + 1};
}

Status CheckPerChannel(const Node& n, const std::vector<float>& v, const char* what, size_t want) {
  if (v.size() != want)
    return BadInput("node '{}': {} has {} values, expected {}", n.name, what, v.size(), want);
  for (float x : v)
    if (!std::isfinite(x)) return BadInput("node '{}': {} holds a non-finite value", n.name, what);
  return Status::Ok();
}

Status ValidateQuant(const Node& n) {
  const AdderQuantParams& q = n.quant;
  if (q.bits < 2 || q.bits > 8) return Unsupported("node '{}': {} bits (supported: 2..8)", n.name, q.bits);
  const int groups = q.groups();
  if (groups < 1 || groups > n.out_channels)
    return BadInput("node '{}': {} groups for {} output channels", n.name, groups, n.out_channels);
  for (float s : q.group_scale)
    if (!(s > 0.f) || !std::isfinite(s)) return BadInput("node '{}': group scale {} is not positive", n.name, s);
  if (q.channel_group.size() != size_t(n.out_channels))
    return BadInput("node '{}': {} channel groups for {} channels", n.name, q.channel_group.size(), n.out_channels);
  for (int g : q.channel_group)
    if (g < 0 || g >= groups) return BadInput("node '{}': channel group {} out of range", n.name, g);
  if (q.codes.size() != n.WeightCount())
    return BadInput("node '{}': {} weight codes, expected {}", n.name, q.codes.size(), n.WeightCount());
  if (q.code_kind != quant::WeightCodeKind::kSignedDoubled && q.code_kind != quant::WeightCodeKind::kUnsigned)
    return Unsupported("node '{}': weight code kind {}", n.name, int(q.code_kind));
  const int lo = quant::WeightCodeMin(q.bits, q.code_kind), hi = quant::WeightCodeMax(q.bits, q.code_kind);
  for (int16_t c : q.codes)
    if (c < lo || c > hi) return BadInput("node '{}': weight code {} outside [{}, {}] ({} bits, {} codes)", n.name, int(c), lo,
                                    hi, q.bits, quant::WeightCodeKindName(q.code_kind));
  return Status::Ok();
}

}  // namespace

Result<Shape3> InferOutputShape(const Node& n, const std::vector<Shape3>& in) {
  const size_t want_inputs = n.kind == OpKind::kAdd ? 2 : 1;
  if (in.size() != want_inputs)
    return BadInput("node '{}' ({}): {} inputs, expected {}", n.name, OpKindName(n.kind), in.size(), want_inputs);
  switch (n.kind) {
    case OpKind::kConv2d:
    case OpKind::kAdder2d: return ConvLikeShape(n, in[0]);
    case OpKind::kLinear:
      if (in[0].h != 1 || in[0].w != 1 || in[0].c != n.in_channels || !InRange(n.out_channels, 1, kMaxDim))
        return BadInput("node '{}': linear expects a flat input of {} features", n.name, n.in_channels);
      return Shape3{n.out_channels, 1, 1};
    case OpKind::kBatchNorm:
    case OpKind::kRelu: return in[0];
    case OpKind::kAdd:
      if (!(in[0] == in[1])) return BadInput("node '{}': add of different shapes", n.name);
      return in[0];
    case OpKind::kAvgPool: {
      if (n.pool_padding != 0) return BadInput("node '{}': average pooling takes no padding", n.name);
      if (!InRange(n.pool_kernel, 1, kMaxDim) || !InRange(n.pool_stride, 1, kMaxDim) ||
          n.pool_kernel > in[0].h || n.pool_kernel > in[0].w)
        return BadInput("node '{}': pool {} stride {} on {}x{}", n.name, n.pool_kernel, n.pool_stride, in[0].h, in[0].w);
      return Shape3{in[0].c, (in[0].h - n.pool_kernel) / n.pool_stride + 1,
                    (in[0].w - n.pool_kernel) / n.pool_stride + 1};
    }
    case OpKind::kMaxPool: {
      const int hp = in[0].h + 2 * n.pool_padding, wp = in[0].w + 2 * n.pool_padding;
      // Padding at most half the window (as ONNX and PyTorch require): every window holds a real value.
      if (!InRange(n.pool_kernel, 1, kMaxKernel) || !InRange(n.pool_stride, 1, kMaxKernel) ||
          !InRange(n.pool_padding, 0, n.pool_kernel / 2) || n.pool_kernel > hp || n.pool_kernel > wp)
        return BadInput("node '{}': max pool {} stride {} padding {} on {}x{}", n.name, n.pool_kernel, n.pool_stride,
                        n.pool_padding, in[0].h, in[0].w);
      return Shape3{in[0].c, (hp - n.pool_kernel) / n.pool_stride + 1, (wp - n.pool_kernel) / n.pool_stride + 1};
    }
    case OpKind::kFlatten: return Shape3{int(in[0].size()), 1, 1};
  }
  return BadInput("node '{}': unknown op kind {}", n.name, int(n.kind));
}

Status ValidateGraph(const Graph& g) {
  const int nt = int(g.tensors.size());
  if (nt == 0 || g.nodes.empty()) return BadInput("graph has no tensors or no nodes");
  if (g.input < 0 || g.input >= nt || g.output < 0 || g.output >= nt)
    return BadInput("graph input/output tensor index out of range");
  if (!(g.tensors[size_t(g.input)].shape == g.meta.input_shape))
    return BadInput("graph input tensor shape differs from the metadata's input shape");
  for (const TensorDesc& t : g.tensors)
    if (t.shape.c <= 0 || t.shape.h <= 0 || t.shape.w <= 0 || t.shape.c > kMaxDim || t.shape.h > kMaxDim ||
        t.shape.w > kMaxDim)
      return BadInput("tensor '{}' has a bad shape {}x{}x{}", t.name, t.shape.c, t.shape.h, t.shape.w);
  for (const TensorDesc& t : g.tensors)
    if (t.shape.size() > kMaxTensorElements)
      return BadInput("tensor '{}' ({}x{}x{}) is larger than this runtime accepts", t.name, t.shape.c, t.shape.h, t.shape.w);
  std::vector<bool> defined(size_t(nt), false);
  defined[size_t(g.input)] = true;
  for (const Node& n : g.nodes) {
    std::vector<Shape3> in_shapes;
    for (int t : n.inputs) {
      if (t < 0 || t >= nt) return BadInput("node '{}': input tensor {} out of range", n.name, t);
      if (!defined[size_t(t)]) return BadInput("node '{}': input '{}' used before it is produced", n.name, g.tensors[size_t(t)].name);
      in_shapes.push_back(g.tensors[size_t(t)].shape);
    }
    if (n.output < 0 || n.output >= nt) return BadInput("node '{}': output tensor out of range", n.name);
    if (defined[size_t(n.output)]) return BadInput("node '{}': output '{}' produced twice", n.name, g.tensors[size_t(n.output)].name);
    ADQ_ASSIGN_OR_RETURN(Shape3 out, InferOutputShape(n, in_shapes));
    if (!(out == g.tensors[size_t(n.output)].shape))
      return BadInput("node '{}': output shape {}x{}x{} differs from tensor '{}' ({}x{}x{})", n.name, out.c, out.h,
                      out.w, g.tensors[size_t(n.output)].name, g.tensors[size_t(n.output)].shape.c,
                      g.tensors[size_t(n.output)].shape.h, g.tensors[size_t(n.output)].shape.w);
    defined[size_t(n.output)] = true;

    const size_t oc = size_t(n.out_channels);
    switch (n.kind) {
      case OpKind::kConv2d:
      case OpKind::kAdder2d:
      case OpKind::kLinear: {
        const bool quantized = n.kind == OpKind::kAdder2d && n.quant.enabled();
        if (quantized) {
          ADQ_RETURN_IF_ERROR(ValidateQuant(n));
        } else {
          ADQ_RETURN_IF_ERROR(CheckPerChannel(n, n.weight, "weight", n.WeightCount()));
        }
        ADQ_RETURN_IF_ERROR(CheckPerChannel(n, n.affine_scale, "affine scale", oc));
        ADQ_RETURN_IF_ERROR(CheckPerChannel(n, n.affine_shift, "affine shift", oc));
        break;
      }
      case OpKind::kBatchNorm: {
        const size_t c = size_t(out.c);
        ADQ_RETURN_IF_ERROR(CheckPerChannel(n, n.bn_gamma, "bn gamma", c));
        ADQ_RETURN_IF_ERROR(CheckPerChannel(n, n.bn_beta, "bn beta", c));
        ADQ_RETURN_IF_ERROR(CheckPerChannel(n, n.bn_mean, "bn mean", c));
        ADQ_RETURN_IF_ERROR(CheckPerChannel(n, n.bn_var, "bn var", c));
        if (!(n.bn_eps > 0.f)) return BadInput("node '{}': bn eps must be positive", n.name);
        for (float v : n.bn_var)
          if (v < 0.f) return BadInput("node '{}': negative bn variance", n.name);
        break;
      }
      default: break;
    }
  }
  if (!defined[size_t(g.output)]) return BadInput("graph output '{}' is never produced", g.tensors[size_t(g.output)].name);
  const Shape3& in = g.meta.input_shape;
  if (g.meta.mean.size() != size_t(in.c) || g.meta.std.size() != size_t(in.c))
    return BadInput("metadata: mean/std need {} values", in.c);
  for (float s : g.meta.std)
    if (!(s > 0.f)) return BadInput("metadata: std must be positive");
  if (g.meta.resize_shorter != 0 && (g.meta.resize_shorter < std::max(in.h, in.w) || g.meta.resize_shorter > kMaxDim))
    return BadInput("metadata: resize_shorter {} is smaller than the {}x{} input", g.meta.resize_shorter, in.h, in.w);
  return Status::Ok();
}

}  // namespace adderq
