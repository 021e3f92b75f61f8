#include "tools/compile_summary.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace adderq::compiler {

nlohmann::ordered_json SummaryJson(const CompileOptions& o, const CompileReport& r) {
  nlohmann::ordered_json j;
  j["output"] = o.output;
  j["bytes"] = r.artifact.size();
  j["checkpoint"] = o.checkpoint;
  j["checkpoint_format"] = r.checkpoint_format;
  j["architecture"] = r.graph.meta.architecture;
  j["method"] = r.graph.meta.method;
  j["options"] = r.graph.meta.compile_options;
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (const Node& n : r.graph.nodes) {
    if (n.kind != OpKind::kAdder2d || !n.quant.enabled()) continue;
    const std::vector<int> sizes = n.quant.GroupSizes();
    layers.push_back({{"name", n.name},
                      {"shape", {n.out_channels, n.in_channels, n.kernel_h, n.kernel_w}},
                      {"bits", n.quant.bits},
                      {"clamp", quant::WeightCodeKindName(n.quant.code_kind)},
                      {"act_range", n.quant.act_range},
                      {"group_scales", n.quant.group_scale},
                      {"group_sizes", sizes},
                      {"clamped_filters", n.quant.clamped_channels}});
  }
  j["layers"] = layers;
  nlohmann::ordered_json phases = nlohmann::ordered_json::object();
  double total = 0;
  for (const auto& p : r.phases) {
    phases[p.name] = p.seconds;
    total += p.seconds;
  }
  j["phase_seconds"] = phases;
  j["total_seconds"] = total;
  return j;
}

std::string SummaryText(const CompileOptions& o, const CompileReport& r) {
  std::string s = fmt::format("{} ({}, {}) -> {}: {}, {} bytes\n", o.checkpoint, r.checkpoint_format,
                              r.graph.meta.architecture, o.output, r.graph.meta.method, r.artifact.size());
  bool header = false;
  for (const Node& n : r.graph.nodes) {
    if (n.kind != OpKind::kAdder2d || !n.quant.enabled()) continue;
    if (!header) {
      s += fmt::format("  {:<24} {:>4} {:<9} {:>8} {:>8}  {}\n", "adder layer", "bits", "clamp", "A_l", "clamped",
                       "group scale (filters)");
      header = true;
    }
    const std::vector<int> sizes = n.quant.GroupSizes();
    std::string groups;
    for (size_t g = 0; g < sizes.size(); ++g) groups += fmt::format("{}{:.4g} ({})", g ? ", " : "", n.quant.group_scale[g], sizes[g]);
    s += fmt::format("  {:<24} {:>4} {:<9} {:>8.4g} {:>5}/{:<2}  {}\n", n.name, n.quant.bits,
                     quant::WeightCodeKindName(n.quant.code_kind), n.quant.act_range, n.quant.clamped_channels,
                     n.out_channels, groups);
  }
  double total = 0;
  s += "  phases:";
  for (const auto& p : r.phases) {
    s += fmt::format(" {} {:.2f}s", p.name, p.seconds);
    total += p.seconds;
  }
  s += fmt::format(" (total {:.2f}s)\n", total);
  return s;
}

}  // namespace adderq::compiler
