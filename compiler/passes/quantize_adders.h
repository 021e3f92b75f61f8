// ALGORITHM.md steps 2-4 for every adder layer: groups, group scales, the lossless weight clamp
// with its per-filter bias, and the integer weight codes. The layer's affine becomes
// y = -(s_g / L) * S + beta_o (BatchNorm still separate; folded later).
// The clamp is the paper's symmetric one (signed codes, S = sum |q_a - 2 q_w|) or the one-sided
// one ("Beyond the paper": weights into [0, s], unsigned codes on the activations' grid,
// S = sum |q_a - q_w|), which is exact only for non-negative inputs: layers whose input the graph
// does not prove non-negative (nonnegative_inputs.h) keep the symmetric clamp.
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

enum class ClampKind {
  kSymmetric,  // the paper's: [-s, s], signed codes
  kOneSided,   // [0, s], unsigned codes, where the input is proven non-negative
};

struct QuantizeOptions {
  ScaleMethod method = ScaleMethod::kAdderQuant;
  ClampKind clamp = ClampKind::kSymmetric;  // kAdderQuant only (shared-scale has no clamp)
  int bits = 4;
  int groups = 4;
};

// ranges: adder node name -> A_l (from calibration). Every adder node must have one.
Status QuantizeAdderLayers(Graph& graph, const std::map<std::string, float>& ranges, const QuantizeOptions& options);

// The clamp of step 3 for one filter: clamps w to [-A, A] in place and returns
// beta = -sum max(|w| - A, 0).
double ClampFilter(std::span<float> weights, float range);
// The one-sided clamp for one filter: clamps w to [0, s] in place and returns
// beta = -sum (max(-w, 0) + max(w - s, 0)).
double ClampFilterOneSided(std::span<float> weights, float scale);

}  // namespace adderq::passes
