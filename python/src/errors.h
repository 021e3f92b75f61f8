// Library errors as Python exceptions, with the library's one-line message:
//   FileNotFoundError  a path that does not exist (checked before the library runs)
//   ValueError         bad input or a bad argument (corrupt or truncated file, wrong shape, option)
//   RuntimeError       anything else (a device or I/O failure while running)
// The GIL must be held when these throw.
#pragma once

#include <string>

#include <pybind11/pybind11.h>

#include "core/status.h"

namespace adderq::python {

[[noreturn]] void ThrowStatus(const Status& status);
// FileNotFoundError unless `path` exists; `what` names it ("checkpoint", "artifact", ...).
void RequirePath(const std::string& path, const char* what);

template <typename T>
T ValueOrThrow(Result<T> result) {
  if (!result.ok()) ThrowStatus(result.status());
  return std::move(result).value();
}

}  // namespace adderq::python
