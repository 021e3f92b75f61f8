// What ptxas allocated for one compiled kernel variant (registers, local memory, shared memory), read
// from NVRTC's log of a `--ptxas-options=-v` compile. Needs no GPU: it is how kernels are checked
// for spills and register pressure on a build machine (`adderq-run jit --resources`, cuda_jit_test).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "cuda/nvrtc.h"
#include "cuda/ptx_instruction_mix.h"

namespace adderq::cuda {

struct KernelResources {
  int registers = 0;           // per thread
  int barriers = 0;
  int stack_frame_bytes = 0;   // per thread, local memory
  int spill_store_bytes = 0;   // register spills written to local memory, per thread
  int spill_load_bytes = 0;
  int shared_bytes = 0;        // static shared memory per block
};

// Parses the ptxas lines of one entry function. The log must describe exactly one kernel (every
// adderq variant defines one, `adq_kernel`); anything else is an error naming what is missing.
Result<KernelResources> ParsePtxasInfo(std::string_view log);

// Compiles `source` for `arch` with the kernels' options plus verbose ptxas and parses the result.
// Bypasses the kernel cache: the log is not stored with the cubin.
Result<KernelResources> MeasureKernelResources(const Nvrtc& nvrtc, const std::string& source, const std::string& name,
                                               int arch);

// Compiles `source` for `arch` with the kernels' options and counts the instructions of its PTX.
Result<PtxInstructionMix> MeasureKernelInstructionMix(const Nvrtc& nvrtc, const std::string& source,
                                                      const std::string& name, int arch);

}  // namespace adderq::cuda
