// Runs the CUDA backend's generated kernel sources on the host, so the kernels themselves (index
// arithmetic, tiling, packing, epilogues) are checked bit for bit against the CPU backend on a
// machine without a GPU. Each variant is compiled by the host C++ compiler with a prelude that
// defines the CUDA built-ins; the two PTX instructions the kernels use inline (vabsdiff and the
// binary mma) are replaced under ADQ_HOST_EMULATION by functions that follow the PTX ISA. What this
// cannot check: the real instructions, timing, and the driver calls (the GPU tests do).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/graph.h"
#include "core/status.h"
#include "cuda/cuda_plan.h"

namespace adderq::testing {

class HostKernel {
 public:
  // Compiles (or finds in $TMPDIR/adderq_host_kernels, keyed by a hash of what is compiled) and loads.
  static Result<HostKernel> Compile(const std::string& source, const std::string& name);

  // Blocks run one after another. A block's threads run concurrently (one std::thread each, so
  // __syncthreads and the warp collectives work) when the kernel uses a barrier or a warp
  // collective, else one after another. `args` as for cuLaunchKernel: the address of each argument.
  Status Launch(unsigned grid_x, unsigned grid_y, unsigned block, std::span<void* const> args) const;

  const std::string& name() const { return name_; }

 private:
  using RunThread = void (*)(void* const*);
  std::shared_ptr<void> library_;
  RunThread run_thread_ = nullptr;
  bool cooperative_ = false;
  std::string name_;
};

// CudaExecutor's work for one batch, with the plan's kernels run by HostKernel and host buffers
// in place of device memory: the same steps, the same arguments, the same launch geometry.
Result<std::vector<float>> RunPlanOnHost(const Graph& graph, const cuda::CudaPlan& plan, std::span<const float> input,
                                         int batch);

}  // namespace adderq::testing
