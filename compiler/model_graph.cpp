#include "model_graph.h"

#include <cmath>
#include <filesystem>
#include <fstream>

#include "frontends/onnx/onnx_graph.h"
#include "name_maps.h"
#include "resnet_cifar.h"

namespace adderq::compiler {
namespace {

bool IsCifarShape(const Shape3& s) { return s == Shape3{3, 32, 32}; }

const std::vector<std::string> kCifar10Classes = {"airplane", "automobile", "bird",  "cat",  "deer",
                                                  "dog",      "frog",       "horse", "ship", "truck"};

Result<std::vector<std::string>> ReadLabels(const std::string& path, int classes) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return BadInput("{}: no such file (the labels file)", path);
  std::ifstream in(path);
  std::vector<std::string> names;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty()) continue;
    if (line.size() > 256) return BadInput("{}: line {} is longer than 256 characters", path, names.size() + 1);
    names.push_back(line);
  }
  if (int(names.size()) != classes)
    return BadInput("{}: {} class names for a model of {} outputs", path, names.size(), classes);
  return names;
}

}  // namespace

std::vector<float> DefaultMean(const Shape3& input) {
  if (IsCifarShape(input)) return {0.4914f, 0.4822f, 0.4465f};
  if (input.c == 3) return {0.485f, 0.456f, 0.406f};
  return std::vector<float>(size_t(input.c), 0.5f);
}

std::vector<float> DefaultStd(const Shape3& input) {
  if (IsCifarShape(input)) return {0.2023f, 0.1994f, 0.2010f};
  if (input.c == 3) return {0.229f, 0.224f, 0.225f};
  return std::vector<float>(size_t(input.c), 0.5f);
}

Result<Graph> BuildModelGraph(const frontends::LoadedCheckpoint& ckpt, const std::string& path, const InputOptions& o) {
  Graph graph;
  if (ckpt.onnx) {
    auto built = frontends::onnx::BuildGraph(*ckpt.onnx, ckpt.state);
    if (!built.ok()) return built.status().WithContext(path);
    graph = std::move(built).value();
    const std::string stem = std::filesystem::path(path).stem().string();
    graph.meta.architecture = !ckpt.onnx->graph_name.empty() && ckpt.onnx->graph_name != "main_graph" &&
                                      ckpt.onnx->graph_name != "torch_jit" && ckpt.onnx->graph_name != "torch-jit-export"
                                  ? ckpt.onnx->graph_name
                                  : stem;
    const Shape3& in = graph.meta.input_shape;
    graph.meta.mean = DefaultMean(in);
    graph.meta.std = DefaultStd(in);
    const int classes = int(graph.ShapeOf(graph.output).size());
    if (classes == 10 && IsCifarShape(in)) graph.meta.class_names = kCifar10Classes;
    else
      for (int c = 0; c < classes; ++c) graph.meta.class_names.push_back("class" + std::to_string(c));
    // ImageNet's evaluation transform (resize 256, centre crop 224) for inputs larger than 64x64.
    if (std::max(in.h, in.w) > 64) graph.meta.resize_shorter = int(std::lround(double(std::max(in.h, in.w)) * 256.0 / 224.0));
  } else {
    const frontends::StateDict canonical =
        ckpt.format == "mindspore" ? models::MindSporeToCanonical(ckpt.state) : ckpt.state;
    auto built = models::BuildCifarResNetAdder(canonical);
    if (!built.ok()) return built.status().WithContext(path);
    graph = std::move(built).value();
  }
  const Shape3& in = graph.meta.input_shape;
  for (const auto* v : {&o.mean, &o.std})
    if (!v->empty() && v->size() != size_t(in.c))
      return InvalidArgument("mean/std need {} values (one per input channel), got {}", in.c, v->size());
  for (float s : o.std)
    if (!(s > 0.f) || !std::isfinite(s)) return InvalidArgument("std values must be positive");
  for (float m : o.mean)
    if (!std::isfinite(m)) return InvalidArgument("mean values must be finite");
  if (!o.mean.empty()) graph.meta.mean = o.mean;
  if (!o.std.empty()) graph.meta.std = o.std;
  if (!o.labels_file.empty()) {
    ADQ_ASSIGN_OR_RETURN(graph.meta.class_names, ReadLabels(o.labels_file, int(graph.ShapeOf(graph.output).size())));
  }
  if (o.resize_shorter >= 0) {
    if (o.resize_shorter != 0 && o.resize_shorter < std::max(in.h, in.w))
      return InvalidArgument("resize_shorter {} is smaller than the {}x{} input", o.resize_shorter, in.h, in.w);
    graph.meta.resize_shorter = o.resize_shorter;
  }
  ADQ_RETURN_IF_ERROR(ValidateGraph(graph).WithContext(path));
  return graph;
}

}  // namespace adderq::compiler
