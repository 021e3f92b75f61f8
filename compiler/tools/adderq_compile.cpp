// adderq-compile: full-precision AdderNet checkpoint -> quantized .adq artifact.
#include <cstdio>

#include <CLI/CLI.hpp>

#include "compile.h"
#include "core/paths.h"
#include "tools/compile_summary.h"
#include "tools/inspect_checkpoint.h"

namespace {

adderq::Status Main(adderq::compiler::CompileOptions& o, const std::string& method, bool json, bool inspect) {
  using namespace adderq;
  if (inspect) {
    if (o.checkpoint.empty()) return InvalidArgument("--inspect needs a checkpoint");
    return compiler::InspectCheckpoint(o.checkpoint, o.format, json);
  }
  ADQ_ASSIGN_OR_RETURN(o.method, compiler::ParseMethod(method));
  ADQ_ASSIGN_OR_RETURN(o.checkpoint, ResolveCheckpoint(o.checkpoint));
  if (o.output.empty()) return InvalidArgument("no output given (-o OUT.adq)");
  if (json) o.progress = false;
  ADQ_ASSIGN_OR_RETURN(compiler::CompileReport r, compiler::Compile(o));
  if (json) std::printf("%s\n", compiler::SummaryJson(o, r).dump().c_str());
  else std::printf("%s", compiler::SummaryText(o, r).c_str());
  return Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  adderq::compiler::CompileOptions o;
  std::string method = "adderquant";
  bool json = false, no_bn_adjust = false, inspect = false;
  CLI::App app{"adderq-compile: post-training quantization of AdderNets (AdderQuant, NeurIPS 2022) into .adq artifacts.\n"
               "Example: adderq-compile ../shared/checkpoints/resnet20_adder_cifar10.pth -o r20_w4.adq --bits 4"};
  app.add_option("checkpoint", o.checkpoint,
                 "PyTorch (.pth, legacy or zip) or MindSpore (.ckpt) checkpoint (default: $ADDERQ_CHECKPOINT, then ../shared/checkpoints/resnet20_adder_cifar10.pth)");
  app.add_option("-o,--output", o.output, "artifact to write (.adq); written atomically");
  app.add_option("--method", method, "adderquant | shared-scale (one scale per layer, the prior baseline) | fp")->capture_default_str();
  app.add_option("--bits", o.bits, "bit width of weights and activations (2..8)")->capture_default_str();
  app.add_option("--groups", o.groups, "filter groups per adder layer (adderquant)")->capture_default_str();
  app.add_option("--calib-data", o.calib_data, "CIFAR-10 binary directory with data_batch_*.bin (default: $ADDERQ_DATA, then ../shared/data/cifar-10-batches-bin)");
  app.add_option("--calib-batches", o.calib_batches, "calibration batches")->capture_default_str();
  app.add_option("--batch-size", o.batch_size, "calibration batch size")->capture_default_str();
  app.add_option("--act-ratio", o.act_ratio, "activation clamp ratio (applied twice, as the reference)")->capture_default_str();
  app.add_option("--seed", o.seed, "seed of the calibration shuffle and augmentation")->capture_default_str();
  app.add_flag("--no-bn-adjust", no_bn_adjust, "skip BatchNorm re-estimation");
  app.add_option("--calib-cache", o.calib_cache, "reuse (or write) the activation ranges in this file");
  app.add_option("--format", o.format, "checkpoint format: auto (from the content) | torch | mindspore")->capture_default_str();
  app.add_flag("--inspect", inspect, "list the checkpoint's tensors (name, dtype, shape, values) and exit");
  app.add_option("--threads", o.threads, "worker threads (0 = all cores)")->check(CLI::Range(0, 1024));
  app.add_flag("--json", json, "print the summary as one JSON object");
  app.add_flag("!--no-progress", o.progress, "no progress bars");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line, like every other error; usage errors exit 1.
    std::fprintf(stderr, "%s: error: %s (see --help)\n", "adderq-compile", e.what());
    return 1;
  }
  o.bn_adjust = !no_bn_adjust;
  adderq::Status s = Main(o, method, json, inspect);
  if (!s.ok()) {
    std::fprintf(stderr, "adderq-compile: error: %s\n", s.message().c_str());
    return adderq::ExitCodeFor(s);
  }
  return 0;
}
