#include "data/pixel_input.h"

#include "data/cifar10.h"

namespace adderq::data {

void NormalizePixels(std::span<const uint8_t> pixels, PixelLayout layout, int images, int channels, int plane,
                     std::span<const float> mean, std::span<const float> std, float* out) {
  const size_t C = size_t(channels), P = size_t(plane), image = C * P;
  // A value's distance to the next of its channel, and a channel's first value within the image.
  const size_t step = layout == PixelLayout::kPlanar ? 1 : C;
  for (size_t n = 0; n < size_t(images); ++n)
    for (size_t c = 0; c < C; ++c) {
      const float m = mean[c], inv = 1.f / std[c];
      const uint8_t* src = pixels.data() + n * image + (layout == PixelLayout::kPlanar ? c * P : c);
      float* dst = out + n * image + c * P;
      for (size_t i = 0; i < P; ++i) dst[i] = NormalizePixel(src[i * step], m, inv);
    }
}

std::vector<float> NormalizationTable(std::span<const float> mean, std::span<const float> std) {
  std::vector<float> table(mean.size() * 256);
  for (size_t c = 0; c < mean.size(); ++c) {
    const float inv = 1.f / std[c];
    for (int v = 0; v < 256; ++v) table[c * 256 + size_t(v)] = NormalizePixel(uint8_t(v), mean[c], inv);
  }
  return table;
}

}  // namespace adderq::data
