// adderq-compile's pipeline: checkpoint -> graph -> (calibrate, quantize, re-estimate BN) -> fold
// BN -> artifact. The front end only parses options; everything measurable happens here.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/graph.h"

namespace adderq::compiler {

enum class Method { kFullPrecision, kAdderQuant, kSharedScale };
Result<Method> ParseMethod(const std::string& name);
const char* MethodName(Method m);

struct CompileOptions {
  std::string checkpoint, output;
  std::string format = "auto";
  Method method = Method::kAdderQuant;
  int bits = 4;
  int groups = 4;
  std::string calib_data;
  int calib_batches = 202;
  int batch_size = 128;
  double act_ratio = 0.9997;
  uint64_t seed = 0;
  bool bn_adjust = true;
  std::string calib_cache;  // optional file: reuse activation ranges across compiles of one checkpoint
  int threads = 0;
  bool progress = true;
};

struct PhaseTime {
  std::string name;
  double seconds = 0;
};

struct CompileReport {
  Graph graph;                  // the final graph (as written)
  std::vector<uint8_t> artifact;
  std::string checkpoint_format;
  std::vector<PhaseTime> phases;
};

// Runs the whole pipeline and writes the artifact atomically when options.output is set.
Result<CompileReport> Compile(const CompileOptions& options);

}  // namespace adderq::compiler
