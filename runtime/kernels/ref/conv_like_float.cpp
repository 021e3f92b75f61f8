// Float convolution-like layers (multiplying Conv2d and full-precision Adder2d), zero padding,
// then the per-channel affine.
#include "kernels/im2col.h"
#include "kernels/ref/cpu_ops.h"

namespace adderq::kernels {

FloatConvLikeKernel::FloatConvLikeKernel(const Node& node, ConvGeometry geometry, FloatTileFn tiles)
    : g_(geometry), tiles_(tiles), scale_(node.affine_scale), shift_(node.affine_shift) {
  wT_ = PackWeightsTransposed<float>(g_.out_c, g_.K(), node.weight.data(), [](float w) { return w; });
}

void FloatConvLikeKernel::Eval(const OpContext& ctx, int begin, int end, Scratch& s) const {
  s.col_f.resize(size_t(g_.PaddedP()) * size_t(g_.K()));
  s.acc_f.resize(g_.OutputSize());
  const size_t P = size_t(g_.P());
  for (int n = begin; n < end; ++n) {
    Im2Col<float>(g_, ctx.inputs[0] + size_t(n) * ctx.input_sizes[0], s.col_f);
    tiles_(g_, s.col_f.data(), wT_.data(), s.acc_f.data());
    float* y = ctx.output + size_t(n) * ctx.output_size;
    for (size_t o = 0; o < size_t(g_.out_c); ++o)
      for (size_t p = 0; p < P; ++p) y[o * P + p] = scale_[o] * s.acc_f[o * P + p] + shift_[o];
  }
}

}  // namespace adderq::kernels
