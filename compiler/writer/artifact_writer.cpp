#include "writer/artifact_writer.h"

#include "adderq_generated.h"
#include "core/artifact_checksum.h"
#include "core/bit_packing.h"
#include "core/version.h"

namespace adderq::writer {
namespace {

namespace fb = adderq::schema;
using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;

template <typename T>
flatbuffers::Offset<flatbuffers::Vector<T>> VecOrNull(FlatBufferBuilder& b, const std::vector<T>& v) {
  return v.empty() ? 0 : b.CreateVector(v);
}

Offset<fb::AdderQuant> WriteQuant(FlatBufferBuilder& b, const AdderQuantParams& q) {
  std::vector<uint8_t> groups(q.channel_group.begin(), q.channel_group.end());
  const auto scales = b.CreateVector(q.group_scale);
  const auto channel_group = b.CreateVector(groups);
  const auto packed = b.CreateVector(PackCodes(q.codes, q.bits));
  const auto bias = VecOrNull(b, q.clamp_bias);
  fb::AdderQuantBuilder qb(b);
  qb.add_bits(uint8_t(q.bits));
  qb.add_group_scale(scales);
  qb.add_channel_group(channel_group);
  qb.add_packed_weights(packed);
  qb.add_clamp_bias(bias);
  qb.add_act_range(q.act_range);
  qb.add_clamped_channels(q.clamped_channels);
  // The default (signed) is not stored, so such layers keep their version-1 bytes.
  qb.add_weight_codes(fb::WeightCodes(q.code_kind));
  return qb.Finish();
}

Offset<fb::Node> WriteNode(FlatBufferBuilder& b, const Node& n) {
  const auto name = b.CreateString(n.name);
  const auto inputs = b.CreateVector(n.inputs);
  const bool quantized = n.kind == OpKind::kAdder2d && n.quant.enabled();
  const auto weight = quantized ? 0 : VecOrNull(b, n.weight);
  const auto scale = VecOrNull(b, n.affine_scale);
  const auto shift = VecOrNull(b, n.affine_shift);
  const auto gamma = VecOrNull(b, n.bn_gamma);
  const auto beta = VecOrNull(b, n.bn_beta);
  const auto mean = VecOrNull(b, n.bn_mean);
  const auto var = VecOrNull(b, n.bn_var);
  const auto quant = quantized ? WriteQuant(b, n.quant) : 0;
  fb::NodeBuilder nb(b);
  nb.add_kind(fb::OpKind(uint8_t(n.kind)));
  nb.add_name(name);
  nb.add_inputs(inputs);
  nb.add_output(n.output);
  nb.add_out_channels(n.out_channels);
  nb.add_in_channels(n.in_channels);
  nb.add_kernel_h(n.kernel_h);
  nb.add_kernel_w(n.kernel_w);
  nb.add_stride(n.stride);
  nb.add_padding(n.padding);
  nb.add_weight(weight);
  nb.add_affine_scale(scale);
  nb.add_affine_shift(shift);
  nb.add_bn_gamma(gamma);
  nb.add_bn_beta(beta);
  nb.add_bn_mean(mean);
  nb.add_bn_var(var);
  nb.add_bn_eps(n.bn_eps);
  nb.add_pool_kernel(n.pool_kernel);
  nb.add_pool_stride(n.pool_stride);
  nb.add_quant(quant);
  nb.add_pool_padding(n.pool_padding);  // 0 (the default) is not stored: older graphs keep their bytes
  return nb.Finish();
}

Offset<fb::Metadata> WriteMetadata(FlatBufferBuilder& b, const ModelMetadata& m) {
  const auto arch = b.CreateString(m.architecture);
  const auto mean = b.CreateVector(m.mean);
  const auto std = b.CreateVector(m.std);
  const auto classes = b.CreateVectorOfStrings(m.class_names);
  const auto src = b.CreateString(m.source_checkpoint);
  const auto sha = b.CreateString(m.source_sha256);
  const auto ver = b.CreateString(m.compiler_version);
  const auto method = b.CreateString(m.method);
  std::vector<Offset<fb::KeyValue>> kvs;
  for (const auto& [k, v] : m.compile_options) {  // std::map: already sorted by key
    // Value, then key, as separate statements: the order of a call's arguments is unspecified
    // (x86-64's GCC built the value first, aarch64's the key), and every artifact so far has the
    // value first, so every machine writes the same bytes.
    const auto value = b.CreateString(v);
    const auto key = b.CreateString(k);
    kvs.push_back(fb::CreateKeyValue(b, key, value));
  }
  const auto options = b.CreateVector(kvs);
  fb::MetadataBuilder mb(b);
  mb.add_architecture(arch);
  mb.add_input_channels(m.input_shape.c);
  mb.add_input_height(m.input_shape.h);
  mb.add_input_width(m.input_shape.w);
  mb.add_mean(mean);
  mb.add_std(std);
  mb.add_class_names(classes);
  mb.add_source_checkpoint(src);
  mb.add_source_sha256(sha);
  mb.add_compiler_version(ver);
  mb.add_method(method);
  mb.add_compile_options(options);
  mb.add_resize_shorter(m.resize_shorter);
  return mb.Finish();
}

// The lowest version whose readers compute this graph correctly (version.h).
uint32_t SchemaVersionFor(const Graph& graph) {
  if (graph.meta.resize_shorter != 0) return kSchemaVersionGeneralGraphs;
  for (const Node& n : graph.nodes)
    if (n.kind == OpKind::kMaxPool) return kSchemaVersionGeneralGraphs;
  for (const Node& n : graph.nodes)
    if (n.quant.enabled() && n.quant.code_kind == quant::WeightCodeKind::kUnsigned) return kSchemaVersionUnsignedCodes;
  return 1;
}

}  // namespace

Result<std::vector<uint8_t>> SerializeArtifact(const Graph& graph) {
  ADQ_RETURN_IF_ERROR(ValidateGraph(graph).WithContext("refusing to write an invalid graph"));
  FlatBufferBuilder b(1 << 20);
  const auto meta = WriteMetadata(b, graph.meta);
  std::vector<Offset<fb::TensorInfo>> tensors;
  for (const TensorDesc& t : graph.tensors)
    tensors.push_back(fb::CreateTensorInfo(b, b.CreateString(t.name), t.shape.c, t.shape.h, t.shape.w));
  const auto tensor_vec = b.CreateVector(tensors);
  std::vector<Offset<fb::Node>> nodes;
  for (const Node& n : graph.nodes) nodes.push_back(WriteNode(b, n));
  const auto node_vec = b.CreateVector(nodes);
  const auto checksum = b.CreateVector(std::vector<uint8_t>(32, 0));  // filled in below
  fb::ModelBuilder mb(b);
  mb.add_schema_version(SchemaVersionFor(graph));
  mb.add_metadata(meta);
  mb.add_tensors(tensor_vec);
  mb.add_nodes(node_vec);
  mb.add_input(graph.input);
  mb.add_output(graph.output);
  mb.add_checksum(checksum);
  fb::FinishModelBuffer(b, mb.Finish());
  std::vector<uint8_t> bytes(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
  // Hash the buffer with the checksum's bytes zero, then write the digest into them.
  const auto* stored = fb::GetModel(bytes.data())->checksum();
  const size_t at = size_t(stored->data() - bytes.data());
  const auto digest = ArtifactDigest(bytes, at);
  std::copy(digest.begin(), digest.end(), bytes.begin() + long(at));
  return bytes;
}

}  // namespace adderq::writer
