#include "cuda/chunk_size.h"

#include <algorithm>
#include <cmath>

namespace adderq::cuda {

Result<int> ChooseChunkImages(std::span<const KernelFill> kernels, const ChunkLimits& limits) {
  double needed = kChunkQuantum;
  for (const KernelFill& k : kernels) {
    if (k.blocks_per_image <= 0) continue;
    const double wave = double(std::max(limits.multiprocessors, 1)) * double(std::max(k.resident_blocks_per_sm, 1));
    needed = std::max(needed, kChunkWaves * wave / k.blocks_per_image);
  }
  long long chunk = (static_cast<long long>(std::ceil(needed)) + kChunkQuantum - 1) / kChunkQuantum * kChunkQuantum;
  chunk = std::min<long long>(chunk, kMaxAutoChunk);
  if (limits.device_bytes_per_image > 0) {
    const long long fits = static_cast<long long>(limits.free_device_bytes / 2 / limits.device_bytes_per_image);
    if (fits < 1)
      return RuntimeError("the GPU has {:.1f} MiB free; one image of a chunk needs {:.1f} MiB of buffers, and the chunks "
                          "may take half the free memory",
                          double(limits.free_device_bytes) / double(1 << 20), double(limits.device_bytes_per_image) / double(1 << 20));
    if (fits < chunk) chunk = fits >= kChunkQuantum ? fits / kChunkQuantum * kChunkQuantum : fits;
  }
  return int(chunk);
}

}  // namespace adderq::cuda
