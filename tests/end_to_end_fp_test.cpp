// Full-precision pipeline end to end: compile the official checkpoint, write and reload the
// artifact, evaluate on the first 2000 real test images.
#include <gtest/gtest.h>

#include <filesystem>

#include "compile.h"
#include "core/artifact_loader.h"
#include "eval/evaluate.h"
#include "test_support.h"

namespace adderq {
namespace {

TEST(EndToEndFp, AccuracyOnTestSlice) {
  const std::string ckpt = testing::SharedPath("checkpoints/resnet20_adder_cifar10.pth");
  const std::string data = testing::SharedPath("data/cifar-10-batches-bin");
  if (ckpt.empty() || data.empty()) GTEST_SKIP() << "../shared data not present";
  const auto out = std::filesystem::temp_directory_path() / "adderq_e2e_fp.adq";
  compiler::CompileOptions opt;
  opt.checkpoint = ckpt;
  opt.output = out.string();
  opt.method = compiler::Method::kFullPrecision;
  auto report = compiler::Compile(opt);
  ASSERT_TRUE(report.ok()) << report.status().message();
  auto graph = LoadArtifactFile(out.string());
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  EXPECT_EQ(graph->meta.architecture, "resnet20_adder_cifar");
  EXPECT_EQ(graph->meta.source_sha256, "fe3ad7c15573d34cddd9b3ec2eed12d9c2c818e59cd7d0797a954d6f76ea375b");
  // Every BatchNorm folded: 1 stem conv + 18 3x3 adders + 2 downsample adders + fc.
  int compute = 0;
  for (const Node& n : graph->nodes) {
    EXPECT_NE(n.kind, OpKind::kBatchNorm) << n.name;
    compute += n.kind == OpKind::kConv2d || n.kind == OpKind::kAdder2d;
  }
  EXPECT_EQ(compute, 22);
  auto ex = Executor::Create(graph.value());
  ASSERT_TRUE(ex.ok());
  auto test = data::LoadCifar10Test(data);
  ASSERT_TRUE(test.ok());
  eval::EvalOptions eo;
  eo.limit = 2000;
  auto acc = eval::Evaluate(graph.value(), **ex, test.value(), eo);
  ASSERT_TRUE(acc.ok()) << acc.status().message();
  // Measured with this code: 1842 / 2000 (all 10,000: 91.82%, published 91.8%).
  EXPECT_EQ(acc->images, 2000u);
  EXPECT_NEAR(acc->top1(), 92.1, 0.3);
  std::filesystem::remove(out);
}

}  // namespace
}  // namespace adderq
