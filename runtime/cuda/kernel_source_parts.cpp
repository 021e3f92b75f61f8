#include "cuda/kernel_source_parts.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/quant_math.h"

namespace adderq::cuda::source_parts {

std::string Constants(std::initializer_list<std::pair<const char*, long long>> values) {
  std::string out = "// adderq kernel variant (generated; its constants first)\n";
  for (const auto& [name, v] : values) out += fmt::format("constexpr long long {} = {};\n", name, v);
  return out;
}

std::string EpilogueConstants(const Epilogue& e) {
  return fmt::format("constexpr bool kResidual = {};\nconstexpr bool kRelu = {};\n", e.residual, e.relu);
}

std::string CodesOutConstants(const CodesOut& c, bool float_out) {
  const int lanes = kCodeLanes, bits = c.enabled ? c.bits : 8;
  return fmt::format(
      "constexpr bool kCodesOut = {};\nconstexpr bool kFloatOut = {};\nconstexpr int kOutWords = {};\n"
      "constexpr int kOutLanes = {};\nconstexpr int kOutLaneBits = {};\nconstexpr int kOutLevels = {};\n"
      "constexpr int kOutOffset = {};\nconstexpr bool kShortcutCodesOut = {};\nconstexpr int kShortcutStride = {};\n"
      "constexpr int kShortcutH = {};\nconstexpr int kShortcutW = {};\n",
      c.enabled, float_out || !c.enabled, c.enabled ? c.words_per_pixel : 1, lanes, 32 / lanes, (1 << bits) - 1, quant::ByteCodeOffset(bits, c.code_kind),
      c.enabled && c.shortcut_stride > 0, std::max(c.shortcut_stride, 1), std::max(c.shortcut_h, 1), std::max(c.shortcut_w, 1));
}

}  // namespace adderq::cuda::source_parts
