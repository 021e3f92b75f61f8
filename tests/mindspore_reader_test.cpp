// The MindSpore reader on the real checkpoints in ../shared/checkpoints/mindspore (written by
// MindSpore versions from 2020 to 2025), on synthesized edge cases (split tensors, scalars, the
// CRC trailer, mismatched dims), and on truncated or corrupted bytes.
#include <gtest/gtest.h>

#include <random>
#include <zlib.h>

#include "frontends/checkpoint.h"
#include "frontends/mindspore/mindspore_checkpoint.h"
#include "name_maps.h"
#include "test_support.h"

namespace adderq::frontends {
namespace {

Result<StateDict> ReadShared(const std::string& name) {
  return ReadMindSporeCheckpoint(testing::ReadAll(testing::SharedPath("checkpoints/mindspore/" + name)));
}

class MindSporeReal : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::SharedPath("checkpoints/mindspore").empty()) GTEST_SKIP() << "../shared checkpoints not present";
  }
};

TEST_F(MindSporeReal, LeNetWithOptimizerStateAndFloat64Scalars) {
  auto sd = ReadShared("mindarmour_checkpoint_lenet-10_1875.ckpt");
  ASSERT_TRUE(sd.ok()) << sd.status().message();
  EXPECT_EQ(sd->size(), 18u);
  const TensorData* fc1 = sd->Find("fc1.weight");
  ASSERT_TRUE(fc1);
  EXPECT_EQ(fc1->shape, (std::vector<int64_t>{120, 400}));
  const TensorData* lr = sd->Find("learning_rate");
  ASSERT_TRUE(lr);
  EXPECT_EQ(lr->dtype, DType::kFloat64);
  EXPECT_TRUE(lr->shape.empty());  // dims [0] with one element: a scalar
  EXPECT_EQ(lr->values, std::vector<double>{0.001});
  EXPECT_EQ(sd->Find("momentum")->values, std::vector<double>{0.9});
  EXPECT_TRUE(sd->Find("moments.fc3.bias"));
  const TensorData* conv1 = sd->Find("conv1.weight");
  EXPECT_FLOAT_EQ(float(*std::max_element(conv1->values.begin(), conv1->values.end())), 0.6837608218193054f);
}

TEST_F(MindSporeReal, EveryParameterFileParses) {
  const std::vector<std::tuple<std::string, size_t, std::string, std::vector<int64_t>>> files = {
      {"code3_pde_net_step20_epoch200.ckpt", 18, "fd_x0_y0.free_moment", {5, 5}},
      {"competition_mvsnet_model_000005.ckpt", 89, "feature.conv0.conv.weight", {8, 3, 3, 3}},
      {"goldenstick_test_linears_woq_predict_2stage_fp32.ckpt", 4, "linear1.weight", {6, 5}},
      {"goldenstick_test_sq_predict_simplenet_2stage_fp.ckpt", 2, "linear.bias", {8}},
      {"mindquantum_dense_ode_net_step20.ckpt", 1, "trainable_w", {5, 5}}};
  for (const auto& [file, count, name, shape] : files) {
    auto sd = ReadShared(file);
    ASSERT_TRUE(sd.ok()) << file << ": " << sd.status().message();
    EXPECT_EQ(sd->size(), count) << file;
    const TensorData* t = sd->Find(name);
    ASSERT_TRUE(t) << file << " lacks " << name;
    EXPECT_EQ(t->shape, shape) << file;
    EXPECT_EQ(t->dtype, DType::kFloat32);
  }
  // First values of the single-tensor file, read independently from its bytes.
  auto ode = ReadShared("mindquantum_dense_ode_net_step20.ckpt");
  EXPECT_FLOAT_EQ(float(ode->Find("trainable_w")->values[0]), 0.940382719039917f);
  EXPECT_FLOAT_EQ(float(ode->Find("trainable_w")->values[2]), 0.525521993637085f);
  // BatchNorm naming in nested cells.
  auto mvs = ReadShared("competition_mvsnet_model_000005.ckpt");
  EXPECT_TRUE(mvs->Find("feature.conv0.bn.moving_variance"));
}

TEST_F(MindSporeReal, StrategyFileIsRejected) {
  auto sd = ReadShared("goldenstick_ckpt_strategy_rank_0.ckpt");
  ASSERT_FALSE(sd.ok());
  EXPECT_NE(sd.status().message().find("not a MindSpore parameter checkpoint"), std::string::npos);
}

TEST_F(MindSporeReal, TruncatedAndCorruptNeverCrash) {
  const auto good = testing::ReadAll(testing::SharedPath("checkpoints/mindspore/goldenstick_test_linears_woq_predict_2stage_fp32.ckpt"));
  for (size_t n = 0; n < good.size(); ++n) {
    auto r = ReadMindSporeCheckpoint({good.data(), n});
    if (n < 150) {  // inside the first record
      EXPECT_FALSE(r.ok()) << n;
    }
    if (!r.ok()) {
      EXPECT_FALSE(r.status().message().empty());
    }
  }
  std::mt19937 rng(9);
  for (int i = 0; i < 3000; ++i) {
    auto bad = good;
    bad[rng() % bad.size()] ^= uint8_t(1u << (rng() % 8));
    (void)ReadMindSporeCheckpoint(bad);
  }
}

// --- synthesized files -------------------------------------------------------------------------

void Varint(std::vector<uint8_t>& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(uint8_t(v | 0x80));
    v >>= 7;
  }
  out.push_back(uint8_t(v));
}
void Field(std::vector<uint8_t>& out, uint32_t field, const std::vector<uint8_t>& bytes) {
  Varint(out, (uint64_t(field) << 3) | 2);
  Varint(out, bytes.size());
  out.insert(out.end(), bytes.begin(), bytes.end());
}
std::vector<uint8_t> Str(const std::string& s) { return {s.begin(), s.end()}; }
std::vector<uint8_t> Record(const std::string& tag, const std::vector<uint64_t>& dims, const std::string& type,
                            const std::vector<uint8_t>& content) {
  std::vector<uint8_t> tensor, value, rec;
  for (uint64_t d : dims) {
    Varint(tensor, (1u << 3) | 0);
    Varint(tensor, d);
  }
  Field(tensor, 2, Str(type));
  Field(tensor, 3, content);
  Field(value, 1, Str(tag));
  Field(value, 2, tensor);
  Field(rec, 1, value);
  return rec;
}
template <typename T>
std::vector<uint8_t> Bytes(std::vector<T> v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

TEST(MindSporeSynthetic, SplitTensorsTypesAndScalars) {
  std::vector<uint8_t> file;
  const auto a = Record("w", {2, 3}, "Float32", Bytes<float>({1, 2, 3}));
  const auto b = Record("w", {2, 3}, "Float32", Bytes<float>({4, 5, 6}));
  const auto c = Record("s", {}, "Int32", Bytes<int32_t>({-7}));
  const auto d = Record("h", {2}, "Float16", {0x00, 0x3c, 0x00, 0xc0});  // 1.0, -2.0
  const auto e = Record("bf", {1}, "BFloat16", {0x80, 0x3f});            // 1.0
  const auto f = Record("u8", {3}, "UInt8", {1, 2, 255});
  const auto g = Record("ok", {2}, "Bool", {0, 1});
  const auto h = Record("name", {0}, "str", Str("hello"));  // a string parameter: skipped
  for (const auto* r : {&a, &b, &c, &d, &e, &f, &g, &h}) file.insert(file.end(), r->begin(), r->end());
  auto sd = ReadMindSporeCheckpoint(file);
  ASSERT_TRUE(sd.ok()) << sd.status().message();
  EXPECT_EQ(sd->size(), 6u);
  EXPECT_EQ(sd->Find("w")->values, (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_TRUE(sd->Find("s")->shape.empty());
  EXPECT_EQ(sd->Find("s")->values, std::vector<double>{-7});
  EXPECT_EQ(sd->Find("h")->values, (std::vector<double>{1.0, -2.0}));
  EXPECT_EQ(sd->Find("bf")->values, std::vector<double>{1.0});
  EXPECT_EQ(sd->Find("u8")->values, (std::vector<double>{1, 2, 255}));
  EXPECT_EQ(sd->Find("ok")->values, (std::vector<double>{0, 1}));
}

TEST(MindSporeSynthetic, CrcTrailerIsVerified) {
  std::vector<uint8_t> file = Record("w", {2}, "Float32", Bytes<float>({1.5f, -2.f}));
  const uint64_t crc = crc32(0L, file.data(), uInt(file.size()));
  std::vector<uint8_t> with = file;
  for (char ch : std::string("crc_num")) with.push_back(uint8_t(ch));
  for (int i = 9; i >= 0; --i) with.push_back(uint8_t(i < 8 ? (crc >> (8 * i)) & 0xff : 0));
  auto ok = ReadMindSporeCheckpoint(with);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->Find("w")->values, (std::vector<double>{1.5, -2}));
  auto bad = with;
  bad[bad.size() - 30] ^= 0x01;  // inside the tensor content
  auto r = ReadMindSporeCheckpoint(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("CRC mismatch"), std::string::npos) << r.status().message();
}

TEST(MindSporeSynthetic, ClearErrors) {
  auto mismatch = ReadMindSporeCheckpoint(Record("w", {2, 2}, "Float32", Bytes<float>({1, 2, 3})));
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.status().message().find("dims give 4 elements but the content holds 3"), std::string::npos);
  auto strings_only = ReadMindSporeCheckpoint(Record("name", {0}, "str", Str("x")));
  ASSERT_FALSE(strings_only.ok());
  EXPECT_NE(strings_only.status().message().find("no numeric tensors"), std::string::npos);
  std::vector<uint8_t> random(300);
  std::mt19937 rng(1);
  for (auto& x : random) x = uint8_t(rng());
  random[0] = 0x53;  // not field 1 / length-delimited
  EXPECT_FALSE(ReadMindSporeCheckpoint(random).ok());
  EXPECT_FALSE(ReadMindSporeCheckpoint({}).ok());
}

TEST(MindSporeNames, MapsToCanonical) {
  StateDict ms;
  TensorData t;
  t.values = {1};
  for (const char* n : {"bn1.gamma", "bn1.beta", "bn1.moving_mean", "bn1.moving_variance", "layer1.0.conv1.adder",
                        "layer1.0.conv1.adder_new", "layer1.0.conv1.scale_para", "moments.conv1.weight",
                        "learning_rate", "global_step", "layer2.0.downsample.1.gamma"})
    ms.Add(n, t);
  const StateDict c = models::MindSporeToCanonical(ms);
  std::vector<std::string> names;
  for (const auto& [n, x] : c.entries()) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
                                             "layer1.0.conv1.adder", "layer2.0.downsample.1.weight"}));
}

}  // namespace
}  // namespace adderq::frontends
