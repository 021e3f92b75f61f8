// adderq::Session: one backend (CPU executor or CUDA executor) over a shared Model.
#include <limits>

#include "api/api_internal.h"
#include "api/backend_factory.h"
#include "data/pixel_input.h"
#include "image/image_codecs.h"

namespace adderq {

struct Session::Impl {
  std::shared_ptr<const Model::Impl> model;  // keeps the graph alive as long as the backend
  std::unique_ptr<InferenceBackend> backend;
  std::string fallback_reason;
};

namespace {

const char* DeviceName(Device d) {
  switch (d) {
    case Device::kCpu: return "cpu";
    case Device::kCuda: return "cuda";
    case Device::kAuto: break;
  }
  return "auto";
}

void CheckBatch(int batch, size_t given, size_t per_image, const char* what) {
  if (batch < 1) api::Throw(InvalidArgument("{}: batch must be >= 1, not {}", what, batch));
  if (per_image && size_t(batch) > std::numeric_limits<size_t>::max() / per_image)
    api::Throw(InvalidArgument("{}: batch {} is too large", what, batch));
  if (given != size_t(batch) * per_image)
    api::Throw(InvalidArgument("{}: {} values given, {} images need {}", what, given, batch, size_t(batch) * per_image));
}

}  // namespace

Session::Session(const Model& model, const SessionOptions& options) : impl_(std::make_unique<Impl>()) {
  if (!model.impl()) api::Throw(InvalidArgument("Session: the model is empty (moved from?)"));
  if (options.threads < 0) api::Throw(InvalidArgument("Session: threads must be >= 0, not {}", options.threads));
  impl_->model = model.impl();
  BackendChoice choice;
  choice.device = DeviceName(options.device);
  choice.threads = options.threads;
  impl_->backend = api::ValueOrThrow(MakeBackend(impl_->model->graph, choice, &impl_->fallback_reason));
}

Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

std::vector<float> Session::Run(std::span<const float> images, int batch) {
  if (!impl_) api::Throw(InvalidArgument("Session::Run on a moved-from session"));
  const Graph& g = impl_->model->graph;
  CheckBatch(batch, images.size(), g.ShapeOf(g.input).size(), "Session::Run");
  std::vector<float> logits;
  const Status s = impl_->backend->Run(images, batch, logits);
  if (!s.ok()) api::Throw(s);
  return logits;
}

std::vector<float> Session::RunPixels(std::span<const std::uint8_t> pixels, int batch) {
  if (!impl_) api::Throw(InvalidArgument("Session::RunPixels on a moved-from session"));
  const Graph& g = impl_->model->graph;
  const Shape3 in = g.ShapeOf(g.input);
  if (in.c != 3) api::Throw(Unsupported("Session::RunPixels: the model takes {} channels, not RGB", in.c));
  CheckBatch(batch, pixels.size(), in.size(), "Session::RunPixels");
  // Normalised by the backend as the evaluation path normalises (data::NormalizePixels): an
  // exported test image gives eval's logits.
  std::vector<float> logits;
  const Status s = impl_->backend->RunPixels(pixels, data::PixelLayout::kInterleaved, batch, logits);
  if (!s.ok()) api::Throw(s);
  return logits;
}

std::vector<float> Session::RunImages(std::span<const Image> images) {
  if (!impl_) api::Throw(InvalidArgument("Session::RunImages on a moved-from session"));
  if (images.empty()) api::Throw(InvalidArgument("Session::RunImages: no images"));
  const Graph& g = impl_->model->graph;
  const Shape3 in = g.ShapeOf(g.input);
  std::vector<uint8_t> pixels;
  pixels.reserve(images.size() * in.size());
  for (const Image& image : images) {
    const Image fitted = api::ValueOrThrow(image::FitToInput(image, g.meta.resize_shorter, in.w, in.h));
    pixels.insert(pixels.end(), fitted.rgb.begin(), fitted.rgb.end());
  }
  return RunPixels(pixels, int(images.size()));
}

std::string Session::backend() const { return impl_ ? impl_->backend->Describe() : std::string("(moved from)"); }

const std::string& Session::fallback_reason() const {
  static const std::string kNone;
  return impl_ ? impl_->fallback_reason : kNone;
}

}  // namespace adderq
