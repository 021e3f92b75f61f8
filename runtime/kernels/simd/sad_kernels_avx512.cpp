// AVX-512BW byte kernels: the AVX2 tiles of sad_kernels_avx2.cpp with 64-byte `vpsadbw`, on the
// same byte layouts (rows padded to 32 bytes, doubled 16-channel taps), so a layer's packing does
// not depend on the instruction set. Chosen at run time where the CPU has AVX-512BW (UseAvx512).
// Where the 512-bit datapath is full width (AMD Zen 5, Intel's server cores) a zmm vpsadbw does
// twice the work of a ymm one at the same rate; where it is split (Zen 4) it halves the
// instructions per |a - b|.
//
// GCC 12's AVX-512 headers start some intrinsics from a deliberately undefined register
// (_mm512_undefined_epi32: `__Y = __Y`), which -W(maybe-)uninitialized report at the header's line.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include <algorithm>
#include <chrono>

#include "kernels/sad_kernels.h"

namespace adderq::kernels {
namespace avx2 {
void QuantizeToBytesHwc(const float* x, int channels, size_t count, size_t channel_stride, float multiplier, int levels,
                        uint8_t offset, uint8_t* out);
void SadTiles(const uint8_t* col, int pixels, int row_bytes, const uint8_t* w, int channels, int32_t* acc);
void SadDirect(SadDirectForm form, const uint8_t* xpad, int padded_w, int in_c, int out_h, int out_w, int kernel_h,
               int kernel_w, int stride, const uint8_t* wtaps, int channels, int32_t* acc);
}  // namespace avx2

namespace avx512 {

static_assert(kSadPixelTile == 2 && kSadChannelTile == 4, "tiles are 4 filters; the pixel rows are read to a multiple of 2 only");
static_assert(kSadRowAlign == 32, "rows are 32-byte multiples: 64-byte steps, then at most one 32-byte half step");

namespace {
inline __m512i Load64(const uint8_t* p) { return _mm512_loadu_si512(p); }
// 32 bytes into the low half, zeros above (on both sides of a vpsadbw they add 0).
inline __m512i Load32(const uint8_t* p) {
  return _mm512_zextsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
// One load per filter chunk, kept in a register for all the tile's pixels (LoadPinned in the AVX2 file).
inline __m512i Pinned(__m512i v) {
  __asm__("" : "+v"(v));
  return v;
}

// Four accumulators -> per 128-bit lane {sum a0, sum a1, sum a2, sum a3} of that lane: pairs packed
// into the 32-bit halves of each 64-bit lane (every partial sum is below 2^32), then 32-bit adds.
inline __m512i PackPairs4(__m512i a0, __m512i a1, __m512i a2, __m512i a3) {
  const __m512i t01 = _mm512_or_si512(a0, _mm512_slli_epi64(a1, 32));
  const __m512i t23 = _mm512_or_si512(a2, _mm512_slli_epi64(a3, 32));
  return _mm512_add_epi32(_mm512_unpacklo_epi64(t01, t23), _mm512_unpackhi_epi64(t01, t23));
}

// 4 pixel chunks x 4 filters: sixteen zmm accumulators (of 32 registers); a filter chunk is loaded
// once for four pixels, a pixel chunk once for four filters: 8 loads per 16 vpsadbw (measured in
// isolation, 3x3 over 64 channels: 2x4 tiles at 6 loads per 8 reached 78 % of the ceiling, 4x4 97 %).
struct Tile4x4 {
  __m512i a[4][4];
  Tile4x4() {
    for (auto& row : a)
      for (__m512i& v : row) v = _mm512_setzero_si512();
  }
  // Pixel chunks x(0) .. x(3) against the filter chunks f(0) .. f(3).
  template <typename LoadPixel, typename LoadFilter>
  inline void Step(LoadPixel x, LoadFilter f) {
    const __m512i x0 = x(0), x1 = x(1), x2 = x(2), x3 = x(3);
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) {
      const __m512i w = Pinned(f(j));
      a[0][j] = _mm512_add_epi64(a[0][j], _mm512_sad_epu8(x0, w));
      a[1][j] = _mm512_add_epi64(a[1][j], _mm512_sad_epu8(x1, w));
      a[2][j] = _mm512_add_epi64(a[2][j], _mm512_sad_epu8(x2, w));
      a[3][j] = _mm512_add_epi64(a[3][j], _mm512_sad_epu8(x3, w));
    }
    // As in the AVX2 tile: without it GCC reassociates the unrolled sums and spills them.
#pragma GCC unroll 4
    for (int i = 0; i < 4; ++i) __asm__("" : "+v"(a[i][0]), "+v"(a[i][1]), "+v"(a[i][2]), "+v"(a[i][3]));
  }
  // Per 128-bit lane of the result for pixel chunk i: {f0..f3} partial sums of that lane.
  __m512i Packed(int i) const { return PackPairs4(a[i][0], a[i][1], a[i][2], a[i][3]); }
};

// `bytes` (a multiple of 32) from the four pixel rows x(0) .. x(3) against the filter rows at w0
// (ws apart): 64-byte steps, then a 32-byte one if left. kBytes > 0: the length at compile time
// (unrolled straight; with pixel rows a constant apart, every address is a base plus a constant).
template <int kBytes, typename PixelRow>
inline void RunRow(Tile4x4& t, PixelRow x, const uint8_t* w0, size_t ws, int bytes) {
  const int n = kBytes > 0 ? kBytes : bytes;
  const int full = n / 64;
#pragma GCC unroll 16
  for (int k = 0; k < full; ++k) {
    const size_t off = size_t(k) * 64;
    t.Step([&](int i) { return Load64(x(i) + off); }, [&](int j) { return Load64(w0 + off + size_t(j) * ws); });
  }
  if (n % 64 != 0) {
    const size_t off = size_t(full) * 64;
    t.Step([&](int i) { return Load32(x(i) + off); }, [&](int j) { return Load32(w0 + off + size_t(j) * ws); });
  }
}

// One pixel per accumulator (tiles and rows): -> [f0: p0..p3 | f1: p0..p3 | f2 | f3].
inline __m512i SumsByFilter(const Tile4x4& t) {
  const __m512i s0 = t.Packed(0), s1 = t.Packed(1), s2 = t.Packed(2), s3 = t.Packed(3);
  // Fold each pixel's four partial lanes: first to two, then to one (lane p = pixel p).
  const __m512i u01 = _mm512_add_epi32(_mm512_shuffle_i64x2(s0, s1, _MM_SHUFFLE(1, 0, 1, 0)),
                                       _mm512_shuffle_i64x2(s0, s1, _MM_SHUFFLE(3, 2, 3, 2)));
  const __m512i u23 = _mm512_add_epi32(_mm512_shuffle_i64x2(s2, s3, _MM_SHUFFLE(1, 0, 1, 0)),
                                       _mm512_shuffle_i64x2(s2, s3, _MM_SHUFFLE(3, 2, 3, 2)));
  const __m512i v = _mm512_add_epi32(_mm512_shuffle_i64x2(u01, u23, _MM_SHUFFLE(2, 0, 2, 0)),
                                     _mm512_shuffle_i64x2(u01, u23, _MM_SHUFFLE(3, 1, 3, 1)));
  return _mm512_permutexvar_epi32(_mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15), v);
}

// acc[o0 + j][p0 + r] (rows `pixels` apart) for the real filters and pixels of a tile's sums.
inline void StoreByFilter(__m512i g, int32_t* acc, int pixels, int o0, int channels, int p0) {
  int32_t* out = acc + size_t(o0) * size_t(pixels) + size_t(p0);
  const size_t P = size_t(pixels);
  if (o0 + 4 <= channels && p0 + 4 <= pixels) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm512_castsi512_si128(g));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + P), _mm512_extracti32x4_epi32(g, 1));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 2 * P), _mm512_extracti32x4_epi32(g, 2));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 3 * P), _mm512_extracti32x4_epi32(g, 3));
    return;
  }
  alignas(64) int32_t v[4][4];  // edge tiles only
  _mm512_store_si512(v, g);
  for (int j = 0; j < 4 && o0 + j < channels; ++j)
    for (int r = 0; r < 4 && p0 + r < pixels; ++r) out[size_t(j) * P + size_t(r)] = v[j][r];
}

// Pixel rows in blocks of about 16 KiB: a block stays in L1 while every filter tile passes over it
// (the weights stream from L2). With the filter tiles outermost, all the rows were read once per 4
// filters: 16 times over 800 KB for a 1x1 layer of 256 -> 64 channels at 56x56.
template <int kBytes>
void SadTilesOf(const uint8_t* col, int pixels, int row_bytes, const uint8_t* w, int channels, int32_t* acc) {
  const size_t rb = kBytes > 0 ? size_t(kBytes) : size_t(row_bytes);
  const int block = std::max(4, int(16384 / rb) / 4 * 4);
  for (int b0 = 0; b0 < pixels; b0 += block) {
    const int b1 = std::min(pixels, b0 + block);
    for (int o0 = 0; o0 < channels; o0 += kSadChannelTile) {
      const uint8_t* w0 = w + size_t(o0) * rb;
      int p0 = b0;
      for (; p0 + 4 <= b1; p0 += 4) {
        const uint8_t* x0 = col + size_t(p0) * rb;
        Tile4x4 t;
        RunRow<kBytes>(t, [&](int i) { return x0 + size_t(i) * rb; }, w0, rb, row_bytes);
        StoreByFilter(SumsByFilter(t), acc, pixels, o0, channels, p0);
      }
      if (p0 < b1) {  // the last rows; those past the end read the first again (not stored)
        const uint8_t* x0 = col + size_t(p0) * rb;
        Tile4x4 t;
        RunRow<kBytes>(t, [&](int i) { return p0 + i < pixels ? x0 + size_t(i) * rb : x0; }, w0, rb, row_bytes);
        StoreByFilter(SumsByFilter(t), acc, pixels, o0, channels, p0);
      }
    }
  }
}

// The rows form of the AVX2 file (a pixel's window read in place from the padded image), four
// pixels per tile. kKH, kRun, kC > 0: kernel height, bytes per kernel row and channels at compile
// time. Rows of whole tiles (out_w % 4 == 0) take 4 neighbouring pixels; others walk the pixels.
template <int kKH, int kRun, int kC>
void SadRowsOf(const uint8_t* xpad, int padded_w, int in_c, int out_h, int out_w, int kernel_h, int kernel_w, int stride,
               const uint8_t* w, int channels, int32_t* acc) {
  const size_t C = kC > 0 ? size_t(kC) : size_t(in_c), row_bytes = size_t(padded_w) * C;
  const int KH = kKH > 0 ? kKH : kernel_h, run = kRun > 0 ? kRun : kernel_w * in_c;
  const size_t K = size_t(KH) * size_t(run), step = size_t(stride) * C;  // bytes from a pixel to the next
  const int P = out_h * out_w;
  for (int o0 = 0; o0 < channels; o0 += kSadChannelTile) {
    const uint8_t* w0 = w + size_t(o0) * K;
    if (out_w % 4 == 0) {
      for (int oy = 0; oy < out_h; ++oy) {
        const uint8_t* line = xpad + size_t(oy * stride) * row_bytes;
        for (int ox = 0; ox < out_w; ox += 4) {
          const uint8_t* x0 = line + size_t(ox) * step;
          Tile4x4 t;
#pragma GCC unroll 8
          for (int i = 0; i < KH; ++i) {
            const uint8_t* xi = x0 + size_t(i) * row_bytes;
            RunRow<kRun>(t, [&](int r) { return xi + size_t(r) * step; }, w0 + size_t(i) * size_t(run), K, run);
          }
          StoreByFilter(SumsByFilter(t), acc, P, o0, channels, oy * out_w + ox);
        }
      }
      continue;
    }
    int oy = 0, ox = 0;  // the next pixel, without a division per tile
    for (int p0 = 0; p0 < P; p0 += 4) {
      const uint8_t* x[4];
      for (int r = 0; r < 4; ++r) {
        // Pixels past the last one read the tile's first again (not stored).
        x[r] = p0 + r < P ? xpad + size_t(oy * stride) * row_bytes + size_t(ox) * step : x[0];
        if (++ox == out_w) ox = 0, ++oy;
      }
      Tile4x4 t;
      for (int i = 0; i < KH; ++i) {
        const size_t d = size_t(i) * row_bytes;
        RunRow<kRun>(t, [&](int r) { return x[r] + d; }, w0 + size_t(i) * size_t(run), K, run);
      }
      StoreByFilter(SumsByFilter(t), acc, P, o0, channels, p0);
    }
  }
}

void SadRows(const uint8_t* xpad, int padded_w, int in_c, int out_h, int out_w, int kernel_h, int kernel_w, int stride,
             const uint8_t* w, int channels, int32_t* acc) {
  if (kernel_h == 3 && kernel_w == 3 && in_c == 64)
    return SadRowsOf<3, 192, 64>(xpad, padded_w, in_c, out_h, out_w, kernel_h, kernel_w, stride, w, channels, acc);
  SadRowsOf<0, 0, 0>(xpad, padded_w, in_c, out_h, out_w, kernel_h, kernel_w, stride, w, channels, acc);
}

// Pixel vectors: with C = 16 or 32 channels, the taps of 64 / C neighbouring pixels are one
// contiguous 64-byte load of the padded channels-last image, and each filter tap is stored 64 / C
// times over (DirectTapBytes: 64), so one load of it serves them all. A tile is 4 such vectors x 4
// filters: 16 pixels of a row at C = 16, 8 at C = 32; out_w must be a multiple of that.
// kStride 2 (C = 16): the even/odd column layout of kPairs16Stride2.
template <int kC, int kKH, int kKW, int kStride>
void SadPixelVectors(const uint8_t* xpad, int padded_w, int out_h, int out_w, int kernel_h, int kernel_w,
                     const uint8_t* wtaps, int channels, int32_t* acc) {
  static_assert((kC == 16 || kC == 32) && (kStride == 1 || (kStride == 2 && kC == 16)));
  constexpr size_t C = kC, kTap = 64, kVector = 64 / kC, kPixels = 4 * kVector;  // pixels per register, per tile
  const int KH = kKH > 0 ? kKH : kernel_h, KW = kKW > 0 ? kKW : kernel_w;
  const size_t half_bytes = size_t(padded_w) * C, row_bytes = size_t(kStride) * half_bytes;
  const size_t filter_bytes = size_t(KH * KW) * kTap;
  const size_t P = size_t(out_h) * size_t(out_w);
  // Lane l of a quad q holds {f0..f3} of pixel 4 q + l: these gather [f0: 8 pixels | f1: 8 pixels]
  // and [f2 | f3] from two quads.
  const __m512i order01 = _mm512_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28, 1, 5, 9, 13, 17, 21, 25, 29);
  const __m512i order23 = _mm512_setr_epi32(2, 6, 10, 14, 18, 22, 26, 30, 3, 7, 11, 15, 19, 23, 27, 31);
  for (int o0 = 0; o0 < channels; o0 += kSadChannelTile) {
    const uint8_t* w0 = wtaps + size_t(o0) * filter_bytes;
    const int n = std::min(kSadChannelTile, channels - o0);
    int32_t* out = acc + size_t(o0) * P;
    for (int oy = 0; oy < out_h; ++oy) {
      const uint8_t* line = xpad + size_t(kStride * oy) * row_bytes;
      for (size_t ox = 0; ox < size_t(out_w); ox += kPixels, out += kPixels) {
        const uint8_t* xa = line + ox * C;
        Tile4x4 t;
#pragma GCC unroll 8
        for (int i = 0; i < KH; ++i)
#pragma GCC unroll 8
          for (int j = 0; j < KW; ++j) {
            const size_t column = kStride == 1 ? size_t(j) * C : size_t(j % 2) * half_bytes + size_t(j / 2) * C;
            const uint8_t* p = xa + size_t(i) * row_bytes + column;
            const uint8_t* tap = w0 + size_t(i * KW + j) * kTap;
            t.Step([&](int v) { return Load64(p + size_t(v) * 64); }, [&](int f) { return Load64(tap + size_t(f) * filter_bytes); });
          }
        // Quads: lane l = one pixel's {f0..f3}. C = 16: each packed chunk is one (4 pixels); C = 32:
        // a chunk holds 2 pixels in 2 lanes each, folded pairwise into a quad of two chunks.
        __m512i q[4];
        if constexpr (kC == 16) {
          for (int v = 0; v < 4; ++v) q[v] = t.Packed(v);
        } else {
          for (int v = 0; v < 2; ++v) {
            const __m512i s0 = t.Packed(2 * v), s1 = t.Packed(2 * v + 1);
            q[v] = _mm512_add_epi32(_mm512_shuffle_i64x2(s0, s1, _MM_SHUFFLE(2, 0, 2, 0)),
                                    _mm512_shuffle_i64x2(s0, s1, _MM_SHUFFLE(3, 1, 3, 1)));
          }
        }
        for (int h = 0; h < int(kPixels / 8); ++h) {  // 8 pixels at a time
          const __m512i g01 = _mm512_permutex2var_epi32(q[2 * h], order01, q[2 * h + 1]);
          const __m512i g23 = _mm512_permutex2var_epi32(q[2 * h], order23, q[2 * h + 1]);
          int32_t* o = out + 8 * h;
          _mm256_storeu_si256(reinterpret_cast<__m256i*>(o), _mm512_castsi512_si256(g01));
          if (n > 1) _mm256_storeu_si256(reinterpret_cast<__m256i*>(o + P), _mm512_extracti64x4_epi64(g01, 1));
          if (n > 2) _mm256_storeu_si256(reinterpret_cast<__m256i*>(o + 2 * P), _mm512_castsi512_si256(g23));
          if (n > 3) _mm256_storeu_si256(reinterpret_cast<__m256i*>(o + 3 * P), _mm512_extracti64x4_epi64(g23, 1));
        }
      }
    }
  }
}
}  // namespace

int DirectTapBytes(SadDirectForm form, int in_c, int stride, int out_w) {
  switch (form) {
    case SadDirectForm::kPairs16:
    case SadDirectForm::kPairs16Stride2: return out_w % 16 == 0 ? 64 : 32;  // else the AVX2 pairs
    case SadDirectForm::kRows: return in_c == 32 && stride == 1 && out_w % 8 == 0 ? 64 : 0;
    default: return 0;
  }
}

void SadTiles(const uint8_t* col, int pixels, int row_bytes, const uint8_t* w, int channels, int32_t* acc) {
  // The row lengths of the CIFAR ResNets' im2col layers (3x3 at stride 2 over 16/32 channels) and
  // of the 1x1 shortcuts over 64 channels; others loop. 32-byte rows gain nothing from 64-byte
  // steps (half of each would be zeros): the AVX2 tiles.
  switch (row_bytes) {
    case 32: return avx2::SadTiles(col, pixels, row_bytes, w, channels, acc);
    case 64: return SadTilesOf<64>(col, pixels, row_bytes, w, channels, acc);
    case 160: return SadTilesOf<160>(col, pixels, row_bytes, w, channels, acc);
    case 288: return SadTilesOf<288>(col, pixels, row_bytes, w, channels, acc);
    default: return SadTilesOf<0>(col, pixels, row_bytes, w, channels, acc);
  }
}

void SadDirect(SadDirectForm form, const uint8_t* xpad, int padded_w, int in_c, int out_h, int out_w, int kernel_h,
               int kernel_w, int stride, const uint8_t* wtaps, int channels, int32_t* acc) {
  const bool k33 = kernel_h == 3 && kernel_w == 3;
  const int tap_bytes = DirectTapBytes(form, in_c, stride, out_w);
  if (form == SadDirectForm::kRows) {
    if (tap_bytes == 0) return SadRows(xpad, padded_w, in_c, out_h, out_w, kernel_h, kernel_w, stride, wtaps, channels, acc);
    if (k33) return SadPixelVectors<32, 3, 3, 1>(xpad, padded_w, out_h, out_w, kernel_h, kernel_w, wtaps, channels, acc);
    return SadPixelVectors<32, 0, 0, 1>(xpad, padded_w, out_h, out_w, kernel_h, kernel_w, wtaps, channels, acc);
  }
  if (tap_bytes != 64)
    return avx2::SadDirect(form, xpad, padded_w, in_c, out_h, out_w, kernel_h, kernel_w, stride, wtaps, channels, acc);
  if (form == SadDirectForm::kPairs16Stride2) {
    if (k33) return SadPixelVectors<16, 3, 3, 2>(xpad, padded_w, out_h, out_w, kernel_h, kernel_w, wtaps, channels, acc);
    return SadPixelVectors<16, 0, 0, 2>(xpad, padded_w, out_h, out_w, kernel_h, kernel_w, wtaps, channels, acc);
  }
  if (k33) return SadPixelVectors<16, 3, 3, 1>(xpad, padded_w, out_h, out_w, kernel_h, kernel_w, wtaps, channels, acc);
  if (kernel_h == 1 && kernel_w == 1)
    return SadPixelVectors<16, 1, 1, 1>(xpad, padded_w, out_h, out_w, kernel_h, kernel_w, wtaps, channels, acc);
  SadPixelVectors<16, 0, 0, 1>(xpad, padded_w, out_h, out_w, kernel_h, kernel_w, wtaps, channels, acc);
}

namespace {
// The AVX2 file's quantizer (QuantizeWords there) on 16 pixels: 4 channels (planes cs floats apart)
// -> 16 dwords {c0, c1, c2, c3} + offset, dword p = pixel p. The same operations, so the same codes:
// round half to even, min with L (NaN -> L), to int32, then the unsigned saturation of the byte pack
// is the clamp at 0.
inline __m512i QuantizeWords16(const float* x, size_t cs, __m512 m, __m512 top, __m512i off8) {
  auto code = [&](const float* p) {
    const __m512 v = _mm512_roundscale_ps(_mm512_mul_ps(_mm512_loadu_ps(p), m), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    return _mm512_cvtps_epi32(_mm512_min_ps(v, top));
  };
  const __m512i c01 = _mm512_packs_epi32(code(x), code(x + cs));  // per 128-bit lane l: c0, c1 of pixels 4l .. 4l + 3
  const __m512i c23 = _mm512_packs_epi32(code(x + 2 * cs), code(x + 3 * cs));
  const __m512i bytes = _mm512_packus_epi16(c01, c23);  // lane l: [c0 of 4 pixels, c1 .., c2 .., c3 ..]
  const __m512i to_pixels = _mm512_broadcast_i32x4(_mm_setr_epi8(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15));
  return _mm512_add_epi8(_mm512_shuffle_epi8(bytes, to_pixels), off8);
}
// 128-bit lane l of v to p.
template <int l>
inline void StoreLane(uint8_t* p, __m512i v) {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(p), l == 0 ? _mm512_castsi512_si128(v) : _mm512_extracti32x4_epi32(v, l));
}

// Channels c .. c + G - 1 (G = 8 or 16) of `count` pixels (a multiple of 16) into out[i * C + k].
template <int G>
void QuantizeChannelGroup(const float* x0, size_t count, size_t cs, float multiplier, int levels, uint8_t offset,
                          uint8_t* out, size_t C) {
  const __m512 m = _mm512_set1_ps(multiplier), top = _mm512_set1_ps(float(levels));
  const __m512i off8 = _mm512_set1_epi8(char(offset));
  for (size_t i = 0; i < count; i += 16) {
    const float* x = x0 + i;
    uint8_t* o = out + i * C;
    const __m512i a = QuantizeWords16(x, cs, m, top, off8), b = QuantizeWords16(x + 4 * cs, cs, m, top, off8);
    const __m512i ab01 = _mm512_unpacklo_epi32(a, b), ab23 = _mm512_unpackhi_epi32(a, b);  // lane l: pixels 4l, 4l+1 | 4l+2, 4l+3
    if constexpr (G == 8) {
      auto store2 = [&](size_t p, __m128i v) {  // two pixels' 8 bytes
        _mm_storel_epi64(reinterpret_cast<__m128i*>(o + p * C), v);
        _mm_storel_epi64(reinterpret_cast<__m128i*>(o + (p + 1) * C), _mm_unpackhi_epi64(v, v));
      };
      store2(0, _mm512_castsi512_si128(ab01));
      store2(2, _mm512_castsi512_si128(ab23));
      store2(4, _mm512_extracti32x4_epi32(ab01, 1));
      store2(6, _mm512_extracti32x4_epi32(ab23, 1));
      store2(8, _mm512_extracti32x4_epi32(ab01, 2));
      store2(10, _mm512_extracti32x4_epi32(ab23, 2));
      store2(12, _mm512_extracti32x4_epi32(ab01, 3));
      store2(14, _mm512_extracti32x4_epi32(ab23, 3));
    } else {
      static_assert(G == 16);
      const __m512i c = QuantizeWords16(x + 8 * cs, cs, m, top, off8), d = QuantizeWords16(x + 12 * cs, cs, m, top, off8);
      const __m512i cd01 = _mm512_unpacklo_epi32(c, d), cd23 = _mm512_unpackhi_epi32(c, d);
      const __m512i p[4] = {_mm512_unpacklo_epi64(ab01, cd01), _mm512_unpackhi_epi64(ab01, cd01),
                            _mm512_unpacklo_epi64(ab23, cd23), _mm512_unpackhi_epi64(ab23, cd23)};  // p[k] lane l: pixel 4l + k
#pragma GCC unroll 4
      for (int k = 0; k < 4; ++k) {
        StoreLane<0>(o + size_t(k) * C, p[k]);
        StoreLane<1>(o + size_t(4 + k) * C, p[k]);
        StoreLane<2>(o + size_t(8 + k) * C, p[k]);
        StoreLane<3>(o + size_t(12 + k) * C, p[k]);
      }
    }
  }
}
}  // namespace

void QuantizeToBytesHwc(const float* x, int channels, size_t count, size_t channel_stride, float multiplier, int levels,
                        uint8_t offset, uint8_t* out) {
  // Whole blocks of 16 pixels here; the rest (the padded images are quantized a row at a time: 8
  // pixels at 8x8), and channel counts that are not a multiple of 8, by the AVX2 quantizer.
  const size_t blocks = channels % 8 == 0 ? count / 16 * 16 : 0;
  const size_t C = size_t(channels), cs = channel_stride;
  if (blocks > 0) {
    int c = 0;
    // As in the AVX2 file: 16 planes at once only where they are at most 1 KiB apart (planes 4 KiB
    // apart share an L1 set).
    if (cs <= 256)
      for (; c + 16 <= channels; c += 16)
        QuantizeChannelGroup<16>(x + size_t(c) * cs, blocks, cs, multiplier, levels, offset, out + c, C);
    for (; c < channels; c += 8)
      QuantizeChannelGroup<8>(x + size_t(c) * cs, blocks, cs, multiplier, levels, offset, out + c, C);
  }
  if (blocks < count)
    avx2::QuantizeToBytesHwc(x + blocks, channels, count - blocks, cs, multiplier, levels, offset, out + blocks * C);
}

double MeasureSadCeilingOpsPerSecond(double seconds) {
  // The AVX2 file's loop with 64-byte vpsadbw: 8 independent vpsadbw -> vpaddq chains on registers.
  // Written out in both files on purpose: one template for both widths had GCC keep the
  // accumulators on the stack (measured ceilings of 88 and 149 instead of 219 and 421 G ops/s).
  __m512i x = _mm512_set1_epi8(3), w0 = _mm512_set1_epi8(7), w1 = _mm512_set1_epi8(11);
  __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  long long iterations = 0;
  const auto t0 = std::chrono::steady_clock::now();
  double elapsed = 0;
  do {
    for (int i = 0; i < 100000; ++i) {
      a0 = _mm512_add_epi64(a0, _mm512_sad_epu8(x, w0));
      a1 = _mm512_add_epi64(a1, _mm512_sad_epu8(x, w1));
      a2 = _mm512_add_epi64(a2, _mm512_sad_epu8(w0, w1));
      a3 = _mm512_add_epi64(a3, _mm512_sad_epu8(w1, x));
      a4 = _mm512_add_epi64(a4, _mm512_sad_epu8(w0, x));
      a5 = _mm512_add_epi64(a5, _mm512_sad_epu8(w1, w0));
      a6 = _mm512_add_epi64(a6, _mm512_sad_epu8(x, a0));
      a7 = _mm512_add_epi64(a7, _mm512_sad_epu8(w0, a1));
      __asm__ volatile("" : "+v"(x), "+v"(w0), "+v"(w1));  // keep the inputs opaque
    }
    iterations += 100000;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  } while (elapsed < seconds);
  const __m512i sum = _mm512_add_epi64(_mm512_add_epi64(_mm512_add_epi64(a0, a1), _mm512_add_epi64(a2, a3)),
                                       _mm512_add_epi64(_mm512_add_epi64(a4, a5), _mm512_add_epi64(a6, a7)));
  volatile long long sink = _mm512_reduce_add_epi64(sum);
  (void)sink;
  return double(iterations) * 8.0 * 64.0 / elapsed;  // 64 byte |a-b| per vpsadbw
}

}  // namespace avx512
}  // namespace adderq::kernels
