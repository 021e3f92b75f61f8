#include "tools/inspect_checkpoint.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "frontends/checkpoint.h"

namespace adderq::compiler {

Status InspectCheckpoint(const std::string& path, const std::string& format_name, bool json) {
  ADQ_ASSIGN_OR_RETURN(frontends::CheckpointFormat format, frontends::ParseCheckpointFormat(format_name));
  ADQ_ASSIGN_OR_RETURN(frontends::LoadedCheckpoint ckpt, frontends::ReadCheckpoint(path, format));
  nlohmann::ordered_json tensors = nlohmann::ordered_json::array();
  size_t total = 0;
  std::string text;
  for (const auto& [name, t] : ckpt.state.entries()) {
    double lo = 0, hi = 0, mean = 0, sq = 0;
    if (!t.values.empty()) {
      lo = *std::min_element(t.values.begin(), t.values.end());
      hi = *std::max_element(t.values.begin(), t.values.end());
      for (double v : t.values) mean += v;
      mean /= double(t.values.size());
      for (double v : t.values) sq += (v - mean) * (v - mean);
    }
    const double sd = t.values.empty() ? 0.0 : std::sqrt(sq / double(t.values.size()));
    total += t.values.size();
    tensors.push_back({{"name", name}, {"dtype", frontends::DTypeName(t.dtype)}, {"shape", t.shape},
                       {"elements", t.values.size()}, {"min", lo}, {"max", hi}, {"mean", mean}, {"std", sd}});
    text += fmt::format("{:<44} {:<8} {:<16} min {:>10.4g}  max {:>10.4g}  mean {:>10.4g}  std {:>9.4g}\n", name,
                        frontends::DTypeName(t.dtype), fmt::format("[{}]", fmt::join(t.shape, ",")), lo, hi, mean, sd);
  }
  if (json) {
    nlohmann::ordered_json j;
    j["file"] = path;
    j["format"] = ckpt.format;
    j["sha256"] = ckpt.sha256;
    j["tensors"] = tensors;
    j["elements"] = total;
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("%s: %s checkpoint, %zu tensors, %zu elements, sha256 %s\n%s", path.c_str(), ckpt.format.c_str(),
                ckpt.state.size(), total, ckpt.sha256.c_str(), text.c_str());
  }
  return Status::Ok();
}

}  // namespace adderq::compiler
