#include <gtest/gtest.h>

#include <filesystem>
#include <cstring>
#include <fstream>
#include <random>

#include "data/cifar10.h"
#include "data/pixel_input.h"
#include "test_support.h"

namespace adderq::data {
namespace {

TEST(Cifar10, RealTestSet) {
  const std::string dir = testing::SharedPath("data/cifar-10-batches-bin");
  if (dir.empty()) GTEST_SKIP() << "../shared CIFAR-10 not present";
  auto set = LoadCifar10Test(dir);
  ASSERT_TRUE(set.ok()) << set.status().message();
  ASSERT_EQ(set->size(), 10000u);
  const std::vector<uint8_t> first(set->labels.begin(), set->labels.begin() + 10);
  EXPECT_EQ(first, (std::vector<uint8_t>{3, 8, 8, 0, 6, 6, 1, 6, 3, 1}));
  std::vector<int> per_class(10, 0);
  for (uint8_t l : set->labels) per_class[l]++;
  for (int c : per_class) EXPECT_EQ(c, 1000);
}

TEST(Cifar10, RejectsBadFiles) {
  const auto dir = std::filesystem::temp_directory_path() / "adderq_cifar_test";
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "partial.bin", std::ios::binary) << std::string(kCifarRecord + 5, '\0');
    std::string bad_label(kCifarRecord, '\0');
    bad_label[0] = 10;
    std::ofstream(dir / "label.bin", std::ios::binary) << bad_label;
  }
  auto a = ReadCifar10File((dir / "partial.bin").string());
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("whole number"), std::string::npos);
  auto b = ReadCifar10File((dir / "label.bin").string());
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("label 10"), std::string::npos);
  EXPECT_FALSE(ReadCifar10File((dir / "missing.bin").string()).ok());
  std::filesystem::remove_all(dir);
}

TEST(Cifar10, NormalizeAndAugment) {
  std::vector<uint8_t> img(kCifarPixels);
  for (size_t i = 0; i < img.size(); ++i) img[i] = uint8_t(i % 251);
  const std::vector<float> mean{0.5f, 0.25f, 0.f}, std{0.5f, 0.25f, 1.f};
  std::vector<float> out(kCifarPixels);
  Normalize(img.data(), 1, mean, std, out.data());
  EXPECT_FLOAT_EQ(out[0], (0.f / 255.f - 0.5f) / 0.5f);
  EXPECT_FLOAT_EQ(out[1024 + 3], (float(img[1024 + 3]) / 255.f - 0.25f) / 0.25f);
  // Every augmented image is a shifted (and maybe mirrored) copy: each output pixel is 0 or the
  // source pixel at an offset within 4.
  std::mt19937_64 rng(3);
  std::vector<uint8_t> aug(kCifarPixels);
  for (int trial = 0; trial < 20; ++trial) {
    AugmentCropFlip(img.data(), aug.data(), rng);
    int matches = 0;
    for (size_t i = 0; i < aug.size(); ++i) matches += aug[i] != 0;
    EXPECT_GE(matches, 3 * 28 * 28 - 3 * 32);  // at most 4 rows/cols padded per side (minus true zeros)
  }
}

// Both layouts give channel c of pixel p of image n, normalised with channel c's mean and std, at
// out[n][c][p]; the table holds those very floats for every byte. Odd sizes: 5 channels, 3 x 7.
TEST(PixelInput, BothLayoutsAndTheTableGiveTheSameFloats) {
  constexpr int kImages = 2, kC = 5, kPlane = 21;
  const std::vector<float> mean{0.4914f, 0.4822f, 0.4465f, 0.f, 1.f}, std{0.2470f, 0.2435f, 0.2616f, 1.f, 0.5f};
  std::mt19937 rng(5);
  std::vector<uint8_t> planar(size_t(kImages) * kC * kPlane);
  for (uint8_t& v : planar) v = uint8_t(rng());
  const std::vector<uint8_t> interleaved = testing::Interleave(planar, kC, kPlane);
  ASSERT_EQ(interleaved[size_t(kPlane + 2) * kC + 4], planar[size_t(kC + 4) * kPlane + 2]);  // image 1, pixel 2, channel 4
  std::vector<float> from_planar(planar.size()), from_interleaved(planar.size());
  NormalizePixels(planar, PixelLayout::kPlanar, kImages, kC, kPlane, mean, std, from_planar.data());
  NormalizePixels(interleaved, PixelLayout::kInterleaved, kImages, kC, kPlane, mean, std, from_interleaved.data());
  const std::vector<float> table = NormalizationTable(mean, std);
  ASSERT_EQ(table.size(), size_t(kC) * 256);
  for (int n = 0; n < kImages; ++n)
    for (int c = 0; c < kC; ++c)
      for (int p = 0; p < kPlane; ++p) {
        const size_t i = size_t((n * kC + c) * kPlane + p);
        const float expected = NormalizePixel(planar[i], mean[size_t(c)], 1.f / std[size_t(c)]);
        ASSERT_EQ(std::memcmp(&from_planar[i], &expected, 4), 0) << n << " " << c << " " << p;
        ASSERT_EQ(std::memcmp(&from_interleaved[i], &expected, 4), 0) << n << " " << c << " " << p;
        ASSERT_EQ(std::memcmp(&table[size_t(c) * 256 + planar[i]], &expected, 4), 0) << c << " " << int(planar[i]);
      }
  // data::Normalize is the planar form over CIFAR-10's shape.
  std::vector<uint8_t> cifar(2 * kCifarPixels);
  for (uint8_t& v : cifar) v = uint8_t(rng());
  std::vector<float> a(cifar.size()), b(cifar.size());
  Normalize(cifar.data(), 2, {mean.data(), 3}, {std.data(), 3}, a.data());
  NormalizePixels(cifar, PixelLayout::kPlanar, 2, 3, 1024, {mean.data(), 3}, {std.data(), 3}, b.data());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)), 0);
  EXPECT_EQ(b[1024 + 7], NormalizePixel(cifar[1024 + 7], mean[1], 1.f / std[1]));
}

}  // namespace
}  // namespace adderq::data
