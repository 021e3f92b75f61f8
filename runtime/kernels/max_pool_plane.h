// Max pooling of one channel plane, written so that a compiler vectorizes it: first the maximum of
// the window's rows for a whole output row (contiguous, one vector max per 8 floats with AVX2), then
// the maximum across the window's columns. The kernel is compiled twice from this template,
// portable and -mavx2 (kernels/simd/pool_kernels_avx2.cpp); a maximum is exact, so both give the
// same bits. Padding never wins (it is -infinity in ONNX and PyTorch): out-of-range taps are skipped,
// and the graph allows at most half a window of padding, so every window holds a real value.
#pragma once

#include <algorithm>

namespace adderq::kernels {

struct PoolGeometry {
  int in_h = 0, in_w = 0, out_h = 0, out_w = 0, kernel = 1, stride = 1, padding = 0;
};

// `rows` holds at least in_w floats of scratch.
inline void MaxPoolPlaneImpl(const float* x, const PoolGeometry& g, float* y, float* rows) {
  for (int oy = 0; oy < g.out_h; ++oy) {
    const int y0 = std::max(oy * g.stride - g.padding, 0);
    const int y1 = std::min(oy * g.stride - g.padding + g.kernel, g.in_h);
    const float* first = x + size_t(y0) * size_t(g.in_w);
    std::copy(first, first + g.in_w, rows);
    for (int iy = y0 + 1; iy < y1; ++iy) {
      const float* r = x + size_t(iy) * size_t(g.in_w);
      for (int ix = 0; ix < g.in_w; ++ix) rows[ix] = std::max(rows[ix], r[ix]);
    }
    float* out = y + size_t(oy) * size_t(g.out_w);
    for (int ox = 0; ox < g.out_w; ++ox) {
      const int x0 = std::max(ox * g.stride - g.padding, 0);
      const int x1 = std::min(ox * g.stride - g.padding + g.kernel, g.in_w);
      float m = rows[x0];
      for (int ix = x0 + 1; ix < x1; ++ix) m = std::max(m, rows[ix]);
      out[ox] = m;
    }
  }
}

// The entry point (portable or AVX2, chosen at run time like the other kernels).
void MaxPoolPlane(const float* x, const PoolGeometry& g, float* y, float* rows);

}  // namespace adderq::kernels
