#include "frontends/checkpoint.h"

#include "core/file_io.h"
#include "core/sha256.h"
#include "frontends/torch/torch_checkpoint.h"
#include "frontends/torch/zip_reader.h"

namespace adderq::frontends {

Result<CheckpointFormat> ParseCheckpointFormat(const std::string& name) {
  if (name == "auto") return CheckpointFormat::kAuto;
  if (name == "torch") return CheckpointFormat::kTorch;
  return InvalidArgument("unknown checkpoint format '{}' (expected auto or torch)", name);
}

Result<LoadedCheckpoint> ReadCheckpoint(const std::string& path, CheckpointFormat format) {
  auto bytes = ReadFileBytes(path);
  if (!bytes.ok()) return bytes.status();
  LoadedCheckpoint out;
  const std::vector<uint8_t>& b = bytes.value();
  const bool zip = ZipArchive::LooksLikeZip(b), legacy = LooksLikeTorchLegacy(b);
  if (format == CheckpointFormat::kAuto && !zip && !legacy)
    return BadInput("{}: unrecognised checkpoint format (not a PyTorch zip or legacy file)", path);
  auto sd = ReadTorchCheckpoint(b);
  if (!sd.ok()) return sd.status().WithContext(path);
  out.state = std::move(sd).value();
  out.format = zip ? "torch-zip" : "torch-legacy";
  out.state.StripPrefix("module.");
  out.sha256 = Sha256::HexDigest(b);
  return out;
}

}  // namespace adderq::frontends
