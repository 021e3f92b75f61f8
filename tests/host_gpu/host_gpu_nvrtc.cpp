// The host GPU's libnvrtc (host_gpu.h): "compiling" wraps the source in a host cubin for the
// requested architecture; the host GPU's driver compiles it for the CPU when it is loaded. The
// version (0.1) is one no real NVRTC has, so kernel-cache entries never mix with real cubins.
#include <cstring>
#include <iterator>
#include <string>

#include "host_gpu/host_gpu_cubin.h"

#define ADQ_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

// nvrtcResult values, as in nvrtc.h.
enum : int { kSuccess = 0, kInvalidInput = 3, kInvalidProgram = 4, kInvalidOption = 5, kCompilation = 6 };

constexpr int kArchs[] = {80, 90};

struct Program {
  std::string source, name, cubin, log;
};

int Copy(const std::string& text, char* out) {
  if (!out) return kInvalidInput;
  std::memcpy(out, text.c_str(), text.size() + 1);
  return kSuccess;
}

}  // namespace

ADQ_EXPORT int nvrtcVersion(int* major, int* minor) {
  if (!major || !minor) return kInvalidInput;
  *major = 0, *minor = 1;
  return kSuccess;
}

ADQ_EXPORT int nvrtcGetNumSupportedArchs(int* n) {
  if (!n) return kInvalidInput;
  *n = int(std::size(kArchs));
  return kSuccess;
}

ADQ_EXPORT int nvrtcGetSupportedArchs(int* archs) {
  if (!archs) return kInvalidInput;
  for (size_t i = 0; i < std::size(kArchs); ++i) archs[i] = kArchs[i];
  return kSuccess;
}

ADQ_EXPORT int nvrtcCreateProgram(Program** prog, const char* source, const char* name, int headers, const char* const*,
                                  const char* const*) {
  if (!prog || !source || headers != 0) return kInvalidInput;
  *prog = new Program{source, name ? name : "default_program", {}, {}};
  return kSuccess;
}

ADQ_EXPORT int nvrtcDestroyProgram(Program** prog) {
  if (!prog || !*prog) return kInvalidProgram;
  delete *prog;
  *prog = nullptr;
  return kSuccess;
}

ADQ_EXPORT int nvrtcCompileProgram(Program* prog, int n, const char* const* options) {
  if (!prog) return kInvalidProgram;
  int arch = 0;
  for (int i = 0; i < n; ++i)
    if (std::strncmp(options[i], "--gpu-architecture=sm_", 22) == 0) arch = std::atoi(options[i] + 22);
  bool supported = false;
  for (int a : kArchs) supported |= a == arch;
  if (!supported) {
    prog->log = "host GPU NVRTC: no --gpu-architecture=sm_80 or sm_90 given\n";
    return kInvalidOption;
  }
  if (prog->source.find("adq_kernel") == std::string::npos) {
    prog->log = prog->name + ": no adq_kernel in the source\n";
    return kCompilation;
  }
  prog->cubin = adderq::testing::MakeHostCubin(arch, prog->name, prog->source);
  return kSuccess;
}

ADQ_EXPORT int nvrtcGetCUBINSize(Program* prog, size_t* size) {
  if (!prog || !size || prog->cubin.empty()) return kInvalidProgram;
  *size = prog->cubin.size() + 1;
  return kSuccess;
}

ADQ_EXPORT int nvrtcGetCUBIN(Program* prog, char* out) {
  if (!prog || prog->cubin.empty()) return kInvalidProgram;
  return Copy(prog->cubin, out);
}

ADQ_EXPORT int nvrtcGetProgramLogSize(Program* prog, size_t* size) {
  if (!prog || !size) return kInvalidProgram;
  *size = prog->log.size() + 1;
  return kSuccess;
}

ADQ_EXPORT int nvrtcGetProgramLog(Program* prog, char* out) {
  if (!prog) return kInvalidProgram;
  return Copy(prog->log, out);
}

ADQ_EXPORT const char* nvrtcGetErrorString(int result) {
  switch (result) {
    case kSuccess: return "NVRTC_SUCCESS";
    case kInvalidInput: return "NVRTC_ERROR_INVALID_INPUT";
    case kInvalidProgram: return "NVRTC_ERROR_INVALID_PROGRAM";
    case kInvalidOption: return "NVRTC_ERROR_INVALID_OPTION";
    case kCompilation: return "NVRTC_ERROR_COMPILATION";
    default: return "NVRTC_ERROR_UNKNOWN";
  }
}
