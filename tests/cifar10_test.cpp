#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "data/cifar10.h"
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

}  // namespace
}  // namespace adderq::data
