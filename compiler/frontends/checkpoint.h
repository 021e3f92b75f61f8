// Reads any supported checkpoint into a state dict with canonical names (DataParallel's
// "module." prefix removed). The format is detected from the content, not the file name.
#pragma once

#include <string>

#include "state_dict.h"

namespace adderq::frontends {

enum class CheckpointFormat { kAuto, kTorch, kMindSpore };

struct LoadedCheckpoint {
  StateDict state;      // names as stored in the file
  std::string format;   // "torch-legacy", "torch-zip", "mindspore"
  std::string sha256;  // of the file's bytes
};

Result<CheckpointFormat> ParseCheckpointFormat(const std::string& name);
// Errors are prefixed with the path.
Result<LoadedCheckpoint> ReadCheckpoint(const std::string& path, CheckpointFormat format = CheckpointFormat::kAuto);

}  // namespace adderq::frontends
