// adderq-compile: full-precision AdderNet checkpoint -> quantized .adq artifact.
#include <cstdio>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "compile.h"
#include "core/paths.h"

namespace {

adderq::Status Main(adderq::compiler::CompileOptions& o, const std::string& method, bool json) {
  using namespace adderq;
  ADQ_ASSIGN_OR_RETURN(o.method, compiler::ParseMethod(method));
  ADQ_ASSIGN_OR_RETURN(o.checkpoint, ResolveCheckpoint(o.checkpoint));
  if (o.output.empty()) return InvalidArgument("no output given (-o OUT.adq)");
  ADQ_ASSIGN_OR_RETURN(compiler::CompileReport r, compiler::Compile(o));
  if (json) {
    nlohmann::ordered_json j;
    j["output"] = o.output;
    j["bytes"] = r.artifact.size();
    j["checkpoint"] = o.checkpoint;
    j["checkpoint_format"] = r.checkpoint_format;
    j["architecture"] = r.graph.meta.architecture;
    j["method"] = r.graph.meta.method;
    nlohmann::ordered_json phases = nlohmann::ordered_json::object();
    for (const auto& p : r.phases) phases[p.name] = p.seconds;
    j["phase_seconds"] = phases;
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("%s (%s, %s) -> %s: %s, %zu bytes\n", o.checkpoint.c_str(), r.checkpoint_format.c_str(),
                r.graph.meta.architecture.c_str(), o.output.c_str(), r.graph.meta.method.c_str(), r.artifact.size());
    for (const auto& p : r.phases) std::printf("  %-12s %8.3f s\n", p.name.c_str(), p.seconds);
  }
  return Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  adderq::compiler::CompileOptions o;
  std::string method = "adderquant";
  bool json = false;
  CLI::App app{"adderq-compile: post-training quantization of AdderNets (AdderQuant) into .adq artifacts.\n"
               "Example: adderq-compile ../shared/checkpoints/resnet20_adder_cifar10.pth -o r20_w4.adq --bits 4"};
  app.add_option("checkpoint", o.checkpoint,
                 "PyTorch checkpoint (.pth, legacy or zip) (default: $ADDERQ_CHECKPOINT, then ../shared/checkpoints/resnet20_adder_cifar10.pth)");
  app.add_option("-o,--output", o.output, "artifact to write (.adq)");
  app.add_option("--method", method, "adderquant | shared-scale | fp")->capture_default_str();
  app.add_option("--format", o.format, "checkpoint format: auto | torch")->capture_default_str();
  app.add_option("--threads", o.threads, "worker threads (0 = all cores)")->check(CLI::Range(0, 1024));
  app.add_flag("--json", json, "print a machine-readable summary");
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
  adderq::Status s = Main(o, method, json);
  if (!s.ok()) {
    std::fprintf(stderr, "adderq-compile: error: %s\n", s.message().c_str());
    return adderq::ExitCodeFor(s);
  }
  return 0;
}
