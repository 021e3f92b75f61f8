// The byte kernel of quantized adder layers with b <= 7 bits: activation codes and filters are
// bytes with an offset (a = q_a + 2^b, w = 2 q_w + 2^b, both in [0, 255]), so |a - w| = |q_a - 2 q_w|
// and a row of K bytes reduces with unsigned sums of absolute differences (AVX2 `vpsadbw`: 32 per
// instruction). Rows are padded to a multiple of kSadRowAlign bytes with the same value on both
// sides, which adds 0.
#pragma once

#include <cstddef>
#include <cstdint>

namespace adderq::kernels {

inline constexpr int kSadRowAlign = 32;
inline constexpr int kSadChannelTile = 4;  // filter rows per tile (filters padded to a multiple)
inline constexpr int kSadPixelTile = 2;    // pixel rows per tile (rows padded to a multiple)

inline int SadRowBytes(int k) { return (k + kSadRowAlign - 1) / kSadRowAlign * kSadRowAlign; }

// acc[o][p] = sum_k |col[p][k] - w[o][k]| for p < pixels, o < channels.
// col: [pixels rounded up to kSadPixelTile][row_bytes]; w: [channels rounded up to kSadChannelTile][row_bytes].
void SadTiles(const uint8_t* col, int pixels, int row_bytes, const uint8_t* w, int channels, int32_t* acc);

// The machine's ceiling for the adder op on this thread: |a - b| accumulates per second of a
// register-only loop of independent vpsadbw + add chains (0 without AVX2). For docs/benchmarks.md.
double MeasureSadCeilingOpsPerSecond(double seconds);

// out[i * stride] = clip(round_half_even(x[i] * multiplier), 0, levels) + offset, for i < n: the
// activation quantizer of quant_math.h (same results), written with a stride so that a channel's
// plane lands in a channels-last image.
void QuantizeToBytes(const float* x, size_t n, float multiplier, int levels, uint8_t offset, uint8_t* out, size_t stride);
// The same for a whole CHW image into channels-last bytes: out[i * channels + c] for x[c * plane + i].
void QuantizeToBytesHwc(const float* x, int channels, size_t plane, float multiplier, int levels, uint8_t offset, uint8_t* out);

}  // namespace adderq::kernels
