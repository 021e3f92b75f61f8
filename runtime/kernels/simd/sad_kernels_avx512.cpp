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
void SadDirect(SadDirectForm form, const uint8_t* xpad, int padded_w, int in_c, int out_h, int out_w, int kernel_h,
               int kernel_w, int stride, const uint8_t* wtaps, int channels, int32_t* acc);
}  // namespace avx2

namespace avx512 {

static_assert(kSadPixelTile == 2 && kSadChannelTile == 4, "the tile is 2 pixels x 4 filters");
static_assert(kSadRowAlign == 32, "rows are 32-byte multiples: 64-byte steps, then at most one 32-byte half step");

namespace {
inline __m512i Load64(const uint8_t* p) { return _mm512_loadu_si512(p); }
// 32 bytes into the low half, zeros above (on both sides of a vpsadbw they add 0).
inline __m512i Load32(const uint8_t* p) {
  return _mm512_zextsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
// 32 bytes in every half: a 32-channel tap, or a doubled 16-channel tap, for each pixel of a vector.
inline __m512i LoadTapBroadcast(const uint8_t* p) {
  return _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
// One load per filter chunk, kept in a register for both pixel vectors (LoadPinned in the AVX2 file).
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
inline __m128i Reduce4(__m512i a0, __m512i a1, __m512i a2, __m512i a3) {
  const __m512i s = PackPairs4(a0, a1, a2, a3);
  const __m256i h = _mm256_add_epi32(_mm512_castsi512_si256(s), _mm512_extracti64x4_epi64(s, 1));
  return _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
}

// 2 pixel rows x 4 filter rows, eight zmm accumulators (of 32 registers).
struct Tile2x4 {
  __m512i a00 = _mm512_setzero_si512(), a01 = a00, a02 = a00, a03 = a00;
  __m512i a10 = a00, a11 = a00, a12 = a00, a13 = a00;
  // Pixel chunks x, y against the filter chunks f(0) .. f(3).
  template <typename LoadFilter>
  inline void Step(__m512i x, __m512i y, LoadFilter f) {
    __m512i w = Pinned(f(0));
    a00 = _mm512_add_epi64(a00, _mm512_sad_epu8(x, w));
    a10 = _mm512_add_epi64(a10, _mm512_sad_epu8(y, w));
    w = Pinned(f(1));
    a01 = _mm512_add_epi64(a01, _mm512_sad_epu8(x, w));
    a11 = _mm512_add_epi64(a11, _mm512_sad_epu8(y, w));
    w = Pinned(f(2));
    a02 = _mm512_add_epi64(a02, _mm512_sad_epu8(x, w));
    a12 = _mm512_add_epi64(a12, _mm512_sad_epu8(y, w));
    w = Pinned(f(3));
    a03 = _mm512_add_epi64(a03, _mm512_sad_epu8(x, w));
    a13 = _mm512_add_epi64(a13, _mm512_sad_epu8(y, w));
  }
  // As in the AVX2 tile: without it GCC reassociates the unrolled sums and spills them.
  inline void Pin() { __asm__("" : "+v"(a00), "+v"(a01), "+v"(a02), "+v"(a03), "+v"(a10), "+v"(a11), "+v"(a12), "+v"(a13)); }
  // acc[o0 + j][p0 + r] (rows `pixels` apart) for the real filters and pixels.
  inline void Store(int32_t* acc, int pixels, int o0, int channels, int p0) const {
    const __m128i r0 = Reduce4(a00, a01, a02, a03), r1 = Reduce4(a10, a11, a12, a13);  // {f0..f3} of p0, p0 + 1
    int32_t* out = acc + size_t(o0) * size_t(pixels) + size_t(p0);
    if (o0 + kSadChannelTile <= channels && p0 + kSadPixelTile <= pixels) {
      const __m128i f01 = _mm_unpacklo_epi32(r0, r1), f23 = _mm_unpackhi_epi32(r0, r1);
      _mm_storel_epi64(reinterpret_cast<__m128i*>(out), f01);
      _mm_storel_epi64(reinterpret_cast<__m128i*>(out + pixels), _mm_unpackhi_epi64(f01, f01));
      _mm_storel_epi64(reinterpret_cast<__m128i*>(out + 2 * size_t(pixels)), f23);
      _mm_storel_epi64(reinterpret_cast<__m128i*>(out + 3 * size_t(pixels)), _mm_unpackhi_epi64(f23, f23));
      return;
    }
    alignas(16) int32_t v[2][4];
    _mm_store_si128(reinterpret_cast<__m128i*>(v[0]), r0);
    _mm_store_si128(reinterpret_cast<__m128i*>(v[1]), r1);
    for (int j = 0; j < kSadChannelTile && o0 + j < channels; ++j)
      for (int r = 0; r < kSadPixelTile && p0 + r < pixels; ++r) out[size_t(j) * size_t(pixels) + size_t(r)] = v[r][j];
  }
};

// `bytes` (a multiple of 32) of a tile from x0, y0 against the filter rows at w0 (ws apart): 64-byte
// steps, then a 32-byte one if left. kBytes > 0: the length at compile time (unrolled straight).
template <int kBytes>
inline void RunRow(Tile2x4& t, const uint8_t* x0, const uint8_t* y0, const uint8_t* w0, size_t ws, int bytes) {
  const int n = kBytes > 0 ? kBytes : bytes;
  const int full = n / 64;
#pragma GCC unroll 16
  for (int k = 0; k < full; ++k) {
    const size_t off = size_t(k) * 64;
    t.Step(Load64(x0 + off), Load64(y0 + off), [&](int j) { return Load64(w0 + off + size_t(j) * ws); });
    t.Pin();
  }
  if (n % 64 != 0) {
    const size_t off = size_t(full) * 64;
    t.Step(Load32(x0 + off), Load32(y0 + off), [&](int j) { return Load32(w0 + off + size_t(j) * ws); });
    t.Pin();
  }
}

template <int kBytes>
void SadTilesOf(const uint8_t* col, int pixels, int row_bytes, const uint8_t* w, int channels, int32_t* acc) {
  const size_t rb = size_t(row_bytes);
  for (int o0 = 0; o0 < channels; o0 += kSadChannelTile) {
    const uint8_t* w0 = w + size_t(o0) * rb;
    for (int p0 = 0; p0 < pixels; p0 += kSadPixelTile) {
      const uint8_t* x0 = col + size_t(p0) * rb;
      Tile2x4 t;
      RunRow<kBytes>(t, x0, x0 + rb, w0, rb, row_bytes);
      t.Store(acc, pixels, o0, channels, p0);
    }
  }
}

// The rows form of the AVX2 file (a pixel's window read in place from the padded image).
// kKH, kRun > 0: kernel height and bytes per kernel row at compile time.
template <int kKH, int kRun>
void SadRowsOf(const uint8_t* xpad, int padded_w, int in_c, int out_h, int out_w, int kernel_h, int kernel_w, int stride,
               const uint8_t* w, int channels, int32_t* acc) {
  const size_t C = size_t(in_c), row_bytes = size_t(padded_w) * C;
  const int KH = kKH > 0 ? kKH : kernel_h, run = kRun > 0 ? kRun : kernel_w * in_c;
  const size_t K = size_t(KH) * size_t(run);
  const int P = out_h * out_w;
  for (int o0 = 0; o0 < channels; o0 += kSadChannelTile) {
    const uint8_t* w0 = w + size_t(o0) * K;
    int oy = 0, ox = 0;  // pixel p0, without a division per tile
    for (int p0 = 0; p0 < P; p0 += kSadPixelTile) {
      const uint8_t* x0 = xpad + size_t(oy * stride) * row_bytes + size_t(ox * stride) * C;
      if (++ox == out_w) ox = 0, ++oy;
      // The pixel after the last one (odd counts) reads the last again and is not stored.
      const uint8_t* y0 = p0 + 1 < P ? xpad + size_t(oy * stride) * row_bytes + size_t(ox * stride) * C : x0;
      if (++ox == out_w) ox = 0, ++oy;
      Tile2x4 t;
#pragma GCC unroll 8
      for (int i = 0; i < KH; ++i)
        RunRow<kRun>(t, x0 + size_t(i) * row_bytes, y0 + size_t(i) * row_bytes, w0 + size_t(i) * size_t(run), K, run);
      t.Store(acc, P, o0, channels, p0);
    }
  }
}

void SadRows(const uint8_t* xpad, int padded_w, int in_c, int out_h, int out_w, int kernel_h, int kernel_w, int stride,
             const uint8_t* w, int channels, int32_t* acc) {
  if (kernel_h == 3 && kernel_w * in_c == 192)  // 3x3 over 64 channels
    return SadRowsOf<3, 192>(xpad, padded_w, in_c, out_h, out_w, kernel_h, kernel_w, stride, w, channels, acc);
  SadRowsOf<0, 0>(xpad, padded_w, in_c, out_h, out_w, kernel_h, kernel_w, stride, w, channels, acc);
}

// Pixel vectors: with C = 16 or 32 channels, the taps of 64 / C neighbouring pixels are one
// contiguous 64-byte load of the padded channels-last image, so a filter tap broadcast to each
// 32-byte half serves them all. Both weight layouts keep a filter's taps 32 bytes apart in (i, j)
// order: the doubled 16-channel taps of kPairs16 and the 32-channel rows of kRows. A tile is 2 such
// vectors x 4 filters (8 pixels of a row at C = 16, 4 at C = 32); out_w must be a multiple of
// that. kStride 2 (C = 16): the even/odd column layout of kPairs16Stride2.
template <int kC, int kKH, int kKW, int kStride>
void SadPixelVectors(const uint8_t* xpad, int padded_w, int out_h, int out_w, int kernel_h, int kernel_w,
                     const uint8_t* wtaps, int channels, int32_t* acc) {
  static_assert((kC == 16 || kC == 32) && (kStride == 1 || (kStride == 2 && kC == 16)));
  constexpr size_t C = kC, kTap = 32, kVector = 64 / kC;  // bytes per filter tap, pixels per register
  const int KH = kKH > 0 ? kKH : kernel_h, KW = kKW > 0 ? kKW : kernel_w;
  const size_t half_bytes = size_t(padded_w) * C, row_bytes = size_t(kStride) * half_bytes;
  const size_t filter_bytes = size_t(KH * KW) * kTap;
  const size_t P = size_t(out_h) * size_t(out_w);
  // The packed sums hold per 128-bit lane {f0..f3} of one pixel (C = 16: lane l is pixel l of the
  // vector) or of half a pixel (C = 32: lanes 0, 1 are pixel 0, lanes 2, 3 pixel 1; the halves are
  // first added into lanes 0 and 2). These gather each filter's pixels in order from the vectors a
  // (first) and b: two filters x 8 pixels (C = 16) or four filters x 4 pixels (C = 32).
  const __m512i order01 = kC == 16 ? _mm512_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28, 1, 5, 9, 13, 17, 21, 25, 29)
                                   : _mm512_setr_epi32(0, 8, 16, 24, 1, 9, 17, 25, 2, 10, 18, 26, 3, 11, 19, 27);
  const __m512i order23 = _mm512_add_epi32(order01, _mm512_set1_epi32(2));  // (C = 16 only)
  for (int o0 = 0; o0 < channels; o0 += kSadChannelTile) {
    const uint8_t* w0 = wtaps + size_t(o0) * filter_bytes;
    const int n = std::min(kSadChannelTile, channels - o0);
    int32_t* out = acc + size_t(o0) * P;
    for (int oy = 0; oy < out_h; ++oy) {
      const uint8_t* line = xpad + size_t(kStride * oy) * row_bytes;
      for (int ox = 0; ox < out_w; ox += int(2 * kVector), out += 2 * kVector) {
        const uint8_t* xa = line + size_t(ox) * C;
        Tile2x4 t;
#pragma GCC unroll 8
        for (int i = 0; i < KH; ++i)
#pragma GCC unroll 8
          for (int j = 0; j < KW; ++j) {
            const size_t column = kStride == 1 ? size_t(j) * C : size_t(j % 2) * half_bytes + size_t(j / 2) * C;
            const uint8_t* p = xa + size_t(i) * row_bytes + column;
            const uint8_t* tap = w0 + size_t(i * KW + j) * kTap;
            t.Step(Load64(p), Load64(p + 64), [&](int f) { return LoadTapBroadcast(tap + size_t(f) * filter_bytes); });
            t.Pin();
          }
        __m512i sa = PackPairs4(t.a00, t.a01, t.a02, t.a03), sb = PackPairs4(t.a10, t.a11, t.a12, t.a13);
        if constexpr (kC == 32) {
          sa = _mm512_add_epi32(sa, _mm512_shuffle_i64x2(sa, sa, _MM_SHUFFLE(2, 3, 0, 1)));
          sb = _mm512_add_epi32(sb, _mm512_shuffle_i64x2(sb, sb, _MM_SHUFFLE(2, 3, 0, 1)));
          const __m512i g = _mm512_permutex2var_epi32(sa, order01, sb);  // [f0: p0..p3 | f1 | f2 | f3]
          _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm512_castsi512_si128(g));
          if (n > 1) _mm_storeu_si128(reinterpret_cast<__m128i*>(out + P), _mm512_extracti32x4_epi32(g, 1));
          if (n > 2) _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 2 * P), _mm512_extracti32x4_epi32(g, 2));
          if (n > 3) _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 3 * P), _mm512_extracti32x4_epi32(g, 3));
        } else {
          const __m512i g01 = _mm512_permutex2var_epi32(sa, order01, sb), g23 = _mm512_permutex2var_epi32(sa, order23, sb);
          _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm512_castsi512_si256(g01));
          if (n > 1) _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + P), _mm512_extracti64x4_epi64(g01, 1));
          if (n > 2) _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 2 * P), _mm512_castsi512_si256(g23));
          if (n > 3) _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 3 * P), _mm512_extracti64x4_epi64(g23, 1));
        }
      }
    }
  }
}
}  // namespace

void SadTiles(const uint8_t* col, int pixels, int row_bytes, const uint8_t* w, int channels, int32_t* acc) {
  // The row lengths of the CIFAR ResNets' im2col layers (3x3 at stride 2 over 16/32 channels) and
  // of the 1x1 shortcuts; others loop.
  switch (row_bytes) {
    case 32: return SadTilesOf<32>(col, pixels, row_bytes, w, channels, acc);
    case 64: return SadTilesOf<64>(col, pixels, row_bytes, w, channels, acc);
    case 160: return SadTilesOf<160>(col, pixels, row_bytes, w, channels, acc);
    case 288: return SadTilesOf<288>(col, pixels, row_bytes, w, channels, acc);
    default: return SadTilesOf<0>(col, pixels, row_bytes, w, channels, acc);
  }
}

void SadDirect(SadDirectForm form, const uint8_t* xpad, int padded_w, int in_c, int out_h, int out_w, int kernel_h,
               int kernel_w, int stride, const uint8_t* wtaps, int channels, int32_t* acc) {
  const bool k33 = kernel_h == 3 && kernel_w == 3;
  if (form == SadDirectForm::kRows) {
    if (in_c == 32 && stride == 1 && out_w % 4 == 0) {
      if (k33) return SadPixelVectors<32, 3, 3, 1>(xpad, padded_w, out_h, out_w, kernel_h, kernel_w, wtaps, channels, acc);
      return SadPixelVectors<32, 0, 0, 1>(xpad, padded_w, out_h, out_w, kernel_h, kernel_w, wtaps, channels, acc);
    }
    return SadRows(xpad, padded_w, in_c, out_h, out_w, kernel_h, kernel_w, stride, wtaps, channels, acc);
  }
  // 16 channels: 8-pixel tiles need rows of whole tiles (their padding is sized for that); other
  // widths run the AVX2 pairs.
  if (out_w % 8 != 0)
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

double MeasureSadCeilingOpsPerSecond(double seconds) {
  // The AVX2 file's loop with 64-byte vpsadbw: 8 independent vpsadbw -> vpaddq chains on registers.
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
