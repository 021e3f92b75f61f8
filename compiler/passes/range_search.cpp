#include "passes/range_search.h"

#include <algorithm>
#include <cmath>

#include "core/quant_math.h"

namespace adderq::passes {

void ActivationSample::Add(std::span<const float> values, size_t quota) {
  for (float v : values) max_ = std::max(max_, v);  // NaN never wins
  const size_t stride = std::max<size_t>(1, values.size() / std::max<size_t>(quota, 1)) | 1u;
  for (size_t i = 0; i < values.size(); i += stride)
    if (values[i] > 0.f) values_.push_back(values[i]);
}

double ActivationQuantizationError(std::span<const float> values, float clip, int bits) {
  const float levels = float(quant::Levels(bits));
  const float multiplier = quant::ActivationMultiplier(clip, bits), step = clip / levels;
  double total = 0.0;
  constexpr size_t kBlock = 4096;  // float sums over short blocks (vectorised), double across them
  for (size_t b = 0; b < values.size(); b += kBlock) {
    float block = 0.f;
    for (size_t i = b, e = std::min(values.size(), b + kBlock); i < e; ++i) {
      const float q = std::min(std::nearbyint(values[i] * multiplier), levels);
      const float d = values[i] - q * step;
      block += d * d;
    }
    total += double(block);
  }
  return values.empty() ? 0.0 : total / double(values.size());
}

float SearchActivationClip(std::span<const float> values, float max, int bits) {
  if (values.empty() || !(max > 0.f)) return max;
  float best_clip = max;
  double best = INFINITY;
  for (int k = 0; k < kRangeSearchSteps; ++k) {
    const float clip = max * float(0.2 + 0.8 * double(k) / double(kRangeSearchSteps - 1));
    const double err = ActivationQuantizationError(values, clip, bits);
    if (err < best) best = err, best_clip = clip;
  }
  return best_clip;
}

}  // namespace adderq::passes
