// CIFAR-10 binary version reader (records of 1 label byte + 3072 pixel bytes, planes R, G, B) and
// the preprocessing every AdderNet CIFAR model uses (x/255, then per-channel mean/std).
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace adderq::data {

inline constexpr int kCifarSide = 32;
inline constexpr size_t kCifarPixels = 3 * 32 * 32;
inline constexpr size_t kCifarRecord = 1 + kCifarPixels;
inline constexpr int kCifarClasses = 10;

struct ImageSet {
  std::vector<uint8_t> pixels;  // count x 3 x 32 x 32
  std::vector<uint8_t> labels;
  size_t size() const { return labels.size(); }
  const uint8_t* image(size_t i) const { return pixels.data() + i * kCifarPixels; }
};

// Appends the records in `bytes` (named `name` in errors); rejects sizes that are not whole records
// and labels >= 10, leaving `set` unchanged on error.
Status ParseCifar10(std::span<const uint8_t> bytes, const std::string& name, ImageSet& set);
// One batch file.
Result<ImageSet> ReadCifar10File(const std::string& path);
Status AppendCifar10File(const std::string& path, ImageSet& set);
// test_batch.bin of a CIFAR-10 directory.
Result<ImageSet> LoadCifar10Test(const std::string& dir);
// data_batch_1..5.bin (all that exist; at least data_batch_1 must).
Result<ImageSet> LoadCifar10Train(const std::string& dir);

// The normalisation of one pixel value; data::Normalize and the API's RunPixels both use it, so an
// exported test image gives the evaluation's logits bit for bit.
inline float NormalizePixel(uint8_t v, float mean, float inv_std) { return (float(v) / 255.f - mean) * inv_std; }

// Writes count normalised images (CHW floats) into out.
void Normalize(const uint8_t* pixels, size_t count, std::span<const float> mean, std::span<const float> std,
               float* out);

// The training augmentation: random crop 32 with 4 pixels of zero padding (pixel value 0, as
// torchvision pads the image before normalisation), then a random horizontal flip.
void AugmentCropFlip(const uint8_t* src, uint8_t* dst, std::mt19937_64& rng);

}  // namespace adderq::data
