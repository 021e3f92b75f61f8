#include "tools/kernel_tuning.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/file_io.h"
#include "cuda/cuda_plan.h"

namespace adderq::tools {

std::string LayerKernelName(const cuda::LayerKernel& k) {
  if (k.adder == cuda::AdderKernel::kTensorCore)
    return k.tc_n_tiles > 0 ? fmt::format("tensor-core {}x{}", k.tc_n_tiles, k.tc_m_tiles) : "tensor-core";
  return k.simd_pixels > 1 ? fmt::format("simd px{}", k.simd_pixels) : "simd";
}

namespace {

Result<cuda::LayerKernel> ParseLayer(const std::string& name, const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("adder") || !j["adder"].is_string())
    return BadInput("layer '{}' has no \"adder\": \"simd\" or \"tensor-core\"", name);
  cuda::LayerKernel k;
  const std::string adder = j["adder"].get<std::string>();
  if (adder == "simd") k.adder = cuda::AdderKernel::kPackedSimd;
  else if (adder == "tensor-core") k.adder = cuda::AdderKernel::kTensorCore;
  else return BadInput("layer '{}': adder '{}' is neither simd nor tensor-core", name, adder);
  // Ranges are CheckLayerKernels' (the plan's own check); here only the JSON types, and values
  // small enough for an int.
  auto small_whole = [](const nlohmann::json& v) {
    return v.is_number_integer() && v.get<long long>() >= 1 && v.get<long long>() <= 1000;
  };
  if (j.contains("simd_pixels")) {
    if (!small_whole(j["simd_pixels"])) return BadInput("layer '{}': simd_pixels must be a whole number in 1..{}", name, cuda::kMaxSimdPixels);
    k.simd_pixels = j["simd_pixels"].get<int>();
  }
  if (j.contains("tc_tiles")) {
    const nlohmann::json& t = j["tc_tiles"];
    if (!t.is_array() || t.size() != 2 || !small_whole(t[0]) || !small_whole(t[1]))
      return BadInput("layer '{}': tc_tiles must be two whole numbers [N, M] in 1..8", name);
    k.tc_n_tiles = t[0].get<int>();
    k.tc_m_tiles = t[1].get<int>();
  }
  return k;
}

}  // namespace

Status ApplyKernelTuning(CudaKernelChoice& choice, const Graph& graph) {
  if (choice.tuning_file.empty()) return Status::Ok();
  const std::string& path = choice.tuning_file;
  ADQ_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(path, uint64_t(1) << 20));
  const nlohmann::json j = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  auto bad = [&](const std::string& what) { return BadInput("{}: {}", path, what); };
  if (j.is_discarded()) return bad("not JSON (a kernel tuning file is written by adderq-run tune)");
  if (!j.is_object() || !j.contains("format") || !j["format"].is_string() || j["format"].get<std::string>() != kTuningFormat)
    return bad(fmt::format("not an adderq kernel tuning (no \"format\": \"{}\")", kTuningFormat));
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"].get<long long>() != kTuningVersion)
    return bad(fmt::format("kernel tuning version {} is not supported (this adderq reads {})",
                           j.contains("version") ? j["version"].dump() : "(none)", kTuningVersion));
  if (!j.contains("arch") || !j["arch"].is_number_integer() || j["arch"].get<long long>() < 10 ||
      j["arch"].get<long long>() > 1000)
    return bad("no GPU architecture (\"arch\": e.g. 90)");
  if (j.contains("fuse_codes") && !j["fuse_codes"].is_boolean()) return bad("\"fuse_codes\" must be true or false");
  if (!j.contains("layers") || !j["layers"].is_object() || j["layers"].empty()) return bad("no \"layers\"");
  std::map<std::string, cuda::LayerKernel> layers;
  for (const auto& [name, value] : j["layers"].items()) {
    auto k = ParseLayer(name, value);
    if (!k.ok()) return bad(k.status().message());
    layers[name] = *k;
  }
  if (Status st = cuda::CheckLayerKernels(graph, layers); !st.ok()) return bad(st.message());
  choice.layers = std::move(layers);
  // What --cuda-fuse-codes says wins over the file.
  if (j.contains("fuse_codes") && choice.fuse_codes == "auto") choice.fuse_codes = j["fuse_codes"].get<bool>() ? "on" : "off";
  choice.tuned_arch = j["arch"].get<int>();
  return Status::Ok();
}

}  // namespace adderq::tools
