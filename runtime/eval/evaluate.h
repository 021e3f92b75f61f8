// Classification accuracy of a graph on a labelled image set (top-1, top-5, per class).
#pragma once

#include <functional>
#include <vector>

#include "core/backend.h"
#include "cpu/executor.h"
#include "data/cifar10.h"
#include "data/labeled_images.h"

namespace adderq::eval {

struct Accuracy {
  size_t images = 0;
  size_t top1_correct = 0, top5_correct = 0;
  std::vector<size_t> class_total, class_correct;
  double seconds = 0.0;
  double top1() const { return images ? 100.0 * double(top1_correct) / double(images) : 0.0; }
  double top5() const { return images ? 100.0 * double(top5_correct) / double(images) : 0.0; }
  double images_per_second() const { return seconds > 0 ? double(images) / seconds : 0.0; }
};

struct EvalOptions {
  size_t limit = 0;  // 0 = all images
  int batch_size = 100;
  int read_threads = 0;  // 0: all cores
  CancelCheck cancelled;  // asked before every batch
  std::function<void(size_t done, size_t total)> progress;
  // Sees every batch's logits (first image index, count, logits) e.g. to save them.
  std::function<void(size_t first, size_t count, const std::vector<float>& logits)> on_logits;
};

// Rank of the true class among the logits (0 = top-1); ties count against the true class.
int RankOfLabel(const float* logits, int classes, int label);

// Any labelled set in the model's input form (CIFAR-10, an ImageFolder); its labels must be below
// the model's output count. Images are read (decoded) by `opt.read_threads` threads a batch at a time.
Result<Accuracy> Evaluate(const Graph& graph, InferenceBackend& backend, const data::LabeledImages& set, const EvalOptions& opt);
// CIFAR-10 records in memory.
Result<Accuracy> Evaluate(const Graph& graph, InferenceBackend& backend, const data::ImageSet& set, const EvalOptions& opt);
// The CPU executor directly.
Result<Accuracy> Evaluate(const Graph& graph, Executor& executor, const data::ImageSet& set, const EvalOptions& opt);

}  // namespace adderq::eval
