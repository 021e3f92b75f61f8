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

// The byte lanes of both backends' adder kernels (vpsadbw on the CPU, vabsdiff4 on CUDA), which sum
// |a - w| over unsigned bytes. Up to 7 bits both sides carry an offset (a = q_a + 2^b,
// w = 2 q_w + 2^b, in [0, 2^(b+1))), so |a - w| = |q_a - 2 q_w|. At 8 bits 2 q_w reaches -256, no
// byte; but for q_a >= 0 and v = 2 q_w,
//   |q_a - v| = |q_a - max(v, 0)| + max(-v, 0)
// (v >= 0: the second term is 0; v < 0: both sides are q_a - v), so a = q_a, w = max(2 q_w, 0), and
// each output channel adds the constant sum of max(-2 q_w, 0) over its taps: the same integer sums.
// Padding (of the image, of a row, of a word) is the offset on both sides, which adds 0.
constexpr int ByteCodeOffset(int bits) { return bits <= 7 ? 1 << bits : 0; }
constexpr uint8_t WeightByte(int code, int bits) {
  return uint8_t(bits <= 7 ? 2 * code + (1 << bits) : (code > 0 ? 2 * code : 0));
}
constexpr int WeightByteBias(int code, int bits) { return bits <= 7 || code >= 0 ? 0 : -2 * code; }

// Dequantized values (for the float "fake-quant" formulation and tests).
inline float DequantWeight(int q, float scale, int bits) { return float(q) * 2.f * scale / float(Levels(bits)); }
inline float DequantActivation(int q, float scale, int bits) { return float(q) * scale / float(Levels(bits)); }

}  // namespace adderq::quant
