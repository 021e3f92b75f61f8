#include <cstring>

#include "core/file_io.h"
#include "image/image_codecs.h"

namespace adderq::image {

Result<Image> Decode(std::span<const uint8_t> bytes, const std::string& name) {
  static constexpr uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), kPngSignature, 8) == 0) return DecodePng(bytes, name);
  if (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) return DecodeJpeg(bytes, name);
  if (bytes.size() >= 2 && bytes[0] == 'P' && bytes[1] >= '1' && bytes[1] <= '7') return DecodeNetpbm(bytes, name);
  return BadInput("{}: not a PNG, JPEG or PPM/PGM image", name);
}

Result<Image> LoadFile(const std::string& path) {
  // 256 MiB bounds a 16k x 16k 8-bit RGBA PNG's worth of compressed data with room to spare.
  ADQ_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(path, uint64_t(256) << 20));
  return Decode(bytes, path);
}

}  // namespace adderq::image
