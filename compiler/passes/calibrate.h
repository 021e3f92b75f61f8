// ALGORITHM.md step 1: the activation range A_l of every adder layer's input, observed by running
// the float network over the calibration batches: per batch the reference's quantile of |X| over
// the whole input tensor, then the maximum over batches (the paper's); or the clip that minimises
// the activations' quantization error at the target bit width (range_search.h).
#pragma once

#include <functional>
#include <map>
#include <span>
#include <string>

#include "core/graph.h"
#include "passes/calibration_data.h"

namespace adderq::passes {

// The reference selection rule: sorted |X| ascending, element int((round(N * r) - 1) * r).
// (It applies the ratio twice: about the 99.94th percentile for r = 0.9997.)
size_t ReferenceQuantileIndex(size_t n, double ratio);
// That element of |values|, computed exactly without sorting everything; `threads` (0 = all cores)
// share the pass over the values; the answer does not depend on them.
float ReferenceQuantile(std::span<const float> values, double ratio, int threads = 1);

enum class RangeMethod {
  kPercentile,  // the paper's
  kSearch,      // least squared quantization error of the positive activations (range_search.h)
};

struct CalibrateOptions {
  RangeMethod method = RangeMethod::kPercentile;
  double act_ratio = 0.9997;  // kPercentile
  int bits = 4;               // kSearch: the bit width the clip is searched for
  size_t search_sample = size_t(1) << 18;  // kSearch: about this many values sampled per layer
  int threads = 0;
  std::function<void(size_t done, size_t total)> progress;
  CancelCheck cancelled;  // asked before every batch and every layer's range search
  // Optional: sees every adder node's whole input batch (the HTML report samples it).
  std::function<void(size_t node_index, std::span<const float> input)> observe;
};

// Adder node name -> A_l.
Result<std::map<std::string, float>> CalibrateActivationRanges(const Graph& float_graph, const CalibrationBatches& batches,
                                                               const CalibrateOptions& options);

}  // namespace adderq::passes
