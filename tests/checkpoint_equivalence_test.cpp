// The official model in both formats: the MindSpore .ckpt (converted, bit-identical values, model-zoo
// names) and the PyTorch .pth compile, with the same options, to artifacts that differ only in the
// source-file metadata.
#include <gtest/gtest.h>

#include "compile.h"
#include "core/artifact_loader.h"
#include "test_support.h"
#include "writer/artifact_writer.h"

namespace adderq {
namespace {

std::vector<uint8_t> WithoutSource(const std::vector<uint8_t>& artifact) {
  Graph g = LoadArtifactFromMemory(artifact).value();
  g.meta.source_checkpoint.clear();
  g.meta.source_sha256.clear();
  return writer::SerializeArtifact(g).value();
}

TEST(CheckpointEquivalence, PthAndCkptGiveTheSameArtifact) {
  const std::string pth = testing::SharedPath("checkpoints/resnet20_adder_cifar10.pth");
  const std::string ckpt = testing::SharedPath("checkpoints/resnet20_adder_cifar10.ckpt");
  const std::string data = testing::SharedPath("data/cifar-10-batches-bin");
  if (pth.empty() || ckpt.empty() || data.empty()) GTEST_SKIP() << "../shared data not present";
  for (compiler::Method method : {compiler::Method::kFullPrecision, compiler::Method::kAdderQuant}) {
    compiler::CompileOptions o;
    o.method = method;
    o.calib_data = data;
    o.calib_batches = 3;
    o.batch_size = 16;
    o.progress = false;
    o.checkpoint = pth;
    auto a = compiler::Compile(o);
    o.checkpoint = ckpt;
    auto b = compiler::Compile(o);
    ASSERT_TRUE(a.ok()) << a.status().message();
    ASSERT_TRUE(b.ok()) << b.status().message();
    EXPECT_EQ(b->checkpoint_format, "mindspore");
    EXPECT_NE(a->artifact, b->artifact);  // the source metadata differs...
    EXPECT_EQ(WithoutSource(a->artifact), WithoutSource(b->artifact)) << compiler::MethodName(method);  // ...nothing else
  }
}

}  // namespace
}  // namespace adderq
