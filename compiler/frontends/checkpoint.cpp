#include "frontends/checkpoint.h"

#include "core/file_io.h"
#include "core/sha256.h"
#include "frontends/mindspore/mindspore_checkpoint.h"
#include "frontends/torch/torch_checkpoint.h"
#include "frontends/torch/zip_reader.h"

namespace adderq::frontends {

Result<CheckpointFormat> ParseCheckpointFormat(const std::string& name) {
  if (name == "auto") return CheckpointFormat::kAuto;
  if (name == "torch") return CheckpointFormat::kTorch;
  if (name == "mindspore") return CheckpointFormat::kMindSpore;
  if (name == "onnx") return CheckpointFormat::kOnnx;
  return InvalidArgument("unknown checkpoint format '{}' (expected auto, torch, mindspore or onnx)", name);
}

Result<LoadedCheckpoint> ReadCheckpoint(const std::string& path, CheckpointFormat format) {
  auto bytes = ReadFileBytes(path);
  if (!bytes.ok()) return bytes.status();
  const std::vector<uint8_t>& b = bytes.value();
  LoadedCheckpoint out;
  const bool zip = ZipArchive::LooksLikeZip(b), legacy = LooksLikeTorchLegacy(b);
  // Decided from the content: the zip magic, the legacy pickle's magic number, ONNX's leading
  // ir_version, else MindSpore's protobuf.
  const bool detected = format == CheckpointFormat::kAuto;
  if (detected)
    format = (zip || legacy)           ? CheckpointFormat::kTorch
             : onnx::LooksLikeOnnx(b) ? CheckpointFormat::kOnnx
                                      : CheckpointFormat::kMindSpore;
  if (format == CheckpointFormat::kOnnx) {
    auto model = onnx::ParseModel(b);
    if (!model.ok()) return model.status().WithContext(path);
    out.state = std::move(model.value().initializers);
    model.value().initializers = {};
    out.onnx = std::make_shared<const onnx::Model>(std::move(model).value());
    out.format = "onnx";
    out.sha256 = Sha256::HexDigest(b);
    return out;
  }
  Result<StateDict> sd = format == CheckpointFormat::kTorch ? ReadTorchCheckpoint(b) : ReadMindSporeCheckpoint(b);
  if (!sd.ok()) {
    if (detected && format == CheckpointFormat::kMindSpore && !LooksLikeMindSpore(b))
      return BadInput("{}: unrecognised checkpoint format (not a PyTorch zip or legacy file; as MindSpore: {})", path,
                      sd.status().message());
    return sd.status().WithContext(path);
  }
  out.state = std::move(sd).value();
  out.format = format == CheckpointFormat::kMindSpore ? "mindspore" : zip ? "torch-zip" : "torch-legacy";
  if (format == CheckpointFormat::kTorch) out.state.StripPrefix("module.");
  out.sha256 = Sha256::HexDigest(b);
  return out;
}

}  // namespace adderq::frontends
