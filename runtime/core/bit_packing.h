// b-bit two's-complement codes packed least-significant-bit first: the artifact's weight storage.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"

namespace adderq {

size_t PackedSize(size_t count, int bits);
std::vector<uint8_t> PackCodes(std::span<const int8_t> codes, int bits);
// Fails when `packed` is not exactly PackedSize(count, bits) bytes.
Result<std::vector<int8_t>> UnpackCodes(std::span<const uint8_t> packed, size_t count, int bits);

}  // namespace adderq
