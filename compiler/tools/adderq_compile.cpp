// adderq-compile: full-precision AdderNet checkpoint -> quantized .adq artifact.
#include <cmath>
#include <cstdio>
#include <filesystem>

#include <CLI/CLI.hpp>

#include "compile.h"
#include "core/file_io.h"
#include "core/paths.h"
#include "core/version.h"
#include "report/html_report.h"
#include "tools/compile_summary.h"
#include "tools/inspect_checkpoint.h"

namespace {

struct ReportArgs {
  std::string html;                      // --report
  std::vector<std::string> evaluations;  // --report-eval
};

// BatchNorm re-estimation follows PyTorch's momentum 0.1 (ALGORITHM.md step 5) from the
// full-precision statistics, so n batches leave 0.9^n of them in place. With the paper's symmetric
// clamp, whose per-channel offsets the re-estimation must absorb, few batches are fine for a quick
// look but not for accuracy: the 4-bit ResNet-20 scored 11.5 % top-1 after 10 batches, 88.5 % after
// 20, 89.9 % after 44 (first 2000 test images) and 90.65 % after the paper's 202. The one-sided
// clamp has no such offsets and holds on 16 batches (docs/results.md), so it gets no note.
void WarnAboutShortBatchNormReestimation(const adderq::compiler::CompileOptions& o) {
  using adderq::compiler::Clamp, adderq::compiler::Method;
  const bool offsets = o.method == Method::kSharedScale || (o.method == Method::kAdderQuant && o.clamp == Clamp::kSymmetric);
  if (!o.bn_adjust || !offsets || o.calib_batches >= 44) return;
  std::fprintf(stderr,
               "adderq-compile: note: BatchNorm re-estimation over %d batches keeps %.0f%% of the full-precision statistics "
               "(momentum 0.1); low-bit models can lose most of their accuracy with the symmetric clamp (use >= 44 batches)\n",
               o.calib_batches, 100.0 * std::pow(0.9, o.calib_batches));
}

// The choices --clamp, --act-range and --paper make (strings as given on the command line).
struct RecipeArgs {
  std::string clamp = "symmetric", act_range = "percentile";
  bool paper = false;
  bool calib_batches_given = false;
};

adderq::Status Main(adderq::compiler::CompileOptions& o, const std::string& method, const RecipeArgs& recipe, bool json,
                    bool quiet, bool inspect, const ReportArgs& report_args) {
  using namespace adderq;
  if (inspect) {
    if (o.checkpoint.empty()) return InvalidArgument("--inspect needs a checkpoint");
    return compiler::InspectCheckpoint(o.checkpoint, o.format, json);
  }
  ADQ_ASSIGN_OR_RETURN(o.method, compiler::ParseMethod(method));
  ADQ_ASSIGN_OR_RETURN(o.clamp, compiler::ParseClamp(recipe.clamp));
  ADQ_ASSIGN_OR_RETURN(o.act_range, compiler::ParseActRange(recipe.act_range));
  if (recipe.paper) compiler::UsePapersMethod(o, recipe.calib_batches_given);
  ADQ_ASSIGN_OR_RETURN(o.checkpoint, ResolveCheckpoint(o.checkpoint));
  if (o.output.empty()) return InvalidArgument("no output given (-o OUT.adq)");
  if (json || quiet) o.progress = false;
  // Everything the report needs is checked before the long part.
  if (!report_args.evaluations.empty() && report_args.html.empty()) return InvalidArgument("--report-eval needs --report FILE.html");
  std::vector<report::EvalPoint> evals;
  for (const std::string& path : report_args.evaluations) {
    ADQ_ASSIGN_OR_RETURN(report::EvalPoint e, report::ReadEvalJson(path));
    evals.push_back(std::move(e));
  }
  if (!report_args.html.empty()) {
    const auto dir = std::filesystem::absolute(report_args.html).parent_path();
    if (!std::filesystem::is_directory(dir)) return InvalidArgument("--report {}: no such directory", report_args.html);
  }
  o.collect_report_data = !report_args.html.empty();
  ADQ_ASSIGN_OR_RETURN(compiler::CompileReport r, compiler::Compile(o));
  if (!json && !quiet) WarnAboutShortBatchNormReestimation(o);
  if (!report_args.html.empty()) {
    const std::string html = report::RenderHtmlReport(o, r, evals);
    ADQ_RETURN_IF_ERROR(WriteFileAtomic(report_args.html, {reinterpret_cast<const uint8_t*>(html.data()), html.size()}));
  }
  if (json) std::printf("%s\n", compiler::SummaryJson(o, r).dump().c_str());
  else if (!quiet) std::printf("%s", compiler::SummaryText(o, r).c_str());
  return Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  adderq::compiler::CompileOptions o;
  std::string method = "adderquant";
  RecipeArgs recipe;
  recipe.clamp = adderq::compiler::ClampName(o.clamp);
  recipe.act_range = adderq::compiler::ActRangeName(o.act_range);
  bool json = false, no_bn_adjust = false, inspect = false, quiet = false;
  ReportArgs report_args;
  CLI::App app{"adderq-compile: post-training quantization of AdderNets into .adq artifacts (AdderQuant, NeurIPS 2022,\n"
               "with an exact one-sided clamp and a searched activation range by default; --paper for the paper's method).\n"
               "Example: adderq-compile ../shared/checkpoints/resnet20_adder_cifar10.pth -o r20_w4.adq --bits 4\n"
               "Report: adderq-compile CKPT -o r20_w4.adq --report r20_w4.html --report-eval w4.json --report-eval w8.json"};
  app.set_version_flag("--version", std::string("adderq-compile ") + adderq::kAdderqVersion);
  app.add_option("checkpoint", o.checkpoint,
                 "ONNX model (.onnx: any AdderNet, adder layers as adderq::Adder2d), or a PyTorch (.pth, legacy or zip)\n"
                 "or MindSpore (.ckpt) checkpoint of a CIFAR ResNet (default: $ADDERQ_CHECKPOINT, then\n"
                 "../shared/checkpoints/resnet20_adder_cifar10.pth)");
  app.add_option("-o,--output", o.output, "artifact to write (.adq); written atomically");
  app.add_option("--method", method, "adderquant | shared-scale (one scale per layer, the prior baseline) | fp")->capture_default_str();
  app.add_option("--bits", o.bits, "bit width of weights and activations (2..8)")->capture_default_str();
  app.add_option("--groups", o.groups, "filter groups per adder layer (adderquant)")->capture_default_str();
  auto* clamp = app.add_option("--clamp", recipe.clamp,
                               "weight clamp (adderquant): one-sided (exact for inputs proven >= 0, unsigned codes on the\n"
                               "activations' grid; other layers stay symmetric) | symmetric (the paper's)")
                    ->capture_default_str();
  auto* act_range = app.add_option("--act-range", recipe.act_range,
                                   "activation range: search (the clip with the least quantization error at --bits) |\n"
                                   "percentile (the paper's, see --act-ratio)")
                        ->capture_default_str();
  app.add_option("--calib-data", o.calib_data,
                 "calibration images: a CIFAR-10 binary directory (data_batch_*.bin) or an ImageFolder directory (one\n"
                 "sub-directory of JPEG/PNG files per class) (default: $ADDERQ_DATA, then ../shared/data/cifar-10-batches-bin)");
  auto* calib_batches = app.add_option("--calib-batches", o.calib_batches, "calibration batches")->capture_default_str();
  app.add_option("--batch-size", o.batch_size, "calibration batch size")->capture_default_str();
  app.add_option("--act-ratio", o.act_ratio, "--act-range percentile: the quantile of |X| (applied twice, as the reference)")->capture_default_str();
  app.add_option("--seed", o.seed, "seed of the calibration shuffle and augmentation")->capture_default_str();
  app.add_flag("--no-bn-adjust", no_bn_adjust, "skip BatchNorm re-estimation");
  app.add_flag("--paper", recipe.paper,
               "the paper's AdderQuant exactly, as published: --clamp symmetric --act-range percentile and\n"
               "202 calibration batches (unless --calib-batches is given)")
      ->excludes(clamp)
      ->excludes(act_range);
  app.add_option("--calib-cache", o.calib_cache, "reuse (or write) the activation ranges in this file");
  app.add_option("--format", o.format, "input format: auto (from the content) | onnx | torch | mindspore")->capture_default_str();
  app.add_flag("--inspect", inspect, "list the model's graph (ONNX) and tensors (name, dtype, shape, values) and exit");
  app.add_option("--mean", o.input.mean,
                 "input normalisation, one value per channel on pixel/255 (default: CIFAR-10's for 3x32x32 inputs,\n"
                 "ImageNet's otherwise)")
      ->delimiter(',');
  app.add_option("--std", o.input.std, "input normalisation's standard deviations (see --mean)")->delimiter(',');
  app.add_option("--labels", o.input.labels_file, "class names, one per line, in the order of the model's outputs");
  app.add_option("--resize-shorter", o.input.resize_shorter,
                 "how images are fitted to the input: N = resize the shorter side to N, then centre-crop (default\n"
                 "256/224 of the input's side above 64x64: ImageNet's 256 for 224); 0 = the largest centred crop, resized")
      ->check(CLI::Range(0, 65536));
  app.add_option("--threads", o.threads, "worker threads (0 = all cores)")->check(CLI::Range(0, 1024));
  app.add_flag("--json", json, "print the summary as one JSON object");
  app.add_flag("!--no-progress", o.progress, "no progress bars (they are drawn only when stderr is a terminal)");
  app.add_flag("--quiet,-q", quiet, "no progress bars and no summary; errors only");
  app.add_option("--report", report_args.html,
                 "write an HTML report (self-contained): per adder layer the weight and activation histograms\n"
                 "with the clamp threshold and group scales, the groups, and the accuracy per bit width");
  app.add_option("--report-eval", report_args.evaluations,
                 "an `adderq-run eval --json` output to chart in the report (repeatable)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line, like every other error; usage errors exit 1.
    std::fprintf(stderr, "%s: error: %s (see --help)\n", "adderq-compile", e.what());
    return 1;
  }
  o.bn_adjust = !no_bn_adjust;
  recipe.calib_batches_given = calib_batches->count() > 0;
  adderq::Status s = Main(o, method, recipe, json, quiet, inspect, report_args);
  if (!s.ok()) {
    std::fprintf(stderr, "adderq-compile: error: %s\n", s.message().c_str());
    return adderq::ExitCodeFor(s);
  }
  return 0;
}
