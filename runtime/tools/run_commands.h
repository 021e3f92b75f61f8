// The subcommands of adderq-run, one file each: what each takes and runs. Their options are
// declared in adderq_run.cpp, the one file that includes CLI11.
#pragma once

#include <string>
#include <vector>

#include "api/backend_factory.h"
#include "core/status.h"

namespace adderq::tools {

struct EvalArgs {
  std::string model, data;
  size_t limit = 0;
  int batch_size = 0;  // 0: chosen by backend
  int threads = 0;
  std::string device = "auto";
  int cuda_chunk = 0;  // 0: chosen for the card
  CudaKernelChoice cuda;
  std::string save_logits;
  bool json = false, quiet = false;
};
Status RunEval(const EvalArgs& args);

struct InfoArgs {
  std::string model;
  bool json = false;
};
Status RunInfo(const InfoArgs& args);

struct JitArgs {
  std::string model, cache_dir, dump_dir;
  std::vector<std::string> archs;
  CudaKernelChoice cuda;
  bool json = false, resources = false, instruction_mix = false;
};
Status RunJit(const JitArgs& args);

struct BenchArgs {
  std::string model, data, device = "auto";
  CudaKernelChoice cuda;
  int images = 10000, repeat = 3, threads = 0;
  int cuda_chunk = -1;  // -1: the whole run is one chunk; 0: chosen for the card
  std::string input = "pixels";  // "pixels": the test set's bytes, as eval runs; "floats": normalised beforehand
  bool json = false, quiet = false;
};
Status RunBench(const BenchArgs& args);

struct InferArgs {
  std::string model, device = "auto";
  std::vector<std::string> images;
  int top_k = 3, threads = 0;
  bool json = false, quiet = false;
};
Status RunInfer(const InferArgs& args);

struct TuneArgs {
  std::string model, data, output;
  int images = 2048, repeat = 5;
  bool quick = false;  // no sweep of the tensor-core tiles
  bool json = false, quiet = false;
};
Status RunTune(const TuneArgs& args);

}  // namespace adderq::tools
