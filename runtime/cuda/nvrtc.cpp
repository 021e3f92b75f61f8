#include "cuda/nvrtc.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <mutex>

#include <fmt/format.h>

namespace adderq::cuda {

Result<std::unique_ptr<Nvrtc>> Nvrtc::Open() {
  std::unique_ptr<Nvrtc> n(new Nvrtc());
  std::vector<std::string> candidates;
  // $ADDERQ_NVRTC_LIBRARY, when set, is the only candidate.
  if (const char* env = std::getenv("ADDERQ_NVRTC_LIBRARY")) candidates.push_back(env);
  // libnvrtc.so.11.2 is every CUDA 11.x (JetPack 5 on Jetson Xavier and Orin: CUDA 11.4); sm_72
  // needs it, since CUDA 13 no longer compiles for Volta.
  else candidates.insert(candidates.end(), {"libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so", "libnvrtc.so.11.2"});
  if (candidates.size() > 1) {
    if (const char* home = std::getenv("CUDA_HOME")) candidates.push_back(std::string(home) + "/lib64/libnvrtc.so");
    candidates.insert(candidates.end(), {"/usr/local/cuda/lib64/libnvrtc.so", "/usr/local/cuda/lib64/libnvrtc.so.13",
                                         "/usr/local/cuda/lib64/libnvrtc.so.12", "/usr/local/cuda/lib64/libnvrtc.so.11.2"});
  }
  ADQ_ASSIGN_OR_RETURN(n->library_, DynamicLibrary::OpenFirst(candidates, "NVRTC (libnvrtc)"));
  const DynamicLibrary& l = n->library_;
  ADQ_RETURN_IF_ERROR(Bind(l, n->version_fn_, {"nvrtcVersion"}));
  ADQ_RETURN_IF_ERROR(Bind(l, n->create_, {"nvrtcCreateProgram"}));
  ADQ_RETURN_IF_ERROR(Bind(l, n->destroy_, {"nvrtcDestroyProgram"}));
  ADQ_RETURN_IF_ERROR(Bind(l, n->compile_, {"nvrtcCompileProgram"}));
  ADQ_RETURN_IF_ERROR(Bind(l, n->log_size_, {"nvrtcGetProgramLogSize"}));
  ADQ_RETURN_IF_ERROR(Bind(l, n->log_, {"nvrtcGetProgramLog"}));
  ADQ_RETURN_IF_ERROR(Bind(l, n->cubin_size_, {"nvrtcGetCUBINSize"}));
  ADQ_RETURN_IF_ERROR(Bind(l, n->cubin_, {"nvrtcGetCUBIN"}));
  ADQ_RETURN_IF_ERROR(Bind(l, n->error_string_, {"nvrtcGetErrorString"}));
  if (!Bind(l, n->ptx_size_, {"nvrtcGetPTXSize"}).ok() || !Bind(l, n->ptx_, {"nvrtcGetPTX"}).ok()) {
    n->ptx_size_ = nullptr;
    n->ptx_ = nullptr;
  }
  ADQ_RETURN_IF_ERROR(Bind(l, n->num_archs_, {"nvrtcGetNumSupportedArchs"}));
  ADQ_RETURN_IF_ERROR(Bind(l, n->archs_fn_, {"nvrtcGetSupportedArchs"}));
  int major = 0, minor = 0;
  if (n->version_fn_(&major, &minor) != 0) return Unsupported("{}: nvrtcVersion failed", l.path());
  n->version_ = fmt::format("{}.{}", major, minor);
  int count = 0;
  if (n->num_archs_(&count) == 0 && count > 0 && count < 1000) {
    n->archs_.resize(size_t(count));
    if (n->archs_fn_(n->archs_.data()) != 0) n->archs_.clear();
  }
  return n;
}

Result<const Nvrtc*> Nvrtc::Load() {
  static std::once_flag once;
  static std::unique_ptr<Nvrtc> nvrtc;
  static Status error;
  std::call_once(once, [] {
    auto r = Open();
    if (r.ok()) nvrtc = std::move(r).value();
    else error = r.status();
  });
  if (!nvrtc) return error;
  return static_cast<const Nvrtc*>(nvrtc.get());
}

std::string Nvrtc::ProgramLog(Program prog) const {
  size_t log_size = 0;
  std::string log;
  if (log_size_(prog, &log_size) == 0 && log_size > 1) {
    log.resize(log_size);
    log_(prog, log.data());
    log.resize(log_size - 1);  // the terminating NUL
  }
  return log;
}

Result<std::vector<uint8_t>> Nvrtc::CompileToCubin(const std::string& source, const std::string& name, int arch,
                                                   const std::vector<std::string>& options, std::string* log_out,
                                                   std::string* ptx_out) const {
  if (ptx_out && (!ptx_size_ || !ptx_)) return Unsupported("{} has no nvrtcGetPTX", library_.path());
  if (!archs_.empty() && std::find(archs_.begin(), archs_.end(), arch) == archs_.end())
    return Unsupported("NVRTC {} cannot compile for sm_{}", version_, arch);
  Program prog = nullptr;
  if (int r = create_(&prog, source.c_str(), name.c_str(), 0, nullptr, nullptr); r != 0)
    return RuntimeError("nvrtcCreateProgram({}): {}", name, error_string_(r));
  // The program is destroyed on every path out of here.
  auto destroy = [this](Program* p) { destroy_(p); };
  std::unique_ptr<Program, decltype(destroy)> guard(&prog, destroy);

  std::vector<std::string> all = {fmt::format("--gpu-architecture=sm_{}", arch)};
  all.insert(all.end(), options.begin(), options.end());
  std::vector<const char*> argv;
  for (const std::string& o : all) argv.push_back(o.c_str());
  const int rc = compile_(prog, int(argv.size()), argv.data());
  if (rc != 0) {
    std::string log = ProgramLog(prog);
    for (char& c : log)
      if (c == '\n') c = ' ';
    if (log.size() > 400) log = log.substr(0, 400) + "...";
    return RuntimeError("NVRTC could not compile {} for sm_{}: {}: {}", name, arch, error_string_(rc), log);
  }
  size_t size = 0;
  if (int r = cubin_size_(prog, &size); r != 0 || size == 0)
    return RuntimeError("nvrtcGetCUBINSize({}): {}", name, error_string_(r));
  std::vector<uint8_t> cubin(size);
  if (int r = cubin_(prog, reinterpret_cast<char*>(cubin.data())); r != 0)
    return RuntimeError("nvrtcGetCUBIN({}): {}", name, error_string_(r));
  if (ptx_out) {
    size_t ptx_size = 0;
    if (int r = ptx_size_(prog, &ptx_size); r != 0 || ptx_size == 0)
      return RuntimeError("nvrtcGetPTXSize({}): {}", name, error_string_(r));
    ptx_out->assign(ptx_size, '\0');
    if (int r = ptx_(prog, ptx_out->data()); r != 0) return RuntimeError("nvrtcGetPTX({}): {}", name, error_string_(r));
    ptx_out->resize(ptx_size - 1);  // the terminating NUL
  }
  if (log_out) *log_out = ProgramLog(prog);
  return cubin;
}

}  // namespace adderq::cuda
