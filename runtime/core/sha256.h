// SHA-256 (FIPS 180-4), for the source-checkpoint fingerprint in artifacts and for cache keys.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace adderq {

class Sha256 {
 public:
  Sha256();
  void Update(std::span<const uint8_t> data);
  std::array<uint8_t, 32> Finish();
  static std::string HexDigest(std::span<const uint8_t> data);

 private:
  void Block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

}  // namespace adderq
