// Reads the evaluations given to --report-eval: the one-object JSON of `adderq-run eval --json`.
#include <nlohmann/json.hpp>

#include "core/file_io.h"
#include "report/html_report.h"

namespace adderq::report {

Result<EvalPoint> ReadEvalJson(const std::string& path) {
  ADQ_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(path, uint64_t(16) << 20));
  const auto j = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return BadInput("{}: not a JSON object (expected `adderq-run eval --json` output)", path);
  EvalPoint p;
  p.file = path;
  auto number = [&](const char* key, double& out) -> Status {
    if (!j.contains(key) || !j[key].is_number()) return BadInput("{}: no numeric \"{}\" (expected `adderq-run eval --json` output)", path, key);
    out = j[key].get<double>();
    return Status::Ok();
  };
  double bits = 0, images = 0;
  ADQ_RETURN_IF_ERROR(number("top1", p.top1));
  ADQ_RETURN_IF_ERROR(number("bits", bits));
  ADQ_RETURN_IF_ERROR(number("images", images));
  if (j.contains("top5") && j["top5"].is_number()) p.top5 = j["top5"].get<double>();
  if (!j.contains("method") || !j["method"].is_string()) return BadInput("{}: no \"method\" string", path);
  p.method = j["method"].get<std::string>();
  if (bits < 0 || bits > 8 || p.top1 < 0 || p.top1 > 100) return BadInput("{}: bits {} or top1 {} out of range", path, bits, p.top1);
  p.bits = int(bits);
  p.images = size_t(images);
  return p;
}

}  // namespace adderq::report
