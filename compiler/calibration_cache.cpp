#include "calibration_cache.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/file_io.h"

namespace adderq::compiler {
namespace {

nlohmann::json KeyJson(const CalibrationKey& k) {
  nlohmann::json j = {{"checkpoint_sha256", k.checkpoint_sha256}, {"calib_batches", k.calib_batches},
                      {"batch_size", k.batch_size}, {"act_ratio", k.act_ratio}, {"seed", k.seed}, {"format", 1}};
  if (k.range != "percentile") j["range"] = k.range;  // percentile caches written before keep their key
  return j;
}

}  // namespace

Result<std::map<std::string, float>> LoadCalibrationCache(const std::string& path, const CalibrationKey& key) {
  std::map<std::string, float> ranges;
  if (!std::filesystem::exists(path)) return ranges;
  ADQ_ASSIGN_OR_RETURN(auto bytes, ReadFileBytes(path, 16 << 20));
  const nlohmann::json j = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("key") || !j.contains("ranges") || !j["ranges"].is_object())
    return BadInput("{}: not a calibration cache", path);
  if (j["key"] != KeyJson(key)) return ranges;  // made for other inputs: recompute
  for (const auto& [name, v] : j["ranges"].items()) {
    if (!v.is_number() || !(v.get<double>() > 0.0)) return BadInput("{}: bad range for '{}'", path, name);
    ranges[name] = v.get<float>();
  }
  return ranges;
}

Status SaveCalibrationCache(const std::string& path, const CalibrationKey& key, const std::map<std::string, float>& ranges) {
  nlohmann::json j;
  j["key"] = KeyJson(key);
  j["ranges"] = nlohmann::json::object();
  for (const auto& [name, a] : ranges) j["ranges"][name] = a;
  const std::string text = j.dump(1);
  return WriteFileAtomic(path, {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

}  // namespace adderq::compiler
