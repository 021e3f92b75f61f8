#include "passes/nonnegative_inputs.h"

namespace adderq::passes {

std::vector<bool> AdderInputsProvenNonNegative(const Graph& g) {
  std::vector<bool> proven(g.tensors.size(), false);  // the graph input stays unproven
  std::vector<bool> result(g.nodes.size(), false);
  auto is_proven = [&](int tensor) { return tensor >= 0 && size_t(tensor) < proven.size() && proven[size_t(tensor)]; };
  for (size_t i = 0; i < g.nodes.size(); ++i) {  // topological order: inputs are decided first
    const Node& n = g.nodes[i];
    if (n.kind == OpKind::kAdder2d) result[i] = !n.inputs.empty() && is_proven(n.inputs[0]);
    bool out = false;
    switch (n.kind) {
      case OpKind::kRelu: out = true; break;
      case OpKind::kAvgPool:
      case OpKind::kMaxPool:  // a maximum of non-negative values (padding never wins)
      case OpKind::kFlatten: out = !n.inputs.empty() && is_proven(n.inputs[0]); break;
      case OpKind::kAdd: out = n.inputs.size() == 2 && is_proven(n.inputs[0]) && is_proven(n.inputs[1]); break;
      default: out = false;  // may be negative (an adder layer's -sum|x - w| is never positive)
    }
    if (n.output >= 0 && size_t(n.output) < proven.size()) proven[size_t(n.output)] = out;
  }
  return result;
}

}  // namespace adderq::passes
