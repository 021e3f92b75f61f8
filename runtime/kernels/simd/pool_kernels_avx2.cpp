// max_pool_plane.h built with -mavx2: the row maxima become 8-wide vmaxps (same bits: max is exact).
#include "kernels/max_pool_plane.h"

namespace adderq::kernels::avx2 {

void MaxPoolPlane(const float* x, const PoolGeometry& g, float* y, float* rows) { MaxPoolPlaneImpl(x, g, y, rows); }

}  // namespace adderq::kernels::avx2
