#include <gtest/gtest.h>

#include <random>

#include "frontends/checkpoint.h"
#include "frontends/torch/torch_checkpoint.h"
#include "test_support.h"

namespace adderq::frontends {
namespace {

// tests/fixtures/tiny_state_{zip,legacy}.pth were written by tools/make_torch_fixtures.py.
void ExpectTinyState(StateDict sd) {
  sd.StripPrefix("module.");
  ASSERT_EQ(sd.size(), 7u);
  const TensorData* f32 = sd.Find("f32");
  ASSERT_TRUE(f32);
  EXPECT_EQ(f32->dtype, DType::kFloat32);
  EXPECT_EQ(f32->shape, (std::vector<int64_t>{2, 3, 4}));
  for (size_t i = 0; i < 24; ++i) EXPECT_EQ(f32->values[i], double(i) * 0.5 - 3.0);

  const TensorData* f64 = sd.Find("f64");
  ASSERT_TRUE(f64);
  EXPECT_EQ(f64->dtype, DType::kFloat64);
  EXPECT_EQ(f64->values, (std::vector<double>{1.5, -2.25, 1e-300}));

  const TensorData* f16 = sd.Find("f16");
  ASSERT_TRUE(f16);
  EXPECT_EQ(f16->dtype, DType::kFloat16);
  EXPECT_EQ(f16->values[0], 0.5);
  EXPECT_EQ(f16->values[1], -1.0);
  EXPECT_EQ(f16->values[2], 65504.0);
  EXPECT_NEAR(f16->values[3], 6.1035e-05, 1e-8);

  const TensorData* i64 = sd.Find("i64");
  ASSERT_TRUE(i64);
  EXPECT_EQ(i64->values, (std::vector<double>{-1, 2, 3, double(int64_t(1) << 40)}));

  const TensorData* scalar = sd.Find("scalar");
  ASSERT_TRUE(scalar);
  EXPECT_TRUE(scalar->shape.empty());
  EXPECT_EQ(scalar->values, std::vector<double>{7});

  // base[1].t(): shape [4,3], element (i, j) = base[1][j][i] = (12 + 4j + i) * 0.5 - 3.
  const TensorData* tr = sd.Find("transposed");
  ASSERT_TRUE(tr);
  EXPECT_EQ(tr->shape, (std::vector<int64_t>{4, 3}));
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j) EXPECT_EQ(tr->values[size_t(i * 3 + j)], (12 + 4 * j + i) * 0.5 - 3.0);

  // base[:, 1, :]: shape [2,4], element (a, k) = base[a][1][k] = (12a + 4 + k) * 0.5 - 3.
  const TensorData* sl = sd.Find("slice");
  ASSERT_TRUE(sl);
  for (int a = 0; a < 2; ++a)
    for (int k = 0; k < 4; ++k) EXPECT_EQ(sl->values[size_t(a * 4 + k)], (12 * a + 4 + k) * 0.5 - 3.0);
}

TEST(TorchReader, ZipFixture) {
  auto sd = ReadTorchCheckpoint(testing::ReadAll(testing::FixturePath("tiny_state_zip.pth")));
  ASSERT_TRUE(sd.ok()) << sd.status().message();
  ExpectTinyState(sd.value());
}

TEST(TorchReader, LegacyFixture) {
  auto sd = ReadTorchCheckpoint(testing::ReadAll(testing::FixturePath("tiny_state_legacy.pth")));
  ASSERT_TRUE(sd.ok()) << sd.status().message();
  ExpectTinyState(sd.value());
}

TEST(TorchReader, OfficialLegacyCheckpoint) {
  const std::string path = testing::SharedPath("checkpoints/resnet20_adder_cifar10.pth");
  if (path.empty()) GTEST_SKIP() << "../shared checkpoint not present";
  auto ck = ReadCheckpoint(path);
  ASSERT_TRUE(ck.ok()) << ck.status().message();
  EXPECT_EQ(ck->format, "torch-legacy");
  const StateDict& sd = ck->state;
  EXPECT_EQ(sd.size(), 132u);
  EXPECT_EQ(sd.entries().front().first, "conv1.weight");  // "module." stripped, file order kept
  const TensorData* w = sd.Find("layer3.2.conv2.adder");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->shape, (std::vector<int64_t>{64, 64, 3, 3}));
  const TensorData* nbt = sd.Find("bn1.num_batches_tracked");
  ASSERT_TRUE(nbt);
  EXPECT_EQ(nbt->dtype, DType::kInt64);
  EXPECT_TRUE(nbt->shape.empty());
  // The known dead stem channel: bn1 running_var[13] ~ 1e-14.
  EXPECT_LT(sd.Find("bn1.running_var")->values[13], 1e-10);
}

// Every truncation and many single-byte corruptions must fail cleanly or parse; never crash.
void FuzzLite(const std::vector<uint8_t>& good) {
  for (size_t n = 0; n < good.size(); n += std::max<size_t>(1, good.size() / 300)) {
    std::vector<uint8_t> cut(good.begin(), good.begin() + long(n));
    auto r = ReadTorchCheckpoint(cut);
    EXPECT_FALSE(r.ok()) << "truncated to " << n << " bytes parsed";
    if (!r.ok()) {
      EXPECT_FALSE(r.status().message().empty());
    }
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> bad = good;
    bad[rng() % bad.size()] ^= uint8_t(1u << (rng() % 8));
    (void)ReadTorchCheckpoint(bad);  // must return, either way
  }
}

TEST(TorchReader, TruncatedAndCorruptLegacy) { FuzzLite(testing::ReadAll(testing::FixturePath("tiny_state_legacy.pth"))); }
TEST(TorchReader, TruncatedAndCorruptZip) { FuzzLite(testing::ReadAll(testing::FixturePath("tiny_state_zip.pth"))); }

TEST(TorchReader, ClearErrors) {
  const std::string junk = "hello, this is not a checkpoint";
  auto r = ReadTorchCheckpoint({reinterpret_cast<const uint8_t*>(junk.data()), junk.size()});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not a PyTorch checkpoint"), std::string::npos);
  // A pickle calling a global outside the allow-list (os.system) is refused by name.
  const std::string evil = std::string("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.", 15) +
                           "\x80\x02M\xe9\x03." + "\x80\x02}." + "\x80\x02" "cos\nsystem\nX\x02\x00\x00\x00lsR.";
  r = ReadTorchCheckpoint({reinterpret_cast<const uint8_t*>(evil.data()), evil.size()});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("disallowed global os.system"), std::string::npos) << r.status().message();
  auto missing = ReadCheckpoint("/nonexistent/model.pth");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/model.pth"), std::string::npos);
}

}  // namespace
}  // namespace adderq::frontends
