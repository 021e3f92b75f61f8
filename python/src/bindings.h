// The parts of the extension module `adderq._adderq`, each registered by module.cpp.
#pragma once

#include <pybind11/pybind11.h>

namespace adderq::python {

void BindModel(pybind11::module_& m);       // Model, Session (model_binding.cpp)
void BindCompile(pybind11::module_& m);     // _compile (compile_binding.cpp)
void BindCheckpoint(pybind11::module_& m);  // _read_checkpoint (checkpoint_binding.cpp)
void BindImage(pybind11::module_& m);       // _load_image (image_binding.cpp)

}  // namespace adderq::python
