// adderq._adderq: the C++ library behind `import adderq` (see adderq/__init__.py for the API).
#include "bindings.h"

#include "core/version.h"

PYBIND11_MODULE(_adderq, m) {
  m.doc() = "adderq's C++ runtime and compiler (use the `adderq` package, not this module)";
  m.attr("__version__") = adderq::kAdderqVersion;
  adderq::python::BindModel(m);
  adderq::python::BindCompile(m);
  adderq::python::BindCheckpoint(m);
  adderq::python::BindImage(m);
}
