// adderq-run: evaluate or inspect an .adq artifact.
#include <cstdio>

#include <CLI/CLI.hpp>

#include "core/version.h"
#include "tools/run_commands.h"

int main(int argc, char** argv) {
  CLI::App app{"adderq-run: run quantized AdderNet artifacts (.adq) on the CPU or an NVIDIA GPU.\n"
               "Example: adderq-run eval resnet20_w4.adq --data ../shared/data/cifar-10-batches-bin"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("adderq-run ") + adderq::kAdderqVersion);
  adderq::tools::EvalArgs eval_args;
  adderq::tools::InfoArgs info_args;
  adderq::tools::AddEvalCommand(app, eval_args);
  adderq::tools::AddInfoCommand(app, info_args);
  adderq::tools::JitArgs jit_args;
  adderq::tools::AddJitCommand(app, jit_args);
  adderq::tools::BenchArgs bench_args;
  adderq::tools::AddBenchCommand(app, bench_args);
  adderq::tools::InferArgs infer_args;
  adderq::tools::AddInferCommand(app, infer_args);
  adderq::tools::TuneArgs tune_args;
  adderq::tools::AddTuneCommand(app, tune_args);
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
    std::fprintf(stderr, "%s: error: %s (see --help)\n", "adderq-run", e.what());
    return 1;
  }
  adderq::Status status;
  if (app.got_subcommand("eval")) status = adderq::tools::RunEval(eval_args);
  else if (app.got_subcommand("info")) status = adderq::tools::RunInfo(info_args);
  else if (app.got_subcommand("jit")) status = adderq::tools::RunJit(jit_args);
  else if (app.got_subcommand("bench")) status = adderq::tools::RunBench(bench_args);
  else if (app.got_subcommand("infer")) status = adderq::tools::RunInfer(infer_args);
  else if (app.got_subcommand("tune")) status = adderq::tools::RunTune(tune_args);
  if (!status.ok()) {
    std::fprintf(stderr, "adderq-run: error: %s\n", status.message().c_str());
    return adderq::ExitCodeFor(status);
  }
  return 0;
}
