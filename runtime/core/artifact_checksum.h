// The artifact's integrity check: SHA-256 of the buffer with the 32 checksum bytes (at `offset`)
// counted as zero. Shared by the writer (which stores it) and the loader (which compares).
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "core/sha256.h"

namespace adderq {

inline std::array<uint8_t, 32> ArtifactDigest(std::span<const uint8_t> buffer, size_t offset) {
  static constexpr uint8_t kZeros[32] = {};
  Sha256 h;
  h.Update(buffer.subspan(0, offset));
  h.Update(kZeros);
  h.Update(buffer.subspan(offset + 32));
  return h.Finish();
}

}  // namespace adderq
