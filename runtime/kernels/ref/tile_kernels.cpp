#include "kernels/tile_kernels.h"

#include <cstdlib>
#include <string>

namespace adderq::kernels {
namespace {

struct MulOp {
  // Kept as a separate multiply and add (no FMA contraction) to match the SIMD kernels bit for bit.
  template <typename T> static T Apply(T x, T w) { return x * w; }
};
struct AbsDiffOp {
  static float Apply(float x, float w) { return __builtin_fabsf(x - w); }
  static int32_t Apply(int32_t x, int32_t w) { return std::abs(x - w); }
};

// One template for all three element types keeps the tiling identical; `Op` is the only difference.
template <typename T, typename Op>
inline void Tiles(const ConvGeometry& g, const T* col, const T* wT, T* acc) {
  const int K = g.K(), P = g.P(), O = g.out_c;
  const int op = ConvGeometry::PaddedChannels(O);
  for (int p0 = 0; p0 < P; p0 += kPixelTile) {
    for (int o0 = 0; o0 < op; o0 += kChannelTile) {
      T tile[kPixelTile][kChannelTile] = {};
      const T* rows = col + size_t(p0) * size_t(K);
      for (int k = 0; k < K; ++k) {
        const T* w = wT + size_t(k) * size_t(op) + size_t(o0);
        for (int r = 0; r < kPixelTile; ++r) {
          const T x = rows[size_t(r) * size_t(K) + size_t(k)];
          for (int j = 0; j < kChannelTile; ++j) tile[r][j] += Op::Apply(x, w[j]);
        }
      }
      for (int j = 0; j < kChannelTile && o0 + j < O; ++j)
        for (int r = 0; r < kPixelTile && p0 + r < P; ++r) acc[size_t(o0 + j) * size_t(P) + size_t(p0 + r)] = tile[r][j];
    }
  }
}

}  // namespace

}  // namespace adderq::kernels

#if ADDERQ_HAVE_AVX2
namespace adderq::kernels::avx2 {
void ConvTiles(const ConvGeometry& g, const float* col, const float* wT, float* acc);
void AdderFloatTiles(const ConvGeometry& g, const float* col, const float* wT, float* acc);
void AdderIntTiles(const ConvGeometry& g, const int32_t* col, const int32_t* w2T, int32_t* acc);
}  // namespace adderq::kernels::avx2
#endif

namespace adderq::kernels {

// Run-time dispatch: the AVX2 kernels where the CPU has AVX2 (and ADDERQ_SIMD is not "scalar").
bool UseAvx2() {
#if ADDERQ_HAVE_AVX2
  static const bool use = [] {
    const char* env = std::getenv("ADDERQ_SIMD");
    if (env && std::string(env) == "scalar") return false;
    return bool(__builtin_cpu_supports("avx2"));
  }();
  return use;
#else
  return false;
#endif
}

const char* SimdLevel() { return UseAvx2() ? "avx2" : "scalar"; }

void ConvTiles(const ConvGeometry& g, const float* col, const float* wT, float* acc) {
#if ADDERQ_HAVE_AVX2
  if (UseAvx2()) return avx2::ConvTiles(g, col, wT, acc);
#endif
  Tiles<float, MulOp>(g, col, wT, acc);
}
void AdderFloatTiles(const ConvGeometry& g, const float* col, const float* wT, float* acc) {
#if ADDERQ_HAVE_AVX2
  if (UseAvx2()) return avx2::AdderFloatTiles(g, col, wT, acc);
#endif
  Tiles<float, AbsDiffOp>(g, col, wT, acc);
}
void AdderIntTiles(const ConvGeometry& g, const int32_t* col, const int32_t* w2T, int32_t* acc) {
#if ADDERQ_HAVE_AVX2
  if (UseAvx2()) return avx2::AdderIntTiles(g, col, w2T, acc);
#endif
  Tiles<int32_t, AbsDiffOp>(g, col, w2T, acc);
}

}  // namespace adderq::kernels
