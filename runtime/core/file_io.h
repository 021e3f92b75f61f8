// Whole-file reads and atomic writes (temporary file in the same directory, then rename), so an
// interrupted writer never leaves a partial file at the destination.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace adderq {

// Reads a regular file; refuses files over `max_bytes` before allocating.
Result<std::vector<uint8_t>> ReadFileBytes(const std::string& path, uint64_t max_bytes = uint64_t(4) << 30);
Status WriteFileAtomic(const std::string& path, std::span<const uint8_t> bytes);

}  // namespace adderq
