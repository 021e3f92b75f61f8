#include "compile.h"

#include <chrono>
#include <filesystem>

#include "core/file_io.h"
#include "core/version.h"
#include "frontends/checkpoint.h"
#include "passes/fold_batchnorm.h"
#include "resnet_cifar.h"
#include "writer/artifact_writer.h"

namespace adderq::compiler {

Result<Method> ParseMethod(const std::string& name) {
  if (name == "fp") return Method::kFullPrecision;
  if (name == "adderquant") return Method::kAdderQuant;
  if (name == "shared-scale") return Method::kSharedScale;
  return InvalidArgument("unknown method '{}' (expected adderquant, shared-scale or fp)", name);
}

const char* MethodName(Method m) {
  switch (m) {
    case Method::kFullPrecision: return "fp";
    case Method::kAdderQuant: return "adderquant";
    case Method::kSharedScale: return "shared-scale";
  }
  return "?";
}

namespace {

class PhaseTimer {
 public:
  explicit PhaseTimer(std::vector<PhaseTime>& out) : out_(out) {}
  template <typename Fn>
  auto Run(const std::string& name, Fn&& fn) {
    const auto t0 = std::chrono::steady_clock::now();
    auto result = fn();
    out_.push_back({name, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()});
    return result;
  }

 private:
  std::vector<PhaseTime>& out_;
};

// Every option that can change the artifact's bytes, recorded in its metadata.
std::map<std::string, std::string> RecordedOptions(const CompileOptions& o) {
  std::map<std::string, std::string> m{{"method", MethodName(o.method)}};
  if (o.method == Method::kFullPrecision) return m;
  m["bits"] = std::to_string(o.bits);
  m["groups"] = std::to_string(o.method == Method::kSharedScale ? 1 : o.groups);
  m["calib_batches"] = std::to_string(o.calib_batches);
  m["batch_size"] = std::to_string(o.batch_size);
  m["act_ratio"] = fmt::format("{}", o.act_ratio);
  m["seed"] = std::to_string(o.seed);
  m["bn_adjust"] = o.bn_adjust ? "true" : "false";
  return m;
}

}  // namespace

Result<CompileReport> Compile(const CompileOptions& o) {
  CompileReport report;
  PhaseTimer timer(report.phases);
  ADQ_ASSIGN_OR_RETURN(frontends::CheckpointFormat format, frontends::ParseCheckpointFormat(o.format));
  ADQ_ASSIGN_OR_RETURN(frontends::LoadedCheckpoint ckpt,
                       timer.Run("import", [&] { return frontends::ReadCheckpoint(o.checkpoint, format); }));
  report.checkpoint_format = ckpt.format;
  auto built = models::BuildCifarResNetAdder(ckpt.state);
  if (!built.ok()) return built.status().WithContext(o.checkpoint);
  Graph graph = std::move(built).value();
  graph.meta.source_checkpoint = std::filesystem::path(o.checkpoint).filename().string();
  graph.meta.source_sha256 = ckpt.sha256;
  graph.meta.compiler_version = kAdderqVersion;
  graph.meta.method = MethodName(o.method);
  graph.meta.compile_options = RecordedOptions(o);

  if (o.method != Method::kFullPrecision)
    return Unsupported("method '{}' is not implemented yet", MethodName(o.method));

  ADQ_RETURN_IF_ERROR(timer.Run("fold-bn", [&] { return passes::FoldBatchNorms(graph); }));
  ADQ_ASSIGN_OR_RETURN(report.artifact, timer.Run("serialize", [&] { return writer::SerializeArtifact(graph); }));
  if (!o.output.empty())
    ADQ_RETURN_IF_ERROR(timer.Run("write", [&] { return WriteFileAtomic(o.output, report.artifact); }));
  report.graph = std::move(graph);
  return report;
}

}  // namespace adderq::compiler
