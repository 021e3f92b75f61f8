// adderq-run eval: top-1 / top-5 / per-class accuracy of an artifact on the CIFAR-10 test set or an
// ImageFolder (one sub-directory per class).
#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/artifact_loader.h"
#include "core/file_io.h"
#include "core/paths.h"
#include "core/progress.h"
#include "eval/evaluate.h"
#include "cuda/cuda_executor.h"
#include "tools/open_backend.h"
#include "tools/run_commands.h"

namespace adderq::tools {

namespace {
// The widest adder layer's bits; 0 for a full-precision model.
int MaxAdderBits(const Graph& g) {
  int bits = 0;
  for (const Node& n : g.nodes)
    if (n.kind == OpKind::kAdder2d) bits = std::max(bits, n.quant.bits);
  return bits;
}
}  // namespace

Status RunEval(const EvalArgs& a) {
  ADQ_ASSIGN_OR_RETURN(Graph graph, LoadArtifactFile(a.model));
  ADQ_ASSIGN_OR_RETURN(std::string dir, ResolveDataDir(a.data));
  ADQ_ASSIGN_OR_RETURN(auto test, data::OpenLabeledImages(dir, data::Split::kTest, data::InputForm::Of(graph.meta)));
  BackendChoice choice{a.device, a.threads, a.cuda_chunk, a.cuda};
  ADQ_ASSIGN_OR_RETURN(auto backend, OpenBackend(graph, choice, a.json || a.quiet));
  std::vector<float> all_logits;
  Progress progress("eval", !a.quiet && !a.json);
  eval::EvalOptions opt;
  opt.limit = a.limit;
  const bool on_gpu = dynamic_cast<const cuda::CudaExecutor*>(backend.get()) != nullptr;
  opt.batch_size = a.batch_size > 0 ? a.batch_size : on_gpu ? 10000 : 100;
  opt.progress = [&](size_t done, size_t total) { progress.Update(done, total); };
  if (!a.save_logits.empty())
    opt.on_logits = [&](size_t, size_t, const std::vector<float>& l) { all_logits.insert(all_logits.end(), l.begin(), l.end()); };
  ADQ_ASSIGN_OR_RETURN(eval::Accuracy acc, eval::Evaluate(graph, *backend, *test, opt));
  progress.Finish();
  if (!a.save_logits.empty())
    ADQ_RETURN_IF_ERROR(WriteFileAtomic(a.save_logits, {reinterpret_cast<const uint8_t*>(all_logits.data()),
                                                        all_logits.size() * sizeof(float)}));
  // GPU figures: kernel time (CUDA events) and the one-time JIT/cache cost.
  const auto* gpu = dynamic_cast<const cuda::CudaExecutor*>(backend.get());

  if (a.json) {
    nlohmann::ordered_json j;
    j["model"] = a.model;
    j["method"] = graph.meta.method;
    j["bits"] = MaxAdderBits(graph);
    j["images"] = acc.images;
    j["top1"] = acc.top1();
    j["top5"] = acc.top5();
    j["seconds"] = acc.seconds;
    j["images_per_second"] = acc.images_per_second();
    j["backend"] = backend->Describe();
    if (gpu) {
      j["gpu_kernel_ms"] = gpu->stats().kernel_ms;
      j["cuda_chunk_images"] = gpu->stats().chunk_images;
      j["prepare_seconds"] = gpu->stats().prepare_seconds;
      j["jit_compiled"] = gpu->stats().jit.misses;
      j["jit_cached"] = gpu->stats().jit.hits;
      j["jit_compile_seconds"] = gpu->stats().jit.compile_seconds;
    }
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
  std::printf("model   %s (%s)\nimages  %zu\ntop-1   %.2f%%\ntop-5   %.2f%%\ntime    %.2f s (%.0f images/s) on %s\n",
              a.model.c_str(), graph.meta.method.c_str(), acc.images, acc.top1(), acc.top5(), acc.seconds,
              acc.images_per_second(), backend->Describe().c_str());
  if (gpu)
    std::printf("gpu     %.2f ms kernel time in chunks of %d images; setup %.2f s (%d kernels compiled, %d from cache)\n",
                gpu->stats().kernel_ms, gpu->stats().chunk_images, gpu->stats().prepare_seconds, gpu->stats().jit.misses,
                gpu->stats().jit.hits);
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
