#include "core/file_io.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace adderq {

Result<std::vector<uint8_t>> ReadFileBytes(const std::string& path, uint64_t max_bytes) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return BadInput("{}: no such file", path);
  const uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return BadInput("{}: cannot stat: {}", path, ec.message());
  if (size > max_bytes) return BadInput("{}: {} bytes is larger than the {} byte limit", path, size, max_bytes);
  std::ifstream in(path, std::ios::binary);
  if (!in) return BadInput("{}: cannot open: {}", path, std::strerror(errno));
  std::vector<uint8_t> bytes(size);
  if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(size)))
    return BadInput("{}: read failed", path);
  return bytes;
}

Status WriteFileAtomic(const std::string& path, std::span<const uint8_t> bytes) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) return RuntimeError("{}: cannot create: {}", tmp, std::strerror(errno));
    // An empty span may have a null data(): fwrite must not see it.
    const bool ok = (bytes.empty() || std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size()) &&
                    std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
    const bool closed = std::fclose(f) == 0;
    if (!ok || !closed) {
      std::remove(tmp.c_str());
      return RuntimeError("{}: write failed: {}", tmp, std::strerror(errno));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp.c_str());
    return RuntimeError("{}: cannot rename into place: {}", path, std::strerror(err));
  }
  return Status::Ok();
}

}  // namespace adderq
