#include "cuda/dynamic_library.h"

#include <dlfcn.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace adderq::cuda {

DynamicLibrary::~DynamicLibrary() {
  if (handle_) dlclose(handle_);
}

DynamicLibrary& DynamicLibrary::operator=(DynamicLibrary&& other) noexcept {
  if (this != &other) {
    if (handle_) dlclose(handle_);
    handle_ = other.handle_;
    path_ = std::move(other.path_);
    other.handle_ = nullptr;
  }
  return *this;
}

Result<DynamicLibrary> DynamicLibrary::OpenFirst(const std::vector<std::string>& candidates, const std::string& what) {
  std::string last_error;
  for (const std::string& name : candidates) {
    if (name.empty()) continue;
    // RTLD_NODELETE: the CUDA libraries stay mapped until the process ends, even after dlclose.
    // They allocate process-lifetime state at load (NVRTC's embedded C++ runtime, for one) that
    // would otherwise be unmapped while still allocated (LeakSanitizer reports it), and unloading
    // the driver while the process runs gains nothing.
    if (void* h = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE)) {
      DynamicLibrary lib;
      lib.handle_ = h;
      lib.path_ = name;
      return lib;
    }
    if (const char* e = dlerror()) last_error = e;
  }
  return Unsupported("{} not found (tried {}){}", what, fmt::join(candidates, ", "),
                     last_error.empty() ? "" : "; last error: " + last_error);
}

Result<void*> DynamicLibrary::Symbol(const char* name) const { return Symbol({name}); }

Result<void*> DynamicLibrary::Symbol(std::initializer_list<const char*> names) const {
  for (const char* name : names)
    if (void* p = dlsym(handle_, name)) return p;
  return Unsupported("{} lacks the symbol {}", path_, *names.begin());
}

}  // namespace adderq::cuda
