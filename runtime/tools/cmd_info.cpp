// adderq-run info: what an artifact holds (metadata, and per layer: shapes, bits, groups, scales, sizes).
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/artifact_loader.h"
#include "core/bit_packing.h"
#include "tools/run_commands.h"

namespace adderq::tools {

namespace {
// Bytes of weight storage in the artifact: packed codes for quantized adders, float32 otherwise.
size_t WeightBytes(const Node& n) {
  if (n.kind == OpKind::kAdder2d && n.quant.enabled()) return PackedSize(n.WeightCount(), n.quant.bits);
  return n.weight.size() * sizeof(float);
}
}  // namespace

Status RunInfo(const InfoArgs& a) {
  ADQ_ASSIGN_OR_RETURN(Graph g, LoadArtifactFile(a.model));
  std::error_code ec;
  const auto file_bytes = std::filesystem::file_size(a.model, ec);
  nlohmann::ordered_json j;
  j["file"] = a.model;
  j["file_bytes"] = file_bytes;
  j["architecture"] = g.meta.architecture;
  j["method"] = g.meta.method;
  j["input"] = {g.meta.input_shape.c, g.meta.input_shape.h, g.meta.input_shape.w};
  j["classes"] = g.meta.class_names;
  j["source_checkpoint"] = g.meta.source_checkpoint;
  j["source_sha256"] = g.meta.source_sha256;
  j["compiler_version"] = g.meta.compiler_version;
  j["compile_options"] = g.meta.compile_options;
  size_t total_weight_bytes = 0;
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (const Node& n : g.nodes) {
    if (n.kind != OpKind::kConv2d && n.kind != OpKind::kAdder2d && n.kind != OpKind::kLinear) continue;
    nlohmann::ordered_json l;
    l["name"] = n.name;
    l["op"] = OpKindName(n.kind);
    l["shape"] = {n.out_channels, n.in_channels, n.kernel_h, n.kernel_w};
    l["stride"] = n.stride;
    l["padding"] = n.padding;
    l["bits"] = n.quant.enabled() ? n.quant.bits : 32;
    if (n.quant.enabled()) {
      l["groups"] = n.quant.groups();
      l["group_scales"] = n.quant.group_scale;
      l["group_sizes"] = n.quant.GroupSizes();
      l["act_range"] = n.quant.act_range;
      l["clamped_channels"] = n.quant.clamped_channels;
      l["clamp"] = quant::WeightCodeKindName(n.quant.code_kind);
    }
    l["weight_bytes"] = WeightBytes(n);
    total_weight_bytes += WeightBytes(n);
    layers.push_back(l);
  }
  j["weight_bytes"] = total_weight_bytes;
  j["layers"] = layers;
  if (a.json) {
    std::printf("%s\n", j.dump().c_str());
    return Status::Ok();
  }
  std::printf("file          %s (%ju bytes)\narchitecture  %s\nmethod        %s\ninput         %dx%dx%d\n"
              "source        %s (sha256 %s)\ncompiler      adderq %s\n",
              a.model.c_str(), uintmax_t(file_bytes), g.meta.architecture.c_str(), g.meta.method.c_str(),
              g.meta.input_shape.c, g.meta.input_shape.h, g.meta.input_shape.w, g.meta.source_checkpoint.c_str(),
              g.meta.source_sha256.c_str(), g.meta.compiler_version.c_str());
  std::printf("options      ");
  for (const auto& [k, v] : g.meta.compile_options) std::printf(" %s=%s", k.c_str(), v.c_str());
  std::printf("\n\n%-28s %-8s %-14s %4s %-10s %6s %-40s %9s\n", "layer", "op", "O,C,KH,KW", "bits", "clamp", "A_l",
              "group scales (sizes)", "weights B");
  for (const auto& l : layers) {
    const auto& s = l["shape"];
    std::string shape = fmt::format("{},{},{},{}", int(s[0]), int(s[1]), int(s[2]), int(s[3]));
    std::string groups = "-";
    std::string act = "-", clamp = "-";
    if (l.contains("groups")) {
      groups.clear();
      for (size_t i = 0; i < l["group_scales"].size(); ++i)
        groups += fmt::format("{}{:.3g}({})", i ? " " : "", float(l["group_scales"][i]), int(l["group_sizes"][i]));
      act = fmt::format("{:.3g}", float(l["act_range"]));
      clamp = l["clamp"].get<std::string>();
    }
    std::printf("%-28s %-8s %-14s %4d %-10s %6s %-40s %9zu\n", std::string(l["name"]).c_str(), std::string(l["op"]).c_str(),
                shape.c_str(), int(l["bits"]), clamp.c_str(), act.c_str(), groups.c_str(), size_t(l["weight_bytes"]));
  }
  std::printf("\ntotal weight bytes: %zu\n", total_weight_bytes);
  return Status::Ok();
}

}  // namespace adderq::tools
