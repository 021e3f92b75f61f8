// The NEON SadTiles loop, shared by the two ARM64 kernels (sad_kernels_neon.cpp: plain AdvSIMD;
// sad_kernels_dotprod.cpp: ARMv8.2 dot product). Same tile as AVX2 (sad_kernels.h: 2 pixel rows x
// 4 filter rows, rows a multiple of 32 bytes), so the weights and im2col rows are laid out once for
// every ISA. Each 16-byte chunk is |x - w| with vabdq_u8; how the 16 byte differences reach the
// 32-bit sums is the `Accumulate` policy of the including file. Integer sums are exact in any
// order, so both give the reference's sums bit for bit.
#pragma once

#include <arm_neon.h>

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "kernels/sad_kernels.h"

namespace adderq::kernels::neon {

static_assert(kSadPixelTile == 2 && kSadChannelTile == 4, "the NEON tile is 2 pixels x 4 filters");
static_assert(kSadRowAlign == 32, "a step is two 16-byte chunks");

// Accumulate (the policy) provides:
//   struct Partial;                                  per-(pixel, filter) running sums in registers
//   static Partial Zero();
//   static void Add(Partial&, uint8x16_t d);         one chunk of byte differences
//   static uint32x4_t Flush(Partial&, uint32x4_t);   the partial into 32-bit lanes (and reset)
//   static constexpr int kStepsPerFlush;             steps (32 bytes) a Partial holds without overflow
template <typename Accumulate>
void SadTilesNeon(const uint8_t* col, int pixels, int row_bytes, const uint8_t* w, int channels, int32_t* acc) {
  using Partial = typename Accumulate::Partial;
  const size_t rb = size_t(row_bytes);
  const int steps = row_bytes / kSadRowAlign;
  for (int o0 = 0; o0 < channels; o0 += kSadChannelTile) {
    const uint8_t* w0 = w + size_t(o0) * rb;
    for (int p0 = 0; p0 < pixels; p0 += kSadPixelTile) {
      const uint8_t* x0 = col + size_t(p0) * rb;
      const uint8_t* y0 = x0 + rb;
      uint32x4_t s[2][4];
      for (auto& r : s)
        for (auto& v : r) v = vdupq_n_u32(0);
      for (int k0 = 0; k0 < steps; k0 += Accumulate::kStepsPerFlush) {
        const int k1 = k0 + Accumulate::kStepsPerFlush < steps ? k0 + Accumulate::kStepsPerFlush : steps;
        Partial a[2][4];
        for (auto& r : a)
          for (auto& v : r) v = Accumulate::Zero();
        for (int k = k0; k < k1; ++k) {
          const size_t off = size_t(k) * kSadRowAlign;
          const uint8x16_t xl = vld1q_u8(x0 + off), xh = vld1q_u8(x0 + off + 16);
          const uint8x16_t yl = vld1q_u8(y0 + off), yh = vld1q_u8(y0 + off + 16);
          for (int j = 0; j < kSadChannelTile; ++j) {
            const uint8_t* f = w0 + size_t(j) * rb + off;
            const uint8x16_t fl = vld1q_u8(f), fh = vld1q_u8(f + 16);
            Accumulate::Add(a[0][j], vabdq_u8(xl, fl));
            Accumulate::Add(a[0][j], vabdq_u8(xh, fh));
            Accumulate::Add(a[1][j], vabdq_u8(yl, fl));
            Accumulate::Add(a[1][j], vabdq_u8(yh, fh));
          }
        }
        for (int r = 0; r < 2; ++r)
          for (int j = 0; j < kSadChannelTile; ++j) s[r][j] = Accumulate::Flush(a[r][j], s[r][j]);
      }
      // {f0, f1, f2, f3} of each pixel: pairwise adds of the four lanes.
      const uint32x4_t r0 = vpaddq_u32(vpaddq_u32(s[0][0], s[0][1]), vpaddq_u32(s[0][2], s[0][3]));
      const uint32x4_t r1 = vpaddq_u32(vpaddq_u32(s[1][0], s[1][1]), vpaddq_u32(s[1][2], s[1][3]));
      uint32_t v[2][4];
      vst1q_u32(v[0], r0);
      vst1q_u32(v[1], r1);
      int32_t* out = acc + size_t(o0) * size_t(pixels) + size_t(p0);
      for (int j = 0; j < kSadChannelTile && o0 + j < channels; ++j)
        for (int r = 0; r < kSadPixelTile && p0 + r < pixels; ++r)
          out[size_t(j) * size_t(pixels) + size_t(r)] = int32_t(v[r][j]);
    }
  }
}

// The policy's ceiling on this thread: |a - b| per second of a register-only loop of eight
// independent vabdq_u8 -> Add chains (MeasureSadCeilingOpsPerSecond; wrap-around is harmless here).
template <typename Accumulate>
double MeasureSadCeilingNeon(double seconds) {
  using Partial = typename Accumulate::Partial;
  uint8x16_t x = vdupq_n_u8(3), w0 = vdupq_n_u8(7), w1 = vdupq_n_u8(11);
  Partial a0 = Accumulate::Zero(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  long long iterations = 0;
  const auto t0 = std::chrono::steady_clock::now();
  double elapsed = 0;
  do {
    for (int i = 0; i < 100000; ++i) {
      Accumulate::Add(a0, vabdq_u8(x, w0));
      Accumulate::Add(a1, vabdq_u8(x, w1));
      Accumulate::Add(a2, vabdq_u8(w0, w1));
      Accumulate::Add(a3, vabdq_u8(w1, x));
      Accumulate::Add(a4, vabdq_u8(w0, x));
      Accumulate::Add(a5, vabdq_u8(w1, w0));
      Accumulate::Add(a6, vabdq_u8(x, vdupq_n_u8(5)));
      Accumulate::Add(a7, vabdq_u8(w0, vdupq_n_u8(9)));
      __asm__ volatile("" : "+w"(x), "+w"(w0), "+w"(w1));  // keep the inputs opaque
    }
    iterations += 100000;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  } while (elapsed < seconds);
  uint32x4_t s = vdupq_n_u32(0);
  for (Partial* a : {&a0, &a1, &a2, &a3, &a4, &a5, &a6, &a7}) s = Accumulate::Flush(*a, s);
  volatile uint32_t sink = vgetq_lane_u32(s, 0);
  (void)sink;
  return double(iterations) * 8.0 * 16.0 / elapsed;  // 16 byte |a-b| per vabdq_u8
}

}  // namespace adderq::kernels::neon
