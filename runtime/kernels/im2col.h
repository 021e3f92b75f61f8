// im2col for one image: col[p][k] with p an output pixel (rows padded to ConvGeometry::PaddedP()
// with zeros) and k = (c, i, j). Positions in the zero padding read as T(0), which is exact for the
// adder layer too: a padded input contributes |0 - w| = |w| (and code 0 is the quantized 0).
#pragma once

#include <algorithm>
#include <span>

#include "kernels/conv_geometry.h"

namespace adderq::kernels {

// S: the image's element type when it differs (8-bit codes widened into 16-bit rows).
template <typename T, typename S = T>
void Im2Col(const ConvGeometry& g, const S* x, std::span<T> col) {
  const int K = g.K(), KH = g.kernel_h, KW = g.kernel_w;
  for (int oy = 0; oy < g.out_h; ++oy) {
    for (int ox = 0; ox < g.out_w; ++ox) {
      T* row = col.data() + size_t(oy * g.out_w + ox) * size_t(K);
      const int iy0 = oy * g.stride - g.padding, ix0 = ox * g.stride - g.padding;
      const bool x_inside = ix0 >= 0 && ix0 + KW <= g.in_w;  // the common case: no column checks
      for (int c = 0; c < g.in_c; ++c) {
        const S* plane = x + size_t(c) * size_t(g.in_h) * size_t(g.in_w);
        for (int i = 0; i < KH; ++i) {
          T* dst = row + size_t((c * KH + i) * KW);
          const int iy = iy0 + i;
          if (iy < 0 || iy >= g.in_h) {
            std::fill(dst, dst + KW, T(0));
          } else if (x_inside) {
            const S* src = plane + size_t(iy) * size_t(g.in_w) + size_t(ix0);
            if (KW == 3) {  // the usual kernel: three moves, not a library call
              dst[0] = T(src[0]);
              dst[1] = T(src[1]);
              dst[2] = T(src[2]);
            } else {
              for (int j = 0; j < KW; ++j) dst[j] = T(src[j]);
            }
          } else {
            for (int j = 0; j < KW; ++j) {
              const int ix = ix0 + j;
              dst[j] = (ix >= 0 && ix < g.in_w) ? T(plane[size_t(iy) * size_t(g.in_w) + size_t(ix)]) : T(0);
            }
          }
        }
      }
    }
  }
  // Rows past the last pixel (tile padding) read as zeros.
  std::fill(col.begin() + std::ptrdiff_t(size_t(g.P()) * size_t(K)), col.begin() + std::ptrdiff_t(size_t(g.PaddedP()) * size_t(K)), T(0));
}

// Weights [O][K] -> [K][O_padded], padding channels filled with `fill`.
template <typename T, typename Src, typename Fn>
std::vector<T> PackWeightsTransposed(int out_c, int K, const Src* w, Fn convert, T fill = T(0)) {
  const int op = ConvGeometry::PaddedChannels(out_c);
  std::vector<T> packed(size_t(K) * size_t(op), fill);
  for (int o = 0; o < out_c; ++o)
    for (int k = 0; k < K; ++k) packed[size_t(k) * size_t(op) + size_t(o)] = convert(w[size_t(o) * size_t(K) + size_t(k)]);
  return packed;
}

}  // namespace adderq::kernels
