// Portable epilogue, and the run-time choice of the AVX-512 or AVX2 build of the same template.
#include "kernels/epilogue.h"

#include "kernels/affine_epilogue.h"
#include "kernels/tile_kernels.h"

namespace adderq::kernels {

#if ADDERQ_HAVE_AVX2
namespace avx2 {
void ApplyAffineEpilogue(const int32_t* acc, const float* scale, const float* shift, const float* residual, bool relu,
                         int channels, size_t plane, float* y);
void ApplyAffineEpilogue(const float* acc, const float* scale, const float* shift, const float* residual, bool relu,
                         int channels, size_t plane, float* y);
}  // namespace avx2
namespace avx512 {
void ApplyAffineEpilogue(const int32_t* acc, const float* scale, const float* shift, const float* residual, bool relu,
                         int channels, size_t plane, float* y);
void ApplyAffineEpilogue(const float* acc, const float* scale, const float* shift, const float* residual, bool relu,
                         int channels, size_t plane, float* y);
}  // namespace avx512
#endif

namespace {
template <typename Acc>
void Dispatch(const Acc* acc, const float* scale, const float* shift, const float* residual, bool relu, int channels,
              size_t plane, float* y) {
#if ADDERQ_HAVE_AVX2
  if (UseAvx512()) return avx512::ApplyAffineEpilogue(acc, scale, shift, residual, relu, channels, plane, y);
  if (UseAvx2()) return avx2::ApplyAffineEpilogue(acc, scale, shift, residual, relu, channels, plane, y);
#endif
  AffineEpilogue(acc, scale, shift, residual, relu, channels, plane, y);
}
}  // namespace

void ApplyAffineEpilogue(const int32_t* acc, const float* scale, const float* shift, const float* residual, bool relu,
                         int channels, size_t plane, float* y) {
  Dispatch(acc, scale, shift, residual, relu, channels, plane, y);
}

void ApplyAffineEpilogue(const float* acc, const float* scale, const float* shift, const float* residual, bool relu,
                         int channels, size_t plane, float* y) {
  Dispatch(acc, scale, shift, residual, relu, channels, plane, y);
}

}  // namespace adderq::kernels
