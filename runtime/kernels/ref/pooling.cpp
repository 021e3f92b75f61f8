// Pooling kernels: average pooling (no padding) and max pooling (portable, or AVX2 at run time).
#include "kernels/max_pool_plane.h"
#include "kernels/ref/cpu_ops.h"
#include "kernels/tile_kernels.h"

namespace adderq::kernels {

#if ADDERQ_HAVE_AVX2
namespace avx2 {
void MaxPoolPlane(const float* x, const PoolGeometry& g, float* y, float* rows);
}  // namespace avx2
#endif

void MaxPoolPlane(const float* x, const PoolGeometry& g, float* y, float* rows) {
#if ADDERQ_HAVE_AVX2
  if (UseAvx2()) return avx2::MaxPoolPlane(x, g, y, rows);
#endif
  MaxPoolPlaneImpl(x, g, y, rows);
}

void AvgPoolKernel::Eval(const OpContext& ctx, int begin, int end, Scratch&) const {
  const float inv = 1.f / float(kernel_ * kernel_);
  for (int n = begin; n < end; ++n) {
    const float* x = ctx.inputs[0] + size_t(n) * ctx.input_sizes[0];
    float* y = ctx.output + size_t(n) * ctx.output_size;
    for (int c = 0; c < out_.c; ++c)
      for (int oy = 0; oy < out_.h; ++oy)
        for (int ox = 0; ox < out_.w; ++ox) {
          float sum = 0.f;
          for (int i = 0; i < kernel_; ++i)
            for (int j = 0; j < kernel_; ++j)
              sum += x[(size_t(c) * in_.h + size_t(oy * stride_ + i)) * in_.w + size_t(ox * stride_ + j)];
          y[(size_t(c) * out_.h + size_t(oy)) * out_.w + size_t(ox)] = sum * inv;
        }
  }
}

MaxPoolKernel::MaxPoolKernel(const Node& node, const Shape3& in, const Shape3& out)
    : channels_(in.c), g_{in.h, in.w, out.h, out.w, node.pool_kernel, node.pool_stride, node.pool_padding} {}

void MaxPoolKernel::Eval(const OpContext& ctx, int begin, int end, Scratch& scratch) const {
  std::vector<float>& rows = scratch.pool_rows;
  if (rows.size() < size_t(g_.in_w)) rows.resize(size_t(g_.in_w));
  const size_t in_plane = size_t(g_.in_h) * size_t(g_.in_w), out_plane = size_t(g_.out_h) * size_t(g_.out_w);
  for (int n = begin; n < end; ++n) {
    const float* x = ctx.inputs[0] + size_t(n) * ctx.input_sizes[0];
    float* y = ctx.output + size_t(n) * ctx.output_size;
    for (int c = 0; c < channels_; ++c) MaxPoolPlane(x + size_t(c) * in_plane, g_, y + size_t(c) * out_plane, rows.data());
  }
}

}  // namespace adderq::kernels
