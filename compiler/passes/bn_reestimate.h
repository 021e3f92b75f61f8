// ALGORITHM.md step 5: re-estimate every BatchNorm's running statistics by running the quantized
// network in training mode over the calibration batches (running = 0.9 running + 0.1 batch, with
// the unbiased batch variance, as PyTorch with momentum 0.1).
#pragma once

#include <functional>

#include "core/graph.h"
#include "passes/calibration_data.h"

namespace adderq::passes {

struct BnReestimateOptions {
  double momentum = 0.1;
  int threads = 0;
  std::function<void(size_t done, size_t total)> progress;
  CancelCheck cancelled;  // asked before every batch
};

Status ReestimateBatchNorm(Graph& graph, const CalibrationBatches& batches, const BnReestimateOptions& options);

}  // namespace adderq::passes
