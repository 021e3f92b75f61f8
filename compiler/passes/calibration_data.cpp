#include "passes/calibration_data.h"

#include <numeric>
#include <random>

namespace adderq::passes {

Result<CalibrationBatches> CalibrationBatches::Create(const data::ImageSet& train, const ModelMetadata& meta,
                                                      int batches, int batch_size, uint64_t seed) {
  if (batches <= 0 || batch_size <= 0) return InvalidArgument("calibration needs a positive batch count and size");
  const size_t need = size_t(batches) * size_t(batch_size);
  if (need > train.size())
    return InvalidArgument("{} calibration batches of {} need {} images; the calibration data has {}", batches,
                           batch_size, need, train.size());
  CalibrationBatches c(train, meta);
  c.batches_ = batches;
  c.batch_size_ = batch_size;
  c.seed_ = seed;
  c.order_.resize(train.size());
  std::iota(c.order_.begin(), c.order_.end(), 0u);
  // Fisher-Yates with our own index draw: std::shuffle's algorithm is implementation-defined,
  // and the artifact must not depend on the standard library version.
  std::mt19937_64 rng(seed);
  for (size_t i = c.order_.size() - 1; i > 0; --i) std::swap(c.order_[i], c.order_[rng() % (i + 1)]);
  c.order_.resize(need);
  return c;
}

void CalibrationBatches::Get(int b, std::vector<float>& out) const {
  out.resize(size_t(batch_size_) * data::kCifarPixels);
  std::vector<uint8_t> aug(data::kCifarPixels);
  for (int i = 0; i < batch_size_; ++i) {
    const size_t k = size_t(b) * size_t(batch_size_) + size_t(i);
    // One generator per image, seeded from (seed, position): batch b is the same whichever pass asks.
    std::mt19937_64 rng(seed_ * 0x9E3779B97F4A7C15ull + k + 1);
    data::AugmentCropFlip(train_->image(order_[k]), aug.data(), rng);
    data::Normalize(aug.data(), 1, meta_->mean, meta_->std, out.data() + size_t(i) * data::kCifarPixels);
  }
}

}  // namespace adderq::passes
