// adderq::Model: a verified, immutable loaded artifact, shared by every Session made from it.
#include "api/api_internal.h"
#include "core/artifact_loader.h"
#include "core/version.h"

namespace adderq {
namespace api {

ErrorCode ToErrorCode(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument: return ErrorCode::kInvalidArgument;
    case StatusCode::kBadInput: return ErrorCode::kBadInput;
    case StatusCode::kUnsupported: return ErrorCode::kUnsupported;
    case StatusCode::kOk:
    case StatusCode::kRuntime:
    case StatusCode::kCancelled: break;
  }
  return ErrorCode::kRuntime;
}

void Throw(const Status& status) { throw Error(ToErrorCode(status.code()), status.message()); }

}  // namespace api

namespace {

std::shared_ptr<const Model::Impl> MakeImpl(Graph graph) {
  auto impl = std::make_shared<Model::Impl>();
  ModelInfo& info = impl->info;
  const ModelMetadata& m = graph.meta;
  info.architecture = m.architecture;
  info.method = m.method;
  info.compiler_version = m.compiler_version;
  info.source_checkpoint = m.source_checkpoint;
  info.input_channels = graph.ShapeOf(graph.input).c;
  info.input_height = graph.ShapeOf(graph.input).h;
  info.input_width = graph.ShapeOf(graph.input).w;
  info.resize_shorter = graph.meta.resize_shorter;
  info.mean = m.mean;
  info.std = m.std;
  const size_t classes = graph.ShapeOf(graph.output).size();
  for (size_t c = 0; c < classes; ++c)
    info.class_names.push_back(c < m.class_names.size() ? m.class_names[c] : "class " + std::to_string(c));
  for (const Node& n : graph.nodes)
    if (n.kind == OpKind::kAdder2d) info.adder_bits.push_back(n.quant.bits);
  impl->graph = std::move(graph);
  return impl;
}

}  // namespace

Model Model::Load(const std::string& path) { return Model(MakeImpl(api::ValueOrThrow(LoadArtifactFile(path)))); }

Model Model::FromMemory(std::span<const std::uint8_t> bytes) {
  return Model(MakeImpl(api::ValueOrThrow(LoadArtifactFromMemory(bytes))));
}

const ModelInfo& Model::info() const { return impl_->info; }

std::size_t Model::input_size() const { return impl_->graph.ShapeOf(impl_->graph.input).size(); }

std::string Version() { return kAdderqVersion; }

}  // namespace adderq
