// What evaluation and embedding need from a backend: logits for a batch of normalised images, or
// of 8-bit pixels that the backend normalises itself (the CPU before it runs; a GPU after the copy,
// so a quarter of the bytes cross the bus). The CPU executor and the CUDA executor both implement
// it; `--device` picks one.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/executor.h"
#include "data/pixel_input.h"

namespace adderq {

class InferenceBackend {
 public:
  virtual ~InferenceBackend() = default;
  // input: `batch` images, image-major normalised floats; logits: batch x OutputSize().
  virtual Status Run(std::span<const float> input, int batch, std::vector<float>& logits) = 0;
  // pixels: `batch` images of the input shape in `layout`, normalised with the graph's mean and std
  // exactly as data::NormalizePixels does, so the logits are Run's for those floats bit for bit.
  virtual Status RunPixels(std::span<const uint8_t> pixels, data::PixelLayout layout, int batch,
                           std::vector<float>& logits) = 0;
  virtual size_t OutputSize() const = 0;
  // One line for reports: "cpu (avx2, 16 threads)", "cuda (NVIDIA H100, sm_90)".
  virtual std::string Describe() const = 0;
};

class CpuBackend final : public InferenceBackend {
 public:
  explicit CpuBackend(Executor& executor) : executor_(executor) {}
  explicit CpuBackend(std::unique_ptr<Executor> owned) : owned_(std::move(owned)), executor_(*owned_) {}
  Executor& executor() { return executor_; }
  Status Run(std::span<const float> input, int batch, std::vector<float>& logits) override {
    return executor_.Run(input, batch, logits);
  }
  Status RunPixels(std::span<const uint8_t> pixels, data::PixelLayout layout, int batch, std::vector<float>& logits) override;
  size_t OutputSize() const override { return executor_.OutputSize(); }
  std::string Describe() const override;

 private:
  std::unique_ptr<Executor> owned_;
  Executor& executor_;
  std::vector<float> normalized_;  // RunPixels' floats, kept between runs
};

}  // namespace adderq
