#include "passes/calibration_data.h"

#include <algorithm>
#include <mutex>
#include <numeric>
#include <random>

#include "core/parallel.h"
#include "data/pixel_input.h"

namespace adderq::passes {

Result<CalibrationBatches> CalibrationBatches::Create(const data::LabeledImages& train, const ModelMetadata& meta,
                                                      int batches, int batch_size, uint64_t seed, int read_threads) {
  if (!(train.form().shape == meta.input_shape)) return InvalidArgument("calibration images are not in the model's input form");
  if (batches <= 0 || batch_size <= 0) return InvalidArgument("calibration needs a positive batch count and size");
  const size_t need = size_t(batches) * size_t(batch_size);
  if (need > train.size())
    return InvalidArgument("{} calibration batches of {} need {} images; the calibration data has {}", batches,
                           batch_size, need, train.size());
  CalibrationBatches c(train, meta);
  c.batches_ = batches;
  c.batch_size_ = batch_size;
  c.seed_ = seed;
  c.read_threads_ = read_threads > 0 ? read_threads : DefaultThreadCount();
  c.order_.resize(train.size());
  std::iota(c.order_.begin(), c.order_.end(), 0u);
  // Fisher-Yates with our own index draw: std::shuffle's algorithm is implementation-defined,
  // and the artifact must not depend on the standard library version.
  std::mt19937_64 rng(seed);
  for (size_t i = c.order_.size() - 1; i > 0; --i) std::swap(c.order_[i], c.order_[rng() % (i + 1)]);
  c.order_.resize(need);
  return c;
}

Status CalibrationBatches::Get(int b, std::vector<float>& out) const {
  const size_t image_values = meta_->input_shape.size();
  out.resize(size_t(batch_size_) * image_values);
  const size_t first = size_t(b) * size_t(batch_size_);
  // One generator per image, seeded from (seed, position): batch b is the same whichever pass asks.
  auto rng_for = [&](size_t k) { return std::mt19937_64(seed_ * 0x9E3779B97F4A7C15ull + k + 1); };
  if (const data::ImageSet* cifar = train_->native_cifar()) {
    std::vector<uint8_t> aug(data::kCifarPixels);
    for (int i = 0; i < batch_size_; ++i) {
      const size_t k = first + size_t(i);
      std::mt19937_64 rng = rng_for(k);
      data::AugmentCropFlip(cifar->image(order_[k]), aug.data(), rng);
      data::Normalize(aug.data(), 1, meta_->mean, meta_->std, out.data() + size_t(i) * data::kCifarPixels);
    }
    return Status::Ok();
  }
  const Shape3& s = meta_->input_shape;
  std::vector<uint8_t> pixels(size_t(batch_size_) * image_values);
  std::mutex m;
  Status error;
  ParallelFor(batch_size_, read_threads_, [&](int begin, int end, int) {
    for (int i = begin; i < end; ++i) {
      const size_t k = first + size_t(i);
      std::span<uint8_t> img(pixels.data() + size_t(i) * image_values, image_values);
      Status st = train_->Read(order_[k], img);
      if (!st.ok()) {
        std::lock_guard<std::mutex> lock(m);
        if (error.ok()) error = st;
        continue;
      }
      std::mt19937_64 rng = rng_for(k);
      if (rng() & 1) {  // horizontal flip
        for (size_t row = 0; row < size_t(s.c) * size_t(s.h); ++row)
          std::reverse(img.begin() + long(row * size_t(s.w)), img.begin() + long((row + 1) * size_t(s.w)));
      }
    }
  });
  ADQ_RETURN_IF_ERROR(error);
  data::NormalizePixels(pixels, data::PixelLayout::kPlanar, batch_size_, s.c, s.h * s.w, meta_->mean, meta_->std, out.data());
  return Status::Ok();
}

}  // namespace adderq::passes
