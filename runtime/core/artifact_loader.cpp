#include "core/artifact_loader.h"

#include "adderq_generated.h"
#include "core/artifact_checksum.h"
#include "core/bit_packing.h"
#include "core/file_io.h"
#include "core/version.h"

namespace adderq {
namespace {

namespace fb = adderq::schema;

template <typename T>
std::vector<T> ToVector(const flatbuffers::Vector<T>* v) {
  return v ? std::vector<T>(v->begin(), v->end()) : std::vector<T>{};
}

std::string ToString(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

Result<AdderQuantParams> DecodeQuant(const fb::AdderQuant& q, const Node& n, uint32_t schema_version) {
  AdderQuantParams p;
  p.bits = q.bits();
  if (p.bits < 2 || p.bits > 8) return Unsupported("node '{}': {} bits (supported: 2..8)", n.name, p.bits);
  p.group_scale = ToVector(q.group_scale());
  for (uint8_t g : ToVector(q.channel_group())) p.channel_group.push_back(g);
  p.clamp_bias = ToVector(q.clamp_bias());
  p.act_range = q.act_range();
  p.clamped_channels = q.clamped_channels();
  switch (q.weight_codes()) {
    case fb::WeightCodes::SignedDoubled: p.code_kind = quant::WeightCodeKind::kSignedDoubled; break;
    case fb::WeightCodes::Unsigned:
      // Written only with schema version >= 2 (a version-1 file claiming them is corrupt or forged).
      if (schema_version < kSchemaVersionUnsignedCodes)
        return BadInput("node '{}': unsigned weight codes in a schema version {} artifact", n.name, schema_version);
      p.code_kind = quant::WeightCodeKind::kUnsigned;
      break;
    default: return Unsupported("node '{}': weight code kind {} (this runtime knows 0 and 1)", n.name, int(q.weight_codes()));
  }
  if (!q.packed_weights()) return BadInput("node '{}': quantized layer without weights", n.name);
  const std::span<const uint8_t> packed(q.packed_weights()->data(), q.packed_weights()->size());
  auto codes = UnpackCodes(packed, n.WeightCount(), p.bits,
                           p.code_kind == quant::WeightCodeKind::kUnsigned ? CodeSign::kUnsigned : CodeSign::kSigned);
  if (!codes.ok()) return codes.status().WithContext(fmt::format("node '{}'", n.name));
  p.codes = std::move(codes).value();
  return p;
}

Result<Graph> Decode(const fb::Model& m) {
  Graph g;
  if (!IsSupportedSchemaVersion(m.schema_version()))
    return Unsupported("schema version {} (this runtime reads version {})", m.schema_version(), kSchemaVersion);
  if (!m.tensors() || !m.nodes() || !m.metadata()) return BadInput("artifact lacks tensors, nodes or metadata");

  const fb::Metadata& md = *m.metadata();
  g.meta.architecture = ToString(md.architecture());
  g.meta.input_shape = {md.input_channels(), md.input_height(), md.input_width()};
  g.meta.mean = ToVector(md.mean());
  g.meta.std = ToVector(md.std());
  if (md.class_names())
    for (const flatbuffers::String* s : *md.class_names()) g.meta.class_names.push_back(ToString(s));
  g.meta.source_checkpoint = ToString(md.source_checkpoint());
  g.meta.source_sha256 = ToString(md.source_sha256());
  g.meta.compiler_version = ToString(md.compiler_version());
  g.meta.method = ToString(md.method());
  g.meta.resize_shorter = md.resize_shorter();
  if (m.schema_version() < kSchemaVersionGeneralGraphs && g.meta.resize_shorter != 0)
    return BadInput("metadata: resize_shorter in a schema version {} artifact", m.schema_version());
  if (md.compile_options())
    for (const fb::KeyValue* kv : *md.compile_options())
      g.meta.compile_options[ToString(kv->key())] = ToString(kv->value());

  for (const fb::TensorInfo* t : *m.tensors())
    g.tensors.push_back({ToString(t->name()), {t->channels(), t->height(), t->width()}});
  for (const fb::Node* fn : *m.nodes()) {
    Node n;
    if (uint8_t(fn->kind()) > uint8_t(fb::OpKind::MAX))
      return Unsupported("node '{}': op kind {} is newer than this runtime", ToString(fn->name()), int(fn->kind()));
    n.kind = OpKind(uint8_t(fn->kind()));
    n.name = ToString(fn->name());
    n.inputs = ToVector(fn->inputs());
    n.output = fn->output();
    n.out_channels = fn->out_channels();
    n.in_channels = fn->in_channels();
    n.kernel_h = fn->kernel_h();
    n.kernel_w = fn->kernel_w();
    n.stride = fn->stride();
    n.padding = fn->padding();
    n.weight = ToVector(fn->weight());
    n.affine_scale = ToVector(fn->affine_scale());
    n.affine_shift = ToVector(fn->affine_shift());
    n.bn_gamma = ToVector(fn->bn_gamma());
    n.bn_beta = ToVector(fn->bn_beta());
    n.bn_mean = ToVector(fn->bn_mean());
    n.bn_var = ToVector(fn->bn_var());
    n.bn_eps = fn->bn_eps();
    n.pool_kernel = fn->pool_kernel();
    n.pool_stride = fn->pool_stride();
    n.pool_padding = fn->pool_padding();
    if (m.schema_version() < kSchemaVersionGeneralGraphs && (n.kind == OpKind::kMaxPool || n.pool_padding != 0))
      return BadInput("node '{}': max pooling in a schema version {} artifact", n.name, m.schema_version());
    if (fn->quant()) {
      if (n.kind != OpKind::kAdder2d) return BadInput("node '{}': quantization on a non-adder node", n.name);
      if (n.out_channels <= 0 || n.in_channels <= 0 || n.kernel_h <= 0 || n.kernel_w <= 0 ||
          n.WeightCount() > (size_t(1) << 32))
        return BadInput("node '{}': bad geometry", n.name);
      ADQ_ASSIGN_OR_RETURN(n.quant, DecodeQuant(*fn->quant(), n, m.schema_version()));
    }
    g.nodes.push_back(std::move(n));
  }
  g.input = m.input();
  g.output = m.output();
  ADQ_RETURN_IF_ERROR(ValidateGraph(g));
  return g;
}

}  // namespace

Result<Graph> LoadArtifactFromMemory(std::span<const uint8_t> bytes) {
  if (bytes.size() < 8) return BadInput("not an adderq artifact ({} bytes)", bytes.size());
  if (!fb::ModelBufferHasIdentifier(bytes.data()))
    return BadInput("not an adderq artifact (file identifier is not \"{}\")", fb::ModelIdentifier());
  flatbuffers::Verifier verifier(bytes.data(), bytes.size());
  if (!fb::VerifyModelBuffer(verifier)) return BadInput("corrupt artifact (FlatBuffers verification failed)");
  const fb::Model& model = *fb::GetModel(bytes.data());
  if (!IsSupportedSchemaVersion(model.schema_version()))
    return Unsupported("schema version {} (this runtime reads version {})", model.schema_version(), kSchemaVersion);
  const auto* stored = model.checksum();
  if (!stored || stored->size() != 32) return BadInput("artifact has no checksum");
  const size_t at = size_t(stored->data() - bytes.data());
  const auto digest = ArtifactDigest(bytes, at);
  if (!std::equal(digest.begin(), digest.end(), stored->begin()))
    return BadInput("artifact checksum mismatch (the file was modified or is corrupt)");
  return Decode(model);
}

Result<Graph> LoadArtifactFile(const std::string& path) {
  auto bytes = ReadFileBytes(path, uint64_t(2) << 30);
  if (!bytes.ok()) return bytes.status();
  auto g = LoadArtifactFromMemory(bytes.value());
  if (!g.ok()) return g.status().WithContext(path);
  return g;
}

}  // namespace adderq
