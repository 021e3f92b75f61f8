// --device for adderq-run: cpu, cuda, or auto (CUDA where a driver and GPU exist, else the CPU with
// one line on stderr saying why).
#pragma once

#include <memory>
#include <string>

#include "core/backend.h"
#include "cuda/cuda_executor.h"

namespace adderq::tools {

struct BackendChoice {
  std::string device = "auto";  // auto | cpu | cuda
  int threads = 0;              // CPU worker threads (0 = all cores)
  int cuda_chunk = 2048;        // images per CUDA pipeline step
};

// The graph must outlive the backend. `quiet` suppresses the fallback notice.
Result<std::unique_ptr<InferenceBackend>> MakeBackend(const Graph& graph, const BackendChoice& choice, bool quiet);

}  // namespace adderq::tools
