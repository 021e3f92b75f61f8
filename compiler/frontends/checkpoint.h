// Reads any supported checkpoint into a state dict with canonical names (DataParallel's
// "module." prefix removed). The format is detected from the content, not the file name.
#pragma once

#include <memory>
#include <string>

#include "frontends/onnx/onnx_model.h"
#include "state_dict.h"

namespace adderq::frontends {

enum class CheckpointFormat { kAuto, kTorch, kMindSpore, kOnnx };

struct LoadedCheckpoint {
  StateDict state;      // names as stored in the file (ONNX: the initializers)
  std::string format;   // "torch-legacy", "torch-zip", "mindspore", "onnx"
  std::string sha256;  // of the file's bytes
  // ONNX only: the graph as stored (nodes, inputs, outputs; its initializers moved to `state`).
  std::shared_ptr<const onnx::Model> onnx;
};

Result<CheckpointFormat> ParseCheckpointFormat(const std::string& name);
// Errors are prefixed with the path.
Result<LoadedCheckpoint> ReadCheckpoint(const std::string& path, CheckpointFormat format = CheckpointFormat::kAuto);

}  // namespace adderq::frontends
