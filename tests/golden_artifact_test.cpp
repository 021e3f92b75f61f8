// Pins the artifact format: the committed golden file must load, and the writer must still produce
// it byte for byte from the same graph. If this fails after a schema or writer change, the format
// changed: bump kSchemaVersion (runtime/core/version.h) and regenerate the golden file with
// `build/bin/make_fuzz_seeds DIR` (seed1.adq) on purpose.
#include <gtest/gtest.h>

#include "core/artifact_loader.h"
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

}  // namespace
}  // namespace adderq
