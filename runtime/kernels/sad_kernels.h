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

// Direct byte convolution without im2col, from a padded channels-last image xpad
// ([in_h + 2 pad][padded_w][C] bytes, the zero padding as code bytes). Three forms (AVX2 and AVX-512;
// elsewhere, and for other layers, im2col + SadTiles give the identical sums):
// - kPairs16: 16 channels, stride 1 (the 32x32 stage of the CIFAR ResNets, where im2col rows are
//   short and their cost dominates): one 32-byte load holds a tap for two neighbouring pixels, and
//   each filter tap is stored twice ([16 bytes | the same 16 bytes]). padded_w >= in_w + 2 pad + 4;
//   w: [channels padded to 4][KH * KW taps][SadDirectTapBytes(...)].
// - kRows: C a multiple of 32, stride 1: a pixel's window is KH runs of KW * C contiguous bytes, the
//   kernel rows of its im2col row, so SadTiles' loop reads them in place (the image stays in L1; no
//   im2col buffer is written). w: the SadTiles rows ([channels padded to 4][K], K = SadRowBytes(K)).
// - kPairs16Stride2: 16 channels, stride 2 (the first layer of the 16x16 stage): each padded row is
//   stored as its even columns, then its odd columns (padded_w columns per half), so the columns
//   2 ox + j and 2 (ox + 1) + j of a tap's pixel pair are neighbours again, and the kPairs16 loop
//   runs unchanged but for the addresses. padded_w >= out_w + 2; the same w as kPairs16.
enum class SadDirectForm { kNone, kPairs16, kRows, kPairs16Stride2 };
SadDirectForm ChooseSadDirectForm(int channels, int stride, int out_w);
// Bytes per filter tap in a direct form's weights on this machine, each tap's C bytes repeated to
// fill them: kPairs16 forms 32 (AVX2), or 64 (AVX-512: a tap for four pixels, on rows of whole
// 16-pixel tiles); kRows 64 with AVX-512 at 32 channels and stride 1 on rows of whole 8-pixel tiles
// (a tap for two pixels), else 0: kRows reads the SadTiles rows ([channels padded to 4][K]).
int SadDirectTapBytes(SadDirectForm form, int in_c, int stride, int out_w);
// False when the direct kernel is unavailable here (no AVX2): use SadTiles.
bool SadDirect(SadDirectForm form, const uint8_t* xpad, int padded_w, int in_c, int out_h, int out_w, int kernel_h,
               int kernel_w, int stride, const uint8_t* w, int channels, int32_t* acc);

// The machine's ceiling for the adder op on this thread: |a - b| accumulates per second of a
// register-only loop of independent vpsadbw + add chains (0 without AVX2). For docs/benchmarks.md.
double MeasureSadCeilingOpsPerSecond(double seconds);

// out[i * stride] = clip(round_half_even(x[i] * multiplier), 0, levels) + offset, for i < n: the
// activation quantizer of quant_math.h (same results), written with a stride so that a channel's
// plane lands in a channels-last image.
void QuantizeToBytes(const float* x, size_t n, float multiplier, int levels, uint8_t offset, uint8_t* out, size_t stride);
// The same for `count` pixels of a CHW image (channel planes `channel_stride` floats apart) into
// channels-last bytes: out[i * channels + c] for x[c * channel_stride + i].
void QuantizeToBytesHwc(const float* x, int channels, size_t count, size_t channel_stride, float multiplier, int levels,
                        uint8_t offset, uint8_t* out);

}  // namespace adderq::kernels
