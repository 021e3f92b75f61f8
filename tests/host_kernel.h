// One generated CUDA kernel source compiled by the host C++ compiler and run on the CPU: the CUDA
// built-ins come from a prelude, and the two PTX instructions the kernels use inline (vabsdiff and
// the binary mma) are replaced under ADQ_HOST_EMULATION by functions that follow the PTX ISA. Used
// by the plan emulation (cuda_host_emulation.h) and by the host GPU (host_gpu/), which runs the
// CUDA executor itself on this.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace adderq::testing {

class HostKernel {
 public:
  // Compiles (or finds in $TMPDIR/adderq_host_kernels, keyed by a hash of what is compiled) and loads.
  static Result<HostKernel> Compile(const std::string& source, const std::string& name);

  // Blocks run one after another in a shuffled order, each starting with its shared memory filled
  // with 0xFF bytes (on a device the order is not promised, and what a block has not written in
  // its shared memory is not zero). A block's threads run concurrently (one std::thread each, so
  // __syncthreads and the warp collectives work) when the kernel uses a barrier or a warp
  // collective, else one after another. `args` as for cuLaunchKernel: the address of each argument.
  Status Launch(unsigned grid_x, unsigned grid_y, unsigned block, std::span<void* const> args) const;

  const std::string& name() const { return name_; }
  // sizeof of each kernel parameter, in order (what cuLaunchKernel copies from `args`).
  const std::vector<unsigned>& param_sizes() const { return param_sizes_; }

 private:
  using RunThread = void (*)(void* const*);
  std::shared_ptr<void> library_;
  RunThread run_thread_ = nullptr;
  void (*poison_shared_)() = nullptr;  // fills the kernel's shared memory with 0xFF bytes
  bool cooperative_ = false;
  std::string name_;
  std::vector<unsigned> param_sizes_;
};

}  // namespace adderq::testing
