// AVX2 SadTiles: 2 pixel rows x 4 filter rows of 32-byte `vpsadbw` accumulators in registers
// (8 of the 16 ymm registers), each filter chunk loaded once per pixel pair.
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <cmath>

#include "kernels/sad_kernels.h"

namespace adderq::kernels::avx2 {

static_assert(kSadPixelTile == 2 && kSadChannelTile == 4, "the AVX2 tile is 2 pixels x 4 filters");

namespace {
// vpsadbw leaves four 64-bit partial sums per accumulator, each below 2^32. Reduces four
// accumulators at once: pack pairs into the two 32-bit halves of each 64-bit lane, then add lanes
// with 32-bit adds (no carries between the halves): {sum a0, sum a1, sum a2, sum a3}.
inline __m128i Reduce4(__m256i a0, __m256i a1, __m256i a2, __m256i a3) {
  const __m256i t01 = _mm256_or_si256(a0, _mm256_slli_epi64(a1, 32));
  const __m256i t23 = _mm256_or_si256(a2, _mm256_slli_epi64(a3, 32));
  const __m256i s = _mm256_add_epi32(_mm256_unpacklo_epi64(t01, t23), _mm256_unpackhi_epi64(t01, t23));
  return _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
}
// A filter chunk serves two vpsadbw; left to itself GCC folds its load into both (two loads per
// chunk). Pinning it in a register after one load keeps the tile loops at 6 loads per 8 vpsadbw
// (measured: 2x4 tiles at rb = 576 from 68 % to 80 % of the ceiling in isolation).
inline __m256i LoadPinned(const uint8_t* p) {
  __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  __asm__("" : "+x"(v));
  return v;
}
}  // namespace

namespace {
// One 2-pixel x 4-filter tile: eight accumulators, advanced 32 bytes at a time by Step (pixel
// chunks x, y against filter rows w0 .. w0 + 3 ws). The kernels below unroll the steps of a tile
// where the count is known at compile time (see RunSteps).
struct Tile2x4 {
  __m256i a00 = _mm256_setzero_si256(), a01 = a00, a02 = a00, a03 = a00;
  __m256i a10 = a00, a11 = a00, a12 = a00, a13 = a00;
  // One 32-byte step: pixel chunks x, y against the filter chunks at w0, w0 + ws, w0 + 2 ws, w0 + 3 ws.
  inline void Step(__m256i x, __m256i y, const uint8_t* w0, size_t ws) {
    __m256i f = LoadPinned(w0);
    a00 = _mm256_add_epi64(a00, _mm256_sad_epu8(x, f));
    a10 = _mm256_add_epi64(a10, _mm256_sad_epu8(y, f));
    f = LoadPinned(w0 + ws);
    a01 = _mm256_add_epi64(a01, _mm256_sad_epu8(x, f));
    a11 = _mm256_add_epi64(a11, _mm256_sad_epu8(y, f));
    f = LoadPinned(w0 + 2 * ws);
    a02 = _mm256_add_epi64(a02, _mm256_sad_epu8(x, f));
    a12 = _mm256_add_epi64(a12, _mm256_sad_epu8(y, f));
    f = LoadPinned(w0 + 3 * ws);
    a03 = _mm256_add_epi64(a03, _mm256_sad_epu8(x, f));
    a13 = _mm256_add_epi64(a13, _mm256_sad_epu8(y, f));
  }
  // Keeps the accumulators in registers and their adds in program order. Without it, in a fully
  // unrolled tile GCC (-O3) reassociates the zero-initialised sums: it computes every vpsadbw
  // first and spills them to the stack (measured: the 16-channel 3x3 kernel at 50 % of the
  // ceiling instead of 80 %).
  inline void Pin() { __asm__("" : "+x"(a00), "+x"(a01), "+x"(a02), "+x"(a03), "+x"(a10), "+x"(a11), "+x"(a12), "+x"(a13)); }
  // acc[o0 + j][p0 + r] (rows `pixels` apart) for the real filters and pixels.
  inline void Store(int32_t* acc, int pixels, int o0, int channels, int p0) const {
    const __m128i r0 = Reduce4(a00, a01, a02, a03), r1 = Reduce4(a10, a11, a12, a13);  // {f0..f3} of p0, p0 + 1
    int32_t* out = acc + size_t(o0) * size_t(pixels) + size_t(p0);
    if (o0 + kSadChannelTile <= channels && p0 + kSadPixelTile <= pixels) {
      // Both pixels of a filter are neighbours in acc: one 8-byte store per filter, not two 4-byte
      // extracts (2 uops each).
      const __m128i f01 = _mm_unpacklo_epi32(r0, r1), f23 = _mm_unpackhi_epi32(r0, r1);
      // (_mm_storel_epi64 is an unaligned store; _mm_storeh_pd would be a misaligned double.)
      _mm_storel_epi64(reinterpret_cast<__m128i*>(out), f01);
      _mm_storel_epi64(reinterpret_cast<__m128i*>(out + pixels), _mm_unpackhi_epi64(f01, f01));
      _mm_storel_epi64(reinterpret_cast<__m128i*>(out + 2 * size_t(pixels)), f23);
      _mm_storel_epi64(reinterpret_cast<__m128i*>(out + 3 * size_t(pixels)), _mm_unpackhi_epi64(f23, f23));
      return;
    }
    const __m128i f[2] = {r0, r1};
    for (int j = 0; j < kSadChannelTile && o0 + j < channels; ++j)
      for (int r = 0; r < kSadPixelTile && p0 + r < pixels; ++r) {
        alignas(16) int32_t v[4];  // edge tiles only
        _mm_store_si128(reinterpret_cast<__m128i*>(v), f[r]);
        out[size_t(j) * size_t(pixels) + size_t(r)] = v[j];
      }
  }
};
}  // namespace

namespace {
// `steps` 32-byte steps of a tile from x0, y0 against the filter rows at w0 (ws apart). kSteps > 0:
// the count at compile time, unrolled into a straight run with constant offsets (no loop counter,
// no address updates: the step's 6 loads + 16 vector ops are close to the core's dispatch width,
// so every extra instruction costs); 0: a loop.
template <int kSteps>
inline void RunSteps(Tile2x4& t, const uint8_t* x0, const uint8_t* y0, const uint8_t* w0, size_t ws, int steps) {
  const int n = kSteps > 0 ? kSteps : steps;
#pragma GCC unroll 32
  for (int k = 0; k < n; ++k) {
    const size_t off = size_t(k) * kSadRowAlign;
    t.Step(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x0 + off)),
           _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y0 + off)), w0 + off, ws);
    t.Pin();
  }
}

template <int kSteps>
void SadTilesOf(const uint8_t* col, int pixels, int row_bytes, const uint8_t* w, int channels, int32_t* acc) {
  const size_t rb = size_t(row_bytes);
  const int steps = row_bytes / kSadRowAlign;
  for (int o0 = 0; o0 < channels; o0 += kSadChannelTile) {
    const uint8_t* w0 = w + size_t(o0) * rb;
    for (int p0 = 0; p0 < pixels; p0 += kSadPixelTile) {
      const uint8_t* x0 = col + size_t(p0) * rb;
      Tile2x4 t;
      RunSteps<kSteps>(t, x0, x0 + rb, w0, rb, steps);
      t.Store(acc, pixels, o0, channels, p0);
    }
  }
}

// Rows form: pixel p's window is KH runs of KW * C bytes in the padded channels-last image, which
// are exactly the kernel rows of its im2col row; so the tiles read the image (in L1) in place.
// The pixel after the last one (odd counts) reads the last again and is not stored.
// kKH, kRunSteps > 0: kernel height and steps per kernel row at compile time (fully unrolled).
template <int kKH, int kRunSteps>
void SadRowsOf(const uint8_t* xpad, int padded_w, int in_c, int out_h, int out_w, int kernel_h, int kernel_w, int stride,
               const uint8_t* w, int channels, int32_t* acc) {
  const size_t C = size_t(in_c), row_bytes = size_t(padded_w) * C, run = size_t(kernel_w) * C;
  const int KH = kKH > 0 ? kKH : kernel_h, steps = int(run) / kSadRowAlign;
  const size_t K = size_t(KH) * run;
  const int P = out_h * out_w;
  // The tile body is written out in both loops below on purpose: shared through a lambda or an
  // always-inline function, GCC spilled the accumulators to the stack (98 ymm stack accesses in
  // the 3x3 / 32-channel instance instead of 2).
  if (out_w % kSadPixelTile == 0) {
    // Both pixels of every tile in one output row (the CIFAR shapes): plain row/column loops.
    for (int o0 = 0; o0 < channels; o0 += kSadChannelTile) {
      const uint8_t* w0 = w + size_t(o0) * K;
      for (int oy = 0; oy < out_h; ++oy) {
        const uint8_t* line = xpad + size_t(oy * stride) * row_bytes;
        for (int ox = 0; ox < out_w; ox += kSadPixelTile) {
          const uint8_t* x0 = line + size_t(ox * stride) * C;
          const uint8_t* y0 = x0 + size_t(stride) * C;
          Tile2x4 t;
#pragma GCC unroll 8
          for (int i = 0; i < KH; ++i)
            RunSteps<kRunSteps>(t, x0 + size_t(i) * row_bytes, y0 + size_t(i) * row_bytes, w0 + size_t(i) * run, K, steps);
          t.Store(acc, P, o0, channels, oy * out_w + ox);
        }
      }
    }
    return;
  }
  for (int o0 = 0; o0 < channels; o0 += kSadChannelTile) {
    const uint8_t* w0 = w + size_t(o0) * K;
    int oy = 0, ox = 0;  // pixel p0, without a division per tile
    for (int p0 = 0; p0 < P; p0 += kSadPixelTile) {
      const uint8_t* x0 = xpad + size_t(oy * stride) * row_bytes + size_t(ox * stride) * C;
      if (++ox == out_w) ox = 0, ++oy;
      const uint8_t* y0 = p0 + 1 < P ? xpad + size_t(oy * stride) * row_bytes + size_t(ox * stride) * C : x0;
      if (++ox == out_w) ox = 0, ++oy;
      Tile2x4 t;
#pragma GCC unroll 8
      for (int i = 0; i < KH; ++i)
        RunSteps<kRunSteps>(t, x0 + size_t(i) * row_bytes, y0 + size_t(i) * row_bytes, w0 + size_t(i) * run, K, steps);
      t.Store(acc, P, o0, channels, p0);
    }
  }
}
}  // namespace

void SadTiles(const uint8_t* col, int pixels, int row_bytes, const uint8_t* w, int channels, int32_t* acc) {
  // The row lengths of the CIFAR ResNets' im2col layers (3x3 at stride 2 over 16/32 channels) and
  // of the 1x1 shortcuts; others loop.
  switch (row_bytes / kSadRowAlign) {
    case 1: return SadTilesOf<1>(col, pixels, row_bytes, w, channels, acc);
    case 2: return SadTilesOf<2>(col, pixels, row_bytes, w, channels, acc);
    case 5: return SadTilesOf<5>(col, pixels, row_bytes, w, channels, acc);
    case 9: return SadTilesOf<9>(col, pixels, row_bytes, w, channels, acc);
    default: return SadTilesOf<0>(col, pixels, row_bytes, w, channels, acc);
  }
}

static void SadRows(const uint8_t* xpad, int padded_w, int in_c, int out_h, int out_w, int kernel_h, int kernel_w,
                    int stride, const uint8_t* w, int channels, int32_t* acc) {
  const int steps = kernel_w * in_c / kSadRowAlign;
  if (kernel_h == 3 && steps == 3)  // 3x3 over 32 channels
    return SadRowsOf<3, 3>(xpad, padded_w, in_c, out_h, out_w, kernel_h, kernel_w, stride, w, channels, acc);
  if (kernel_h == 3 && steps == 6)  // 3x3 over 64 channels
    return SadRowsOf<3, 6>(xpad, padded_w, in_c, out_h, out_w, kernel_h, kernel_w, stride, w, channels, acc);
  SadRowsOf<0, 0>(xpad, padded_w, in_c, out_h, out_w, kernel_h, kernel_w, stride, w, channels, acc);
}

namespace {
// round-half-even (vroundps, as nearbyint), clamp to [0, L], to int32, plus the offset.
inline __m256i QuantizeVec(const float* x, __m256 m, __m256 top, __m256i off) {
  __m256 v = _mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x), m), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  v = _mm256_min_ps(_mm256_max_ps(v, _mm256_setzero_ps()), top);
  return _mm256_add_epi32(_mm256_cvtps_epi32(v), off);
}
inline uint8_t QuantizeOne(float x, float multiplier, int levels, uint8_t offset) {
  const float v = std::min(std::max(std::nearbyint(x * multiplier), 0.f), float(levels));
  return uint8_t(int(v) + offset);
}
}  // namespace

void QuantizeToBytes(const float* x, size_t n, float multiplier, int levels, uint8_t offset, uint8_t* out, size_t stride) {
  const __m256 m = _mm256_set1_ps(multiplier), top = _mm256_set1_ps(float(levels));
  const __m256i off = _mm256_set1_epi32(offset);
  size_t i = 0;
  // Codes go from registers to their bytes (no store and reload through a stack buffer: whether its
  // loads falsely alias the output stores depended on the stack address, i.e. on the environment's
  // size, by up to 15 % of a whole evaluation).
  for (; i + 8 <= n; i += 8) {
    const __m256i q = QuantizeVec(x + i, m, top, off);
    const __m128i lo = _mm256_castsi256_si128(q), hi = _mm256_extracti128_si256(q, 1);
    uint8_t* o = out + i * stride;
    o[0] = uint8_t(_mm_cvtsi128_si32(lo));
    o[stride] = uint8_t(_mm_extract_epi32(lo, 1));
    o[2 * stride] = uint8_t(_mm_extract_epi32(lo, 2));
    o[3 * stride] = uint8_t(_mm_extract_epi32(lo, 3));
    o[4 * stride] = uint8_t(_mm_cvtsi128_si32(hi));
    o[5 * stride] = uint8_t(_mm_extract_epi32(hi, 1));
    o[6 * stride] = uint8_t(_mm_extract_epi32(hi, 2));
    o[7 * stride] = uint8_t(_mm_extract_epi32(hi, 3));
  }
  for (; i < n; ++i) out[i * stride] = QuantizeOne(x[i], multiplier, levels, offset);
}

namespace {
// 4 channels (planes `cs` floats apart) x 8 pixels -> 8 little-endian words {c0, c1, c2, c3} + offset,
// one per pixel. The clamp at 0 is the unsigned saturation of the byte pack (negative, -0.0 and
// -inf land on 0); the clamp at L comes before the conversion, so nothing overflows it.
inline __m256i QuantizeWords(const float* x, size_t cs, __m256 m, __m256 top, __m256i off8) {
  auto code = [&](const float* p) {
    const __m256 v = _mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(p), m), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    return _mm256_cvtps_epi32(_mm256_min_ps(v, top));
  };
  const __m256i c01 = _mm256_packs_epi32(code(x), code(x + cs));           // int16 [c0 p0-3, c1 p0-3 | c0 p4-7, c1 p4-7]
  const __m256i c23 = _mm256_packs_epi32(code(x + 2 * cs), code(x + 3 * cs));
  const __m256i bytes = _mm256_packus_epi16(c01, c23);                       // [c0 p0-3, c1 .., c2 .., c3 .. | p4-7]
  const __m256i to_pixels = _mm256_setr_epi8(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15,  //
                                             0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  return _mm256_add_epi8(_mm256_shuffle_epi8(bytes, to_pixels), off8);
}
}  // namespace

namespace {
// 8 pixels x G channels (G = 4, 8 or 16; planes cs floats apart) as codes: one G-byte store per
// pixel at o, o + C, ..., o + 7 C, straight from registers.
template <int G>
inline void QuantizeBlock(const float* x, size_t cs, __m256 m, __m256 top, __m256i off8, uint8_t* o, size_t C) {
  const __m256i a = QuantizeWords(x, cs, m, top, off8);  // dword p = pixel p's 4 codes (lanes: p0-3 | p4-7)
  if constexpr (G == 4) {
    const __m128i lo = _mm256_castsi256_si128(a), hi = _mm256_extracti128_si256(a, 1);
    _mm_storeu_si32(o, lo);
    _mm_storeu_si32(o + C, _mm_shuffle_epi32(lo, 1));
    _mm_storeu_si32(o + 2 * C, _mm_shuffle_epi32(lo, 2));
    _mm_storeu_si32(o + 3 * C, _mm_shuffle_epi32(lo, 3));
    _mm_storeu_si32(o + 4 * C, hi);
    _mm_storeu_si32(o + 5 * C, _mm_shuffle_epi32(hi, 1));
    _mm_storeu_si32(o + 6 * C, _mm_shuffle_epi32(hi, 2));
    _mm_storeu_si32(o + 7 * C, _mm_shuffle_epi32(hi, 3));
  } else if constexpr (G == 8) {
    const __m256i b = QuantizeWords(x + 4 * cs, cs, m, top, off8);
    const __m256i p01 = _mm256_unpacklo_epi32(a, b), p23 = _mm256_unpackhi_epi32(a, b);  // [p0 p1 | p4 p5], [p2 p3 | p6 p7]
    auto store2 = [&](uint8_t* q, __m128i v) {  // two pixels' 8 bytes
      _mm_storel_epi64(reinterpret_cast<__m128i*>(q), v);
      _mm_storel_epi64(reinterpret_cast<__m128i*>(q + C), _mm_unpackhi_epi64(v, v));
    };
    store2(o, _mm256_castsi256_si128(p01));
    store2(o + 2 * C, _mm256_castsi256_si128(p23));
    store2(o + 4 * C, _mm256_extracti128_si256(p01, 1));
    store2(o + 6 * C, _mm256_extracti128_si256(p23, 1));
  } else {
    static_assert(G == 16);
    const __m256i b = QuantizeWords(x + 4 * cs, cs, m, top, off8);
    const __m256i c = QuantizeWords(x + 8 * cs, cs, m, top, off8);
    const __m256i d = QuantizeWords(x + 12 * cs, cs, m, top, off8);
    const __m256i ab01 = _mm256_unpacklo_epi32(a, b), ab23 = _mm256_unpackhi_epi32(a, b);
    const __m256i cd01 = _mm256_unpacklo_epi32(c, d), cd23 = _mm256_unpackhi_epi32(c, d);
    const __m256i p0 = _mm256_unpacklo_epi64(ab01, cd01), p1 = _mm256_unpackhi_epi64(ab01, cd01);  // [p0 | p4], [p1 | p5]
    const __m256i p2 = _mm256_unpacklo_epi64(ab23, cd23), p3 = _mm256_unpackhi_epi64(ab23, cd23);  // [p2 | p6], [p3 | p7]
    auto store = [&](int p, __m128i v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(o + size_t(p) * C), v); };
    store(0, _mm256_castsi256_si128(p0));
    store(1, _mm256_castsi256_si128(p1));
    store(2, _mm256_castsi256_si128(p2));
    store(3, _mm256_castsi256_si128(p3));
    store(4, _mm256_extracti128_si256(p0, 1));
    store(5, _mm256_extracti128_si256(p1, 1));
    store(6, _mm256_extracti128_si256(p2, 1));
    store(7, _mm256_extracti128_si256(p3, 1));
  }
}

// Channels c .. c + G - 1 of `count` pixels.
template <int G>
void QuantizeChannelGroup(const float* x0, size_t count, size_t cs, float multiplier, int levels, uint8_t offset,
                          uint8_t* out, size_t C) {
  const __m256 m = _mm256_set1_ps(multiplier), top = _mm256_set1_ps(float(levels));
  const __m256i off8 = _mm256_set1_epi8(char(offset));
  size_t i = 0;
  for (; i + 8 <= count; i += 8) QuantizeBlock<G>(x0 + i, cs, m, top, off8, out + i * C, C);
  for (; i < count; ++i)
    for (int k = 0; k < G; ++k) out[i * C + size_t(k)] = QuantizeOne(x0[size_t(k) * cs + i], multiplier, levels, offset);
}
}  // namespace

void QuantizeToBytesHwc(const float* x, int channels, size_t count, size_t channel_stride, float multiplier, int levels,
                        uint8_t offset, uint8_t* out) {
  const size_t C = size_t(channels), cs = channel_stride;
  int c = 0;
  // Wider channel groups store more bytes per pixel at once but read more planes at once. Planes
  // 4 KiB apart (32x32 images) all map to one L1 set: 16 of them evict each other (measured 40 %
  // slower than 4 at a time), 8 still gain (~10 %); planes at most 1 KiB apart: 16 at a time
  // (~35 % faster than 4 at 16x16x32).
  if (cs <= 256)
    for (; c + 16 <= channels; c += 16)
      QuantizeChannelGroup<16>(x + size_t(c) * cs, count, cs, multiplier, levels, offset, out + c, C);
  for (; c + 8 <= channels; c += 8)
    QuantizeChannelGroup<8>(x + size_t(c) * cs, count, cs, multiplier, levels, offset, out + c, C);
  for (; c + 4 <= channels; c += 4)
    QuantizeChannelGroup<4>(x + size_t(c) * cs, count, cs, multiplier, levels, offset, out + c, C);
  for (; c < channels; ++c) QuantizeToBytes(x + size_t(c) * cs, count, multiplier, levels, offset, out + c, C);
}

namespace {
// Pixel pairs (C == 16): each accumulator holds pixel p in its low 128 bits and p + 1 in its
// high 128 bits; reduces four accumulators (four filters) to {p: f0..f3} and {p + 1: f0..f3}.
inline __m256i ReducePairs4(__m256i a0, __m256i a1, __m256i a2, __m256i a3) {
  const __m256i t01 = _mm256_or_si256(a0, _mm256_slli_epi64(a1, 32));
  const __m256i t23 = _mm256_or_si256(a2, _mm256_slli_epi64(a3, 32));
  return _mm256_add_epi32(_mm256_unpacklo_epi64(t01, t23), _mm256_unpackhi_epi64(t01, t23));
}
inline __m256i Load32(const uint8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

// kPairs16: 4 pixels of one row (two pairs) x 4 filters per tile, the 2x4 tile's step with each
// "pixel" a pair. kKH, kKW > 0: the kernel size at compile time, so the taps unroll into one
// straight run of steps with constant filter offsets (3x3 and the 1x1 shortcuts); 0: run-time loops.
// kStride 2: the even/odd column layout of kPairs16Stride2 (padded_w columns per half).
template <int kKH, int kKW, int kStride>
void SadPairs16(const uint8_t* xpad, int padded_w, int out_h, int out_w, int kernel_h, int kernel_w, const uint8_t* wtaps,
                int channels, int32_t* acc) {
  static_assert(kStride == 1 || kStride == 2);
  constexpr size_t C = 16, kTap = 32;  // bytes of a doubled tap
  const int KH = kKH > 0 ? kKH : kernel_h, KW = kKW > 0 ? kKW : kernel_w;
  const size_t half_bytes = size_t(padded_w) * C, row_bytes = size_t(kStride) * half_bytes;
  const size_t filter_bytes = size_t(KH * KW) * kTap;
  const size_t P = size_t(out_h) * size_t(out_w);
  for (int o0 = 0; o0 < channels; o0 += kSadChannelTile) {
    const uint8_t* w0 = wtaps + size_t(o0) * filter_bytes;
    const int n = std::min(kSadChannelTile, channels - o0);
    int32_t* out = acc + size_t(o0) * P;
    for (int oy = 0; oy < out_h; ++oy) {
      const uint8_t* line = xpad + size_t(kStride * oy) * row_bytes;
      for (int ox = 0; ox < out_w; ox += 4, out += 4) {
        const uint8_t* xa = line + size_t(ox) * C;
        Tile2x4 t;
        // Taps in (i, j) order; offsets computed in registers (a table on the stack was read per
        // tap; see QuantizeToBytes on stack buffers). Stride 2: column 2 ox + j is column ox + j / 2
        // of half j % 2.
#pragma GCC unroll 8
        for (int i = 0; i < KH; ++i)
#pragma GCC unroll 8
          for (int j = 0; j < KW; ++j) {
            const size_t column = kStride == 1 ? size_t(j) * C : size_t(j % 2) * half_bytes + size_t(j / 2) * C;
            const uint8_t* p = xa + size_t(i) * row_bytes + column;
            t.Step(Load32(p), Load32(p + 2 * C), w0 + size_t(i * KW + j) * kTap, filter_bytes);
            t.Pin();
          }
        // [p: f0..f3 | p+1: f0..f3] and [p+2: .. | p+3: ..] -> per filter its 4 neighbouring pixels:
        // one 16-byte store each instead of four 4-byte extracts.
        const __m256i sa = ReducePairs4(t.a00, t.a01, t.a02, t.a03), sb = ReducePairs4(t.a10, t.a11, t.a12, t.a13);
        const __m256i lo = _mm256_unpacklo_epi32(sa, sb);  // [p f0, p+2 f0, p f1, p+2 f1 | p+1 f0, p+3 f0, p+1 f1, p+3 f1]
        const __m256i hi = _mm256_unpackhi_epi32(sa, sb);  // the same for f2, f3
        const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);  // -> [f0: p .. p+3 | f1: p .. p+3]
        const __m256i g01 = _mm256_permutevar8x32_epi32(lo, order), g23 = _mm256_permutevar8x32_epi32(hi, order);
        auto store = [&](int j, __m128i v) {
          if (j < n) _mm_storeu_si128(reinterpret_cast<__m128i*>(out + size_t(j) * P), v);
        };
        store(0, _mm256_castsi256_si128(g01));
        store(1, _mm256_extracti128_si256(g01, 1));
        store(2, _mm256_castsi256_si128(g23));
        store(3, _mm256_extracti128_si256(g23, 1));
      }
    }
  }
}
}  // namespace

void SadDirect(SadDirectForm form, const uint8_t* xpad, int padded_w, int in_c, int out_h, int out_w, int kernel_h,
               int kernel_w, int stride, const uint8_t* wtaps, int channels, int32_t* acc) {
  if (form == SadDirectForm::kRows)
    return SadRows(xpad, padded_w, in_c, out_h, out_w, kernel_h, kernel_w, stride, wtaps, channels, acc);
  (void)in_c, (void)stride;  // 16 channels; stride 1 or (kPairs16Stride2) 2 (ChooseSadDirectForm)
  if (form == SadDirectForm::kPairs16Stride2) {
    if (kernel_h == 3 && kernel_w == 3)
      return SadPairs16<3, 3, 2>(xpad, padded_w, out_h, out_w, kernel_h, kernel_w, wtaps, channels, acc);
    return SadPairs16<0, 0, 2>(xpad, padded_w, out_h, out_w, kernel_h, kernel_w, wtaps, channels, acc);
  }
  if (kernel_h == 3 && kernel_w == 3)
    return SadPairs16<3, 3, 1>(xpad, padded_w, out_h, out_w, kernel_h, kernel_w, wtaps, channels, acc);
  if (kernel_h == 1 && kernel_w == 1)
    return SadPairs16<1, 1, 1>(xpad, padded_w, out_h, out_w, kernel_h, kernel_w, wtaps, channels, acc);
  SadPairs16<0, 0, 1>(xpad, padded_w, out_h, out_w, kernel_h, kernel_w, wtaps, channels, acc);
}

double MeasureSadCeilingOpsPerSecond(double seconds) {
  // 8 independent vpsadbw -> vpaddq chains on registers: no memory, no dependency stalls.
  __m256i x = _mm256_set1_epi8(3), w0 = _mm256_set1_epi8(7), w1 = _mm256_set1_epi8(11);
  __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  long long iterations = 0;
  const auto t0 = std::chrono::steady_clock::now();
  double elapsed = 0;
  do {
    for (int i = 0; i < 100000; ++i) {
      a0 = _mm256_add_epi64(a0, _mm256_sad_epu8(x, w0));
      a1 = _mm256_add_epi64(a1, _mm256_sad_epu8(x, w1));
      a2 = _mm256_add_epi64(a2, _mm256_sad_epu8(w0, w1));
      a3 = _mm256_add_epi64(a3, _mm256_sad_epu8(w1, x));
      a4 = _mm256_add_epi64(a4, _mm256_sad_epu8(w0, x));
      a5 = _mm256_add_epi64(a5, _mm256_sad_epu8(w1, w0));
      a6 = _mm256_add_epi64(a6, _mm256_sad_epu8(x, a0));
      a7 = _mm256_add_epi64(a7, _mm256_sad_epu8(w0, a1));
      __asm__ volatile("" : "+x"(x), "+x"(w0), "+x"(w1));  // keep the inputs opaque
    }
    iterations += 100000;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  } while (elapsed < seconds);
  __m256i sum = _mm256_add_epi64(_mm256_add_epi64(_mm256_add_epi64(a0, a1), _mm256_add_epi64(a2, a3)),
                                 _mm256_add_epi64(_mm256_add_epi64(a4, a5), _mm256_add_epi64(a6, a7)));
  volatile int64_t sink = _mm256_extract_epi64(sum, 0);
  (void)sink;
  return double(iterations) * 8.0 * 32.0 / elapsed;  // 32 byte |a-b| per vpsadbw
}

}  // namespace adderq::kernels::avx2
