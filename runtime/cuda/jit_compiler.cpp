#include "cuda/jit_compiler.h"

#include <chrono>

namespace adderq::cuda {

std::vector<std::string> KernelCompileOptions() { return {"--std=c++17", "--fmad=false"}; }

Result<std::vector<uint8_t>> JitCompiler::Cubin(const std::string& source, const std::string& name) {
  const std::vector<std::string> options = KernelCompileOptions();
  const std::string key = KernelCacheKey(source, options, arch_, nvrtc_.version());
  KernelCache::Lookup found = cache_.Find(key);
  if (found.payload) {
    stats_.hits++;
    return std::move(*found.payload);
  }
  if (found.corrupt) stats_.corrupt++;
  stats_.misses++;
  const auto t0 = std::chrono::steady_clock::now();
  ADQ_ASSIGN_OR_RETURN(std::vector<uint8_t> cubin, nvrtc_.CompileToCubin(source, name, arch_, options));
  stats_.compile_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // A cache that cannot be written costs time, not correctness: carry on with the fresh cubin.
  (void)cache_.Store(key, cubin);
  return cubin;
}

}  // namespace adderq::cuda
