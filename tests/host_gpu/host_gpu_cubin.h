// The host GPU's "cubin": what its NVRTC emits and its driver loads. Text, NUL-terminated (the
// driver is given only a pointer, as cuModuleLoadData is): a magic line with the architecture,
// the kernel's name, then the CUDA source itself.
#pragma once

#include <cstdlib>
#include <cstring>
#include <string>

namespace adderq::testing {

inline constexpr const char* kHostCubinMagic = "ADQ-HOST-CUBIN sm_";

struct HostCubin {
  int arch = 0;
  std::string name, source;
};

inline std::string MakeHostCubin(int arch, const std::string& name, const std::string& source) {
  return kHostCubinMagic + std::to_string(arch) + "\n" + name + "\n" + source;
}

inline bool ParseHostCubin(const char* image, HostCubin& out) {
  const size_t magic = std::strlen(kHostCubinMagic);
  if (std::strncmp(image, kHostCubinMagic, magic) != 0) return false;
  const std::string text = image + magic;
  const size_t line1 = text.find('\n');
  const size_t line2 = line1 == std::string::npos ? line1 : text.find('\n', line1 + 1);
  if (line2 == std::string::npos) return false;
  out.arch = std::atoi(text.substr(0, line1).c_str());
  out.name = text.substr(line1 + 1, line2 - line1 - 1);
  out.source = text.substr(line2 + 1);
  return out.arch > 0 && !out.source.empty();
}

}  // namespace adderq::testing
