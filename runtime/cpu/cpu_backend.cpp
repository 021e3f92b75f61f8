#include "cpu/cpu_backend.h"

#include <fmt/format.h>

#include "data/pixel_input.h"
#include "kernels/tile_kernels.h"

namespace adderq {

Status CpuBackend::RunPixels(std::span<const uint8_t> pixels, PixelLayout layout, int batch, std::vector<float>& logits) {
  const Graph& g = executor_.graph();
  const Shape3 in = g.ShapeOf(g.input);
  if (batch <= 0 || pixels.size() != in.size() * size_t(batch))
    return InvalidArgument("RunPixels: {} bytes for a batch of {} images of {} values", pixels.size(), batch, in.size());
  normalized_.resize(pixels.size());
  data::NormalizePixels(pixels, layout, batch, in.c, in.h * in.w, g.meta.mean, g.meta.std, normalized_.data());
  return executor_.Run(normalized_, batch, logits);
}

std::string CpuBackend::Describe() const {
  return fmt::format("cpu ({}, {} threads)", kernels::SimdLevel(), executor_.threads());
}

}  // namespace adderq
