// The activation range by search instead of the paper's percentile: per adder layer and bit width,
// the clip c that minimises the mean squared quantization error of the layer's positive calibration
// activations, sum (x - Q_c(x))^2 with Q_c(x) = min(round(x L / c), L) c / L, over a grid of
// 0.2 .. 1.0 x the largest activation seen. No labels are used. Zeros are left out: every quantizer
// codes them exactly, and after a ReLU they are most of the values.
#pragma once

#include <span>
#include <vector>

namespace adderq::passes {

// A deterministic sample of a layer's positive activations over the calibration batches, and the
// largest activation over all of them (every value is read for the maximum).
class ActivationSample {
 public:
  // `quota`: about how many values to look at in this batch; the pick is every k-th value with
  // an odd k, so it walks through every pixel position of power-of-two planes.
  void Add(std::span<const float> values, size_t quota);
  std::span<const float> values() const { return values_; }
  float max() const { return max_; }

 private:
  std::vector<float> values_;
  float max_ = 0.f;
};

inline constexpr int kRangeSearchSteps = 81;  // 0.20, 0.21, ..., 1.00 x max

// The mean squared error of quantizing `values` (all > 0) to `bits` with clip c.
double ActivationQuantizationError(std::span<const float> values, float clip, int bits);
// The clip of the grid with the least error (the smallest clip among equals); max when the sample
// is empty.
float SearchActivationClip(std::span<const float> values, float max, int bits);

}  // namespace adderq::passes
