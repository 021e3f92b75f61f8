// AVX2 versions of the tile kernels (compiled with -mavx2; chosen at run time by tile_kernels.cpp).
// Same tiling and the same per-lane operation order as the portable version, so results are
// bit-identical: |x - w| and x * w + acc are computed without FMA contraction.
#include <immintrin.h>

#include <algorithm>

#include "kernels/tile_kernels.h"

namespace adderq::kernels::avx2 {
namespace {

static_assert(kChannelTile == 16 && kPixelTile == 4, "the AVX2 tiles assume 4 pixels x 16 channels");

struct FloatAbsDiff {
  using Vec = __m256;
  static Vec Zero() { return _mm256_setzero_ps(); }
  static Vec Load(const float* p) { return _mm256_loadu_ps(p); }
  static Vec Broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static Vec Step(Vec acc, Vec x, Vec w) {
    // x - w as fma(x, 1, -w): exactly the rounded difference (one rounding, as the subtraction),
    // but issued on the FMA pipes, leaving the add pipes to the accumulation (2x on Zen 3).
    const Vec sign = _mm256_castsi256_ps(_mm256_set1_epi32(int(0x80000000u)));
    return _mm256_add_ps(acc, _mm256_andnot_ps(sign, _mm256_fmsub_ps(x, _mm256_set1_ps(1.f), w)));
  }
  static void Store(float* p, Vec v) { _mm256_storeu_ps(p, v); }
};

struct FloatMul {
  using Vec = __m256;
  static Vec Zero() { return _mm256_setzero_ps(); }
  static Vec Load(const float* p) { return _mm256_loadu_ps(p); }
  static Vec Broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static Vec Step(Vec acc, Vec x, Vec w) { return _mm256_add_ps(acc, _mm256_mul_ps(x, w)); }
  static void Store(float* p, Vec v) { _mm256_storeu_ps(p, v); }
};

// The register tile shared by the im2col and the direct kernels: 4 pixels x 16 channels, 8
// accumulators. Tap(): one k for the 4 pixels, whose inputs lie `pixel_step` floats apart.
template <typename T, typename Op>
struct Tile4x16 {
  using Vec = typename Op::Vec;
  Vec a00 = Op::Zero(), a01 = Op::Zero(), a10 = Op::Zero(), a11 = Op::Zero();
  Vec a20 = Op::Zero(), a21 = Op::Zero(), a30 = Op::Zero(), a31 = Op::Zero();
  inline void Tap(const T* w, const T* x, size_t pixel_step) {
    const Vec w0 = Op::Load(w), w1 = Op::Load(w + 8);
    Vec v = Op::Broadcast(x);
    a00 = Op::Step(a00, v, w0);
    a01 = Op::Step(a01, v, w1);
    v = Op::Broadcast(x + pixel_step);
    a10 = Op::Step(a10, v, w0);
    a11 = Op::Step(a11, v, w1);
    v = Op::Broadcast(x + 2 * pixel_step);
    a20 = Op::Step(a20, v, w0);
    a21 = Op::Step(a21, v, w1);
    v = Op::Broadcast(x + 3 * pixel_step);
    a30 = Op::Step(a30, v, w0);
    a31 = Op::Step(a31, v, w1);
  }
  // acc[o0 + j][p0 + r] for the real channels (< channels) and pixels (r < pixels).
  inline void Write(T* acc, size_t plane, int o0, int channels, size_t p0, int pixels) const {
    alignas(32) T tile[kPixelTile][kChannelTile];
    Op::Store(tile[0], a00); Op::Store(tile[0] + 8, a01);
    Op::Store(tile[1], a10); Op::Store(tile[1] + 8, a11);
    Op::Store(tile[2], a20); Op::Store(tile[2] + 8, a21);
    Op::Store(tile[3], a30); Op::Store(tile[3] + 8, a31);
    for (int j = 0; j < kChannelTile && o0 + j < channels; ++j)
      for (int r = 0; r < kPixelTile && r < pixels; ++r) acc[size_t(o0 + j) * plane + p0 + size_t(r)] = tile[r][j];
  }
};

template <typename T, typename Op>
void Tiles(const ConvGeometry& g, const T* col, const T* wT, T* acc) {
  const int K = g.K(), P = g.P(), O = g.out_c;
  const int op = ConvGeometry::PaddedChannels(O);
  for (int p0 = 0; p0 < P; p0 += kPixelTile) {
    const T* rows = col + size_t(p0) * size_t(K);
    for (int o0 = 0; o0 < op; o0 += kChannelTile) {
      Tile4x16<T, Op> t;
      const T* w = wT + o0;
      for (int k = 0; k < K; ++k, w += op) t.Tap(w, rows + k, size_t(K));
      t.Write(acc, size_t(P), o0, O, size_t(p0), P - p0);
    }
  }
}

}  // namespace

void ConvTiles(const ConvGeometry& g, const float* col, const float* wT, float* acc) {
  Tiles<float, FloatMul>(g, col, wT, acc);
}
void AdderFloatTiles(const ConvGeometry& g, const float* col, const float* wT, float* acc) {
  Tiles<float, FloatAbsDiff>(g, col, wT, acc);
}


namespace {
// Direct float tiles: 4 output pixels of one row x 16 channels; taps read from the padded image.
// kKW > 0: the kernel width as a compile-time constant (the tap loop unrolls); 0: g.kernel_w.
template <typename Op, int kKW>
void DirectTiles(const ConvGeometry& g, const float* xpad, int ph, int pw, const float* wT, float* acc) {
  const int P = g.P(), O = g.out_c, s = g.stride, KH = g.kernel_h, KW = kKW > 0 ? kKW : g.kernel_w;
  const int op = ConvGeometry::PaddedChannels(O);
  const size_t plane = size_t(ph) * size_t(pw);
  for (int oy = 0; oy < g.out_h; ++oy) {
    for (int ox0 = 0; ox0 < g.out_w; ox0 += kPixelTile) {
      const float* origin = xpad + size_t(oy * s) * size_t(pw) + size_t(ox0 * s);
      for (int o0 = 0; o0 < op; o0 += kChannelTile) {
        Tile4x16<float, Op> t;
        const float* w = wT + o0;
        for (int c = 0; c < g.in_c; ++c)
          for (int i = 0; i < KH; ++i) {
            const float* xr = origin + size_t(c) * plane + size_t(i) * size_t(pw);
#pragma GCC unroll 1
            for (int j = 0; j < KW; ++j, w += op) t.Tap(w, xr + j, size_t(s));  // k = (c, i, j): the im2col order
          }
        t.Write(acc, size_t(P), o0, O, size_t(oy) * size_t(g.out_w) + size_t(ox0), g.out_w - ox0);
      }
    }
  }
}
}  // namespace

void ConvLikeFloatDirect(bool adder, const ConvGeometry& g, const float* xpad, int padded_h, int padded_w,
                         const float* wT, float* acc) {
  if (g.kernel_w == 3) {
    if (adder) DirectTiles<FloatAbsDiff, 3>(g, xpad, padded_h, padded_w, wT, acc);
    else DirectTiles<FloatMul, 3>(g, xpad, padded_h, padded_w, wT, acc);
  } else if (g.kernel_w == 1) {
    if (adder) DirectTiles<FloatAbsDiff, 1>(g, xpad, padded_h, padded_w, wT, acc);
    else DirectTiles<FloatMul, 1>(g, xpad, padded_h, padded_w, wT, acc);
  } else {
    if (adder) DirectTiles<FloatAbsDiff, 0>(g, xpad, padded_h, padded_w, wT, acc);
    else DirectTiles<FloatMul, 0>(g, xpad, padded_h, padded_w, wT, acc);
  }
}

}  // namespace adderq::kernels::avx2
