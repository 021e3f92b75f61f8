// How many images one pipeline step (a chunk) holds when the card chooses (`--cuda-chunk auto`).
// Too few and each kernel's grid is a wave or two of thread blocks, with SMs idle while the last
// wave drains; too many and more of the run is the first chunk's copy and the last chunk's
// kernels, which the other pipeline cannot overlap, and the buffers take more memory. So: the
// smallest multiple of kChunkQuantum images that gives every convolution-like kernel (the adder
// layers, the stem) at least kChunkWaves full waves on this card, where a wave is what the card
// holds at once (multiprocessors x the kernel's resident blocks per multiprocessor, from the
// driver's occupancy calculator), capped at kMaxAutoChunk and at what fits in half the free
// device memory for both pipelines. For the 4-bit ResNet-20 on an H100/H200 the registers ptxas
// reports give 3328 (the 1x1 shortcuts at 8x8: 2 blocks an image, 12 resident), an estimate until
// `tools/gpu-check.sh` times it against fixed sizes (2048 is what ran there before).
#pragma once

#include <cstddef>
#include <span>

#include "core/status.h"

namespace adderq::cuda {

inline constexpr int kChunkWaves = 4;
inline constexpr int kChunkQuantum = 256;
inline constexpr int kMaxAutoChunk = 16384;

// One kernel of the plan: thread blocks its grid has per image, and how many of them one
// multiprocessor runs at once.
struct KernelFill {
  double blocks_per_image = 0;
  int resident_blocks_per_sm = 0;
};

struct ChunkLimits {
  int multiprocessors = 0;
  size_t free_device_bytes = 0;
  size_t device_bytes_per_image = 0;  // both pipelines' activation and code buffers, per image of a chunk
};

// The chunk for these kernels on this card; an error only when not even one image fits.
Result<int> ChooseChunkImages(std::span<const KernelFill> kernels, const ChunkLimits& limits);

}  // namespace adderq::cuda
