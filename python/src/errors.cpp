#include "errors.h"

#include <filesystem>

namespace adderq::python {

void ThrowStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kBadInput:
    case StatusCode::kUnsupported: throw pybind11::value_error(status.message());
    default: throw std::runtime_error(status.message());  // pybind11 raises RuntimeError
  }
}

void RequirePath(const std::string& path, const char* what) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return;
  const std::string message = std::string(what) + " not found: " + path;
  PyErr_SetString(PyExc_FileNotFoundError, message.c_str());
  throw pybind11::error_already_set();
}

}  // namespace adderq::python
