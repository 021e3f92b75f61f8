// A calibration cache (as TensorRT keeps one): the activation ranges A_l depend only on the
// checkpoint and the calibration options, not on groups or method (nor on bits, for the paper's
// percentile ranges), so sweeps can reuse them.
// The file records its key; a cache made with other inputs is ignored (recomputed and rewritten).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "core/status.h"

namespace adderq::compiler {

struct CalibrationKey {
  std::string checkpoint_sha256;
  int calib_batches = 0, batch_size = 0;
  double act_ratio = 0;
  uint64_t seed = 0;
  std::string range = "percentile";  // or "search-bN": a searched clip depends on the bit width
};

// Empty map when the file is absent or made for another key; an error when it is unreadable JSON.
Result<std::map<std::string, float>> LoadCalibrationCache(const std::string& path, const CalibrationKey& key);
Status SaveCalibrationCache(const std::string& path, const CalibrationKey& key, const std::map<std::string, float>& ranges);

}  // namespace adderq::compiler
