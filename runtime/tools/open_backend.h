// The backend for an adderq-run subcommand: MakeBackend plus the one stderr line when --device auto
// falls back to the CPU (suppressed by --quiet and --json).
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "core/backend_factory.h"

namespace adderq::tools {

// --device and --threads, the same for every subcommand that runs a model.
void AddDeviceOptions(CLI::App* cmd, std::string& device, int& threads);
// --cuda-adder, --cuda-tc-tiles, --cuda-simd-pixels, --cuda-fuse-codes and --cuda-graphs, for the subcommands
// that compare kernels (eval, bench) or compile them (jit).
void AddCudaKernelOptions(CLI::App* cmd, CudaKernelChoice& cuda);

// --cuda-chunk: images per CUDA pipeline step, or auto (stored as 0: chosen for the card from its
// multiprocessors, the kernels' occupancy and free memory). `default_text` says what unset means.
void AddCudaChunkOption(CLI::App* cmd, int& chunk, const std::string& default_text);

Result<std::unique_ptr<InferenceBackend>> OpenBackend(const Graph& graph, const BackendChoice& choice, bool quiet);

}  // namespace adderq::tools
