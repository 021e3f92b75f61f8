#include "kernels/tile_kernels.h"

#include "kernels/im2col.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#if ADDERQ_HAVE_NEON
#include <asm/hwcap.h>  // HWCAP_ASIMDDP
#include <sys/auxv.h>   // getauxval
#endif

namespace adderq::kernels {
namespace {

struct MulOp {
  // Kept as a separate multiply and add (no FMA contraction) to match the SIMD kernels bit for bit.
  template <typename T> static T Apply(T x, T w) { return x * w; }
};
struct AbsDiffOp {
  static float Apply(float x, float w) { return __builtin_fabsf(x - w); }
};

// One template keeps the tiling identical; `Op` is the only difference.
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
void ConvLikeFloatDirect(bool adder, const ConvGeometry& g, const float* xpad, int padded_h, int padded_w,
                         const float* wT, float* acc);
}  // namespace adderq::kernels::avx2
namespace adderq::kernels::avx512 {
int LeftOverColumns();
void ConvLikeFloatDirect(bool adder, const ConvGeometry& g, const float* xpad, int padded_h, int padded_w,
                         const float* wT, float* acc);
}  // namespace adderq::kernels::avx512
#endif

namespace adderq::kernels {

namespace {
// $ADDERQ_SIMD, read once: unset or "auto" (the best this CPU has), "scalar", on x86-64 "avx2"
// (AVX-512 off) or "avx512", on ARM64 "neon" (the dot product off) or "neon-dotprod". Any other
// value is said once on stderr and means "auto".
const std::string& RequestedSimd() {
  static const std::string requested = [] {
    const char* env = std::getenv("ADDERQ_SIMD");
    std::string value = env ? std::string(env) : std::string();
#if defined(__x86_64__)
    const bool known = value.empty() || value == "auto" || value == "scalar" || value == "avx2" || value == "avx512";
    const char* levels = "auto, avx512, avx2, scalar";
#elif defined(__aarch64__)
    const bool known = value.empty() || value == "auto" || value == "scalar" || value == "neon" || value == "neon-dotprod";
    const char* levels = "auto, neon-dotprod, neon, scalar";
#else
    const bool known = value.empty() || value == "auto" || value == "scalar";
    const char* levels = "auto, scalar";
#endif
    if (!known) {
      std::fprintf(stderr, "adderq: warning: ADDERQ_SIMD=%s is not one of %s here; using the best this CPU has\n",
                   value.c_str(), levels);
      value.clear();
    }
    return value;
  }();
  return requested;
}
}  // namespace

// Run-time dispatch: the AVX2 kernels where the CPU has AVX2 (and ADDERQ_SIMD is not "scalar").
bool UseAvx2() {
#if ADDERQ_HAVE_AVX2
  // The AVX2 kernels also use FMA3 (present on every AVX2 processor from Intel and AMD).
  static const bool use = RequestedSimd() != "scalar" && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return use;
#else
  return false;
#endif
}

bool UseAvx512() {
#if ADDERQ_HAVE_AVX2
  static const bool use = UseAvx2() && RequestedSimd() != "avx2" && __builtin_cpu_supports("avx512f") &&
                          __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
  return use;
#else
  return false;
#endif
}

// AdvSIMD is part of every AArch64 core; ADDERQ_SIMD=scalar turns it off.
bool UseNeon() {
#if ADDERQ_HAVE_NEON
  return RequestedSimd() != "scalar";
#else
  return false;
#endif
}

// The dot-product kernels where the kernel reports ASIMDDP (ARMv8.2+), unless ADDERQ_SIMD is
// "neon" (plain AdvSIMD) or "scalar".
bool UseNeonDotProd() {
#if ADDERQ_HAVE_NEON
  static const bool use =
      RequestedSimd() != "scalar" && RequestedSimd() != "neon" && (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
  return use;
#else
  return false;
#endif
}

namespace {
const char* RunningLevel() {
  if (UseAvx512()) return "avx512";
  if (UseAvx2()) return "avx2";
  if (UseNeonDotProd()) return "neon-dotprod";
  if (UseNeon()) return "neon";
  return "scalar";
}
}  // namespace

const char* SimdLevel() {
  // A level asked for by name that this CPU lacks is said once (the run uses the best it has).
  static const char* const level = [] {
    const char* running = RunningLevel();
    const std::string& asked = RequestedSimd();
    if (!asked.empty() && asked != "auto" && asked != running)
      std::fprintf(stderr, "adderq: warning: ADDERQ_SIMD=%s, but this CPU runs %s\n", asked.c_str(), running);
    return running;
  }();
  return level;
}

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

void ConvLikeFloatDirect(bool adder, const ConvGeometry& g, const float* x, const float* wT, float* acc,
                         std::vector<float>& pad, std::vector<float>& col) {
#if ADDERQ_HAVE_AVX2
  if (UseAvx2()) {
    // Zero border of `padding`, plus zero columns on the right so a pixel tile that runs past the
    // row's end reads zeros (those outputs are not stored): kPixelTile * stride for the AVX2 tiles,
    // avx512::LeftOverColumns for the AVX-512 rows (stride 1, rows of at least 16 outputs: on
    // shorter ones most of a register's 16 pixels are padding, and there the AVX2 tiles were
    // faster, e.g. a 2048 -> 1000 classifier on one pixel 261 against 593 us, 3x3 at 8x8 52 against 66).
    const bool wide = UseAvx512() && g.stride == 1 && g.out_w >= 16;
    const int ph = g.in_h + 2 * g.padding;
    const int pw = g.in_w + 2 * g.padding + (wide ? avx512::LeftOverColumns() : kPixelTile * g.stride);
    pad.assign(size_t(g.in_c) * size_t(ph) * size_t(pw), 0.f);
    for (int c = 0; c < g.in_c; ++c)
      for (int y = 0; y < g.in_h; ++y)
        std::copy_n(x + (size_t(c) * size_t(g.in_h) + size_t(y)) * size_t(g.in_w), g.in_w,
                    pad.data() + (size_t(c) * size_t(ph) + size_t(y + g.padding)) * size_t(pw) + size_t(g.padding));
    if (wide) return avx512::ConvLikeFloatDirect(adder, g, pad.data(), ph, pw, wT, acc);
    return avx2::ConvLikeFloatDirect(adder, g, pad.data(), ph, pw, wT, acc);
  }
#else
  (void)pad;  // only the AVX2 kernel reads a padded copy
#endif
  col.resize(size_t(g.PaddedP()) * size_t(g.K()));
  Im2Col<float>(g, x, col);
  if (adder) Tiles<float, AbsDiffOp>(g, col.data(), wT, acc);
  else Tiles<float, MulOp>(g, col.data(), wT, acc);
}

}  // namespace adderq::kernels
