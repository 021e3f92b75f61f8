#include "cuda/kernel_resources.h"

#include <cctype>
#include <charconv>
#include <optional>

#include "cuda/jit_compiler.h"

namespace adderq::cuda {
namespace {

// The number before `what` in the log ("56 registers" -> 56), if ptxas printed it: the first
// occurrence of "<digits> <what>". Parsed by hand: std::regex drew a false -Wmaybe-uninitialized
// from libstdc++'s own headers in the -O1 sanitizer build, and it is slow to compile.
std::optional<int> CountBefore(std::string_view log, std::string_view what) {
  for (size_t at = log.find(what); at != std::string_view::npos; at = log.find(what, at + 1)) {
    if (at == 0 || log[at - 1] != ' ') continue;
    const size_t end = at - 1;  // the space
    size_t begin = end;
    while (begin > 0 && std::isdigit(static_cast<unsigned char>(log[begin - 1]))) --begin;
    const std::string_view digits = log.substr(begin, end - begin);
    if (digits.empty()) continue;
    if (digits.size() > 9) return std::nullopt;
    int value = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return value;
  }
  return std::nullopt;
}

size_t Occurrences(std::string_view log, std::string_view what) {
  size_t n = 0;
  for (size_t at = log.find(what); at != std::string_view::npos; at = log.find(what, at + what.size())) ++n;
  return n;
}

}  // namespace

Result<KernelResources> ParsePtxasInfo(std::string_view log) {
  const size_t entries = Occurrences(log, "Compiling entry function");
  if (entries != 1) return RuntimeError("ptxas log describes {} entry functions, expected 1", entries);
  KernelResources r;
  // Always printed by ptxas -v; the others only when non-zero.
  const auto registers = CountBefore(log, "registers");
  const auto stack = CountBefore(log, "bytes stack frame");
  const auto spill_stores = CountBefore(log, "bytes spill stores");
  const auto spill_loads = CountBefore(log, "bytes spill loads");
  if (!registers || !stack || !spill_stores || !spill_loads)
    return RuntimeError("ptxas log has no '{}' line (was the compile run with --ptxas-options=-v?)",
                           registers ? "bytes stack frame, ... spill" : "Used N registers");
  r.registers = *registers;
  r.stack_frame_bytes = *stack;
  r.spill_store_bytes = *spill_stores;
  r.spill_load_bytes = *spill_loads;
  r.barriers = CountBefore(log, "barriers").value_or(0);
  r.shared_bytes = CountBefore(log, "bytes smem").value_or(0);
  return r;
}

Result<KernelResources> MeasureKernelResources(const Nvrtc& nvrtc, const std::string& source, const std::string& name,
                                               int arch) {
  std::vector<std::string> options = KernelCompileOptions();
  options.push_back("--ptxas-options=-v");
  std::string log;
  ADQ_RETURN_IF_ERROR(nvrtc.CompileToCubin(source, name, arch, options, &log).status());
  auto r = ParsePtxasInfo(log);
  if (!r.ok()) return RuntimeError("{} for sm_{}: {}", name, arch, r.status().message());
  return r;
}

Result<PtxInstructionMix> MeasureKernelInstructionMix(const Nvrtc& nvrtc, const std::string& source,
                                                      const std::string& name, int arch) {
  std::string ptx;
  ADQ_RETURN_IF_ERROR(nvrtc.CompileToCubin(source, name, arch, KernelCompileOptions(), nullptr, &ptx).status());
  auto mix = CountPtxInstructions(ptx);
  if (!mix.ok()) return RuntimeError("{} for sm_{}: {}", name, arch, mix.status().message());
  return mix;
}

}  // namespace adderq::cuda
