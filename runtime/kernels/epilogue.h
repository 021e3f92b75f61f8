// The fused epilogue of the convolution-like CPU kernels over one image (affine_epilogue.h: y = scale * acc + shift, + residual, ReLU), compiled once more for AVX2 and chosen
// at run time. The same float operations in the same order on every path (no FMA contraction), so
// the results are identical.
#pragma once

#include <cstddef>
#include <cstdint>

namespace adderq::kernels {

void ApplyAffineEpilogue(const int32_t* acc, const float* scale, const float* shift, const float* residual, bool relu,
                         int channels, size_t plane, float* y);
void ApplyAffineEpilogue(const float* acc, const float* scale, const float* shift, const float* residual, bool relu,
                         int channels, size_t plane, float* y);

}  // namespace adderq::kernels
