// Test helper: writes one CIFAR-10 test image as PNG or PPM (by the output's extension) and prints
// its label index, so the tests can classify exactly what the evaluation sees.
//   export_cifar_image DATA_DIR INDEX OUT.png|OUT.ppm
#include <cstdio>
#include <string>

#include "core/file_io.h"
#include "data/cifar10.h"
#include "image/image_codecs.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: export_cifar_image DATA_DIR INDEX OUT.png|OUT.ppm\n");
    return 1;
  }
  auto set = adderq::data::LoadCifar10Test(argv[1]);
  const long index = std::stol(argv[2]);
  if (!set.ok() || index < 0 || size_t(index) >= set->size()) {
    std::fprintf(stderr, "export_cifar_image: %s\n", set.ok() ? "index out of range" : set.status().message().c_str());
    return 2;
  }
  // CIFAR records are planar (R plane, G plane, B plane); images are interleaved.
  adderq::Image image;
  image.width = image.height = adderq::data::kCifarSide;
  const size_t plane = size_t(image.width) * size_t(image.height);
  image.rgb.resize(plane * 3);
  const uint8_t* src = set->image(size_t(index));
  for (size_t i = 0; i < plane; ++i)
    for (size_t c = 0; c < 3; ++c) image.rgb[i * 3 + c] = src[c * plane + i];
  const std::string out = argv[3];
  std::vector<uint8_t> bytes;
  if (out.size() > 4 && out.substr(out.size() - 4) == ".ppm") {
    bytes = adderq::image::EncodePpm(image);
  } else {
    auto png = adderq::image::EncodePng(image);
    if (!png.ok()) return 3;
    bytes = std::move(png).value();
  }
  if (auto s = adderq::WriteFileAtomic(out, bytes); !s.ok()) {
    std::fprintf(stderr, "export_cifar_image: %s\n", s.message().c_str());
    return 3;
  }
  std::printf("%d\n", int(set->labels[size_t(index)]));
  return 0;
}
