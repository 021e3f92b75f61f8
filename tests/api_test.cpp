// The public C++ API (adderq.hpp): loading, sessions, pixels vs. the evaluation path (bit-exact),
// several threads sharing one model, predictions, and errors as adderq::Error with the right code.
#include <cmath>
#include <cstring>
#include <functional>
#include <thread>

#include <gtest/gtest.h>

#include "adderq/adderq.hpp"
#include "compile.h"
#include "core/artifact_loader.h"
#include "cpu/executor.h"
#include "data/cifar10.h"
#include "test_support.h"
#include "writer/artifact_writer.h"

namespace adderq {
namespace {

std::vector<uint8_t> SyntheticArtifact(int bits) {
  auto bytes = writer::SerializeArtifact(testing::SyntheticResNet(20, bits, 7));
  EXPECT_TRUE(bytes.ok()) << bytes.status().message();
  return bytes.value();
}

// CIFAR records are planar; the API's pixels are interleaved.
std::vector<uint8_t> Interleave(const uint8_t* planar, size_t count) {
  return testing::Interleave({planar, planar + count * data::kCifarPixels}, 3, 32 * 32);
}

ErrorCode CodeOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()), "");
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "one-line messages";
    return e.code();
  }
  ADD_FAILURE() << "no adderq::Error thrown";
  return ErrorCode::kRuntime;
}

TEST(PublicApi, ModelInfoFromMemory) {
  const Model m = Model::FromMemory(SyntheticArtifact(4));
  EXPECT_EQ(m.info().architecture, "resnet20_adder_cifar");
  EXPECT_EQ(m.num_classes(), 10);
  EXPECT_EQ(m.input_size(), 3u * 32 * 32);
  EXPECT_EQ(m.info().adder_bits.size(), 20u);  // ResNet-20: 9 blocks x 2 adder layers + 2 downsample adders
  for (int b : m.info().adder_bits) EXPECT_EQ(b, 4);
}

TEST(PublicApi, RunEqualsTheExecutorBitForBit) {
  const std::vector<uint8_t> bytes = SyntheticArtifact(3);
  const Model m = Model::FromMemory(bytes);
  Session s(m, {Device::kCpu, 2});
  std::vector<float> input(4 * m.input_size());
  for (size_t i = 0; i < input.size(); ++i) input[i] = std::sin(float(i) * 0.37f);
  const std::vector<float> logits = s.Run(input, 4);
  auto graph = LoadArtifactFromMemory(bytes);
  ASSERT_TRUE(graph.ok());
  auto ex = Executor::Create(graph.value(), 1);
  std::vector<float> want;
  ASSERT_TRUE((*ex)->Run(input, 4, want).ok());
  ASSERT_EQ(logits.size(), 40u);
  EXPECT_EQ(0, std::memcmp(logits.data(), want.data(), want.size() * sizeof(float)));
}

class RealModel : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string ckpt = testing::SharedPath("checkpoints/resnet20_adder_cifar10.pth");
    data_ = testing::SharedPath("data/cifar-10-batches-bin");
    if (ckpt.empty() || data_.empty()) GTEST_SKIP() << "../shared data not present";
    compiler::CompileOptions o;
    o.checkpoint = ckpt;
    o.method = compiler::Method::kFullPrecision;
    o.progress = false;
    auto r = compiler::Compile(o);
    ASSERT_TRUE(r.ok()) << r.status().message();
    artifact_ = r->artifact;
    auto test = data::LoadCifar10Test(data_);
    ASSERT_TRUE(test.ok());
    test_ = std::move(test).value();
  }
  std::string data_;
  std::vector<uint8_t> artifact_;
  data::ImageSet test_;
};

// Pixels through the API give exactly the logits of the evaluation path (data::Normalize).
TEST_F(RealModel, PixelsGiveTheEvaluationLogits) {
  const Model m = Model::FromMemory(artifact_);
  Session s(m, {Device::kCpu, 0});
  constexpr size_t kImages = 50;
  const std::vector<float> got = s.RunPixels(Interleave(test_.image(0), kImages), int(kImages));
  auto graph = LoadArtifactFromMemory(artifact_);
  std::vector<float> input(kImages * data::kCifarPixels), want;
  data::Normalize(test_.image(0), kImages, graph->meta.mean, graph->meta.std, input.data());
  auto ex = Executor::Create(graph.value(), 1);
  ASSERT_TRUE((*ex)->Run(input, int(kImages), want).ok());
  ASSERT_EQ(got.size(), want.size());
  EXPECT_EQ(0, std::memcmp(got.data(), want.data(), want.size() * sizeof(float)));
  // And the top class is the label for most of them (full precision: 91% over the test set).
  int correct = 0;
  for (size_t i = 0; i < kImages; ++i)
    correct += TopK(m, {got.data() + i * 10, 10}, 1)[0].index == test_.labels[i];
  EXPECT_GE(correct, 43);
}

// One model, four threads, each with its own session: every thread gets the single-threaded
// answer, whatever the interleaving.
TEST_F(RealModel, ThreadsShareOneModelWithOwnSessions) {
  const Model m = Model::FromMemory(artifact_);
  constexpr size_t kImages = 20;
  const std::vector<uint8_t> pixels = Interleave(test_.image(0), kImages);
  const std::vector<float> want = Session(m, {Device::kCpu, 1}).RunPixels(pixels, int(kImages));
  std::vector<std::vector<float>> got(4);
  {
    std::vector<std::jthread> threads;
    for (size_t t = 0; t < got.size(); ++t)
      threads.emplace_back([&, t] {
        Session s(m, {Device::kCpu, int(t % 2) + 1});
        for (int rep = 0; rep < 3; ++rep) got[t] = s.RunPixels(pixels, int(kImages));
      });
  }
  for (const auto& g : got) {
    ASSERT_EQ(g.size(), want.size());
    EXPECT_EQ(0, std::memcmp(g.data(), want.data(), want.size() * sizeof(float)));
  }
}

TEST_F(RealModel, SessionOutlivesItsModelHandle) {
  std::unique_ptr<Session> s;
  {
    const Model m = Model::FromMemory(artifact_);
    s = std::make_unique<Session>(m, SessionOptions{Device::kCpu, 1});
  }
  const std::vector<float> logits = s->RunPixels(Interleave(test_.image(0), 1), 1);
  EXPECT_EQ(logits.size(), 10u);
}

TEST(PublicApi, SoftmaxAndTopK) {
  const Model m = Model::FromMemory(SyntheticArtifact(4));
  const std::vector<float> logits = {1, 3, 3, 0, -1000, 2, 0, 0, 0, 1e4f};
  const std::vector<float> p = Softmax(logits);
  double total = 0;
  for (float v : p) total += v;
  EXPECT_NEAR(total, 1.0, 1e-6);
  EXPECT_FLOAT_EQ(p[9], 1.f);
  const auto top = TopK(m, logits, 4);
  ASSERT_EQ(top.size(), 4u);
  EXPECT_EQ(top[0].index, 9);
  EXPECT_EQ(top[1].index, 1);  // tie with 2: lower index first
  EXPECT_EQ(top[2].index, 2);
  EXPECT_EQ(top[3].index, 5);
  EXPECT_EQ(top[0].name, m.info().class_names[9]);
  const std::vector<float> small = {0.f, std::log(3.f)};
  EXPECT_NEAR(Softmax(small)[1], 0.75, 1e-6);
  EXPECT_EQ(TopK(m, logits, 100).size(), 10u);
}

TEST(PublicApi, ErrorsCarryCodes) {
  EXPECT_EQ(CodeOf([] { Model::Load("/nonexistent/model.adq"); }), ErrorCode::kBadInput);
  std::vector<uint8_t> bytes = SyntheticArtifact(4);
  std::vector<uint8_t> truncated(bytes.begin(), bytes.begin() + long(bytes.size() / 2));
  EXPECT_EQ(CodeOf([&] { Model::FromMemory(truncated); }), ErrorCode::kBadInput);
  bytes[bytes.size() / 2] ^= 0x40;  // checksum no longer matches
  EXPECT_EQ(CodeOf([&] { Model::FromMemory(bytes); }), ErrorCode::kBadInput);

  const Model m = Model::FromMemory(SyntheticArtifact(4));
  Session s(m, {Device::kCpu, 1});
  std::vector<float> input(m.input_size());
  EXPECT_EQ(CodeOf([&] { s.Run(input, 2); }), ErrorCode::kInvalidArgument);   // one image's floats for two
  EXPECT_EQ(CodeOf([&] { s.Run(input, 0); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf([&] { s.RunPixels(std::vector<uint8_t>(5), 1); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf([&] { s.RunImages({}); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf([&] { TopK(m, std::vector<float>(3), 1); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf([&] { TopK(m, std::vector<float>(10), 0); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf([&] { Session(m, {Device::kCpu, -1}); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf([] { LoadImage("/nonexistent/cat.png"); }), ErrorCode::kBadInput);
  // --device cuda where the driver cannot be loaded (this machine, or a simulated absence).
  setenv("ADDERQ_CUDA_DRIVER", "/nonexistent/libcuda.so.1", 1);
  const ErrorCode no_gpu = CodeOf([&] { Session(m, {Device::kCuda, 0}); });
  EXPECT_TRUE(no_gpu == ErrorCode::kBadInput || no_gpu == ErrorCode::kUnsupported);
  Session fallback(m, {Device::kAuto, 1});
  EXPECT_NE(fallback.fallback_reason(), "");
  EXPECT_EQ(fallback.backend().rfind("cpu", 0), 0u);
  unsetenv("ADDERQ_CUDA_DRIVER");
}

}  // namespace
}  // namespace adderq
