// Portable SadTiles, and the run-time choice of the AVX-512, AVX2 or NEON version (integer sums: any order is exact).
#include "kernels/sad_kernels.h"

#include "kernels/tile_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace adderq::kernels {

#if ADDERQ_HAVE_AVX2
namespace avx2 {
void SadTiles(const uint8_t* col, int pixels, int row_bytes, const uint8_t* w, int channels, int32_t* acc);
void QuantizeToBytes(const float* x, size_t n, float multiplier, int levels, uint8_t offset, uint8_t* out, size_t stride);
double MeasureSadCeilingOpsPerSecond(double seconds);
void QuantizeToBytesHwc(const float* x, int channels, size_t count, size_t channel_stride, float multiplier, int levels,
                        uint8_t offset, uint8_t* out);
void SadDirect(SadDirectForm form, const uint8_t* xpad, int padded_w, int in_c, int out_h, int out_w, int kernel_h,
               int kernel_w, int stride, const uint8_t* wtaps, int channels, int32_t* acc);
}
namespace avx512 {
void QuantizeToBytesHwc(const float* x, int channels, size_t count, size_t channel_stride, float multiplier, int levels,
                        uint8_t offset, uint8_t* out);
int DirectTapBytes(SadDirectForm form, int in_c, int stride, int out_w);
void SadTiles(const uint8_t* col, int pixels, int row_bytes, const uint8_t* w, int channels, int32_t* acc);
double MeasureSadCeilingOpsPerSecond(double seconds);
void SadDirect(SadDirectForm form, const uint8_t* xpad, int padded_w, int in_c, int out_h, int out_w, int kernel_h,
               int kernel_w, int stride, const uint8_t* wtaps, int channels, int32_t* acc);
}  // namespace avx512
#endif
#if ADDERQ_HAVE_NEON
namespace neon {
void SadTiles(const uint8_t* col, int pixels, int row_bytes, const uint8_t* w, int channels, int32_t* acc);
double MeasureSadCeilingOpsPerSecond(double seconds);
}  // namespace neon
namespace neon_dotprod {
void SadTiles(const uint8_t* col, int pixels, int row_bytes, const uint8_t* w, int channels, int32_t* acc);
double MeasureSadCeilingOpsPerSecond(double seconds);
}  // namespace neon_dotprod
#endif

void SadTiles(const uint8_t* col, int pixels, int row_bytes, const uint8_t* w, int channels, int32_t* acc) {
#if ADDERQ_HAVE_AVX2
  if (UseAvx512()) return avx512::SadTiles(col, pixels, row_bytes, w, channels, acc);
  if (UseAvx2()) return avx2::SadTiles(col, pixels, row_bytes, w, channels, acc);
#endif
#if ADDERQ_HAVE_NEON
  if (UseNeonDotProd()) return neon_dotprod::SadTiles(col, pixels, row_bytes, w, channels, acc);
  if (UseNeon()) return neon::SadTiles(col, pixels, row_bytes, w, channels, acc);
#endif
  for (int o = 0; o < channels; ++o) {
    const uint8_t* wr = w + size_t(o) * size_t(row_bytes);
    for (int p = 0; p < pixels; ++p) {
      const uint8_t* xr = col + size_t(p) * size_t(row_bytes);
      int32_t s = 0;
      for (int k = 0; k < row_bytes; ++k) s += std::abs(int(xr[k]) - int(wr[k]));
      acc[size_t(o) * size_t(pixels) + size_t(p)] = s;
    }
  }
}

double MeasureSadCeilingOpsPerSecond(double seconds) {
#if ADDERQ_HAVE_AVX2
  // The widest vpsadbw the kernels use: that is the machine's rate for them.
  if (UseAvx512()) return avx512::MeasureSadCeilingOpsPerSecond(seconds);
  if (UseAvx2()) return avx2::MeasureSadCeilingOpsPerSecond(seconds);
#endif
#if ADDERQ_HAVE_NEON
  if (UseNeonDotProd()) return neon_dotprod::MeasureSadCeilingOpsPerSecond(seconds);
  if (UseNeon()) return neon::MeasureSadCeilingOpsPerSecond(seconds);
#endif
  (void)seconds;
  return 0.0;
}

void QuantizeToBytes(const float* x, size_t n, float multiplier, int levels, uint8_t offset, uint8_t* out, size_t stride) {
#if ADDERQ_HAVE_AVX2
  if (UseAvx2()) return avx2::QuantizeToBytes(x, n, multiplier, levels, offset, out, stride);
#endif
  const float top = float(levels);
  for (size_t i = 0; i < n; ++i)
    out[i * stride] = uint8_t(int(std::clamp(std::nearbyint(x[i] * multiplier), 0.f, top)) + offset);
}

void QuantizeToBytesHwc(const float* x, int channels, size_t count, size_t channel_stride, float multiplier, int levels,
                        uint8_t offset, uint8_t* out) {
#if ADDERQ_HAVE_AVX2
  if (UseAvx512()) return avx512::QuantizeToBytesHwc(x, channels, count, channel_stride, multiplier, levels, offset, out);
  if (UseAvx2()) return avx2::QuantizeToBytesHwc(x, channels, count, channel_stride, multiplier, levels, offset, out);
#endif
  for (int c = 0; c < channels; ++c)
    QuantizeToBytes(x + size_t(c) * channel_stride, count, multiplier, levels, offset, out + c, size_t(channels));
}

SadDirectForm ChooseSadDirectForm(int channels, int stride, int out_w) {
  if (channels == 16 && stride == 1 && out_w % 4 == 0) return SadDirectForm::kPairs16;
  if (channels == 16 && stride == 2 && out_w % 4 == 0) return SadDirectForm::kPairs16Stride2;
  // Rows at stride 2 measured no faster than im2col + tiles (a quarter of the pixels, short runs).
  return channels % kSadRowAlign == 0 && stride == 1 ? SadDirectForm::kRows : SadDirectForm::kNone;
}

int SadDirectTapBytes(SadDirectForm form, int in_c, int stride, int out_w) {
#if ADDERQ_HAVE_AVX2
  if (UseAvx512()) return avx512::DirectTapBytes(form, in_c, stride, out_w);
#endif
  (void)stride, (void)out_w;
  return form == SadDirectForm::kPairs16 || form == SadDirectForm::kPairs16Stride2 ? 2 * in_c : 0;
}

bool SadDirect(SadDirectForm form, const uint8_t* xpad, int padded_w, int in_c, int out_h, int out_w, int kernel_h,
               int kernel_w, int stride, const uint8_t* wtaps, int channels, int32_t* acc) {
#if ADDERQ_HAVE_AVX2
  if (UseAvx512() && form != SadDirectForm::kNone) {
    avx512::SadDirect(form, xpad, padded_w, in_c, out_h, out_w, kernel_h, kernel_w, stride, wtaps, channels, acc);
    return true;
  }
  if (UseAvx2() && form != SadDirectForm::kNone) {
    avx2::SadDirect(form, xpad, padded_w, in_c, out_h, out_w, kernel_h, kernel_w, stride, wtaps, channels, acc);
    return true;
  }
#endif
  (void)form, (void)xpad, (void)padded_w, (void)in_c, (void)out_h, (void)out_w, (void)kernel_h, (void)kernel_w;
  (void)stride, (void)wtaps, (void)channels, (void)acc;
  return false;
}

}  // namespace adderq::kernels
