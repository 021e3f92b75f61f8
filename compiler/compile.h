// adderq-compile's pipeline: checkpoint -> graph -> (calibrate, quantize, re-estimate BN) -> fold
// BN -> artifact. The front end only parses options; everything measurable happens here.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/graph.h"
#include "model_graph.h"

namespace adderq::compiler {

enum class Method { kFullPrecision, kAdderQuant, kSharedScale };
Result<Method> ParseMethod(const std::string& name);
const char* MethodName(Method m);

// The weight clamp of AdderQuant: the paper's symmetric one, or the exact one-sided one on layers
// whose input is proven non-negative (ALGORITHM.md, "Beyond the paper").
enum class Clamp { kSymmetric, kOneSided };
Result<Clamp> ParseClamp(const std::string& name);
const char* ClampName(Clamp c);
// How the activation range A_l is chosen: the paper's percentile, or the clip with the least
// quantization error at the bit width.
enum class ActRange { kPercentile, kSearch };
Result<ActRange> ParseActRange(const std::string& name);
const char* ActRangeName(ActRange r);

// The paper's calibration set: 202 batches of 128 training images (ALGORITHM.md step 1). The
// default is 16 (2,048 images): with the one-sided clamp more batches gain nothing measurable
// (docs/results.md, "Calibration size"), and the compile takes seconds instead of a minute.
inline constexpr int kPaperCalibBatches = 202;
inline constexpr int kDefaultCalibBatches = 16;

struct CompileOptions {
  std::string checkpoint, output;
  std::string format = "auto";
  InputOptions input;  // normalisation, class names, image fitting (defaults: by the model)
  Method method = Method::kAdderQuant;
  int bits = 4;
  int groups = 4;
  // Defaults: beyond the paper (docs/results.md); `--paper` restores the paper's choices.
  Clamp clamp = Clamp::kOneSided;
  ActRange act_range = ActRange::kSearch;
  std::string calib_data;
  int calib_batches = kDefaultCalibBatches;
  int batch_size = 128;
  double act_ratio = 0.9997;
  uint64_t seed = 0;
  bool bn_adjust = true;
  std::string calib_cache;  // optional file: reuse activation ranges across compiles of one checkpoint
  int threads = 0;
  bool progress = true;  // a progress bar on stderr when it is a terminal
  // Also told of progress, whatever `progress` says: phase ("calibrate", "bn-reestimate"), batches
  // done and in all (the Python package's callback).
  std::function<void(const std::string& phase, size_t done, size_t total)> on_progress;
  bool collect_report_data = false;  // fill CompileReport::layer_data (for --report)
  // Asked between batches, layers and phases; true stops the compile with a Cancelled status and
  // nothing written (the artifact is written last, atomically).
  CancelCheck cancelled;
};

// `--paper`: the paper's AdderQuant as published (symmetric clamp, percentile range) on its
// calibration set (kPaperCalibBatches) unless the caller chose the batches.
void UsePapersMethod(CompileOptions& options, bool calib_batches_given);

struct PhaseTime {
  std::string name;
  double seconds = 0;
};

// What the HTML report shows of one adder layer beyond the final graph.
struct AdderLayerData {
  std::vector<float> float_weights;       // before clamping and quantization, [O][C][KH][KW]
  std::vector<float> activation_sample;   // a strided sample of the layer's calibration inputs
};

struct CompileReport {
  std::map<std::string, AdderLayerData> layer_data;  // by node name; with collect_report_data
  Graph graph;                  // the final graph (as written)
  std::vector<uint8_t> artifact;
  std::string checkpoint_format;
  std::vector<PhaseTime> phases;
};

// Runs the whole pipeline and writes the artifact atomically when options.output is set.
Result<CompileReport> Compile(const CompileOptions& options);

}  // namespace adderq::compiler
