#include "api/backend_factory.h"

#include <algorithm>
#include <iterator>

#include "cpu/cpu_backend.h"
#include "cuda/cuda_executor.h"

namespace adderq {
namespace {

using BackendPtr = std::unique_ptr<InferenceBackend>;

Result<BackendPtr> MakeCpu(const Graph& graph, const BackendChoice& choice) {
  ADQ_ASSIGN_OR_RETURN(auto ex, Executor::Create(graph, choice.threads));
  return BackendPtr(new CpuBackend(std::move(ex)));
}

Result<BackendPtr> MakeCuda(const Graph& graph, const BackendChoice& choice);

// "auto" | "on" | "off" -> the default, true, false.
Result<bool> OnOffAuto(const std::string& value, bool by_default, const char* what) {
  if (value == "auto") return by_default;
  if (value == "on") return true;
  if (value == "off") return false;
  return InvalidArgument("{} must be auto, on or off, not '{}'", what, value);
}

}  // namespace

Result<bool> CudaGraphsChoice(const CudaKernelChoice& choice) {
  return OnOffAuto(choice.graphs, cuda::kCudaGraphsByDefault, "CUDA graphs");
}

Result<cuda::PlanOptions> CudaPlanOptions(const CudaKernelChoice& choice, int arch) {
  cuda::PlanOptions options;
  options.arch = arch;
  ADQ_ASSIGN_OR_RETURN(options.adder, cuda::AdderKernelFromName(choice.adder));
  if (!choice.tc_tiles.empty()) {
    if (choice.tc_tiles.size() != 2 || choice.tc_tiles[0] < 1 || choice.tc_tiles[0] > 8 || choice.tc_tiles[1] < 1 ||
        choice.tc_tiles[1] > 8)
      return InvalidArgument("tensor-core tiles must be two numbers N,M in 1..8");
    options.tc_n_tiles = choice.tc_tiles[0];
    options.tc_m_tiles = choice.tc_tiles[1];
  }
  if (choice.simd_pixels < 0 || choice.simd_pixels > cuda::kMaxSimdPixels)
    return InvalidArgument("pixels per thread must be in 1..{}", cuda::kMaxSimdPixels);
  options.simd_pixels = choice.simd_pixels;
  ADQ_ASSIGN_OR_RETURN(options.fuse_codes, OnOffAuto(choice.fuse_codes, cuda::kFuseCodesByDefault, "fused codes"));
  options.layers = choice.layers;
  options.tuned_arch = choice.tuned_arch;
  return options;
}

namespace {

Result<cuda::CudaOptions> CudaOptionsOf(const BackendChoice& choice) {
  cuda::CudaOptions options;
  options.chunk_images = choice.cuda_chunk;
  ADQ_ASSIGN_OR_RETURN(options.plan, CudaPlanOptions(choice.cuda, options.plan.arch));  // the executor sets arch
  ADQ_ASSIGN_OR_RETURN(options.graphs, CudaGraphsChoice(choice.cuda));
  return options;
}

Status CheckCuda(const BackendChoice& choice) { return CudaOptionsOf(choice).status(); }

Result<BackendPtr> MakeCuda(const Graph& graph, const BackendChoice& choice) {
  ADQ_ASSIGN_OR_RETURN(cuda::CudaOptions options, CudaOptionsOf(choice));
  ADQ_ASSIGN_OR_RETURN(auto gpu, cuda::CudaExecutor::Create(graph, options));
  return BackendPtr(std::move(gpu));
}

// Every backend, in the order `auto` tries them. A new backend is its folder and one line here.
struct BackendEntry {
  const char* device;
  Status (*check)(const BackendChoice&);  // the options alone (no device touched); may be null
  Result<BackendPtr> (*make)(const Graph&, const BackendChoice&);
  bool fallback;  // always available: `auto` ends here, and its errors are the model's, not the device's
};
constexpr BackendEntry kBackends[] = {
    {"cuda", CheckCuda, MakeCuda, false},
    {"cpu", nullptr, MakeCpu, true},
};

}  // namespace

Result<std::unique_ptr<InferenceBackend>> MakeBackend(const Graph& graph, const BackendChoice& choice,
                                                      std::string* fallback_reason) {
  if (choice.device != "auto" && std::none_of(std::begin(kBackends), std::end(kBackends),
                                              [&](const BackendEntry& b) { return choice.device == b.device; }))
    return InvalidArgument("device must be auto, cpu or cuda, not '{}'", choice.device);
  // Options are the user's to fix, whichever device ends up running: checked before any is tried.
  for (const BackendEntry& b : kBackends)
    if (b.check && (choice.device == "auto" || choice.device == b.device)) ADQ_RETURN_IF_ERROR(b.check(choice));
  std::string reasons;
  for (const BackendEntry& b : kBackends) {
    if (choice.device != "auto" && choice.device != b.device) continue;
    auto made = b.make(graph, choice);
    if (made.ok() || b.fallback) {
      if (fallback_reason && choice.device == "auto") *fallback_reason = reasons;
      return made;
    }
    // A device that cannot be used is a reason to try the next, unless it was asked for; a bad
    // input (e.g. a kernel tuning made for another GPU) is the user's error whatever the device.
    if (choice.device != "auto" || made.status().code() == StatusCode::kBadInput)
      return made.status().WithContext(std::string("--device ") + choice.device);
    reasons += (reasons.empty() ? "" : "; ") + made.status().message();
  }
  return RuntimeError("no backend could run the model: {}", reasons);
}

}  // namespace adderq
