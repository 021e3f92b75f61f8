// ARM64 SadTiles with the ARMv8.2 dot-product extension (Cortex-A76/A78 and later, all Jetson Orin
// and Graviton 2/3 cores; compiled with +dotprod, chosen at run time from HWCAP_ASIMDDP):
// vabdq_u8 for |x - w|, then vdotq_u32 against a vector of ones sums each group of four byte
// differences straight into a 32-bit lane. 2 instructions per 16-byte chunk, no flush.
#include "kernels/simd/sad_tiles_neon.h"

namespace adderq::kernels::neon_dotprod {
namespace {
struct DotWithOnes {
  using Partial = uint32x4_t;
  static Partial Zero() { return vdupq_n_u32(0); }
  static void Add(Partial& a, uint8x16_t d) { a = vdotq_u32(a, d, vdupq_n_u8(1)); }
  static uint32x4_t Flush(Partial& a, uint32x4_t s) { return vaddq_u32(s, a); }
  // 32-bit lanes do not overflow for any row adderq builds (< 2^24 bytes); one flush per tile.
  static constexpr int kStepsPerFlush = 1 << 20;
};
}  // namespace

void SadTiles(const uint8_t* col, int pixels, int row_bytes, const uint8_t* w, int channels, int32_t* acc) {
  neon::SadTilesNeon<DotWithOnes>(col, pixels, row_bytes, w, channels, acc);
}

double MeasureSadCeilingOpsPerSecond(double seconds) { return neon::MeasureSadCeilingNeon<DotWithOnes>(seconds); }

}  // namespace adderq::kernels::neon_dotprod
