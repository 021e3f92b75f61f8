// Model (an artifact, loaded and verified once, immutable) and Session (one backend over a shared
// model: its buffers belong to it, so a session runs one call at a time; several sessions over one
// model run in parallel). The GIL is released while a session computes.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>
#include <limits>
#include <memory>
#include <mutex>
#include <string>

#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "api/backend_factory.h"
#include "api/model_summary.h"
#include "bindings.h"
#include "core/artifact_loader.h"
#include "data/labeled_images.h"
#include "errors.h"
#include "eval/evaluate.h"

namespace py = pybind11;

namespace adderq::python {
namespace {

class PySession {
 public:
  PySession(std::shared_ptr<const Graph> graph, std::unique_ptr<InferenceBackend> backend, std::string fallback)
      : graph_(std::move(graph)), backend_(std::move(backend)), fallback_(std::move(fallback)) {}

  // uint8 (N, H, W, C): pixels as decoded images hold them; float32 (N, C, H, W): normalised.
  py::array_t<float> Predict(const py::array& images) {
    const Shape3 in = graph_->meta.input_shape;
    const py::dtype dt = images.dtype();
    const bool native = dt.attr("isnative").cast<bool>();
    const bool pixels = dt.kind() == 'u' && dt.itemsize() == 1;
    const bool floats = dt.kind() == 'f' && dt.itemsize() == 4 && native;
    const std::string expected = fmt::format("uint8 (N, {h}, {w}, {c}) pixels or float32 (N, {c}, {h}, {w}) normalised images",
                                             fmt::arg("h", in.h), fmt::arg("w", in.w), fmt::arg("c", in.c));
    if (!pixels && !floats)
      throw py::type_error(fmt::format("predict: expected {}, got an array of {}", expected, std::string(py::str(images.dtype()))));
    const std::vector<py::ssize_t> want = pixels ? std::vector<py::ssize_t>{in.h, in.w, in.c} : std::vector<py::ssize_t>{in.c, in.h, in.w};
    bool shape_ok = images.ndim() == 4;
    for (int d = 0; shape_ok && d < 3; ++d) shape_ok = images.shape(d + 1) == want[size_t(d)];
    if (!shape_ok) {
      std::string got;
      for (py::ssize_t d = 0; d < images.ndim(); ++d) got += fmt::format("{}{}", d ? ", " : "", images.shape(d));
      throw py::value_error(fmt::format("predict: expected {}, got shape ({})", expected, got));
    }
    if (!(images.flags() & py::array::c_style))
      throw py::value_error("predict: expected a C-contiguous array (numpy.ascontiguousarray(images) makes one)");
    const py::ssize_t n = images.shape(0);
    const size_t classes = backend_->OutputSize();
    py::array_t<float> out({n, py::ssize_t(classes)});
    if (n == 0) return out;
    if (n > std::numeric_limits<int>::max()) throw py::value_error("predict: too many images in one call");
    // In chunks of about 0.1 s (sized from the first ones' speed), with a look for pending signals
    // between them: Ctrl-C interrupts a long call within a chunk. Each image's logits do not
    // depend on the chunk it ran in.
    const auto* base = static_cast<const uint8_t*>(images.data());
    const size_t image_bytes = in.size() * (pixels ? 1 : sizeof(float));
    float* dst = out.mutable_data();
    std::vector<float> logits;
    py::ssize_t done = 0, chunk = 16;
    while (done < n) {
      const int m = int(std::min<py::ssize_t>(chunk, n - done));
      Status s;
      const auto t0 = std::chrono::steady_clock::now();
      {
        py::gil_scoped_release release;
        std::lock_guard<std::mutex> lock(run_);
        const uint8_t* p = base + size_t(done) * image_bytes;
        s = pixels ? backend_->RunPixels({p, size_t(m) * in.size()}, PixelLayout::kInterleaved, m, logits)
                   : backend_->Run({reinterpret_cast<const float*>(p), size_t(m) * in.size()}, m, logits);
      }
      if (!s.ok()) ThrowStatus(s);
      std::memcpy(dst + size_t(done) * classes, logits.data(), size_t(m) * classes * sizeof(float));
      done += m;
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const double per_image = seconds / m;
      chunk = std::clamp<py::ssize_t>(py::ssize_t(0.1 / std::max(per_image, 1e-7)), 1, 1 << 16);
    }
    return out;
  }

  py::dict Evaluate(const std::string& data_dir, py::object limit, int batch_size) {
    RequirePath(data_dir, "data directory");
    eval::EvalOptions opt;
    if (!limit.is_none()) {
      const long long l = limit.cast<long long>();
      if (l < 0) throw py::value_error("evaluate: limit must be >= 0");
      opt.limit = size_t(l);
    }
    if (batch_size < 1) throw py::value_error("evaluate: batch_size must be >= 1");
    opt.batch_size = batch_size;
    Result<eval::Accuracy> acc = InvalidArgument("not run");
    std::optional<py::error_already_set> interrupted;
    opt.cancelled = [&] {  // Ctrl-C between batches
      py::gil_scoped_acquire gil;
      if (PyErr_CheckSignals() == 0) return false;
      interrupted.emplace();
      return true;
    };
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(run_);
      auto set = data::OpenLabeledImages(data_dir, data::Split::kTest, data::InputForm::Of(graph_->meta));
      acc = set.ok() ? eval::Evaluate(*graph_, *backend_, **set, opt) : Result<eval::Accuracy>(set.status());
    }
    if (interrupted) throw std::move(*interrupted);
    const eval::Accuracy a = ValueOrThrow(std::move(acc));
    py::dict d;
    d["top1"] = a.top1();
    d["top5"] = a.top5();
    d["images"] = a.images;
    d["seconds"] = a.seconds;
    d["images_per_second"] = a.images_per_second();
    d["backend"] = backend_->Describe();
    py::dict per_class;  // name -> top-1 in percent, for the classes the data set has
    for (size_t c = 0; c < a.class_total.size(); ++c) {
      if (!a.class_total[c]) continue;
      const std::string name = c < graph_->meta.class_names.size() ? graph_->meta.class_names[c] : std::to_string(c);
      per_class[py::str(name)] = 100.0 * double(a.class_correct[c]) / double(a.class_total[c]);
    }
    d["per_class_top1"] = per_class;
    return d;
  }

  std::string Backend() const { return backend_->Describe(); }
  const std::string& FallbackReason() const { return fallback_; }

 private:
  std::shared_ptr<const Graph> graph_;  // the model's: alive as long as the session is
  std::unique_ptr<InferenceBackend> backend_;
  std::string fallback_;
  std::mutex run_;  // a backend's buffers serve one call at a time
};

class PyModel {
 public:
  static PyModel FromObject(const py::object& source) {
    Result<Graph> g = InvalidArgument("no model");
    if (py::isinstance<py::bytes>(source) || py::isinstance<py::bytearray>(source) || py::isinstance<py::memoryview>(source)) {
      const py::buffer_info b = py::buffer(source).request();
      if (b.ndim > 1 || (b.ndim == 1 && b.strides[0] != b.itemsize))
        throw py::value_error("Model: a bytes-like object must be contiguous");
      const std::span<const uint8_t> bytes(static_cast<const uint8_t*>(b.ptr), size_t(b.size * b.itemsize));
      py::gil_scoped_release release;
      g = LoadArtifactFromMemory(bytes);
    } else {
      const std::string path = py::str(py::module_::import("os").attr("fspath")(source));
      RequirePath(path, "artifact");
      py::gil_scoped_release release;
      g = LoadArtifactFile(path);
    }
    return PyModel(std::make_shared<const Graph>(ValueOrThrow(std::move(g))));
  }

  std::string SummaryJson() const { return api::ModelSummaryJson(*graph_).dump(); }

  std::unique_ptr<PySession> Session(const std::string& device, int threads) const {
    if (threads < 0) throw py::value_error("session: threads must be >= 0 (0: all cores)");
    BackendChoice choice;
    choice.device = device;
    choice.threads = threads;
    std::string fallback;
    Result<std::unique_ptr<InferenceBackend>> backend = InvalidArgument("no backend");
    {
      py::gil_scoped_release release;
      backend = MakeBackend(*graph_, choice, &fallback);
    }
    return std::make_unique<PySession>(graph_, ValueOrThrow(std::move(backend)), fallback);
  }

 private:
  explicit PyModel(std::shared_ptr<const Graph> g) : graph_(std::move(g)) {}
  std::shared_ptr<const Graph> graph_;
};

}  // namespace

void BindModel(py::module_& m) {
  py::class_<PySession>(m, "Session")
      .def("predict", &PySession::Predict, py::arg("images"))
      .def("evaluate", &PySession::Evaluate, py::arg("data_dir"), py::arg("limit") = py::none(), py::arg("batch_size") = 100)
      .def_property_readonly("backend", &PySession::Backend)
      .def_property_readonly("fallback_reason", &PySession::FallbackReason);
  py::class_<PyModel>(m, "Model")
      .def(py::init(&PyModel::FromObject), py::arg("path_or_bytes"))
      .def("_summary_json", &PyModel::SummaryJson)
      .def("session", &PyModel::Session, py::arg("device") = "auto", py::arg("threads") = 0);
}

}  // namespace adderq::python
