// The direct float convolutions (Conv2d, full-precision Adder2d) at stride 1 with AVX-512: 16
// neighbouring output pixels of a row per register against 8 broadcast filter weights, so each
// register holds one channel's pixels and goes to its plane with one store (the AVX2 tiles hold 16
// channels of 4 pixels and write through a transpose). Every output still sums its taps in
// k = (c, i, j) order from 0 with a separate multiply (or |x - w|) and add: the same bits as the
// AVX2 and portable kernels.
//
// (GCC 12's AVX-512 headers: see sad_kernels_avx512.cpp on the warnings.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include <algorithm>

#include "kernels/tile_kernels.h"

namespace adderq::kernels::avx512 {
namespace {

struct Mul {
  static __m512 Step(__m512 acc, __m512 x, __m512 w) { return _mm512_add_ps(acc, _mm512_mul_ps(x, w)); }
};
struct AbsDiff {
  static __m512 Step(__m512 acc, __m512 x, __m512 w) { return _mm512_add_ps(acc, _mm512_abs_ps(_mm512_sub_ps(x, w))); }
};

constexpr int kChannels = 8;  // filters per tile

// Rows of kV x 16 output pixels x 8 filters: kV * 8 accumulators. kKW > 0: the kernel width at
// compile time (the tap loop unrolls). Reads up to kV * 16 - 1 columns past a row's last output
// (LeftOverColumns); stores only real pixels and filters.
template <typename Op, int kKW, int kV>
void DirectRows(const ConvGeometry& g, const float* xpad, int ph, int pw, const float* wT, float* acc) {
  const int O = g.out_c, KH = g.kernel_h, KW = kKW > 0 ? kKW : g.kernel_w;
  const size_t op = size_t(ConvGeometry::PaddedChannels(O)), plane = size_t(ph) * size_t(pw), P = size_t(g.P());
  for (int oy = 0; oy < g.out_h; ++oy) {
    for (int ox0 = 0; ox0 < g.out_w; ox0 += 16 * kV) {
      __mmask16 valid[kV];
      for (int v = 0; v < kV; ++v) {
        const int n = std::clamp(g.out_w - ox0 - 16 * v, 0, 16);
        valid[v] = __mmask16((1u << n) - 1u);
      }
      const float* origin = xpad + size_t(oy) * size_t(pw) + size_t(ox0);
      for (int o0 = 0; o0 < O; o0 += kChannels) {
        __m512 a[kV][kChannels];
        for (auto& row : a)
          for (__m512& r : row) r = _mm512_setzero_ps();
        const float* w = wT + o0;
        for (int c = 0; c < g.in_c; ++c)
          for (int i = 0; i < KH; ++i) {
            const float* xr = origin + size_t(c) * plane + size_t(i) * size_t(pw);
#pragma GCC unroll 8
            for (int j = 0; j < KW; ++j, w += op) {  // k = (c, i, j): the im2col order
              __m512 x[kV];
#pragma GCC unroll 2
              for (int v = 0; v < kV; ++v) x[v] = _mm512_loadu_ps(xr + j + 16 * v);
#pragma GCC unroll 8
              for (int t = 0; t < kChannels; ++t) {
                const __m512 wt = _mm512_set1_ps(w[t]);
#pragma GCC unroll 2
                for (int v = 0; v < kV; ++v) a[v][t] = Op::Step(a[v][t], x[v], wt);
              }
            }
          }
        float* out = acc + size_t(o0) * P + size_t(oy) * size_t(g.out_w) + size_t(ox0);
        for (int t = 0; t < kChannels && o0 + t < O; ++t)
          for (int v = 0; v < kV; ++v) _mm512_mask_storeu_ps(out + size_t(t) * P + 16 * size_t(v), valid[v], a[v][t]);
      }
    }
  }
}

template <typename Op>
void Dispatch(const ConvGeometry& g, const float* xpad, int ph, int pw, const float* wT, float* acc) {
  const bool two = g.out_w > 16;  // two registers of pixels per tile where rows are long enough
  if (g.kernel_w == 3) return two ? DirectRows<Op, 3, 2>(g, xpad, ph, pw, wT, acc) : DirectRows<Op, 3, 1>(g, xpad, ph, pw, wT, acc);
  if (g.kernel_w == 1) return two ? DirectRows<Op, 1, 2>(g, xpad, ph, pw, wT, acc) : DirectRows<Op, 1, 1>(g, xpad, ph, pw, wT, acc);
  return two ? DirectRows<Op, 0, 2>(g, xpad, ph, pw, wT, acc) : DirectRows<Op, 0, 1>(g, xpad, ph, pw, wT, acc);
}

}  // namespace

int LeftOverColumns() { return 32; }

void ConvLikeFloatDirect(bool adder, const ConvGeometry& g, const float* xpad, int padded_h, int padded_w,
                         const float* wT, float* acc) {
  if (adder) Dispatch<AbsDiff>(g, xpad, padded_h, padded_w, wT, acc);
  else Dispatch<Mul>(g, xpad, padded_h, padded_w, wT, acc);
}

}  // namespace adderq::kernels::avx512
