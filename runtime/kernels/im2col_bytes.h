// Byte im2col from a channels-last (HWC) image: one row of row_bytes per output pixel, k = (i, j, c),
// so each kernel row of an interior pixel is one contiguous copy of KW*C bytes. Positions in the
// zero padding, the row tail beyond K, and the rows past the last pixel hold `fill`.
#pragma once

#include <cstdint>
#include <cstring>

#include "kernels/conv_geometry.h"

namespace adderq::kernels {

// memcpy of a run whose length is a multiple of 16 (channel counts are): fixed-size 16-byte moves
// the compiler inlines, instead of a library call per run.
inline void CopyRun(uint8_t* dst, const uint8_t* src, size_t n) {
  if (n % 16 == 0) {
    for (size_t i = 0; i < n; i += 16) std::memcpy(dst + i, src + i, 16);
  } else {
    std::memcpy(dst, src, n);
  }
}

inline void Im2ColBytesHwc(const ConvGeometry& g, const uint8_t* x, uint8_t* col, int row_bytes, int rows, uint8_t fill) {
  const int C = g.in_c, KW = g.kernel_w, K = g.K();
  const size_t run = size_t(KW) * size_t(C);
  for (int oy = 0; oy < g.out_h; ++oy) {
    for (int ox = 0; ox < g.out_w; ++ox) {
      uint8_t* row = col + size_t(oy * g.out_w + ox) * size_t(row_bytes);
      const int iy0 = oy * g.stride - g.padding, ix0 = ox * g.stride - g.padding;
      const bool x_inside = ix0 >= 0 && ix0 + KW <= g.in_w;
      for (int i = 0; i < g.kernel_h; ++i) {
        uint8_t* dst = row + size_t(i) * run;
        const int iy = iy0 + i;
        if (iy < 0 || iy >= g.in_h) {
          std::memset(dst, fill, run);
        } else if (x_inside) {
          CopyRun(dst, x + (size_t(iy) * size_t(g.in_w) + size_t(ix0)) * size_t(C), run);
        } else {
          for (int j = 0; j < KW; ++j) {
            const int ix = ix0 + j;
            if (ix < 0 || ix >= g.in_w) std::memset(dst + size_t(j) * size_t(C), fill, size_t(C));
            else CopyRun(dst + size_t(j) * size_t(C), x + (size_t(iy) * size_t(g.in_w) + size_t(ix)) * size_t(C), size_t(C));
          }
        }
      }
      std::memset(row + K, fill, size_t(row_bytes - K));
    }
  }
  if (rows > g.P()) std::memset(col + size_t(g.P()) * size_t(row_bytes), fill, size_t(rows - g.P()) * size_t(row_bytes));
}

}  // namespace adderq::kernels
