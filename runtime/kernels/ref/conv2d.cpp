// Multiplying convolution (the stem and 1x1 classifiers), float, zero padding, then the affine.
#include "kernels/ref/cpu_ops.h"

#include "kernels/im2col.h"
#include "kernels/tile_kernels.h"

namespace adderq::kernels {

Conv2dKernel::Conv2dKernel(const Node& node, ConvGeometry geometry)
    : g_(geometry), scale_(node.affine_scale), shift_(node.affine_shift) {
  wT_ = PackWeightsTransposed<float>(g_.out_c, g_.K(), node.weight.data(), [](float w) { return w; });
}

void Conv2dKernel::Eval(const OpContext& ctx, int begin, int end, Scratch& s) const {
  s.col_f.resize(size_t(g_.PaddedP()) * size_t(g_.K()));
  s.acc_f.resize(g_.OutputSize());
  const int P = g_.P();
  for (int n = begin; n < end; ++n) {
    Im2Col<float>(g_, ctx.inputs[0] + size_t(n) * ctx.input_sizes[0], s.col_f);
    ConvTiles(g_, s.col_f.data(), wT_.data(), s.acc_f.data());
    float* y = ctx.output + size_t(n) * ctx.output_size;
    for (int o = 0; o < g_.out_c; ++o)
      for (int p = 0; p < P; ++p) y[o * P + p] = scale_[size_t(o)] * s.acc_f[size_t(o) * P + p] + shift_[size_t(o)];
  }
}

}  // namespace adderq::kernels
