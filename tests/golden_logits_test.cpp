// The fp artifact's logits on the first 100 CIFAR-10 test images against PyTorch (float64
// reference, tools/torch_reference.py -> fixtures/resnet20_first100_logits.bin).
#include <gtest/gtest.h>

#include <cstring>

#include "compile.h"
#include "core/artifact_loader.h"
#include "cpu/executor.h"
#include "data/cifar10.h"
#include "test_support.h"

namespace adderq {
namespace {

TEST(GoldenLogits, FullPrecisionMatchesPyTorch) {
  const std::string ckpt = testing::SharedPath("checkpoints/resnet20_adder_cifar10.pth");
  const std::string data = testing::SharedPath("data/cifar-10-batches-bin");
  if (ckpt.empty() || data.empty()) GTEST_SKIP() << "../shared data not present";
  const auto golden = testing::ReadAll(testing::FixturePath("resnet20_first100_logits.bin"));
  ASSERT_GE(golden.size(), 12u);
  ASSERT_EQ(std::memcmp(golden.data(), "ADQL", 4), 0);
  uint32_t images = 0, classes = 0;
  std::memcpy(&images, golden.data() + 4, 4);
  std::memcpy(&classes, golden.data() + 8, 4);
  ASSERT_EQ(images, 100u);
  ASSERT_EQ(classes, 10u);
  ASSERT_EQ(golden.size(), 12u + 4u * images * classes);
  std::vector<float> ref(images * classes);
  std::memcpy(ref.data(), golden.data() + 12, ref.size() * 4);

  compiler::CompileOptions opt;
  opt.checkpoint = ckpt;
  opt.method = compiler::Method::kFullPrecision;
  auto report = compiler::Compile(opt);
  ASSERT_TRUE(report.ok()) << report.status().message();
  // Through the serialized artifact, as adderq-run sees it.
  auto graph = LoadArtifactFromMemory(report->artifact);
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  auto ex = Executor::Create(graph.value());
  ASSERT_TRUE(ex.ok());
  auto test = data::LoadCifar10Test(data);
  ASSERT_TRUE(test.ok());
  std::vector<float> input(images * data::kCifarPixels), logits;
  data::Normalize(test->image(0), images, graph->meta.mean, graph->meta.std, input.data());
  ASSERT_TRUE((*ex)->Run(input, int(images), logits).ok());
  ASSERT_EQ(logits.size(), ref.size());
  float max_diff = 0.f, max_abs = 0.f;
  int argmax_agree = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    max_diff = std::max(max_diff, std::abs(logits[i] - ref[i]));
    max_abs = std::max(max_abs, std::abs(ref[i]));
  }
  for (uint32_t n = 0; n < images; ++n) {
    const float* a = &logits[n * classes];
    const float* b = &ref[n * classes];
    argmax_agree += std::max_element(a, a + classes) - a == std::max_element(b, b + classes) - b;
  }
  RecordProperty("max_abs_logit_difference", std::to_string(max_diff));
  std::printf("max |logit - pytorch| = %.3g (max |logit| %.3g)\n", max_diff, max_abs);
  // float32 sums of ~600 terms of up to ~70 against a float64 reference: measured 4.7e-3 (2.8e-4 of the largest logit).
  EXPECT_LT(max_diff, 1e-2f);
  EXPECT_EQ(argmax_agree, 100);
}

}  // namespace
}  // namespace adderq
