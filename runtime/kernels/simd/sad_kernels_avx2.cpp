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
}  // namespace

void SadTiles(const uint8_t* col, int pixels, int row_bytes, const uint8_t* w, int channels, int32_t* acc) {
  const size_t rb = size_t(row_bytes);
  for (int o0 = 0; o0 < channels; o0 += kSadChannelTile) {
    const uint8_t* w0 = w + size_t(o0) * rb;
    for (int p0 = 0; p0 < pixels; p0 += kSadPixelTile) {
      const uint8_t* x0 = col + size_t(p0) * rb;
      __m256i a00 = _mm256_setzero_si256(), a01 = a00, a02 = a00, a03 = a00;
      __m256i a10 = a00, a11 = a00, a12 = a00, a13 = a00;
      for (size_t k = 0; k < rb; k += kSadRowAlign) {
        const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x0 + k));
        const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x0 + rb + k));
        __m256i f = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w0 + k));
        a00 = _mm256_add_epi64(a00, _mm256_sad_epu8(x, f));
        a10 = _mm256_add_epi64(a10, _mm256_sad_epu8(y, f));
        f = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w0 + rb + k));
        a01 = _mm256_add_epi64(a01, _mm256_sad_epu8(x, f));
        a11 = _mm256_add_epi64(a11, _mm256_sad_epu8(y, f));
        f = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w0 + 2 * rb + k));
        a02 = _mm256_add_epi64(a02, _mm256_sad_epu8(x, f));
        a12 = _mm256_add_epi64(a12, _mm256_sad_epu8(y, f));
        f = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w0 + 3 * rb + k));
        a03 = _mm256_add_epi64(a03, _mm256_sad_epu8(x, f));
        a13 = _mm256_add_epi64(a13, _mm256_sad_epu8(y, f));
      }
      alignas(16) int32_t sums[2][4];
      _mm_store_si128(reinterpret_cast<__m128i*>(sums[0]), Reduce4(a00, a01, a02, a03));
      _mm_store_si128(reinterpret_cast<__m128i*>(sums[1]), Reduce4(a10, a11, a12, a13));
      for (int j = 0; j < kSadChannelTile && o0 + j < channels; ++j)
        for (int r = 0; r < kSadPixelTile && p0 + r < pixels; ++r)
          acc[size_t(o0 + j) * size_t(pixels) + size_t(p0 + r)] = sums[r][j];
    }
  }
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
  alignas(32) int32_t q[8];
  for (; i + 8 <= n; i += 8) {
    _mm256_store_si256(reinterpret_cast<__m256i*>(q), QuantizeVec(x + i, m, top, off));
    for (int j = 0; j < 8; ++j) out[(i + size_t(j)) * stride] = uint8_t(q[j]);
  }
  for (; i < n; ++i) out[i * stride] = QuantizeOne(x[i], multiplier, levels, offset);
}

void QuantizeToBytesHwc(const float* x, int channels, size_t count, size_t channel_stride, float multiplier, int levels,
                        uint8_t offset, uint8_t* out) {
  const __m256 m = _mm256_set1_ps(multiplier), top = _mm256_set1_ps(float(levels));
  const __m256i off = _mm256_set1_epi32(offset);
  const size_t C = size_t(channels), cs = channel_stride;
  int c = 0;
  // Four channels at a time: their bytes for 8 pixels become 8 little-endian 32-bit words, one
  // store per pixel instead of four.
  alignas(32) uint32_t words[8];
  for (; c + 4 <= channels; c += 4) {
    const float* x0 = x + size_t(c) * cs;
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
      __m256i w = QuantizeVec(x0 + i, m, top, off);
      w = _mm256_or_si256(w, _mm256_slli_epi32(QuantizeVec(x0 + cs + i, m, top, off), 8));
      w = _mm256_or_si256(w, _mm256_slli_epi32(QuantizeVec(x0 + 2 * cs + i, m, top, off), 16));
      w = _mm256_or_si256(w, _mm256_slli_epi32(QuantizeVec(x0 + 3 * cs + i, m, top, off), 24));
      _mm256_store_si256(reinterpret_cast<__m256i*>(words), w);
      for (int j = 0; j < 8; ++j) std::memcpy(out + (i + size_t(j)) * C + size_t(c), &words[j], 4);
    }
    for (; i < count; ++i)
      for (int k = 0; k < 4; ++k) out[i * C + size_t(c + k)] = QuantizeOne(x0[size_t(k) * cs + i], multiplier, levels, offset);
  }
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
}  // namespace

void SadDirect(SadDirectForm /*kPairs16*/, const uint8_t* xpad, int padded_w, int in_c, int out_h, int out_w,
               int kernel_h, int kernel_w, int stride, const uint8_t* wtaps, int channels, int32_t* acc) {
  const int taps = kernel_h * kernel_w, P = out_h * out_w;
  const size_t filter_bytes = size_t(taps) * size_t(TapBytes(in_c));
  const size_t C = size_t(in_c), row_bytes = size_t(padded_w) * C;
  // Byte offset of each tap from a pixel's window origin.
  size_t tap_offset[64];
  for (int i = 0; i < kernel_h; ++i)
    for (int j = 0; j < kernel_w; ++j) tap_offset[i * kernel_w + j] = size_t(i) * row_bytes + size_t(j) * C;
  auto origin = [&](int p) {
    const int oy = p / out_w, ox = p % out_w;
    return xpad + size_t(oy * stride) * row_bytes + size_t(ox * stride) * C;
  };
  for (int o0 = 0; o0 < channels; o0 += kSadChannelTile) {
    const uint8_t* w0 = wtaps + size_t(o0) * filter_bytes;
    const uint8_t* w1 = w0 + filter_bytes;
    const uint8_t* w2 = w1 + filter_bytes;
    const uint8_t* w3 = w2 + filter_bytes;
    // 4 pixels of one row (two pairs) x 4 filters.
    {
      for (int p0 = 0; p0 < P; p0 += 4) {
        const uint8_t* xa = origin(p0);
        const uint8_t* xb = xa + 2 * C;
        __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int t = 0; t < taps; ++t) {
          const size_t off = tap_offset[t], wo = size_t(t) * 32;
          const __m256i x = Load32(xa + off), y = Load32(xb + off);
          __m256i f = Load32(w0 + wo);
          a0 = _mm256_add_epi64(a0, _mm256_sad_epu8(x, f));
          b0 = _mm256_add_epi64(b0, _mm256_sad_epu8(y, f));
          f = Load32(w1 + wo);
          a1 = _mm256_add_epi64(a1, _mm256_sad_epu8(x, f));
          b1 = _mm256_add_epi64(b1, _mm256_sad_epu8(y, f));
          f = Load32(w2 + wo);
          a2 = _mm256_add_epi64(a2, _mm256_sad_epu8(x, f));
          b2 = _mm256_add_epi64(b2, _mm256_sad_epu8(y, f));
          f = Load32(w3 + wo);
          a3 = _mm256_add_epi64(a3, _mm256_sad_epu8(x, f));
          b3 = _mm256_add_epi64(b3, _mm256_sad_epu8(y, f));
        }
        alignas(32) int32_t sa[8], sb[8];  // [pixel p: f0..f3 | pixel p+1: f0..f3]
        _mm256_store_si256(reinterpret_cast<__m256i*>(sa), ReducePairs4(a0, a1, a2, a3));
        _mm256_store_si256(reinterpret_cast<__m256i*>(sb), ReducePairs4(b0, b1, b2, b3));
        for (int j = 0; j < kSadChannelTile && o0 + j < channels; ++j) {
          int32_t* row = acc + size_t(o0 + j) * size_t(P) + size_t(p0);
          row[0] = sa[j];
          row[1] = sa[4 + j];
          row[2] = sb[j];
          row[3] = sb[4 + j];
        }
      }
    }
  }
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
