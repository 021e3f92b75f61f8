// Static instruction counts of one kernel's PTX: the whole kernel and its hot loop. Needs no GPU
// and no disassembler (the toolkit's cuobjdump/nvdisasm are not installed where NVRTC is), so it
// is how the kernel variants' instruction mix is compared on a build machine
// (`adderq-run jit --instruction-mix`, cuda_jit_test). PTX is what NVRTC hands ptxas; ptxas maps
// vabsdiff4 to one VABSDIFF4, ld.shared.v4 to one LDS.128 and mma to one HMMA/BMMA, but may fold or
// add address arithmetic, so the "other" counts are approximate.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace adderq::cuda {

struct OpcodeCount {
  std::string opcode;  // with its modifiers, e.g. "vabsdiff4.u32.u32.u32.add"
  int count = 0;
};

struct PtxRegionMix {
  int instructions = 0;
  int adder = 0;  // the |a - b| work: vabsdiff4 (4 byte lanes) and mma (tensor cores)
  int shared_loads = 0, shared_load_bytes = 0;  // per thread
  int global_loads = 0, global_load_bytes = 0;
  int local_accesses = 0;  // ld/st.local: spills or stack arrays
  int stores = 0;
  int control = 0;  // bra, setp, bar, ret
  int other = 0;    // integer and float arithmetic, moves, conversions
  std::vector<OpcodeCount> opcodes;  // most frequent first, then by name
};

struct PtxInstructionMix {
  PtxRegionMix kernel;
  // The innermost loop (a backward branch and its target) with the most adder instructions, per
  // iteration; the whole kernel again when no loop holds any (fully unrolled kernels).
  PtxRegionMix hot;
  bool hot_is_loop = false;
};

// Counts the instructions of a PTX module that defines exactly one entry function.
Result<PtxInstructionMix> CountPtxInstructions(std::string_view ptx);

}  // namespace adderq::cuda
