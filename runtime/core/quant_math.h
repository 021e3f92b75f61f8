// AdderQuant quantizers (ALGORITHM.md, step 4): the single definition used by the compiler's
// passes, the runtime kernels and the tests, so what the compiler measures is what the runtime runs.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace adderq::quant {

// L = 2^b - 1 levels.
constexpr int Levels(int bits) { return (1 << bits) - 1; }
constexpr int WeightCodeMin(int bits) { return -(1 << (bits - 1)); }
constexpr int WeightCodeMax(int bits) { return (1 << (bits - 1)) - 1; }

// round() here is round-half-to-even (std::nearbyint in the default rounding mode), as torch.round.
// q_w = clip(round(W * L / (2 s)), -2^(b-1), 2^(b-1) - 1)
inline int QuantizeWeight(float w, float scale, int bits) {
  const float L = float(Levels(bits));
  const float q = std::nearbyint(w * (L / (2.f * scale)));
  return int(std::clamp(q, float(WeightCodeMin(bits)), float(WeightCodeMax(bits))));
}

// Multiplier that maps an activation to code units: q_a = clip(round(x * m), 0, L), m = L / s.
inline float ActivationMultiplier(float scale, int bits) { return float(Levels(bits)) / scale; }

inline int QuantizeActivation(float x, float multiplier, int bits) {
  const float q = std::nearbyint(x * multiplier);
  return int(std::clamp(q, 0.f, float(Levels(bits))));
}

// Dequantized values (for the float "fake-quant" formulation and tests).
inline float DequantWeight(int q, float scale, int bits) { return float(q) * 2.f * scale / float(Levels(bits)); }
inline float DequantActivation(int q, float scale, int bits) { return float(q) * scale / float(Levels(bits)); }

}  // namespace adderq::quant
