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
  const uint64_t w = g.image.width, h = g.image.height;
  if (w == 0 || h == 0 || w > unsigned(kMaxSide) || h > unsigned(kMaxSide) || w * h > kMaxPixels)
    return BadInput("{}: PNG of {}x{} pixels (at most {} per side and {} in all)", name, w, h, kMaxSide, kMaxPixels);
  // zlib cannot compress better than about 1032:1, and every row holds at least a filter byte and
  // one bit per pixel: a file too small for its declared size is truncated, caught before allocating.
  if (uint64_t(bytes.size()) * 1032 < h * (1 + (w + 7) / 8))
    return BadInput("{}: truncated PNG ({} bytes cannot hold {}x{} pixels)", name, bytes.size(), w, h);
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
