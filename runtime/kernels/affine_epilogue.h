// The fused epilogue loop of convolution-like kernels, for one image: y[o][p] = scale[o] * acc[o][p]
// + shift[o], then + residual, then ReLU; the same float operations as separate Add and ReLU nodes.
// One pass, with the residual/ReLU choice made outside the loops so each variant vectorizes.
//
// Included by kernels/ref/epilogue.cpp and kernels/simd/epilogue_avx2.cpp only (use epilogue.h).
// The unnamed namespace is deliberate: each of those translation units keeps its own copy compiled
// for its instruction set. A shared inline instantiation could be resolved by the linker to the
// AVX2 copy everywhere (illegal instructions on a CPU without AVX2).
#pragma once

#include <cstddef>

namespace adderq::kernels {
namespace {

template <bool kResidual, bool kRelu, typename Acc>
void AffineEpilogueLoop(const Acc* acc, const float* scale, const float* shift, const float* residual, int channels,
                        size_t plane, float* y) {
  for (size_t o = 0; o < size_t(channels); ++o) {
    const float a = scale[o], b = shift[o];
    for (size_t p = o * plane; p < (o + 1) * plane; ++p) {
      float v = a * float(acc[p]) + b;
      if constexpr (kResidual) v = v + residual[p];
      if constexpr (kRelu) v = v < 0.f ? 0.f : v;
      y[p] = v;
    }
  }
}

template <typename Acc>
void AffineEpilogue(const Acc* acc, const float* scale, const float* shift, const float* residual, bool relu,
                    int channels, size_t plane, float* y) {
  if (residual) {
    if (relu) AffineEpilogueLoop<true, true>(acc, scale, shift, residual, channels, plane, y);
    else AffineEpilogueLoop<true, false>(acc, scale, shift, residual, channels, plane, y);
  } else {
    if (relu) AffineEpilogueLoop<false, true>(acc, scale, shift, residual, channels, plane, y);
    else AffineEpilogueLoop<false, false>(acc, scale, shift, residual, channels, plane, y);
  }
}

}  // namespace
}  // namespace adderq::kernels
