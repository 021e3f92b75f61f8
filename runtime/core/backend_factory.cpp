#include "core/backend_factory.h"

#include "cuda/cuda_executor.h"

namespace adderq {
namespace {

Result<std::unique_ptr<InferenceBackend>> MakeCpu(const Graph& graph, int threads) {
  ADQ_ASSIGN_OR_RETURN(auto ex, Executor::Create(graph, threads));
  return std::unique_ptr<InferenceBackend>(new CpuBackend(std::move(ex)));
}

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

Result<std::unique_ptr<InferenceBackend>> MakeBackend(const Graph& graph, const BackendChoice& choice,
                                                      std::string* fallback_reason) {
  if (choice.device == "cpu") return MakeCpu(graph, choice.threads);
  if (choice.device != "cuda" && choice.device != "auto")
    return InvalidArgument("device must be auto, cpu or cuda, not '{}'", choice.device);
  cuda::CudaOptions options;
  options.chunk_images = choice.cuda_chunk;
  ADQ_ASSIGN_OR_RETURN(options.plan, CudaPlanOptions(choice.cuda, options.plan.arch));  // the executor sets arch
  ADQ_ASSIGN_OR_RETURN(options.graphs, CudaGraphsChoice(choice.cuda));
  auto gpu = cuda::CudaExecutor::Create(graph, options);
  if (gpu.ok()) return std::unique_ptr<InferenceBackend>(std::move(gpu).value());
  // A GPU that cannot be used is a reason to run on the CPU; a kernel tuning made for another GPU is not.
  if (choice.device == "cuda" || gpu.status().code() == StatusCode::kBadInput)
    return gpu.status().WithContext("--device " + choice.device);
  if (fallback_reason) *fallback_reason = gpu.status().message();
  return MakeCpu(graph, choice.threads);
}

}  // namespace adderq
