// Which adder layers read an input that is never negative, proven from the graph: the one-sided
// clamp (ALGORITHM.md, "Beyond the paper") is exact only for such inputs.
//
// A tensor is proven non-negative when it is produced by a ReLU, or by an op that keeps the sign
// of non-negative inputs: average pooling, flatten, and the sum of two proven tensors. The graph's
// input and every other op's output (convolutions, adder layers, BatchNorm, linear layers) are
// not proven. The adder layer's own zero padding adds zeros, which keeps the sign.
#pragma once

#include <vector>

#include "core/graph.h"

namespace adderq::passes {

// One entry per node: true for an adder node whose input tensor is proven non-negative.
std::vector<bool> AdderInputsProvenNonNegative(const Graph& graph);

}  // namespace adderq::passes
