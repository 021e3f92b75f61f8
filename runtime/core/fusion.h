// Which elementwise nodes fold into the node that feeds them, for every backend: a convolution-like
// node (Conv2d, Adder2d) absorbs a following residual Add (when the Add's other operand is computed
// before it) and then a following ReLU; an Add absorbs a following ReLU. Only the sole consumer of
// a tensor is absorbed, and never the consumer of the graph's output tensor. Results are identical
// to running the nodes one by one (the same float operations in the same order).
// With `fuse_batchnorm`, an unfolded BatchNorm absorbs a residual Add and a ReLU the same way (the
// CPU executor, where the compiler runs graphs whose BatchNorms are not folded yet; the CUDA plan
// only ever sees folded artifacts).
#pragma once

#include <vector>

#include "core/graph.h"

namespace adderq {

struct FusedNode {
  bool absorbed = false;  // computed inside an earlier node's epilogue: skip it
  int residual = -1;      // tensor added after the affine, or -1
  bool relu = false;      // ReLU after that
  int output = -1;        // tensor the node finally writes (its own output if nothing was absorbed)
};

std::vector<FusedNode> PlanFusion(const Graph& graph, bool fuse_batchnorm = false);

}  // namespace adderq
