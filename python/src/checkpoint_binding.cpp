// _read_checkpoint: the compiler's checkpoint readers (PyTorch legacy and zip, MindSpore), each
// tensor as (name, dtype name, float64 array of its shape); adderq/__init__.py casts to the dtype.
#include <algorithm>
#include <string>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "bindings.h"
#include "errors.h"
#include "frontends/checkpoint.h"

namespace py = pybind11;

namespace adderq::python {
namespace {

py::tuple ReadCheckpoint(const std::string& path, const std::string& format_name) {
  RequirePath(path, "checkpoint");
  const frontends::CheckpointFormat format = ValueOrThrow(frontends::ParseCheckpointFormat(format_name));
  Result<frontends::LoadedCheckpoint> loaded = InvalidArgument("not read");
  {
    py::gil_scoped_release release;
    loaded = frontends::ReadCheckpoint(path, format);
  }
  const frontends::LoadedCheckpoint ckpt = ValueOrThrow(std::move(loaded));
  py::list tensors;
  for (const auto& [name, t] : ckpt.state.entries()) {
    std::vector<py::ssize_t> shape(t.shape.begin(), t.shape.end());
    py::array_t<double> values(shape);
    std::copy(t.values.begin(), t.values.end(), values.mutable_data());
    tensors.append(py::make_tuple(name, frontends::DTypeName(t.dtype), values));
  }
  return py::make_tuple(ckpt.format, ckpt.sha256, tensors);
}

}  // namespace

void BindCheckpoint(py::module_& m) {
  m.def("_read_checkpoint", &ReadCheckpoint, py::arg("path"), py::arg("format") = "auto");
}

}  // namespace adderq::python
