// Pins the artifact format: the committed golden file must load, and the writer must still produce
// it byte for byte from the same graph. If this fails after a schema or writer change, the format
// changed: bump kSchemaVersion (runtime/core/version.h) and regenerate the golden file with
// `build/bin/make_fuzz_seeds DIR` (seed1.adq) on purpose.
#include <gtest/gtest.h>

#include <cstring>

#include "adderq_generated.h"
#include "compile.h"
#include "core/artifact_loader.h"
#include "cpu/executor.h"
#include "data/cifar10.h"
#include "core/version.h"
#include "test_support.h"
#include "writer/artifact_writer.h"

namespace adderq {
namespace {

TEST(GoldenArtifact, SchemaV1BytesArePinned) {
  const auto golden = testing::ReadAll(testing::FixturePath("golden_schema_v1_quantized.adq"));
  ASSERT_FALSE(golden.empty());
  auto g = LoadArtifactFromMemory(golden);
  ASSERT_TRUE(g.ok()) << g.status().message();
  EXPECT_EQ(g->nodes[0].quant.bits, 3);
  EXPECT_EQ(g->nodes[0].quant.channel_group, (std::vector<int>{0, 1, 1, 0}));
  auto bytes = writer::SerializeArtifact(testing::SampleQuantizedGraph());
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes.value(), golden) << "the artifact bytes changed: bump kSchemaVersion (now " << kSchemaVersion
                                   << ") if the meaning changed, then regenerate the golden file";
}

// The official ResNet-20 compiled by adderq before unsigned weight codes existed (schema version 1:
// `adderq-compile --bits 5 --calib-batches 16`, commit efef836), with its CPU logits on the first
// 256 test images from that build (`adderq-run eval --limit 256 --save-logits`). Today's runtime
// must give the very same logits, and today's compiler, asked for the paper's method with the same
// options, the very same bytes.
class LegacyArtifact : public ::testing::Test {
 protected:
  void SetUp() override {
    golden_ = testing::ReadAll(testing::FixturePath("resnet20_w5_schema_v1.adq"));
    ASSERT_FALSE(golden_.empty());
  }
  std::vector<uint8_t> golden_;
};

TEST_F(LegacyArtifact, LoadsAndGivesTheSameLogits) {
  const std::string data = testing::SharedPath("data/cifar-10-batches-bin");
  if (data.empty()) GTEST_SKIP() << "../shared data not present";
  ASSERT_EQ(schema::GetModel(golden_.data())->schema_version(), 1u);
  auto g = LoadArtifactFromMemory(golden_);
  ASSERT_TRUE(g.ok()) << g.status().message();
  for (const Node& n : g->nodes)
    if (n.kind == OpKind::kAdder2d) {
      EXPECT_EQ(n.quant.code_kind, quant::WeightCodeKind::kSignedDoubled) << n.name;
    }
  const auto expected = testing::ReadAll(testing::FixturePath("resnet20_w5_schema_v1_first256_logits.bin"));
  const size_t images = 256;
  ASSERT_EQ(expected.size(), images * 10 * sizeof(float));
  auto test = data::LoadCifar10Test(data);
  ASSERT_TRUE(test.ok()) << test.status().message();
  std::vector<float> input(images * data::kCifarPixels), logits;
  data::Normalize(test->image(0), images, g->meta.mean, g->meta.std, input.data());
  auto ex = Executor::Create(*g, 0);
  ASSERT_TRUE(ex.ok()) << ex.status().message();
  ASSERT_TRUE((*ex)->Run(input, int(images), logits).ok());
  ASSERT_EQ(logits.size() * sizeof(float), expected.size());
  EXPECT_EQ(std::memcmp(logits.data(), expected.data(), expected.size()), 0);
}

TEST_F(LegacyArtifact, ThePapersMethodStillWritesTheSameBytes) {
  const std::string ckpt = testing::SharedPath("checkpoints/resnet20_adder_cifar10.pth");
  const std::string data = testing::SharedPath("data/cifar-10-batches-bin");
  if (ckpt.empty() || data.empty()) GTEST_SKIP() << "../shared data not present";
  compiler::CompileOptions o;
  o.checkpoint = ckpt;
  o.calib_data = data;
  o.bits = 5;
  o.calib_batches = 16;
  o.clamp = compiler::Clamp::kSymmetric;
  o.act_range = compiler::ActRange::kPercentile;
  o.bn_adjust = true;
  o.progress = false;
  auto r = compiler::Compile(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->artifact, golden_) << "the paper's method no longer reproduces its artifacts byte for byte";
}

}  // namespace
}  // namespace adderq
