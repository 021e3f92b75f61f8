// The calibration batches: a seeded shuffle of the training set (as a shuffling data loader), each
// image augmented, normalised with the model's mean/std. The same sequence is replayed for
// calibration and for BatchNorm re-estimation. CIFAR-10 records at a 3x32x32 input get CIFAR's
// training augmentation (random crop with 4 pixels of padding, random flip); any other set (an
// ImageFolder, CIFAR fitted to a larger input) is read in the model's input form, then flipped at
// random. Images are read a batch at a time: memory stays bounded whatever the set's size.
#pragma once

#include <cstdint>
#include <vector>

#include "core/graph.h"
#include "data/labeled_images.h"

namespace adderq::passes {

class CalibrationBatches {
 public:
  // Fails when the set cannot supply batches x batch_size images.
  static Result<CalibrationBatches> Create(const data::LabeledImages& train, const ModelMetadata& meta, int batches,
                                           int batch_size, uint64_t seed, int read_threads = 0);
  int batches() const { return batches_; }
  int batch_size() const { return batch_size_; }
  // Fills `out` with batch b (0-based): batch_size normalised, augmented images.
  Status Get(int b, std::vector<float>& out) const;

 private:
  CalibrationBatches(const data::LabeledImages& train, const ModelMetadata& meta) : train_(&train), meta_(&meta) {}
  const data::LabeledImages* train_;
  int read_threads_ = 1;
  const ModelMetadata* meta_;
  int batches_ = 0, batch_size_ = 0;
  uint64_t seed_ = 0;
  std::vector<uint32_t> order_;
};

}  // namespace adderq::passes
