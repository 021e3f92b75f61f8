// AdderQuant quantizers (ALGORITHM.md, step 4): the single definition used by the compiler's
// passes, the runtime kernels and the tests, so what the compiler measures is what the runtime runs.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace adderq::quant {

// L = 2^b - 1 levels.
constexpr int Levels(int bits) { return (1 << bits) - 1; }

// How a quantized adder layer's weight codes relate to its activation codes (schema: WeightCodes).
// - kSignedDoubled, the paper's symmetric clamp: q_w in [-2^(b-1), 2^(b-1) - 1] on a grid of step
//   2 s / L, so the layer sums |q_a - 2 q_w|.
// - kUnsigned, the one-sided clamp (ALGORITHM.md, "Beyond the paper"): q_w in [0, L] on the
//   activations' own grid (step s / L), so the layer sums |q_a - q_w|.
enum class WeightCodeKind : uint8_t { kSignedDoubled = 0, kUnsigned = 1 };
// Names as `info` and reports print them: the clamp that makes each kind.
constexpr const char* WeightCodeKindName(WeightCodeKind kind) {
  return kind == WeightCodeKind::kUnsigned ? "one-sided" : "symmetric";
}

constexpr int WeightCodeMin(int bits) { return -(1 << (bits - 1)); }
constexpr int WeightCodeMax(int bits) { return (1 << (bits - 1)) - 1; }
constexpr int WeightCodeMin(int bits, WeightCodeKind kind) { return kind == WeightCodeKind::kUnsigned ? 0 : WeightCodeMin(bits); }
constexpr int WeightCodeMax(int bits, WeightCodeKind kind) {
  return kind == WeightCodeKind::kUnsigned ? Levels(bits) : WeightCodeMax(bits);
}
// The weight on the activations' code grid: what each term subtracts from q_a.
constexpr int WeightGridValue(int code, WeightCodeKind kind) { return kind == WeightCodeKind::kUnsigned ? code : 2 * code; }

// round() here is round-half-to-even (std::nearbyint in the default rounding mode), as torch.round.
// q_w = clip(round(W * L / (2 s)), -2^(b-1), 2^(b-1) - 1)
inline int QuantizeWeight(float w, float scale, int bits) {
  const float L = float(Levels(bits));
  const float q = std::nearbyint(w * (L / (2.f * scale)));
  return int(std::clamp(q, float(WeightCodeMin(bits)), float(WeightCodeMax(bits))));
}

// One-sided clamp: q_w = clip(round(W * L / s), 0, L) for W already clamped into [0, s].
inline int QuantizeWeightUnsigned(float w, float scale, int bits) {
  const float L = float(Levels(bits));
  const float q = std::nearbyint(w * (L / scale));
  return int(std::clamp(q, 0.f, L));
}

// Multiplier that maps an activation to code units: q_a = clip(round(x * m), 0, L), m = L / s.
inline float ActivationMultiplier(float scale, int bits) { return float(Levels(bits)) / scale; }

inline int QuantizeActivation(float x, float multiplier, int bits) {
  const float q = std::nearbyint(x * multiplier);
  return int(std::clamp(q, 0.f, float(Levels(bits))));
}

// The byte lanes of both backends' adder kernels (vpsadbw on the CPU, vabsdiff4 on CUDA), which sum
// |a - w| over unsigned bytes.
// Unsigned codes are bytes as they are: a = q_a, w = q_w, both in [0, L] (no offset, no bias).
// Signed codes: up to 7 bits both sides carry an offset (a = q_a + 2^b, w = 2 q_w + 2^b, in
// [0, 2^(b+1))), so |a - w| = |q_a - 2 q_w|. At 8 bits 2 q_w reaches -256, no byte; but for
// q_a >= 0 and v = 2 q_w,
//   |q_a - v| = |q_a - max(v, 0)| + max(-v, 0)
// (v >= 0: the second term is 0; v < 0: both sides are q_a - v), so a = q_a, w = max(2 q_w, 0), and
// each output channel adds the constant sum of max(-2 q_w, 0) over its taps: the same integer sums.
// Padding (of the image, of a row, of a word) is the offset on both sides, which adds 0.
constexpr int ByteCodeOffset(int bits, WeightCodeKind kind) {
  return kind == WeightCodeKind::kSignedDoubled && bits <= 7 ? 1 << bits : 0;
}
constexpr uint8_t WeightByte(int code, int bits, WeightCodeKind kind) {
  if (kind == WeightCodeKind::kUnsigned) return uint8_t(code);
  return uint8_t(bits <= 7 ? 2 * code + (1 << bits) : (code > 0 ? 2 * code : 0));
}
constexpr int WeightByteBias(int code, int bits, WeightCodeKind kind) {
  return kind == WeightCodeKind::kUnsigned || bits <= 7 || code >= 0 ? 0 : -2 * code;
}

// Dequantized values (for the float "fake-quant" formulation and tests).
inline float DequantWeight(int q, float scale, int bits) { return float(q) * 2.f * scale / float(Levels(bits)); }
inline float DequantWeight(int q, float scale, int bits, WeightCodeKind kind) {
  return kind == WeightCodeKind::kUnsigned ? float(q) * scale / float(Levels(bits)) : DequantWeight(q, scale, bits);
}
inline float DequantActivation(int q, float scale, int bits) { return float(q) * scale / float(Levels(bits)); }

}  // namespace adderq::quant
