// adderq-run jit: compile every CUDA kernel variant a model needs into the kernel cache, for one or
// more GPU architectures, without a GPU (NVRTC only). Deploy the cache directory with the model.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/artifact_loader.h"
#include "core/file_io.h"
#include "cuda/cuda_plan.h"
#include "cuda/jit_compiler.h"
#include "cuda/kernel_resources.h"
#include "tools/kernel_tuning.h"
#include "tools/open_backend.h"
#include "tools/run_commands.h"

namespace adderq::tools {

namespace {
Result<int> ParseArch(const std::string& s) {
  std::string digits = s.rfind("sm_", 0) == 0 ? s.substr(3) : s;
  if (digits.empty() || digits.size() > 3 || digits.find_first_not_of("0123456789") != std::string::npos)
    return InvalidArgument("--arch '{}': expected sm_NN (e.g. sm_90)", s);
  return std::stoi(digits);
}

// One line per variant: what ptxas allocated. Spills are what to look for: local memory in the
// inner loop of an adder kernel costs more than the registers it saves.
Result<nlohmann::ordered_json> ReportResources(const cuda::Nvrtc& nvrtc, const cuda::CudaPlan& plan, int arch, bool print) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  if (print) std::printf("  %-48s %5s %8s %8s %6s %6s\n", "variant", "regs", "spill st", "spill ld", "stack", "smem");
  for (const cuda::KernelVariant& v : plan.variants) {
    ADQ_ASSIGN_OR_RETURN(cuda::KernelResources r, cuda::MeasureKernelResources(nvrtc, v.source, v.name + ".cu", arch));
    out[v.name] = {{"registers", r.registers}, {"spill_store_bytes", r.spill_store_bytes}, {"spill_load_bytes", r.spill_load_bytes},
                   {"stack_frame_bytes", r.stack_frame_bytes}, {"shared_bytes", r.shared_bytes}, {"barriers", r.barriers}};
    if (print)
      std::printf("  %-48s %5d %8d %8d %6d %6d\n", v.name.c_str(), r.registers, r.spill_store_bytes, r.spill_load_bytes,
                  r.stack_frame_bytes, r.shared_bytes);
  }
  return out;
}

nlohmann::ordered_json RegionJson(const cuda::PtxRegionMix& m) {
  nlohmann::ordered_json opcodes = nlohmann::ordered_json::object();
  for (const cuda::OpcodeCount& o : m.opcodes) opcodes[o.opcode] = o.count;
  return {{"instructions", m.instructions}, {"adder", m.adder}, {"shared_loads", m.shared_loads},
          {"shared_load_bytes", m.shared_load_bytes}, {"global_loads", m.global_loads},
          {"global_load_bytes", m.global_load_bytes}, {"local_accesses", m.local_accesses}, {"stores", m.stores},
          {"control", m.control}, {"other", m.other}, {"opcodes", opcodes}};
}

// One line per variant: the instructions of its hot loop. What to compare between variants: the
// adder instructions' share (the rest is issue slots the |a-b| work does not get) and the shared
// and global bytes per adder instruction.
Result<nlohmann::ordered_json> ReportInstructionMix(const cuda::Nvrtc& nvrtc, const cuda::CudaPlan& plan, int arch,
                                                    bool print) {
  std::vector<cuda::PtxInstructionMix> mixes;  // all first: an error leaves no half-printed table
  for (const cuda::KernelVariant& v : plan.variants) {
    ADQ_ASSIGN_OR_RETURN(cuda::PtxInstructionMix mix,
                         cuda::MeasureKernelInstructionMix(nvrtc, v.source, v.name + ".cu", arch));
    mixes.push_back(std::move(mix));
  }
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  if (print)
    std::printf("  %-48s %-6s %6s %6s %5s %7s %5s %7s %5s %5s %5s %6s\n", "variant (hot loop, per thread)", "region",
                "instr", "adder", "lds", "lds B", "ldg", "ldg B", "st", "ctrl", "other", "adder%");
  for (size_t k = 0; k < mixes.size(); ++k) {
    const cuda::PtxInstructionMix& mix = mixes[k];
    const std::string& name = plan.variants[k].name;
    out[name] = {{"hot_is_loop", mix.hot_is_loop}, {"hot", RegionJson(mix.hot)}, {"kernel", RegionJson(mix.kernel)}};
    const cuda::PtxRegionMix& h = mix.hot;
    if (print)
      std::printf("  %-48s %-6s %6d %6d %5d %7d %5d %7d %5d %5d %5d %5.1f%%\n", name.c_str(),
                  mix.hot_is_loop ? "loop" : "kernel", h.instructions, h.adder, h.shared_loads, h.shared_load_bytes,
                  h.global_loads, h.global_load_bytes, h.stores, h.control, h.other,
                  100.0 * h.adder / std::max(1, h.instructions));
  }
  return out;
}
}  // namespace

Status RunJit(const JitArgs& a) {
  std::vector<int> archs;
  for (const std::string& name : a.archs) {
    ADQ_ASSIGN_OR_RETURN(int arch, ParseArch(name));
    archs.push_back(arch);
  }
  ADQ_ASSIGN_OR_RETURN(Graph graph, LoadArtifactFile(a.model));
  // The variants may depend on the architecture (tensor-core adder kernels from sm_80) and on
  // the --cuda-* options: compile what the executor will ask for with the same choice.
  CudaKernelChoice cuda = a.cuda;
  ADQ_RETURN_IF_ERROR(ApplyKernelTuning(cuda, graph));
  std::vector<cuda::CudaPlan> plans;
  for (int arch : archs) {
    if (cuda.tuned_arch != 0 && cuda.tuned_arch != arch)
      return BadInput("{} was tuned on sm_{}, not sm_{}", cuda.tuning_file, cuda.tuned_arch, arch);
    ADQ_ASSIGN_OR_RETURN(const cuda::PlanOptions options, CudaPlanOptions(cuda, arch));
    ADQ_ASSIGN_OR_RETURN(cuda::CudaPlan plan, cuda::BuildCudaPlan(graph, options));
    plans.push_back(std::move(plan));
  }
  if (!a.dump_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(a.dump_dir, ec);
    for (const cuda::CudaPlan& plan : plans)
      for (const cuda::KernelVariant& v : plan.variants) {
        const std::string path = a.dump_dir + "/" + v.name + ".cu";
        ADQ_RETURN_IF_ERROR(WriteFileAtomic(path, {reinterpret_cast<const uint8_t*>(v.source.data()), v.source.size()}));
      }
  }
  ADQ_ASSIGN_OR_RETURN(const cuda::Nvrtc* nvrtc, cuda::Nvrtc::Load());
  const std::string dir = a.cache_dir.empty() ? cuda::DefaultKernelCacheDir() : a.cache_dir;
  if (dir.empty()) return InvalidArgument("no kernel cache directory: pass --cache-dir or set ADDERQ_CACHE_DIR");
  nlohmann::ordered_json out;
  out["model"] = a.model;
  out["cache_dir"] = dir;
  out["nvrtc"] = nvrtc->version();
  for (size_t k = 0; k < archs.size(); ++k) {
    const int arch = archs[k];
    const cuda::CudaPlan& plan = plans[k];
    cuda::JitCompiler jit(*nvrtc, cuda::KernelCache(dir), arch);
    const auto t0 = std::chrono::steady_clock::now();
    for (const cuda::KernelVariant& v : plan.variants)
      ADQ_RETURN_IF_ERROR(jit.Cubin(v.source, v.name + ".cu").status());
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    nlohmann::ordered_json& entry = out["archs"][fmt::format("sm_{}", arch)];
    entry = {{"variants", plan.variants.size()}, {"compiled", jit.stats().misses}, {"cached", jit.stats().hits},
             {"corrupt_replaced", jit.stats().corrupt}, {"seconds", s}};
    if (!a.json)
      std::printf("sm_%d: %zu kernel variants, %d compiled, %d already cached%s, %.2f s\n", arch, plan.variants.size(),
                  jit.stats().misses, jit.stats().hits,
                  jit.stats().corrupt ? fmt::format(" ({} corrupt entries replaced)", jit.stats().corrupt).c_str() : "", s);
    if (a.resources) {
      ADQ_ASSIGN_OR_RETURN(entry["resources"], ReportResources(*nvrtc, plan, arch, !a.json));
    }
    if (a.instruction_mix) {
      ADQ_ASSIGN_OR_RETURN(entry["instruction_mix"], ReportInstructionMix(*nvrtc, plan, arch, !a.json));
    }
  }
  if (a.json) std::printf("%s\n", out.dump().c_str());
  else std::printf("cache: %s (NVRTC %s)\n", dir.c_str(), nvrtc->version().c_str());
  return Status::Ok();
}

}  // namespace adderq::tools
