#include "core/bit_packing.h"

namespace adderq {

size_t PackedSize(size_t count, int bits) { return (count * size_t(bits) + 7) / 8; }

std::vector<uint8_t> PackCodes(std::span<const int16_t> codes, int bits) {
  std::vector<uint8_t> out(PackedSize(codes.size(), bits), 0);
  const uint32_t mask = (1u << bits) - 1u;
  size_t bit = 0;
  for (int16_t c : codes) {
    uint32_t v = uint32_t(int32_t(c)) & mask;
    for (int i = 0; i < bits; ++i, ++bit)
      if (v & (1u << i)) out[bit / 8] |= uint8_t(1u << (bit % 8));
  }
  return out;
}

Result<std::vector<int16_t>> UnpackCodes(std::span<const uint8_t> packed, size_t count, int bits, CodeSign code_sign) {
  if (bits < 1 || bits > 8) return Unsupported("code width of {} bits", bits);
  if (packed.size() != PackedSize(count, bits))
    return BadInput("packed weights hold {} bytes, {} codes of {} bits need {}", packed.size(), count, bits,
                    PackedSize(count, bits));
  std::vector<int16_t> out(count);
  size_t bit = 0;
  const uint32_t sign = code_sign == CodeSign::kSigned ? 1u << (bits - 1) : 0u;
  for (size_t k = 0; k < count; ++k) {
    uint32_t v = 0;
    for (int i = 0; i < bits; ++i, ++bit)
      if (packed[bit / 8] & (1u << (bit % 8))) v |= 1u << i;
    out[k] = int16_t(int32_t(v ^ sign) - int32_t(sign));  // sign-extend (signed codes)
  }
  return out;
}

}  // namespace adderq
