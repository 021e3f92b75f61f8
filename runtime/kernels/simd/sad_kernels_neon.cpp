// ARM64 SadTiles with plain AdvSIMD (every AArch64 core): vabdq_u8 for |x - w|, then vpadalq_u8
// adds byte pairs into 16-bit lanes; vpadalq_u16 moves those into the 32-bit sums before they can
// overflow. 2 instructions per 16-byte chunk, plus the flush every kStepsPerFlush steps.
#include "kernels/simd/sad_tiles_neon.h"

namespace adderq::kernels::neon {
namespace {
struct PairwiseWidening {
  using Partial = uint16x8_t;
  static Partial Zero() { return vdupq_n_u16(0); }
  static void Add(Partial& a, uint8x16_t d) { a = vpadalq_u8(a, d); }
  static uint32x4_t Flush(Partial& a, uint32x4_t s) { return vpadalq_u16(s, a); }
  // A 16-bit lane gains at most 2 x 255 per chunk, 4 x 255 per step: 64 steps = 65,280 < 65,536.
  static constexpr int kStepsPerFlush = 64;
};
}  // namespace

void SadTiles(const uint8_t* col, int pixels, int row_bytes, const uint8_t* w, int channels, int32_t* acc) {
  SadTilesNeon<PairwiseWidening>(col, pixels, row_bytes, w, channels, acc);
}

double MeasureSadCeilingOpsPerSecond(double seconds) { return MeasureSadCeilingNeon<PairwiseWidening>(seconds); }

}  // namespace adderq::kernels::neon
