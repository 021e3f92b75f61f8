// adderq-run info: what an artifact holds (metadata, and per layer: shapes, bits, groups, scales, sizes).
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "api/model_summary.h"
#include "core/artifact_loader.h"
#include "tools/run_commands.h"

namespace adderq::tools {

Status RunInfo(const InfoArgs& a) {
  ADQ_ASSIGN_OR_RETURN(Graph g, LoadArtifactFile(a.model));
  std::error_code ec;
  const auto file_bytes = std::filesystem::file_size(a.model, ec);
  nlohmann::ordered_json j;
  j["file"] = a.model;
  j["file_bytes"] = file_bytes;
  j.update(api::ModelSummaryJson(g));
  const nlohmann::ordered_json& layers = j["layers"];
  const size_t total_weight_bytes = j["weight_bytes"];
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
