// A minimal, bounds-checked ZIP reader for PyTorch's checkpoint archives (stored or deflated
// entries, ZIP64 end records and extra fields). Entries are views into the caller's buffer when
// stored; deflated entries are inflated with zlib into owned memory.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace adderq::frontends {

class ZipArchive {
 public:
  // Parses the central directory of `bytes` (which must outlive the archive).
  static Result<ZipArchive> Open(std::span<const uint8_t> bytes);
  static bool LooksLikeZip(std::span<const uint8_t> bytes);

  std::vector<std::string> Names() const;
  bool Contains(const std::string& name) const { return entries_.count(name) != 0; }
  // The entry's uncompressed bytes, verified against the recorded CRC-32.
  Result<std::vector<uint8_t>> Read(const std::string& name) const;

 private:
  struct Entry {
    uint16_t method = 0;
    uint32_t crc = 0;
    uint64_t compressed = 0, uncompressed = 0, local_offset = 0;
  };
  std::span<const uint8_t> bytes_;
  std::map<std::string, Entry> entries_;
};

}  // namespace adderq::frontends
