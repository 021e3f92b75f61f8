// CudaExecutor's work for one batch with the CUDA plan's kernels run on the host (HostKernel,
// host_kernel.h), so the kernels themselves (index arithmetic, tiling, packing, epilogues) are
// checked bit for bit against the CPU backend on a machine without a GPU. What this cannot check:
// the real instructions and timing (the GPU tests do); the executor's driver calls are run on the
// host GPU (host_gpu/) by cuda_executor_host_test.
#pragma once

#include <span>
#include <vector>

#include "core/graph.h"
#include "core/status.h"
#include "cuda/cuda_plan.h"
#include "data/pixel_input.h"

namespace adderq::testing {

// CudaExecutor's work for one batch, with the plan's kernels run by HostKernel and host buffers
// in place of device memory: the same steps, the same arguments, the same launch geometry.
Result<std::vector<float>> RunPlanOnHost(const Graph& graph, const cuda::CudaPlan& plan, std::span<const float> input,
                                         int batch);
// The same from 8-bit pixels: the plan's pixel_input step first, as CudaExecutor::RunPixels.
Result<std::vector<float>> RunPlanOnHostFromPixels(const Graph& graph, const cuda::CudaPlan& plan,
                                                   std::span<const uint8_t> pixels, data::PixelLayout layout, int batch);

}  // namespace adderq::testing
