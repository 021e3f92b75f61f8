// Softmax and top-k over one image's logits, and the public image functions.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "api/api_internal.h"
#include "image/image_codecs.h"

namespace adderq {

std::vector<int> api::RankByLogit(std::span<const float> logits) {
  std::vector<int> order(logits.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return logits[size_t(a)] > logits[size_t(b)]; });
  return order;
}

std::vector<float> Softmax(std::span<const float> logits) {
  if (logits.empty()) return {};
  for (float v : logits)
    if (!std::isfinite(v)) api::Throw(InvalidArgument("Softmax: logit {} is not finite", v));
  const double top = *std::max_element(logits.begin(), logits.end());
  std::vector<double> e(logits.size());
  double total = 0;
  for (size_t i = 0; i < logits.size(); ++i) total += e[i] = std::exp(double(logits[i]) - top);
  std::vector<float> p(logits.size());
  for (size_t i = 0; i < logits.size(); ++i) p[i] = float(e[i] / total);
  return p;
}

std::vector<Prediction> TopK(const Model& model, std::span<const float> logits, int k) {
  const int classes = model.num_classes();
  if (logits.size() != size_t(classes))
    api::Throw(InvalidArgument("TopK: {} logits given, the model has {} classes (pass one image's logits)", logits.size(), classes));
  if (k < 1) api::Throw(InvalidArgument("TopK: k must be >= 1, not {}", k));
  k = std::min(k, classes);
  const std::vector<float> p = Softmax(logits);
  const std::vector<int> order = api::RankByLogit(logits);
  std::vector<Prediction> top;
  for (int i = 0; i < k; ++i) {
    const int c = order[size_t(i)];
    top.push_back({c, model.info().class_names[size_t(c)], p[size_t(c)]});
  }
  return top;
}

Image LoadImage(const std::string& path) { return api::ValueOrThrow(image::LoadFile(path)); }

Image DecodeImage(std::span<const std::uint8_t> bytes, const std::string& name) {
  return api::ValueOrThrow(image::Decode(bytes, name));
}

Image FitImage(const Image& image, int width, int height) { return api::ValueOrThrow(image::Fit(image, width, height)); }

Image FitImageToModel(const Model& model, const Image& image) {
  const ModelInfo& info = model.info();
  return api::ValueOrThrow(image::FitToInput(image, info.resize_shorter, info.input_width, info.input_height));
}

}  // namespace adderq
