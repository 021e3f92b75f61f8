// The CPU backend's kernel table: an explicit list (no static registration, which a static
// library link would drop).
#include "kernels/ref/cpu_ops.h"
#include "kernels/tile_kernels.h"

namespace adderq::kernels {

Result<std::unique_ptr<OpKernel>> CreateCpuKernel(const Graph& graph, size_t index, bool relu) {
  const Node& node = graph.nodes[index];
  const Shape3& in = graph.ShapeOf(node.inputs.at(0));
  const Shape3& out = graph.ShapeOf(node.output);
  switch (node.kind) {
    case OpKind::kConv2d:
      return std::unique_ptr<OpKernel>(new FloatConvLikeKernel(node, ConvGeometry::FromNode(node, in, out), false, relu));
    case OpKind::kAdder2d:
      if (node.quant.enabled())
        return std::unique_ptr<OpKernel>(new Adder2dQuantKernel(node, ConvGeometry::FromNode(node, in, out), relu));
      return std::unique_ptr<OpKernel>(new FloatConvLikeKernel(node, ConvGeometry::FromNode(node, in, out), true, relu));
    case OpKind::kLinear: return std::unique_ptr<OpKernel>(new LinearKernel(node));
    case OpKind::kBatchNorm: return std::unique_ptr<OpKernel>(new BatchNormKernel(node, in, relu));
    case OpKind::kRelu: return std::unique_ptr<OpKernel>(new ReluKernel());
    case OpKind::kAdd: return std::unique_ptr<OpKernel>(new AddKernel(relu));
    case OpKind::kAvgPool: return std::unique_ptr<OpKernel>(new AvgPoolKernel(node, in, out));
    case OpKind::kMaxPool: return std::unique_ptr<OpKernel>(new MaxPoolKernel(node, in, out));
    case OpKind::kFlatten: return std::unique_ptr<OpKernel>(new FlattenKernel());
  }
  return Unsupported("node '{}': no CPU kernel for op {}", node.name, OpKindName(node.kind));
}

}  // namespace adderq::kernels
