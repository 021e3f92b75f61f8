// NVRTC (the CUDA run-time compiler), loaded at run time: CUDA C++ source -> cubin for one GPU
// architecture. Needs no GPU, so the kernels can be compiled (and cached) ahead of deployment.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "cuda/dynamic_library.h"

namespace adderq::cuda {

class Nvrtc {
 public:
  // $ADDERQ_NVRTC_LIBRARY, then libnvrtc.so.{13,12} on the loader path, then $CUDA_HOME/lib64 and
  // /usr/local/cuda/lib64. Loaded once per process.
  static Result<const Nvrtc*> Load();

  // "13.0": part of every kernel-cache key (another compiler may emit other code).
  const std::string& version() const { return version_; }
  // Architectures this NVRTC can target, e.g. {75, 80, 86, 89, 90, 100, 120}.
  const std::vector<int>& supported_archs() const { return archs_; }

  // Compiles `source` for `arch` (e.g. 90 for sm_90) to a cubin. A compile error returns the
  // first lines of NVRTC's log; on success the whole log goes to `log` when given (warnings, and
  // ptxas's resource lines under --ptxas-options=-v), and the PTX the cubin was assembled from to
  // `ptx` (for instruction counts: there is no SASS disassembler without the full toolkit).
  Result<std::vector<uint8_t>> CompileToCubin(const std::string& source, const std::string& name, int arch,
                                              const std::vector<std::string>& options, std::string* log = nullptr,
                                              std::string* ptx = nullptr) const;

 private:
  using Program = struct nvrtcProgram_st*;
  int (*version_fn_)(int*, int*) = nullptr;
  int (*create_)(Program*, const char*, const char*, int, const char* const*, const char* const*) = nullptr;
  int (*destroy_)(Program*) = nullptr;
  int (*compile_)(Program, int, const char* const*) = nullptr;
  int (*log_size_)(Program, size_t*) = nullptr;
  int (*log_)(Program, char*) = nullptr;
  int (*cubin_size_)(Program, size_t*) = nullptr;
  int (*cubin_)(Program, char*) = nullptr;
  int (*ptx_size_)(Program, size_t*) = nullptr;  // optional: only the PTX output needs them
  int (*ptx_)(Program, char*) = nullptr;
  const char* (*error_string_)(int) = nullptr;
  int (*num_archs_)(int*) = nullptr;
  int (*archs_fn_)(int*) = nullptr;
  DynamicLibrary library_;
  std::string version_;
  std::vector<int> archs_;

  static Result<std::unique_ptr<Nvrtc>> Open();
  std::string ProgramLog(Program prog) const;
};

}  // namespace adderq::cuda
