// Float convolution-like layers (multiplying Conv2d and full-precision Adder2d), zero padding,
// then the per-channel affine.
#include "kernels/epilogue.h"
#include "kernels/im2col.h"
#include "kernels/tile_kernels.h"
#include "kernels/ref/cpu_ops.h"

namespace adderq::kernels {

FloatConvLikeKernel::FloatConvLikeKernel(const Node& node, ConvGeometry geometry, bool adder, bool relu)
    : g_(geometry), adder_(adder), relu_(relu), scale_(node.affine_scale), shift_(node.affine_shift) {
  wT_ = PackWeightsTransposed<float>(g_.out_c, g_.K(), node.weight.data(), [](float w) { return w; });
}

void FloatConvLikeKernel::Eval(const OpContext& ctx, int begin, int end, Scratch& s) const {
  s.acc_f.resize(g_.OutputSize());
  const size_t P = size_t(g_.P());
  for (int n = begin; n < end; ++n) {
    ConvLikeFloatDirect(adder_, g_, ctx.inputs[0] + size_t(n) * ctx.input_sizes[0], wT_.data(), s.acc_f.data(), s.pad_f,
                        s.col_f);
    ApplyAffineEpilogue(s.acc_f.data(), scale_.data(), shift_.data(),
                   ctx.residual ? ctx.residual + size_t(n) * ctx.output_size : nullptr, relu_, g_.out_c, P,
                   ctx.output + size_t(n) * ctx.output_size);
  }
}

}  // namespace adderq::kernels
