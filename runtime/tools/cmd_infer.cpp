// adderq-run infer: classify image files (PNG, PPM/PGM) with the public C++ API, the same calls an
// embedding application makes.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "adderq/adderq.hpp"
#include "tools/open_backend.h"
#include "tools/run_commands.h"

namespace adderq::tools {

namespace {

Status Infer(const InferArgs& a) {
  const Model model = Model::Load(a.model);
  SessionOptions options;
  options.device = a.device == "cpu" ? Device::kCpu : a.device == "cuda" ? Device::kCuda : Device::kAuto;
  options.threads = a.threads;
  Session session(model, options);
  if (!session.fallback_reason().empty() && !a.quiet && !a.json)
    std::fprintf(stderr, "adderq-run: no GPU backend (%s); running on the CPU\n", session.fallback_reason().c_str());

  // Decode everything first so that a bad file fails before any output.
  std::vector<Image> images;
  for (const std::string& path : a.images) images.push_back(LoadImage(path));
  const ModelInfo& info = model.info();
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  constexpr size_t kBatch = 256;  // bounds memory for long file lists
  for (size_t first = 0; first < images.size(); first += kBatch) {
    const size_t count = std::min(kBatch, images.size() - first);
    const std::vector<float> logits = session.RunImages({images.data() + first, count});
    for (size_t i = 0; i < count; ++i) {
      const Image& image = images[first + i];
      const auto top = TopK(model, {logits.data() + i * size_t(model.num_classes()), size_t(model.num_classes())}, a.top_k);
      const bool fitted = image.width != info.input_width || image.height != info.input_height;
      if (a.json) {
        nlohmann::ordered_json r;
        r["image"] = a.images[first + i];
        r["width"] = image.width;
        r["height"] = image.height;
        r["resized"] = fitted;
        r["top"] = nlohmann::ordered_json::array();
        for (const Prediction& p : top) r["top"].push_back({{"class", p.name}, {"index", p.index}, {"probability", p.probability}});
        results.push_back(r);
      } else {
        std::printf("%s (%dx%d%s):", a.images[first + i].c_str(), image.width, image.height, fitted ? ", resized" : "");
        for (const Prediction& p : top) std::printf("  %s %.1f%%", p.name.c_str(), 100.0 * p.probability);
        std::printf("\n");
      }
    }
  }
  if (a.json) {
    nlohmann::ordered_json j;
    j["model"] = a.model;
    j["backend"] = session.backend();
    j["results"] = results;
    std::printf("%s\n", j.dump().c_str());
  }
  return Status::Ok();
}

}  // namespace

Status RunInfer(const InferArgs& a) {
  try {
    return Infer(a);
  } catch (const Error& e) {
    switch (e.code()) {
      case ErrorCode::kInvalidArgument: return Status(StatusCode::kInvalidArgument, e.what());
      case ErrorCode::kBadInput: return Status(StatusCode::kBadInput, e.what());
      case ErrorCode::kUnsupported: return Status(StatusCode::kUnsupported, e.what());
      case ErrorCode::kRuntime: break;
    }
    return Status(StatusCode::kRuntime, e.what());
  }
}

}  // namespace adderq::tools
