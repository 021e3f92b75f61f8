// _load_image: an image file decoded (PNG, JPEG, PPM/PGM) and, given a model's input, fitted to it
// exactly as `adderq-run infer` and the C++ API's RunImages fit it (image::FitToInput).
#include <algorithm>
#include <cstring>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "bindings.h"
#include "errors.h"
#include "image/image_codecs.h"

namespace py = pybind11;

namespace adderq::python {

void BindImage(py::module_& m) {
  // width/height 0: as decoded. Returns uint8 (H, W, 3).
  m.def(
      "_load_image",
      [](const std::string& path, int width, int height, int resize_shorter) {
        RequirePath(path, "image");
        Result<Image> loaded = InvalidArgument("not read");
        {
          py::gil_scoped_release release;
          loaded = image::LoadFile(path);
          if (loaded.ok() && width > 0) loaded = image::FitToInput(loaded.value(), resize_shorter, width, height);
        }
        const Image im = ValueOrThrow(std::move(loaded));
        py::array_t<uint8_t> out({py::ssize_t(im.height), py::ssize_t(im.width), py::ssize_t(3)});
        std::memcpy(out.mutable_data(), im.rgb.data(), im.rgb.size());
        return out;
      },
      py::arg("path"), py::arg("width"), py::arg("height"), py::arg("resize_shorter"));
}

}  // namespace adderq::python
