// A shared library opened at run time (dlopen), closed when the object goes away. The CUDA driver
// and NVRTC are reached only through this, so the same binaries run where neither is installed.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "core/status.h"

namespace adderq::cuda {

class DynamicLibrary {
 public:
  DynamicLibrary() = default;
  ~DynamicLibrary();
  DynamicLibrary(DynamicLibrary&& other) noexcept : handle_(other.handle_), path_(std::move(other.path_)) {
    other.handle_ = nullptr;
  }
  DynamicLibrary& operator=(DynamicLibrary&& other) noexcept;
  DynamicLibrary(const DynamicLibrary&) = delete;
  DynamicLibrary& operator=(const DynamicLibrary&) = delete;

  // Opens the first of `candidates` that loads; the error lists what was tried.
  static Result<DynamicLibrary> OpenFirst(const std::vector<std::string>& candidates, const std::string& what);

  // Looks up a symbol; the error names it.
  Result<void*> Symbol(const char* name) const;
  // First of several names (versioned driver entry points, e.g. cuMemAlloc_v2 then cuMemAlloc).
  Result<void*> Symbol(std::initializer_list<const char*> names) const;

  const std::string& path() const { return path_; }

 private:
  void* handle_ = nullptr;
  std::string path_;
};

// Casts a looked-up symbol to a function pointer type.
template <typename Fn>
Status Bind(const DynamicLibrary& lib, Fn*& fn, std::initializer_list<const char*> names) {
  ADQ_ASSIGN_OR_RETURN(void* p, lib.Symbol(names));
  fn = reinterpret_cast<Fn*>(p);
  return Status::Ok();
}

}  // namespace adderq::cuda
