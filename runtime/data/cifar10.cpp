#include "data/cifar10.h"

#include <algorithm>
#include <filesystem>

#include "core/file_io.h"
#include "data/pixel_input.h"

namespace adderq::data {

Status ParseCifar10(std::span<const uint8_t> b, const std::string& name, ImageSet& set) {
  if (b.empty() || b.size() % kCifarRecord != 0)
    return BadInput("{}: {} bytes is not a whole number of CIFAR-10 records ({} bytes each)", name, b.size(), kCifarRecord);
  const size_t n = b.size() / kCifarRecord;
  for (size_t i = 0; i < n; ++i)
    if (b[i * kCifarRecord] >= kCifarClasses)
      return BadInput("{}: record {} has label {} (expected 0..9)", name, i, int(b[i * kCifarRecord]));
  set.pixels.reserve(set.pixels.size() + n * kCifarPixels);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* rec = b.data() + i * kCifarRecord;
    set.labels.push_back(rec[0]);
    set.pixels.insert(set.pixels.end(), rec + 1, rec + kCifarRecord);
  }
  return Status::Ok();
}

Status AppendCifar10File(const std::string& path, ImageSet& set) {
  auto bytes = ReadFileBytes(path, uint64_t(1) << 31);
  if (!bytes.ok()) return bytes.status();
  return ParseCifar10(bytes.value(), path, set);
}

Result<ImageSet> ReadCifar10File(const std::string& path) {
  ImageSet set;
  ADQ_RETURN_IF_ERROR(AppendCifar10File(path, set));
  return set;
}

Result<ImageSet> LoadCifar10Test(const std::string& dir) { return ReadCifar10File(dir + "/test_batch.bin"); }

Result<ImageSet> LoadCifar10Train(const std::string& dir) {
  ImageSet set;
  for (int i = 1; i <= 5; ++i) {
    const std::string path = dir + "/data_batch_" + std::to_string(i) + ".bin";
    if (i > 1 && !std::filesystem::exists(path)) break;
    ADQ_RETURN_IF_ERROR(AppendCifar10File(path, set));
  }
  return set;
}

void Normalize(const uint8_t* pixels, size_t count, std::span<const float> mean, std::span<const float> std,
               float* out) {
  NormalizePixels({pixels, count * kCifarPixels}, PixelLayout::kPlanar, int(count), 3, kCifarSide * kCifarSide, mean, std, out);
}

void AugmentCropFlip(const uint8_t* src, uint8_t* dst, std::mt19937_64& rng) {
  constexpr int kPad = 4, S = kCifarSide;
  // Offsets into the 40x40 padded image, uniform over 0..8 as torchvision's RandomCrop.
  const int top = int(rng() % (2 * kPad + 1)), left = int(rng() % (2 * kPad + 1));
  const bool flip = (rng() & 1u) != 0;
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < S; ++y)
      for (int x = 0; x < S; ++x) {
        const int sy = y + top - kPad;
        const int sx = (flip ? S - 1 - x : x) + left - kPad;
        const bool inside = sy >= 0 && sy < S && sx >= 0 && sx < S;
        dst[(c * S + y) * S + x] = inside ? src[(c * S + sy) * S + sx] : 0;
      }
}

}  // namespace adderq::data
