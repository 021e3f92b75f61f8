// The CPU backend: the executor (cpu/executor.h) behind the backend interface, normalising 8-bit
// pixels on the host before it runs.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/backend.h"
#include "cpu/executor.h"

namespace adderq {

class CpuBackend final : public InferenceBackend {
 public:
  explicit CpuBackend(Executor& executor) : executor_(executor) {}
  explicit CpuBackend(std::unique_ptr<Executor> owned) : owned_(std::move(owned)), executor_(*owned_) {}
  Executor& executor() { return executor_; }
  Status Run(std::span<const float> input, int batch, std::vector<float>& logits) override {
    return executor_.Run(input, batch, logits);
  }
  Status RunPixels(std::span<const uint8_t> pixels, PixelLayout layout, int batch, std::vector<float>& logits) override;
  size_t OutputSize() const override { return executor_.OutputSize(); }
  std::string Describe() const override;

 private:
  std::unique_ptr<Executor> owned_;
  Executor& executor_;
  std::vector<float> normalized_;  // RunPixels' floats, kept between runs
};

}  // namespace adderq
