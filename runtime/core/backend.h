// What evaluation and embedding need from a backend: logits for a batch of normalised images, or
// of 8-bit pixels that the backend normalises itself (the CPU before it runs; a GPU after the copy,
// so a quarter of the bytes cross the bus). The CPU backend (cpu/) and the CUDA backend (cuda/)
// implement it; api/backend_factory.h picks one for `--device`.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/pixel_layout.h"
#include "core/status.h"

namespace adderq {

class InferenceBackend {
 public:
  virtual ~InferenceBackend() = default;
  // input: `batch` images, image-major normalised floats; logits: batch x OutputSize().
  virtual Status Run(std::span<const float> input, int batch, std::vector<float>& logits) = 0;
  // pixels: `batch` images of the input shape in `layout`, normalised with the graph's mean and std
  // exactly as data::NormalizePixels does, so the logits are Run's for those floats bit for bit.
  virtual Status RunPixels(std::span<const uint8_t> pixels, PixelLayout layout, int batch,
                           std::vector<float>& logits) = 0;
  virtual size_t OutputSize() const = 0;
  // One line for reports: "cpu (avx2, 16 threads)", "cuda (NVIDIA H100, sm_90)".
  virtual std::string Describe() const = 0;
};

}  // namespace adderq
