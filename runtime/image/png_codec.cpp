// PNG through libpng's simplified API (1.6): it handles every bit depth, palette, grey, tRNS and
// interlacing; we ask for RGBA and drop alpha ourselves, which is what PIL's convert("RGB") does.
#include <cstring>
#include <memory>

#include <png.h>

#include "image/image_codecs.h"

namespace adderq::image {
namespace {

// png_image owns libpng state until finish_read/free; this frees it on every path.
struct PngImageGuard {
  png_image image;
  PngImageGuard() {
    std::memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
  }
  ~PngImageGuard() { png_image_free(&image); }
};

}  // namespace

Result<Image> DecodePng(std::span<const uint8_t> bytes, const std::string& name) {
  PngImageGuard g;
  if (!png_image_begin_read_from_memory(&g.image, bytes.data(), bytes.size()))
    return BadInput("{}: not a readable PNG ({})", name, g.image.message);
  if (g.image.width == 0 || g.image.height == 0 || g.image.width > unsigned(kMaxSide) || g.image.height > unsigned(kMaxSide))
    return BadInput("{}: PNG of {}x{} pixels (at most {} per side)", name, g.image.width, g.image.height, kMaxSide);
  g.image.format = PNG_FORMAT_RGBA;
  std::vector<uint8_t> rgba(PNG_IMAGE_SIZE(g.image));
  if (!png_image_finish_read(&g.image, nullptr, rgba.data(), 0, nullptr))
    return BadInput("{}: corrupt PNG ({})", name, g.image.message);
  Image out;
  out.width = int(g.image.width);
  out.height = int(g.image.height);
  out.rgb.resize(size_t(out.width) * size_t(out.height) * 3);
  for (size_t p = 0, n = size_t(out.width) * size_t(out.height); p < n; ++p)
    std::memcpy(&out.rgb[p * 3], &rgba[p * 4], 3);
  return out;
}

Result<std::vector<uint8_t>> EncodePng(const Image& image) {
  if (image.width <= 0 || image.height <= 0 || image.rgb.size() != size_t(image.width) * size_t(image.height) * 3)
    return InvalidArgument("EncodePng: {}x{} image with {} bytes", image.width, image.height, image.rgb.size());
  PngImageGuard g;
  g.image.width = png_uint_32(image.width);
  g.image.height = png_uint_32(image.height);
  g.image.format = PNG_FORMAT_RGB;
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&g.image, nullptr, &size, 0, image.rgb.data(), 0, nullptr))
    return RuntimeError("EncodePng: {}", g.image.message);
  std::vector<uint8_t> png(size);
  if (!png_image_write_to_memory(&g.image, png.data(), &size, 0, image.rgb.data(), 0, nullptr))
    return RuntimeError("EncodePng: {}", g.image.message);
  png.resize(size);
  return png;
}

}  // namespace adderq::image
