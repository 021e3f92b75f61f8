// b-bit weight codes packed least-significant-bit first: the artifact's weight storage. Signed
// codes are stored as two's complement, unsigned ones (the one-sided clamp's, 0..2^b - 1) as they are.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"

namespace adderq {

size_t PackedSize(size_t count, int bits);
// Keeps the low `bits` bits of each code (the caller has checked the codes' range).
std::vector<uint8_t> PackCodes(std::span<const int16_t> codes, int bits);
enum class CodeSign { kSigned, kUnsigned };
// Fails when `packed` is not exactly PackedSize(count, bits) bytes.
Result<std::vector<int16_t>> UnpackCodes(std::span<const uint8_t> packed, size_t count, int bits, CodeSign sign);

}  // namespace adderq
