#include "core/backend_factory.h"

#include "cuda/cuda_executor.h"

namespace adderq {
namespace {

Result<std::unique_ptr<InferenceBackend>> MakeCpu(const Graph& graph, int threads) {
  ADQ_ASSIGN_OR_RETURN(auto ex, Executor::Create(graph, threads));
  return std::unique_ptr<InferenceBackend>(new CpuBackend(std::move(ex)));
}

}  // namespace

Result<std::unique_ptr<InferenceBackend>> MakeBackend(const Graph& graph, const BackendChoice& choice,
                                                      std::string* fallback_reason) {
  if (choice.device == "cpu") return MakeCpu(graph, choice.threads);
  if (choice.device != "cuda" && choice.device != "auto")
    return InvalidArgument("device must be auto, cpu or cuda, not '{}'", choice.device);
  cuda::CudaOptions options;
  options.chunk_images = choice.cuda_chunk;
  ADQ_ASSIGN_OR_RETURN(options.adder_kernel, cuda::AdderKernelFromName(choice.cuda_adder));
  if (!choice.cuda_tc_tiles.empty()) {
    if (choice.cuda_tc_tiles.size() != 2 || choice.cuda_tc_tiles[0] < 1 || choice.cuda_tc_tiles[0] > 8 ||
        choice.cuda_tc_tiles[1] < 1 || choice.cuda_tc_tiles[1] > 8)
      return InvalidArgument("tensor-core tiles must be two numbers N,M in 1..8");
    options.tc_n_tiles = choice.cuda_tc_tiles[0];
    options.tc_m_tiles = choice.cuda_tc_tiles[1];
  }
  if (choice.cuda_simd_pixels < 0 || choice.cuda_simd_pixels > cuda::kMaxSimdPixels)
    return InvalidArgument("pixels per thread must be in 1..{}", cuda::kMaxSimdPixels);
  options.simd_pixels = choice.cuda_simd_pixels;
  auto gpu = cuda::CudaExecutor::Create(graph, options);
  if (gpu.ok()) return std::unique_ptr<InferenceBackend>(std::move(gpu).value());
  if (choice.device == "cuda") return gpu.status().WithContext("--device cuda");
  if (fallback_reason) *fallback_reason = gpu.status().message();
  return MakeCpu(graph, choice.threads);
}

}  // namespace adderq
