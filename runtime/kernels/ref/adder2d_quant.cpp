// Quantized adder layer (ALGORITHM.md step 4): per group g, quantize the input once into codes
// q_a = clip(round(x * L / s_g), 0, L), accumulate S = sum |q_a - 2 q_w| in int32 over the group's
// channels, then y[o] = scale[o] * S + shift[o] (the folded affine carries -(s_g/L), beta_o and BN).
#include "kernels/ref/cpu_ops.h"

#include <algorithm>

#include "core/quant_math.h"
#include "kernels/im2col.h"
#include "kernels/tile_kernels.h"

namespace adderq::kernels {

Adder2dQuantKernel::Adder2dQuantKernel(const Node& node, ConvGeometry geometry)
    : g_(geometry), bits_(node.quant.bits), scale_(node.affine_scale), shift_(node.affine_shift) {
  const AdderQuantParams& q = node.quant;
  const int K = g_.K();
  // Groups with the same scale share one quantized input: they run as one channel set, so the
  // input is quantized once per distinct scale and no channel tile is padded per group.
  for (int o = 0; o < g_.out_c; ++o) {
    const float m = quant::ActivationMultiplier(q.group_scale[size_t(q.channel_group[size_t(o)])], bits_);
    auto it = std::find_if(groups_.begin(), groups_.end(), [&](const Group& grp) { return grp.multiplier == m; });
    if (it == groups_.end()) {
      groups_.push_back(Group{{}, m, {}});
      it = groups_.end() - 1;
    }
    it->channels.push_back(o);
  }
  for (Group& grp : groups_) {
    // Gather this set's rows of codes, doubled: the kernel computes |q_a - 2 q_w| directly.
    std::vector<int32_t> rows(grp.channels.size() * size_t(K));
    for (size_t r = 0; r < grp.channels.size(); ++r)
      for (int k = 0; k < K; ++k)
        rows[r * size_t(K) + size_t(k)] = 2 * int32_t(q.codes[size_t(grp.channels[r]) * size_t(K) + size_t(k)]);
    grp.w2T = PackWeightsTransposed<int32_t>(int(grp.channels.size()), K, rows.data(), [](int32_t v) { return v; });
  }
}

void QuantizeActivations(std::span<const float> x, float multiplier, int bits, std::span<int32_t> codes) {
  for (size_t i = 0; i < x.size(); ++i) codes[i] = quant::QuantizeActivation(x[i], multiplier, bits);
}

void Adder2dQuantKernel::IntegerSums(const float* x, int32_t* sums, Scratch& s) const {
  const int P = g_.P();
  const size_t in_size = g_.InputSize();
  s.codes.resize(in_size);
  s.col_i.resize(size_t(g_.PaddedP()) * size_t(g_.K()));
  s.acc_i.resize(g_.OutputSize());
  for (const Group& grp : groups_) {
    if (grp.channels.empty()) continue;
    QuantizeActivations({x, in_size}, grp.multiplier, bits_, s.codes);
    Im2Col<int32_t>(g_, s.codes.data(), s.col_i);
    ConvGeometry sub = g_;
    sub.out_c = int(grp.channels.size());
    AdderIntTiles(sub, s.col_i.data(), grp.w2T.data(), s.acc_i.data());
    for (size_t r = 0; r < grp.channels.size(); ++r)
      std::copy_n(s.acc_i.data() + r * size_t(P), P, sums + size_t(grp.channels[r]) * size_t(P));
  }
}

void Adder2dQuantKernel::Eval(const OpContext& ctx, int begin, int end, Scratch& s) const {
  const size_t P = size_t(g_.P());
  std::vector<int32_t>& sums = s.sums;
  sums.resize(g_.OutputSize());
  for (int n = begin; n < end; ++n) {
    IntegerSums(ctx.inputs[0] + size_t(n) * ctx.input_sizes[0], sums.data(), s);
    float* y = ctx.output + size_t(n) * ctx.output_size;
    for (size_t o = 0; o < size_t(g_.out_c); ++o)
      for (size_t p = 0; p < P; ++p) y[o * P + p] = scale_[o] * float(sums[o * P + p]) + shift_[o];
  }
}

}  // namespace adderq::kernels
