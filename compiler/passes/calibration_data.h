// The calibration batches: a seeded shuffle of the training set (as a shuffling data loader), each
// image augmented with the training augmentation, normalised with the model's mean/std. The same
// sequence is replayed for calibration and for BatchNorm re-estimation.
#pragma once

#include <cstdint>
#include <vector>

#include "core/graph.h"
#include "data/cifar10.h"

namespace adderq::passes {

class CalibrationBatches {
 public:
  // Fails when the set cannot supply batches x batch_size images.
  static Result<CalibrationBatches> Create(const data::ImageSet& train, const ModelMetadata& meta, int batches,
                                           int batch_size, uint64_t seed);
  int batches() const { return batches_; }
  int batch_size() const { return batch_size_; }
  // Fills `out` with batch b (0-based): batch_size normalised, augmented images.
  void Get(int b, std::vector<float>& out) const;

 private:
  CalibrationBatches(const data::ImageSet& train, const ModelMetadata& meta) : train_(&train), meta_(&meta) {}
  const data::ImageSet* train_;
  const ModelMetadata* meta_;
  int batches_ = 0, batch_size_ = 0;
  uint64_t seed_ = 0;
  std::vector<uint32_t> order_;
};

}  // namespace adderq::passes
