// The kernel tuning file `adderq-run tune` writes and eval/bench/jit read with --cuda-tuning: per
// quantized adder layer, the CUDA kernel that ran fastest on one card. JSON, so it can be read and
// edited by hand:
//   {"format": "adderq-kernel-tuning", "version": 1, "device": "NVIDIA H200", "arch": 90,
//    "layers": {"layer1.0.conv1": {"adder": "simd", "simd_pixels": 2},
//               "layer3.0.conv1": {"adder": "tensor-core", "tc_tiles": [4, 2]}, ...},
//    "fuse_codes": true, ...}
// fuse_codes (optional) is --cuda-fuse-codes on/off where the command line leaves it at auto.
// Other members (the measured times) are for people and ignored. Every kernel computes the same
// sums, so a tuning only ever changes speed; a file for another GPU architecture is refused.
#pragma once

#include <map>
#include <string>

#include "api/backend_factory.h"
#include "core/graph.h"
#include "core/status.h"

namespace adderq::tools {

inline constexpr const char* kTuningFormat = "adderq-kernel-tuning";
inline constexpr int kTuningVersion = 1;

// Reads `choice.tuning_file` (when set) into choice.layers, choice.tuned_arch and (if "auto")
// choice.fuse_codes; every layer it names must be a quantized adder layer of `graph`. Errors name the file and what is wrong with it.
Status ApplyKernelTuning(CudaKernelChoice& choice, const Graph& graph);

// "simd", "simd px2", "tensor-core", "tensor-core 4x2": how a choice is shown.
std::string LayerKernelName(const cuda::LayerKernel& k);

}  // namespace adderq::tools
