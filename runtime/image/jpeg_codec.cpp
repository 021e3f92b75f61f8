// JPEG through libjpeg-turbo's TurboJPEG API (no setjmp/longjmp error handling to get wrong): the
// header is read first and the size checked against kMaxSide/kMaxPixels before any allocation.
// Grayscale and CMYK files come out as RGB, as PIL's convert("RGB") gives them.
#include <memory>

#include <turbojpeg.h>

#include "image/image_codecs.h"

namespace adderq::image {
namespace {

struct HandleCloser {
  void operator()(void* h) const { tjDestroy(h); }
};

}  // namespace

Result<Image> DecodeJpeg(std::span<const uint8_t> bytes, const std::string& name) {
  std::unique_ptr<void, HandleCloser> handle(tjInitDecompress());
  if (!handle) return RuntimeError("{}: cannot start the JPEG decoder", name);
  if (bytes.size() > (uint64_t(1) << 31)) return BadInput("{}: JPEG file too large", name);
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  if (tjDecompressHeader3(handle.get(), bytes.data(), static_cast<unsigned long>(bytes.size()), &width, &height,
                          &subsampling, &colorspace) != 0)
    return BadInput("{}: corrupt JPEG ({})", name, tjGetErrorStr2(handle.get()));
  if (width <= 0 || height <= 0) return BadInput("{}: corrupt JPEG (no image size in its header)", name);
  if (width > kMaxSide || height > kMaxSide || uint64_t(width) * uint64_t(height) > kMaxPixels)
    return Unsupported("{}: {}x{} JPEG is larger than this reader accepts", name, width, height);
  Image img;
  img.width = width;
  img.height = height;
  img.rgb.resize(size_t(width) * size_t(height) * 3);
  // TJFLAG_ACCURATEDCT: the exact IDCT (libjpeg's islow), what PIL decodes with by default.
  if (tjDecompress2(handle.get(), bytes.data(), static_cast<unsigned long>(bytes.size()), img.rgb.data(), width, 0,
                    height, TJPF_RGB, TJFLAG_ACCURATEDCT) != 0 &&
      tjGetErrorCode(handle.get()) == TJERR_FATAL)
    return BadInput("{}: corrupt JPEG ({})", name, tjGetErrorStr2(handle.get()));
  return img;
}

Result<std::vector<uint8_t>> EncodeJpeg(const Image& image, int quality) {
  std::unique_ptr<void, HandleCloser> handle(tjInitCompress());
  if (!handle) return RuntimeError("cannot start the JPEG encoder");
  unsigned char* out = nullptr;
  unsigned long size = 0;
  if (tjCompress2(handle.get(), image.rgb.data(), image.width, 0, image.height, TJPF_RGB, &out, &size, TJSAMP_420, quality,
                  TJFLAG_ACCURATEDCT) != 0) {
    tjFree(out);
    return RuntimeError("JPEG encoding failed ({})", tjGetErrorStr2(handle.get()));
  }
  std::vector<uint8_t> bytes(out, out + size);
  tjFree(out);
  return bytes;
}

}  // namespace adderq::image
