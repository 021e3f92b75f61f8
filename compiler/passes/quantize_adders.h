// ALGORITHM.md steps 2-4 for every adder layer: groups, group scales, the lossless weight clamp
// with its per-filter bias, and the integer weight codes. The layer's affine becomes
// y = -(s_g / L) * S + beta_o (BatchNorm still separate; folded later).
#pragma once

#include <map>
#include <span>
#include <string>

#include "core/graph.h"

namespace adderq::passes {

enum class ScaleMethod {
  kAdderQuant,   // grouped scales, clamp + bias
  kSharedScale,  // the prior baseline: one scale s = max(max|W|, A_l) per layer, no clamp
};

struct QuantizeOptions {
  ScaleMethod method = ScaleMethod::kAdderQuant;
  int bits = 4;
  int groups = 4;
};

// ranges: adder node name -> A_l (from calibration). Every adder node must have one.
Status QuantizeAdderLayers(Graph& graph, const std::map<std::string, float>& ranges, const QuantizeOptions& options);

// The clamp of step 3 for one filter: clamps w to [-A, A] in place and returns
// beta = -sum max(|w| - A, 0).
double ClampFilter(std::span<float> weights, float range);

}  // namespace adderq::passes
