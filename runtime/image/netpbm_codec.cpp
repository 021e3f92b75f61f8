// Netpbm: P6/P5 (binary) and P3/P2 (ASCII) colour and grey maps, maxval 1..65535, '#' comments in
// the header. Samples are rescaled to 0..255 with rounding (maxval 255 is copied as is).
#include <cctype>

#include "image/image_codecs.h"

namespace adderq::image {
namespace {

class HeaderReader {
 public:
  explicit HeaderReader(std::span<const uint8_t> b) : b_(b) {}
  // Skips whitespace and comments, then reads a decimal number; false at end of data or on junk.
  bool Number(long& value) {
    SkipSpace();
    if (pos_ >= b_.size() || !std::isdigit(b_[pos_])) return false;
    value = 0;
    while (pos_ < b_.size() && std::isdigit(b_[pos_])) {
      value = value * 10 + (b_[pos_++] - '0');
      if (value > 1'000'000) return false;
    }
    return true;
  }
  // Binary formats: exactly one whitespace byte separates maxval from the raster.
  bool OneSpace() {
    if (pos_ >= b_.size() || !std::isspace(b_[pos_])) return false;
    ++pos_;
    return true;
  }
  size_t pos() const { return pos_; }

 private:
  void SkipSpace() {
    while (pos_ < b_.size()) {
      if (b_[pos_] == '#') {
        while (pos_ < b_.size() && b_[pos_] != '\n') ++pos_;
      } else if (std::isspace(b_[pos_])) {
        ++pos_;
      } else {
        break;
      }
    }
  }
  std::span<const uint8_t> b_;
  size_t pos_ = 2;  // after the magic
};

}  // namespace

Result<Image> DecodeNetpbm(std::span<const uint8_t> bytes, const std::string& name) {
  if (bytes.size() < 2 || bytes[0] != 'P' || bytes[1] < '2' || bytes[1] > '6' || bytes[1] == '4')
    return BadInput("{}: not a PPM/PGM file (expected P2, P3, P5 or P6)", name);
  const bool binary = bytes[1] >= '5', color = bytes[1] == '3' || bytes[1] == '6';
  HeaderReader r(bytes);
  long w = 0, h = 0, maxval = 0;
  if (!r.Number(w) || !r.Number(h) || !r.Number(maxval))
    return BadInput("{}: truncated or malformed PPM/PGM header", name);
  if (w <= 0 || h <= 0 || w > kMaxSide || h > kMaxSide || uint64_t(w) * uint64_t(h) > kMaxPixels)
    return BadInput("{}: image of {}x{} pixels (1..{} per side, at most {} in all)", name, w, h, kMaxSide, kMaxPixels);
  if (maxval < 1 || maxval > 65535) return BadInput("{}: maxval {} (must be 1..65535)", name, maxval);
  const size_t samples = size_t(w) * size_t(h) * (color ? 3 : 1);
  // Every sample takes at least one byte in either encoding: check before allocating.
  if (bytes.size() - r.pos() < samples)
    return BadInput("{}: truncated: {} bytes of pixels, at least {} needed", name, bytes.size() - r.pos(), samples);
  std::vector<uint16_t> raw(samples);
  if (binary) {
    if (!r.OneSpace()) return BadInput("{}: malformed PPM/PGM header", name);
    const size_t width = maxval > 255 ? 2 : 1, need = samples * width;
    if (bytes.size() - r.pos() < need)
      return BadInput("{}: truncated: {} bytes of pixels, {} needed", name, bytes.size() - r.pos(), need);
    const uint8_t* p = bytes.data() + r.pos();
    for (size_t i = 0; i < samples; ++i) raw[i] = width == 2 ? uint16_t(p[2 * i] << 8 | p[2 * i + 1]) : p[i];
  } else {
    for (size_t i = 0; i < samples; ++i) {
      long v = 0;
      if (!r.Number(v)) return BadInput("{}: truncated or malformed ASCII pixels (sample {} of {})", name, i, samples);
      raw[i] = uint16_t(std::min(v, 65535L));
    }
  }
  Image out;
  out.width = int(w);
  out.height = int(h);
  out.rgb.resize(size_t(w) * size_t(h) * 3);
  for (size_t i = 0; i < samples; ++i) {
    if (raw[i] > maxval) return BadInput("{}: sample {} exceeds maxval {}", name, raw[i], maxval);
    const uint8_t v = maxval == 255 ? uint8_t(raw[i]) : uint8_t((raw[i] * 255L + maxval / 2) / maxval);
    if (color) {
      out.rgb[i] = v;
    } else {
      out.rgb[3 * i] = out.rgb[3 * i + 1] = out.rgb[3 * i + 2] = v;
    }
  }
  return out;
}

std::vector<uint8_t> EncodePpm(const Image& image) {
  const std::string header = "P6\n" + std::to_string(image.width) + " " + std::to_string(image.height) + "\n255\n";
  std::vector<uint8_t> out(header.begin(), header.end());
  out.insert(out.end(), image.rgb.begin(), image.rgb.end());
  return out;
}

}  // namespace adderq::image
