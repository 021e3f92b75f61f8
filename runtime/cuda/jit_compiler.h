// Source -> cubin through the kernel cache: a hit loads the cached cubin, a miss (or a corrupt
// entry) compiles with NVRTC and stores the result. Counts hits, misses and compile time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cuda/kernel_cache.h"
#include "cuda/nvrtc.h"

namespace adderq::cuda {

// Options every adderq kernel is compiled with. --fmad=false: no multiply-add contraction, so float
// results match the CPU backend bit for bit (which is built with -ffp-contract=off).
std::vector<std::string> KernelCompileOptions();

struct JitStats {
  int hits = 0, misses = 0, corrupt = 0;
  double compile_seconds = 0.0;  // NVRTC time spent on misses
};

class JitCompiler {
 public:
  JitCompiler(const Nvrtc& nvrtc, KernelCache cache, int arch) : nvrtc_(nvrtc), cache_(std::move(cache)), arch_(arch) {}

  Result<std::vector<uint8_t>> Cubin(const std::string& source, const std::string& name);

  const JitStats& stats() const { return stats_; }
  int arch() const { return arch_; }
  const KernelCache& cache() const { return cache_; }

 private:
  const Nvrtc& nvrtc_;
  KernelCache cache_;
  int arch_;
  JitStats stats_;
};

}  // namespace adderq::cuda
