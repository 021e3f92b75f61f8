// Fuzz target: the image decoders (PNG through libpng, PPM/PGM) and the fit-to-model resize.
#include <cstddef>
#include <cstdint>

#include "image/image_codecs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto image = adderq::image::Decode({data, size}, "fuzz");
  // Bound the resize work: the decoders accept up to 16k x 16k, which is not what we fuzz here.
  if (image.ok() && size_t(image->width) * size_t(image->height) <= (1u << 20)) (void)adderq::image::Fit(image.value(), 32, 32);
  return 0;
}
