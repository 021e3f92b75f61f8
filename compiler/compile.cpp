#include "compile.h"

#include <chrono>
#include <filesystem>

#include "calibration_cache.h"
#include "core/file_io.h"
#include "core/paths.h"
#include "core/progress.h"
#include "core/version.h"
#include "frontends/checkpoint.h"
#include "passes/bn_reestimate.h"
#include "passes/calibrate.h"
#include "passes/fold_batchnorm.h"
#include "passes/quantize_adders.h"
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

Result<Clamp> ParseClamp(const std::string& name) {
  if (name == "symmetric") return Clamp::kSymmetric;
  if (name == "one-sided") return Clamp::kOneSided;
  return InvalidArgument("unknown clamp '{}' (expected one-sided or symmetric)", name);
}

const char* ClampName(Clamp c) { return c == Clamp::kOneSided ? "one-sided" : "symmetric"; }

Result<ActRange> ParseActRange(const std::string& name) {
  if (name == "percentile") return ActRange::kPercentile;
  if (name == "search") return ActRange::kSearch;
  return InvalidArgument("unknown activation range '{}' (expected search or percentile)", name);
}

const char* ActRangeName(ActRange r) { return r == ActRange::kSearch ? "search" : "percentile"; }

void UsePapersMethod(CompileOptions& o, bool calib_batches_given) {
  o.clamp = Clamp::kSymmetric;
  o.act_range = ActRange::kPercentile;
  if (!calib_batches_given) o.calib_batches = kPaperCalibBatches;
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

// Every option that can change the artifact's bytes, recorded in its metadata. The paper's
// choices (symmetric clamp, percentile range) add no key, so its artifacts keep their bytes.
std::map<std::string, std::string> RecordedOptions(const CompileOptions& o) {
  std::map<std::string, std::string> m{{"method", MethodName(o.method)}};
  if (o.method == Method::kFullPrecision) return m;
  m["bits"] = std::to_string(o.bits);
  m["groups"] = std::to_string(o.method == Method::kSharedScale ? 1 : o.groups);
  m["calib_batches"] = std::to_string(o.calib_batches);
  m["batch_size"] = std::to_string(o.batch_size);
  if (o.method == Method::kAdderQuant && o.clamp == Clamp::kOneSided) m["clamp"] = ClampName(o.clamp);
  if (o.act_range == ActRange::kSearch) m["act_range"] = ActRangeName(o.act_range);
  else m["act_ratio"] = fmt::format("{}", o.act_ratio);
  m["seed"] = std::to_string(o.seed);
  m["bn_adjust"] = o.bn_adjust ? "true" : "false";
  return m;
}

Status ValidateQuantOptions(const CompileOptions& o) {
  if (o.bits < 2 || o.bits > 8) return InvalidArgument("--bits {} is not supported (2..8)", o.bits);
  if (o.groups < 1 || o.groups > 256) return InvalidArgument("--groups {} is not supported (1..256)", o.groups);
  if (!(o.act_ratio > 0.0 && o.act_ratio <= 1.0)) return InvalidArgument("--act-ratio {} must be in (0, 1]", o.act_ratio);
  if (o.calib_batches < 1 || o.batch_size < 1) return InvalidArgument("--calib-batches and --batch-size must be positive");
  return Status::Ok();
}

// Steps 1-5 of ALGORITHM.md on the float graph (BatchNorms still separate).
Status Quantize(const CompileOptions& o, const std::string& checkpoint_sha, Graph& graph, PhaseTimer& timer,
                CompileReport& report) {
  ADQ_RETURN_IF_ERROR(ValidateQuantOptions(o));
  ADQ_ASSIGN_OR_RETURN(std::string calib_dir, ResolveDataDir(o.calib_data, "--calib-data"));
  ADQ_ASSIGN_OR_RETURN(auto train, timer.Run("load-calib", [&] {
                         return data::OpenLabeledImages(calib_dir, data::Split::kTrain, data::InputForm::Of(graph.meta));
                       }));
  ADQ_ASSIGN_OR_RETURN(passes::CalibrationBatches batches,
                       passes::CalibrationBatches::Create(*train, graph.meta, o.calib_batches, o.batch_size, o.seed, o.threads));

  CalibrationKey key{checkpoint_sha, o.calib_batches, o.batch_size, o.act_ratio, o.seed};
  if (o.act_range == ActRange::kSearch) key.range = fmt::format("search-b{}", o.bits);  // the clip depends on bits
  std::map<std::string, float> ranges;
  if (!o.calib_cache.empty()) {
    ADQ_ASSIGN_OR_RETURN(ranges, LoadCalibrationCache(o.calib_cache, key));
  }
  if (ranges.empty()) {
    Progress bar("calibrate", o.progress);
    passes::CalibrateOptions co;
    co.method = o.act_range == ActRange::kSearch ? passes::RangeMethod::kSearch : passes::RangeMethod::kPercentile;
    co.act_ratio = o.act_ratio;
    co.bits = o.bits;
    co.threads = o.threads;
    co.cancelled = o.cancelled;
    co.progress = [&](size_t d, size_t t) {
      bar.Update(d, t);
      if (o.on_progress) o.on_progress("calibrate", d, t);
    };
    if (o.collect_report_data)
      co.observe = [&](size_t node, std::span<const float> input) {
        // About 1024 values per batch and layer: enough for a histogram, 16 MB for a default compile.
        std::vector<float>& sample = report.layer_data[graph.nodes[node].name].activation_sample;
        const size_t stride = std::max<size_t>(1, input.size() / 1024);
        for (size_t i = 0; i < input.size(); i += stride) sample.push_back(input[i]);
      };
    ADQ_ASSIGN_OR_RETURN(ranges, timer.Run("calibrate", [&] { return passes::CalibrateActivationRanges(graph, batches, co); }));
    if (!o.calib_cache.empty()) ADQ_RETURN_IF_ERROR(SaveCalibrationCache(o.calib_cache, key, ranges));
  }

  if (o.collect_report_data)
    for (const Node& n : graph.nodes)
      if (n.kind == OpKind::kAdder2d) report.layer_data[n.name].float_weights = n.weight;

  passes::QuantizeOptions qo;
  qo.method = o.method == Method::kSharedScale ? passes::ScaleMethod::kSharedScale : passes::ScaleMethod::kAdderQuant;
  qo.bits = o.bits;
  qo.groups = o.method == Method::kSharedScale ? 1 : o.groups;
  qo.clamp = o.clamp == Clamp::kOneSided ? passes::ClampKind::kOneSided : passes::ClampKind::kSymmetric;
  if (IsCancelled(o.cancelled)) return Cancelled("compile");
  ADQ_RETURN_IF_ERROR(timer.Run("quantize", [&] { return passes::QuantizeAdderLayers(graph, ranges, qo); }));

  if (o.bn_adjust) {
    Progress bar("bn-reestimate", o.progress);
    passes::BnReestimateOptions bo;
    bo.threads = o.threads;
    bo.cancelled = o.cancelled;
    bo.progress = [&](size_t d, size_t t) {
      bar.Update(d, t);
      if (o.on_progress) o.on_progress("bn-reestimate", d, t);
    };
    ADQ_RETURN_IF_ERROR(timer.Run("bn-reestimate", [&] { return passes::ReestimateBatchNorm(graph, batches, bo); }));
  }
  return Status::Ok();
}

}  // namespace

Result<CompileReport> Compile(const CompileOptions& o) {
  CompileReport report;
  PhaseTimer timer(report.phases);
  ADQ_ASSIGN_OR_RETURN(frontends::CheckpointFormat format, frontends::ParseCheckpointFormat(o.format));
  ADQ_ASSIGN_OR_RETURN(frontends::LoadedCheckpoint ckpt,
                       timer.Run("import", [&] { return frontends::ReadCheckpoint(o.checkpoint, format); }));
  report.checkpoint_format = ckpt.format;
  ADQ_ASSIGN_OR_RETURN(Graph graph, BuildModelGraph(ckpt, o.checkpoint, o.input));
  graph.meta.source_checkpoint = std::filesystem::path(o.checkpoint).filename().string();
  graph.meta.source_sha256 = ckpt.sha256;
  graph.meta.compiler_version = kAdderqVersion;
  graph.meta.method = MethodName(o.method);
  graph.meta.compile_options = RecordedOptions(o);

  if (IsCancelled(o.cancelled)) return Cancelled("compile");
  if (o.method != Method::kFullPrecision) ADQ_RETURN_IF_ERROR(Quantize(o, ckpt.sha256, graph, timer, report));
  if (IsCancelled(o.cancelled)) return Cancelled("compile");

  ADQ_RETURN_IF_ERROR(timer.Run("fold-bn", [&] { return passes::FoldBatchNorms(graph); }));
  ADQ_ASSIGN_OR_RETURN(report.artifact, timer.Run("serialize", [&] { return writer::SerializeArtifact(graph); }));
  if (!o.output.empty())
    ADQ_RETURN_IF_ERROR(timer.Run("write", [&] { return WriteFileAtomic(o.output, report.artifact); }));
  report.graph = std::move(graph);
  return report;
}

}  // namespace adderq::compiler
