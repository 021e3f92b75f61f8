// Folds every BatchNorm that directly follows a Conv2d / Adder2d / Linear (its only consumer) into
// that layer's per-channel affine (ALGORITHM.md step 6):
//   bn(scale * acc + shift) = (a * scale) * acc + (a * shift + b),  a = gamma / sqrt(var + eps),
//   b = beta - a * mean.
// For a quantized adder layer scale = -(s_g / L) and shift = beta_o, giving exactly a_o and c_o.
#pragma once

#include "core/graph.h"

namespace adderq::passes {

Status FoldBatchNorms(Graph& graph);
// Drops tensors no node reads or writes and renumbers the rest.
void CompactTensors(Graph& graph);

}  // namespace adderq::passes
