// Picks the backend for a device name: cpu, cuda, or auto (CUDA where a driver and GPU exist, else
// the CPU). Shared by adderq-run and the public API.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/backend.h"
#include "cuda/cuda_plan.h"

namespace adderq {

// The CUDA kernels asked for (adderq-run's --cuda-* options), as given; all compute identical results.
struct CudaKernelChoice {
  std::string adder = "auto";       // quantized adder kernel: auto | simd | tensor-core
  std::vector<int> tc_tiles;        // tuning: {n tiles, m tiles} per warp of the tensor-core kernel
  int simd_pixels = 0;              // tuning: output pixels per thread of the packed-SIMD kernel (0: default)
  std::string fuse_codes = "auto";  // adder layers write the next one's codes: auto (the default) | on | off
  std::string graphs = "auto";      // a chunk's kernels as one CUDA graph: auto (the default) | on | off
  std::string tuning_file;          // adderq-run --cuda-tuning: read into `layers` (tools/kernel_tuning.h)
  std::map<std::string, cuda::LayerKernel> layers{};  // per adder layer: its kernel (cuda/cuda_plan.h)
  int tuned_arch = 0;               // the architecture `layers` were measured on (0: none)
};
// Checks a choice and gives the plan options it means for a GPU of compute capability `arch` x 10.
Result<cuda::PlanOptions> CudaPlanOptions(const CudaKernelChoice& choice, int arch);
// Checks the graphs choice: whether a chunk's kernels run as one CUDA graph.
Result<bool> CudaGraphsChoice(const CudaKernelChoice& choice);

struct BackendChoice {
  std::string device = "auto";  // auto | cpu | cuda
  int threads = 0;              // CPU worker threads (0 = all cores)
  int cuda_chunk = 0;           // images per CUDA pipeline step (0: chosen for the card, cuda/chunk_size.h)
  CudaKernelChoice cuda;
};

// The graph must outlive the backend. When `auto` falls back to the CPU, the reason (why CUDA was
// not usable) goes to *fallback_reason if given; the caller decides whether to print it.
Result<std::unique_ptr<InferenceBackend>> MakeBackend(const Graph& graph, const BackendChoice& choice,
                                                      std::string* fallback_reason = nullptr);

}  // namespace adderq
