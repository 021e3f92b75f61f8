#include "tools/open_backend.h"

#include <cstdio>
#include <string>

#include "cuda/cuda_plan.h"
#include "tools/kernel_tuning.h"

namespace adderq::tools {

void AddDeviceOptions(CLI::App* cmd, std::string& device, int& threads) {
  cmd->add_option("--device", device, "auto (CUDA if a GPU is usable, else CPU), cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  cmd->add_option("--threads", threads, "CPU worker threads (0 = all cores)")->check(CLI::Range(0, 1024));
}

void AddCudaKernelOptions(CLI::App* cmd, CudaKernelChoice& cuda) {
  cmd->add_option("--cuda-adder", cuda.adder,
                  "quantized adder kernel on CUDA: simd (packed vabsdiff4, every GPU), tensor-core (binary "
                  "tensor cores for <= 4 bits on sm_80+; experimental, not yet run on a GPU) or auto (simd "
                  "for now); all compute identical results")
      ->check(CLI::IsMember({"auto", "simd", "tensor-core"}));
  cmd->add_option("--cuda-tc-tiles", cuda.tc_tiles,
                  "tuning: N,M = at most N x 8 output channels and M x 16 pixels per warp of the tensor-core kernel")
      ->delimiter(',')
      ->expected(2);
  cmd->add_option("--cuda-simd-pixels", cuda.simd_pixels,
                  "tuning: output pixels per thread of the packed-SIMD adder kernel (register blocking; default "
                  "1, the form measured on a GPU; all compute identical results)")
      ->check(CLI::Range(1, cuda::kMaxSimdPixels));
  cmd->add_option("--cuda-fuse-codes", cuda.fuse_codes,
                  "on: a packed-SIMD adder layer writes the next adder layer's activation codes from its epilogue "
                  "(no quantize kernel, no float output nothing else reads; experimental, not yet run on a GPU); "
                  "off; auto (off for now); all compute identical results")
      ->check(CLI::IsMember({"auto", "on", "off"}));
  cmd->add_option("--cuda-graphs", cuda.graphs,
                  "on: each chunk's kernels are captured once into a CUDA graph and replayed with one launch "
                  "(experimental, not yet run on a GPU); off; auto (off for now); all compute identical results")
      ->check(CLI::IsMember({"auto", "on", "off"}));
  cmd->add_option("--cuda-tuning", cuda.tuning_file,
                  "per-layer kernels from FILE, written by `adderq-run tune` on this kind of GPU (--cuda-adder, "
                  "--cuda-simd-pixels and --cuda-tc-tiles apply to the layers it leaves out); all compute identical results")
      ->check(CLI::ExistingFile);
}

void AddCudaChunkOption(CLI::App* cmd, int& chunk, const std::string& default_text) {
  cmd->add_option("--cuda-chunk", chunk,
                  "images per CUDA pipeline step (two steps in flight, so copies overlap kernels), or auto: the "
                  "fewest that give every adder kernel 4 full waves on the card, within half its free memory "
                  "(default: " + default_text + ")")
      ->transform(CLI::Validator(
          [](std::string& value) -> std::string {
            if (value == "auto") {
              value = "0";
              return "";
            }
            const auto n = value.find_first_not_of("0123456789") == std::string::npos && !value.empty() && value.size() < 7
                               ? std::stoi(value)
                               : -1;
            return n >= 1 && n <= 65536 ? "" : "'" + value + "' is neither auto nor a number of images in 1..65536";
          },
          "auto|1..65536"));
}

Result<std::unique_ptr<InferenceBackend>> OpenBackend(const Graph& graph, const BackendChoice& choice, bool quiet) {
  BackendChoice tuned = choice;
  ADQ_RETURN_IF_ERROR(ApplyKernelTuning(tuned.cuda, graph));
  std::string reason;
  auto backend = MakeBackend(graph, tuned, &reason);
  if (backend.ok() && !reason.empty() && !quiet)
    std::fprintf(stderr, "adderq-run: no GPU backend (%s); running on the CPU\n", reason.c_str());
  return backend;
}

}  // namespace adderq::tools
