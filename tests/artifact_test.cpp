#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "adderq_generated.h"
#include "core/artifact_checksum.h"
#include "core/artifact_loader.h"
#include "core/version.h"
#include "test_support.h"
#include "writer/artifact_writer.h"

namespace adderq {
namespace {

Graph QuantizedSample() {
  std::vector<float> w(8 * 3 * 3 * 3);
  for (size_t i = 0; i < w.size(); ++i) w[i] = float(i % 7) - 3.f;
  Graph g = testing::SingleLayerGraph(OpKind::kAdder2d, {3, 6, 6}, 8, 3, 2, 1, w);
  Node& n = g.nodes[0];
  n.quant.bits = 4;
  n.quant.group_scale = {1.5f, 3.f};
  n.quant.channel_group = {0, 1, 0, 1, 0, 1, 1, 1};
  n.quant.codes.resize(n.WeightCount());
  for (size_t i = 0; i < n.quant.codes.size(); ++i) n.quant.codes[i] = int16_t(int(i % 16) - 8);
  n.quant.clamp_bias.assign(8, 0.f);
  n.quant.act_range = 2.5f;
  g.meta.architecture = "test";
  g.meta.class_names = {"a", "b"};
  g.meta.compile_options = {{"bits", "4"}, {"seed", "0"}};
  return g;
}

TEST(Artifact, RoundTripKeepsEverything) {
  const Graph g = QuantizedSample();
  auto bytes = writer::SerializeArtifact(g);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  auto back = LoadArtifactFromMemory(bytes.value());
  ASSERT_TRUE(back.ok()) << back.status().message();
  const Node& a = g.nodes[0];
  const Node& b = back->nodes[0];
  EXPECT_EQ(b.kind, OpKind::kAdder2d);
  EXPECT_EQ(b.stride, 2);
  EXPECT_EQ(b.padding, 1);
  EXPECT_TRUE(b.weight.empty());  // a quantized layer stores codes only
  EXPECT_EQ(b.quant.codes, a.quant.codes);
  EXPECT_EQ(b.quant.group_scale, a.quant.group_scale);
  EXPECT_EQ(b.quant.channel_group, a.quant.channel_group);
  EXPECT_EQ(b.quant.act_range, a.quant.act_range);
  EXPECT_EQ(b.affine_scale, a.affine_scale);
  EXPECT_EQ(back->meta.compile_options, g.meta.compile_options);
  EXPECT_EQ(back->meta.class_names, g.meta.class_names);
  // Same graph, same bytes.
  EXPECT_EQ(writer::SerializeArtifact(back.value()).value(), bytes.value());
}

TEST(Artifact, RejectsCorruptBuffers) {
  auto bytes = writer::SerializeArtifact(QuantizedSample()).value();
  EXPECT_FALSE(LoadArtifactFromMemory({bytes.data(), 7}).ok());
  auto wrong_id = bytes;
  wrong_id[4] = 'X';
  auto r = LoadArtifactFromMemory(wrong_id);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("file identifier"), std::string::npos);
  for (size_t cut : {bytes.size() / 2, bytes.size() - 1, size_t(16)})
    EXPECT_FALSE(LoadArtifactFromMemory({bytes.data(), cut}).ok()) << cut;
  // Any flipped bit is caught: by the verifier, or else by the checksum over every byte.
  std::mt19937 rng(5);
  for (int i = 0; i < 3000; ++i) {
    auto bad = bytes;
    const size_t at = rng() % bad.size();
    bad[at] ^= uint8_t(1u << (rng() % 8));
    auto g = LoadArtifactFromMemory(bad);
    EXPECT_FALSE(g.ok()) << "flip at byte " << at;
  }
  auto flipped = bytes;
  flipped[bytes.size() / 2] ^= 1;
  auto r2 = LoadArtifactFromMemory(flipped);
  ASSERT_FALSE(r2.ok());
}

TEST(Artifact, ChecksumCoversTheWholeBuffer) {
  auto bytes = writer::SerializeArtifact(QuantizedSample()).value();
  // A change the verifier cannot see (a float in the weights) is refused by the checksum.
  Graph g = QuantizedSample();
  g.nodes[0].affine_shift[0] = 1.f;
  auto other = writer::SerializeArtifact(g).value();
  ASSERT_EQ(other.size(), bytes.size());
  size_t diff = 0;
  for (size_t i = 0; i < bytes.size(); ++i) diff += bytes[i] != other[i];
  EXPECT_GT(diff, 0u);
  const size_t at = size_t(schema::GetModel(bytes.data())->checksum()->data() - bytes.data());
  auto patched = bytes;
  for (size_t i = 0; i < bytes.size(); ++i)
    if (i < at || i >= at + 32) patched[i] = other[i];  // the new content, the old checksum
  auto r = LoadArtifactFromMemory(patched);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("checksum"), std::string::npos) << r.status().message();
}

TEST(Artifact, RejectsUnknownSchemaVersion) {
  flatbuffers::FlatBufferBuilder b;
  schema::ModelBuilder mb(b);
  mb.add_schema_version(99);
  schema::FinishModelBuffer(b, mb.Finish());
  auto r = LoadArtifactFromMemory({b.GetBufferPointer(), b.GetSize()});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("schema version 99"), std::string::npos);
}

TEST(Artifact, SemanticChecksCatchInconsistentData) {
  Graph g = QuantizedSample();
  g.nodes[0].quant.channel_group[3] = 5;  // group out of range
  EXPECT_FALSE(writer::SerializeArtifact(g).ok());
  g = QuantizedSample();
  g.nodes[0].quant.bits = 9;
  EXPECT_FALSE(ValidateGraph(g).ok());
  g = QuantizedSample();
  g.tensors[1].shape.h = 4;  // wrong output shape
  EXPECT_FALSE(ValidateGraph(g).ok());
}

// Writes `value` into a scalar field of a table that the writer stored (it must be present), then
// re-signs the buffer: what a file with other contents but a valid checksum would hold.
// `table` points into `original`, of which `bytes` is a copy.
template <typename T>
void PatchField(std::vector<uint8_t>& bytes, const std::vector<uint8_t>& original, const flatbuffers::Table* table,
                flatbuffers::voffset_t field, T value) {
  const uint8_t* at = table->GetAddressOf(field);
  ASSERT_NE(at, nullptr) << "field not stored";
  std::memcpy(bytes.data() + (at - original.data()), &value, sizeof value);
  const size_t sum_at = size_t(schema::GetModel(bytes.data())->checksum()->data() - bytes.data());
  const auto digest = ArtifactDigest(bytes, sum_at);
  std::copy(digest.begin(), digest.end(), bytes.begin() + long(sum_at));
}

TEST(Artifact, UnsignedCodesRoundTripAsSchemaVersionTwo) {
  const Graph signed_graph = QuantizedSample();
  auto v1 = writer::SerializeArtifact(signed_graph).value();
  EXPECT_EQ(schema::GetModel(v1.data())->schema_version(), 1u) << "signed codes only: readable by version-1 runtimes";
  const Graph g = testing::WithUnsignedCodes(signed_graph, 4u);
  auto bytes = writer::SerializeArtifact(g);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  EXPECT_EQ(schema::GetModel(bytes->data())->schema_version(), kSchemaVersionUnsignedCodes);
  auto back = LoadArtifactFromMemory(bytes.value());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->nodes[0].quant.code_kind, quant::WeightCodeKind::kUnsigned);
  EXPECT_EQ(back->nodes[0].quant.codes, g.nodes[0].quant.codes);  // 0..15, not sign-extended
  EXPECT_EQ(*std::max_element(back->nodes[0].quant.codes.begin(), back->nodes[0].quant.codes.end()), 15);
  EXPECT_EQ(writer::SerializeArtifact(back.value()).value(), bytes.value());
}

TEST(Artifact, WeightCodeKindIsChecked) {
  const Graph g = testing::WithUnsignedCodes(QuantizedSample(), 4u);
  const auto good = writer::SerializeArtifact(g).value();
  const auto* model = schema::GetModel(good.data());
  const auto* quant = reinterpret_cast<const flatbuffers::Table*>(model->nodes()->Get(0)->quant());
  // Unsigned codes claimed by a version-1 file: a version-1 runtime would read them as signed.
  auto as_v1 = good;
  PatchField<uint32_t>(as_v1, good, reinterpret_cast<const flatbuffers::Table*>(model), schema::Model::VT_SCHEMA_VERSION, 1u);
  auto r = LoadArtifactFromMemory(as_v1);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("unsigned weight codes in a schema version 1"), std::string::npos) << r.status().message();
  // A kind this runtime does not know.
  auto unknown = good;
  PatchField<uint8_t>(unknown, good, quant, schema::AdderQuant::VT_WEIGHT_CODES, 7);
  r = LoadArtifactFromMemory(unknown);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(r.status().message().find("weight code kind 7"), std::string::npos) << r.status().message();
  // Codes outside the kind's range are refused before a kernel sees them.
  Graph bad = g;
  bad.nodes[0].quant.codes[3] = 16;
  EXPECT_FALSE(ValidateGraph(bad).ok());
  bad.nodes[0].quant.codes[3] = -1;
  EXPECT_FALSE(ValidateGraph(bad).ok());
  Graph signed_codes = QuantizedSample();  // where -8 is a valid code
  signed_codes.nodes[0].quant.codes[3] = -8;
  EXPECT_TRUE(ValidateGraph(signed_codes).ok()) << ValidateGraph(signed_codes).message();
}

}  // namespace
}  // namespace adderq
