// The epilogue loop of affine_epilogue.h built for AVX-512 (zmm: 16 outputs per instruction), the same
// operations (multiply, add, add, select) as the portable build, so the same bits.
#include <cstdint>

#include "kernels/affine_epilogue.h"

namespace adderq::kernels::avx512 {

void ApplyAffineEpilogue(const int32_t* acc, const float* scale, const float* shift, const float* residual, bool relu,
                         int channels, size_t plane, float* y) {
  AffineEpilogue(acc, scale, shift, residual, relu, channels, plane, y);
}

void ApplyAffineEpilogue(const float* acc, const float* scale, const float* shift, const float* residual, bool relu,
                         int channels, size_t plane, float* y) {
  AffineEpilogue(acc, scale, shift, residual, relu, channels, plane, y);
}

}  // namespace adderq::kernels::avx512
