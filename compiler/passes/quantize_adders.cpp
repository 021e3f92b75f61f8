#include "passes/quantize_adders.h"

#include <algorithm>
#include <cmath>

#include "core/quant_math.h"
#include "passes/cluster_filters.h"
#include "passes/nonnegative_inputs.h"

namespace adderq::passes {

double ClampFilter(std::span<float> w, float range) {
  double beta = 0.0;
  for (float& v : w) {
    const float excess = std::fabs(v) - range;
    if (excess > 0.f) {
      beta -= double(excess);
      v = std::clamp(v, -range, range);
    }
  }
  return beta;
}

double ClampFilterOneSided(std::span<float> w, float scale) {
  double beta = 0.0;
  for (float& v : w) {
    // w <= 0:  |x - w| = |x - 0| + |w|;  w >= s >= x:  |x - w| = |x - s| + (w - s).
    const float clamped = std::clamp(v, 0.f, scale);
    beta -= std::fabs(double(v) - double(clamped));
    v = clamped;
  }
  return beta;
}

namespace {

Status QuantizeOne(Node& n, float range, const QuantizeOptions& opt, bool one_sided) {
  const size_t O = size_t(n.out_channels), per = n.WeightCount() / O;
  std::vector<float> max_abs(O, 0.f);
  for (size_t o = 0; o < O; ++o)
    for (size_t i = 0; i < per; ++i) max_abs[o] = std::max(max_abs[o], std::fabs(n.weight[o * per + i]));

  AdderQuantParams& q = n.quant;
  q = AdderQuantParams{};
  q.bits = opt.bits;
  q.act_range = range;
  q.clamp_bias.assign(O, 0.f);
  std::vector<float> w = n.weight;
  if (opt.method == ScaleMethod::kSharedScale) {
    q.channel_group.assign(O, 0);
    q.group_scale = {std::max(*std::max_element(max_abs.begin(), max_abs.end()), range)};
  } else {
    ADQ_ASSIGN_OR_RETURN(q.channel_group, OptimalKMeans1D(max_abs, opt.groups));
    const int groups = *std::max_element(q.channel_group.begin(), q.channel_group.end()) + 1;
    std::vector<float> group_max(size_t(groups), 0.f);
    for (size_t o = 0; o < O; ++o) {
      float& m = group_max[size_t(q.channel_group[o])];
      m = std::max(m, max_abs[o]);
    }
    q.group_scale.resize(size_t(groups));
    for (size_t g = 0; g < size_t(groups); ++g) {
      // A group whose weights exceed the activation range shares the activation's scale and has
      // its weights clamped (exactly compensated by beta); otherwise the weights set the scale.
      q.group_scale[g] = group_max[g] > range ? range : group_max[g];
      if (!(q.group_scale[g] > 0.f)) q.group_scale[g] = range;  // an all-zero group: any scale is exact
    }
    for (size_t o = 0; o < O; ++o) {
      const size_t g = size_t(q.channel_group[o]);
      const std::span<float> filter(w.data() + o * per, per);
      double beta = 0.0;
      if (one_sided) beta = ClampFilterOneSided(filter, q.group_scale[g]);
      else if (group_max[g] > range && max_abs[o] > range) beta = ClampFilter(filter, range);
      if (beta != 0.0) {
        q.clamp_bias[o] = float(beta);
        q.clamped_channels++;
      }
    }
  }
  q.code_kind = one_sided ? quant::WeightCodeKind::kUnsigned : quant::WeightCodeKind::kSignedDoubled;
  q.codes.resize(w.size());
  const float L = float(quant::Levels(opt.bits));
  for (size_t o = 0; o < O; ++o) {
    const float s = q.group_scale[size_t(q.channel_group[o])];
    for (size_t i = 0; i < per; ++i)
      q.codes[o * per + i] = int16_t(one_sided ? quant::QuantizeWeightUnsigned(w[o * per + i], s, opt.bits)
                                               : quant::QuantizeWeight(w[o * per + i], s, opt.bits));
    // y = -(s/L) * S + beta  ==  -sum |X_hat - W_hat| + beta  (S on the activations' grid either way)
    n.affine_scale[o] = -s / L;
    n.affine_shift[o] = q.clamp_bias[o];
  }
  n.weight.clear();  // the codes are the layer now
  return Status::Ok();
}

}  // namespace

Status QuantizeAdderLayers(Graph& g, const std::map<std::string, float>& ranges, const QuantizeOptions& opt) {
  if (opt.bits < 2 || opt.bits > 8) return InvalidArgument("--bits {} is not supported (2..8)", opt.bits);
  if (opt.groups < 1 || opt.groups > 256) return InvalidArgument("--groups {} is not supported (1..256)", opt.groups);
  const std::vector<bool> non_negative = AdderInputsProvenNonNegative(g);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& n = g.nodes[i];
    if (n.kind != OpKind::kAdder2d) continue;
    if (n.quant.enabled()) return InvalidArgument("adder layer '{}' is already quantized", n.name);
    auto it = ranges.find(n.name);
    if (it == ranges.end()) return RuntimeError("no calibrated range for adder layer '{}'", n.name);
    // The affine must still be the bare layer's (-1, 0): BatchNorms are folded after this pass.
    for (size_t o = 0; o < n.affine_scale.size(); ++o)
      if (n.affine_scale[o] != -1.f || n.affine_shift[o] != 0.f)
        return RuntimeError("adder layer '{}' has a folded affine; quantize before folding", n.name);
    const bool one_sided =
        opt.method == ScaleMethod::kAdderQuant && opt.clamp == ClampKind::kOneSided && non_negative[i];
    ADQ_RETURN_IF_ERROR(QuantizeOne(n, it->second, opt, one_sided));
  }
  return ValidateGraph(g);
}

}  // namespace adderq::passes
