#include "eval/evaluate.h"

#include <algorithm>
#include <chrono>

#include "cpu/cpu_backend.h"
#include "core/parallel.h"
#include "data/pixel_input.h"

namespace adderq::eval {

int RankOfLabel(const float* logits, int classes, int label) {
  int rank = 0;
  for (int c = 0; c < classes; ++c)
    if (c != label && (logits[c] > logits[label] || (logits[c] == logits[label] && c < label))) ++rank;
  return rank;
}

Result<Accuracy> Evaluate(const Graph& graph, Executor& executor, const data::ImageSet& set, const EvalOptions& opt) {
  CpuBackend backend(executor);
  return Evaluate(graph, backend, set, opt);
}

Result<Accuracy> Evaluate(const Graph& graph, InferenceBackend& backend, const data::ImageSet& set, const EvalOptions& opt) {
  if (!(graph.meta.input_shape == Shape3{3, data::kCifarSide, data::kCifarSide}))
    return InvalidArgument("model input is {}x{}x{}, the CIFAR-10 data is 3x32x32", graph.meta.input_shape.c,
                           graph.meta.input_shape.h, graph.meta.input_shape.w);
  return Evaluate(graph, backend, *data::CifarImages(set, data::InputForm::Of(graph.meta)), opt);
}

Result<Accuracy> Evaluate(const Graph& graph, InferenceBackend& backend, const data::LabeledImages& set, const EvalOptions& opt) {
  if (!(set.form().shape == graph.meta.input_shape))
    return InvalidArgument("the data is read as {}x{}x{} images, the model's input is {}x{}x{}", set.form().shape.c,
                           set.form().shape.h, set.form().shape.w, graph.meta.input_shape.c, graph.meta.input_shape.h,
                           graph.meta.input_shape.w);
  const int classes = int(backend.OutputSize());
  if (size_t(classes) < set.class_names().size())
    return InvalidArgument("model has {} outputs, {} has {} classes", classes, set.Describe(), set.class_names().size());
  if (opt.batch_size <= 0) return InvalidArgument("batch size must be positive");
  const size_t total = opt.limit ? std::min(opt.limit, set.size()) : set.size();
  const size_t image_bytes = graph.meta.input_shape.size();
  Accuracy acc;
  acc.class_total.assign(size_t(classes), 0);
  acc.class_correct.assign(size_t(classes), 0);
  std::vector<float> logits;
  std::vector<uint8_t> pixels;
  const int read_threads = opt.read_threads > 0 ? opt.read_threads : DefaultThreadCount();
  const auto t0 = std::chrono::steady_clock::now();
  for (size_t start = 0; start < total; start += size_t(opt.batch_size)) {
    if (IsCancelled(opt.cancelled)) return Cancelled("evaluation");
    const int n = int(std::min(size_t(opt.batch_size), total - start));
    pixels.resize(size_t(n) * image_bytes);
    ADQ_RETURN_IF_ERROR(data::ReadImages(set, start, size_t(n), pixels, read_threads));
    // The backend normalises (a GPU after the copy: a quarter of the bytes of floats).
    ADQ_RETURN_IF_ERROR(backend.RunPixels(pixels, data::PixelLayout::kPlanar, n, logits));
    if (opt.on_logits) opt.on_logits(start, size_t(n), logits);
    for (int i = 0; i < n; ++i) {
      const int label = set.label(start + size_t(i));
      const int rank = RankOfLabel(logits.data() + size_t(i) * size_t(classes), classes, label);
      acc.class_total[size_t(label)]++;
      if (rank == 0) {
        acc.top1_correct++;
        acc.class_correct[size_t(label)]++;
      }
      if (rank < 5) acc.top5_correct++;
    }
    acc.images += size_t(n);
    if (opt.progress) opt.progress(acc.images, total);
  }
  acc.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return acc;
}

}  // namespace adderq::eval
