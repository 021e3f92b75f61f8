// _compile: adderq-compile's pipeline (compiler::Compile) with the GIL released, progress reported to
// an optional Python callable (called with the GIL held), the summary adderq-compile --json prints.
#include <optional>
#include <string>

#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>  // std::optional arguments

#include "bindings.h"
#include "compile.h"
#include "errors.h"
#include "tools/compile_summary.h"

namespace py = pybind11;

namespace adderq::python {
namespace {

// The options, as adderq/__init__.py passes them (None: the library's default).
struct CompileArgs {
  std::string checkpoint;
  std::optional<std::string> output;
  int bits = 4;
  std::string method = "adderquant";
  std::optional<std::string> clamp, act_range;
  std::optional<int> calib_batches;
  int batch_size = 128, groups = 4, threads = 0;
  double act_ratio = 0.9997;
  unsigned long long seed = 0;
  bool bn_adjust = true, paper = false;
  std::optional<std::string> calib_data, calib_cache;
  std::string format = "auto";
  std::optional<std::vector<float>> mean, std;
  std::optional<std::string> labels;
  std::optional<int> resize_shorter;
};

// Returns (summary JSON text, artifact bytes).
py::tuple Compile(const CompileArgs& a, const py::object& progress) {
  RequirePath(a.checkpoint, "checkpoint");
  if (a.calib_data) RequirePath(*a.calib_data, "calibration data directory");
  compiler::CompileOptions o;
  o.checkpoint = a.checkpoint;
  o.output = a.output.value_or("");
  o.format = a.format;
  if (a.mean) o.input.mean = *a.mean;
  if (a.std) o.input.std = *a.std;
  if (a.labels) {
    RequirePath(*a.labels, "labels file");
    o.input.labels_file = *a.labels;
  }
  if (a.resize_shorter) {
    if (*a.resize_shorter < 0) throw py::value_error("compile: resize_shorter must be >= 0 (0: fit the largest centred crop)");
    o.input.resize_shorter = *a.resize_shorter;
  }
  o.method = ValueOrThrow(compiler::ParseMethod(a.method));
  if (a.clamp) o.clamp = ValueOrThrow(compiler::ParseClamp(*a.clamp));
  if (a.act_range) o.act_range = ValueOrThrow(compiler::ParseActRange(*a.act_range));
  if (a.paper) {
    if (a.clamp || a.act_range) throw py::value_error("compile: paper=True sets clamp and act_range; give neither");
    compiler::UsePapersMethod(o, a.calib_batches.has_value());
  }
  if (a.calib_batches) o.calib_batches = *a.calib_batches;
  o.bits = a.bits;
  o.groups = a.groups;
  o.batch_size = a.batch_size;
  o.act_ratio = a.act_ratio;
  o.seed = a.seed;
  o.bn_adjust = a.bn_adjust;
  o.calib_data = a.calib_data.value_or("");
  o.calib_cache = a.calib_cache.value_or("");
  if (a.threads < 0) throw py::value_error("compile: threads must be >= 0 (0: all cores)");
  o.threads = a.threads;
  // With a callback it reports progress; without, the library's bar (stderr, when a terminal).
  std::optional<py::error_already_set> callback_error;
  // Ctrl-C (any pending signal whose handler raises) and an exception from the progress callback
  // cancel the compile between batches, layers and phases: it returns at once, writes nothing,
  // and the exception (KeyboardInterrupt, or the callback's own) reaches the caller unchanged.
  o.cancelled = [&] {
    py::gil_scoped_acquire gil;
    if (callback_error) return true;
    if (PyErr_CheckSignals() != 0) {
      callback_error.emplace();  // fetches the pending exception
      return true;
    }
    return false;
  };
  if (!progress.is_none()) {
    if (!PyCallable_Check(progress.ptr())) throw py::type_error("compile: progress must be callable(phase, done, total)");
    o.progress = false;
    o.on_progress = [&](const std::string& phase, size_t done, size_t total) {
      py::gil_scoped_acquire gil;
      if (callback_error) return;  // it failed once: not called again; the compile stops at the next check
      try {
        progress(phase, done, total);
      } catch (py::error_already_set& e) {
        callback_error.emplace(std::move(e));
      }
    };
  }
  Result<compiler::CompileReport> report = InvalidArgument("not run");
  {
    py::gil_scoped_release release;
    report = compiler::Compile(o);
  }
  if (callback_error) throw std::move(*callback_error);
  const compiler::CompileReport r = ValueOrThrow(std::move(report));
  const std::string summary = compiler::SummaryJson(o, r).dump();
  return py::make_tuple(summary, py::bytes(reinterpret_cast<const char*>(r.artifact.data()), r.artifact.size()));
}

}  // namespace

void BindCompile(py::module_& m) {
  m.def(
      "_compile",
      [](const std::string& checkpoint, std::optional<std::string> output, int bits, const std::string& method,
         std::optional<std::string> clamp, std::optional<std::string> act_range, std::optional<int> calib_batches,
         int batch_size, int groups, double act_ratio, unsigned long long seed, bool bn_adjust, bool paper,
         std::optional<std::string> calib_data, std::optional<std::string> calib_cache, int threads,
         const std::string& format, std::optional<std::vector<float>> mean, std::optional<std::vector<float>> std,
         std::optional<std::string> labels, std::optional<int> resize_shorter, const py::object& progress) {
        CompileArgs a;
        a.checkpoint = checkpoint, a.output = std::move(output), a.bits = bits, a.method = method;
        a.clamp = std::move(clamp), a.act_range = std::move(act_range), a.calib_batches = calib_batches;
        a.batch_size = batch_size, a.groups = groups, a.act_ratio = act_ratio, a.seed = seed;
        a.bn_adjust = bn_adjust, a.paper = paper, a.calib_data = std::move(calib_data);
        a.calib_cache = std::move(calib_cache), a.threads = threads, a.format = format;
        a.mean = std::move(mean), a.std = std::move(std), a.labels = std::move(labels), a.resize_shorter = resize_shorter;
        return Compile(a, progress);
      },
      py::arg("checkpoint"), py::arg("output"), py::arg("bits"), py::arg("method"), py::arg("clamp"),
      py::arg("act_range"), py::arg("calib_batches"), py::arg("batch_size"), py::arg("groups"), py::arg("act_ratio"),
      py::arg("seed"), py::arg("bn_adjust"), py::arg("paper"), py::arg("calib_data"), py::arg("calib_cache"),
      py::arg("threads"), py::arg("format"), py::arg("mean"), py::arg("std"), py::arg("labels"), py::arg("resize_shorter"),
      py::arg("progress"));
}

}  // namespace adderq::python
