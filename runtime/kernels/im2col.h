// im2col for one image: col[p][k] with p an output pixel (rows padded to ConvGeometry::PaddedP()
// with zeros) and k = (c, i, j). Positions in the zero padding read as T(0), which is exact for the
// adder layer too: a padded input contributes |0 - w| = |w| (and code 0 is the quantized 0).
#pragma once

#include <algorithm>
#include <span>

#include "kernels/conv_geometry.h"

namespace adderq::kernels {

template <typename T>
void Im2Col(const ConvGeometry& g, const T* x, std::span<T> col) {
  const int K = g.K();
  std::fill(col.begin(), col.end(), T(0));
  for (int oy = 0; oy < g.out_h; ++oy) {
    for (int ox = 0; ox < g.out_w; ++ox) {
      T* row = col.data() + size_t(oy * g.out_w + ox) * size_t(K);
      int k = 0;
      for (int c = 0; c < g.in_c; ++c) {
        const T* plane = x + size_t(c) * size_t(g.in_h) * size_t(g.in_w);
        for (int i = 0; i < g.kernel_h; ++i) {
          const int iy = oy * g.stride + i - g.padding;
          for (int j = 0; j < g.kernel_w; ++j, ++k) {
            const int ix = ox * g.stride + j - g.padding;
            if (iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w) row[k] = plane[iy * g.in_w + ix];
          }
        }
      }
    }
  }
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
