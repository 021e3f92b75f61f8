// adderq-run eval: top-1 / top-5 / per-class accuracy of an artifact on the CIFAR-10 test set.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/artifact_loader.h"
#include "core/paths.h"
#include "core/progress.h"
#include "eval/evaluate.h"
#include "tools/run_commands.h"

namespace adderq::tools {

void AddEvalCommand(CLI::App& app, EvalArgs& a) {
  CLI::App* cmd = app.add_subcommand("eval", "Evaluate a model on the CIFAR-10 test set (test_batch.bin).\n"
                                             "Example: adderq-run eval model.adq --limit 1000 --json");
  cmd->add_option("model", a.model, "artifact (.adq)")->required();
  cmd->add_option("--data", a.data, "CIFAR-10 binary directory (default: $ADDERQ_DATA, then ../shared/data/cifar-10-batches-bin)");
  cmd->add_option("--limit", a.limit, "evaluate only the first N test images (0 = all)");
  cmd->add_option("--batch-size", a.batch_size, "images per batch")->check(CLI::Range(1, 4096));
  cmd->add_option("--threads", a.threads, "worker threads (0 = all cores)")->check(CLI::Range(0, 1024));
  cmd->add_flag("--json", a.json, "print one JSON object");
  cmd->add_flag("--quiet,-q", a.quiet, "no progress bar");
}

Status RunEval(const EvalArgs& a) {
  ADQ_ASSIGN_OR_RETURN(Graph graph, LoadArtifactFile(a.model));
  ADQ_ASSIGN_OR_RETURN(std::string dir, ResolveDataDir(a.data));
  ADQ_ASSIGN_OR_RETURN(data::ImageSet test, data::LoadCifar10Test(dir));
  ADQ_ASSIGN_OR_RETURN(auto executor, Executor::Create(graph, a.threads));
  Progress progress("eval", !a.quiet && !a.json);
  eval::EvalOptions opt;
  opt.limit = a.limit;
  opt.batch_size = a.batch_size;
  opt.progress = [&](size_t done, size_t total) { progress.Update(done, total); };
  ADQ_ASSIGN_OR_RETURN(eval::Accuracy acc, eval::Evaluate(graph, *executor, test, opt));
  progress.Finish();

  if (a.json) {
    nlohmann::ordered_json j;
    j["model"] = a.model;
    j["method"] = graph.meta.method;
    j["images"] = acc.images;
    j["top1"] = acc.top1();
    j["top5"] = acc.top5();
    j["seconds"] = acc.seconds;
    j["images_per_second"] = acc.images_per_second();
    j["threads"] = executor->threads();
    nlohmann::ordered_json per_class = nlohmann::ordered_json::object();
    for (size_t c = 0; c < acc.class_total.size(); ++c) {
      if (!acc.class_total[c]) continue;
      const std::string name = c < graph.meta.class_names.size() ? graph.meta.class_names[c] : std::to_string(c);
      per_class[name] = 100.0 * double(acc.class_correct[c]) / double(acc.class_total[c]);
    }
    j["per_class_top1"] = per_class;
    std::printf("%s\n", j.dump().c_str());
    return Status::Ok();
  }
  std::printf("model   %s (%s)\nimages  %zu\ntop-1   %.2f%%\ntop-5   %.2f%%\ntime    %.2f s (%.0f images/s, %d threads)\n",
              a.model.c_str(), graph.meta.method.c_str(), acc.images, acc.top1(), acc.top5(), acc.seconds,
              acc.images_per_second(), executor->threads());
  std::printf("per-class top-1:");
  for (size_t c = 0; c < acc.class_total.size(); ++c) {
    if (!acc.class_total[c]) continue;
    const std::string name = c < graph.meta.class_names.size() ? graph.meta.class_names[c] : std::to_string(c);
    std::printf(" %s %.1f%%", name.c_str(), 100.0 * double(acc.class_correct[c]) / double(acc.class_total[c]));
  }
  std::printf("\n");
  return Status::Ok();
}

}  // namespace adderq::tools
