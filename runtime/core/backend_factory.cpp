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
  auto gpu = cuda::CudaExecutor::Create(graph, options);
  if (gpu.ok()) return std::unique_ptr<InferenceBackend>(std::move(gpu).value());
  if (choice.device == "cuda") return gpu.status().WithContext("--device cuda");
  if (fallback_reason) *fallback_reason = gpu.status().message();
  return MakeCpu(graph, choice.threads);
}

}  // namespace adderq
