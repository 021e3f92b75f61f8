#include "cuda/kernel_cache.h"

#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "core/file_io.h"
#include "core/sha256.h"
#include "core/version.h"

namespace adderq::cuda {
namespace {

// Entry layout: magic (8 bytes) | payload size (8 bytes, little endian) | SHA-256 of payload (32) | payload.
constexpr char kMagic[8] = {'A', 'D', 'Q', 'K', 'C', 'A', 'C', '1'};
constexpr size_t kHeaderSize = 8 + 8 + 32;
constexpr uint64_t kMaxEntryBytes = uint64_t(256) << 20;

std::array<uint8_t, 32> Digest(const std::vector<uint8_t>& bytes) {
  Sha256 h;
  h.Update(bytes);
  return h.Finish();
}

}  // namespace

std::string DefaultKernelCacheDir() {
  if (const char* d = std::getenv("ADDERQ_CACHE_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/adderq";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.cache/adderq";
  return "";
}

std::string KernelCacheKey(const std::string& source, const std::vector<std::string>& options, int arch,
                           const std::string& nvrtc_version) {
  // Every field is length-prefixed, so no two different inputs concatenate to the same bytes.
  std::string material;
  auto add = [&](const std::string& field) {
    material += std::to_string(field.size());
    material += ':';
    material += field;
  };
  add(source);
  for (const std::string& o : options) add(o);
  add("sm_" + std::to_string(arch));
  add("nvrtc " + nvrtc_version);
  add(std::string("adderq ") + kAdderqVersion);
  return Sha256::HexDigest({reinterpret_cast<const uint8_t*>(material.data()), material.size()});
}

std::string KernelCache::PathFor(const std::string& key) const { return dir_ + "/" + key + ".cubin"; }

KernelCache::Lookup KernelCache::Find(const std::string& key) const {
  Lookup result;
  if (dir_.empty()) return result;
  std::error_code ec;
  if (!std::filesystem::exists(PathFor(key), ec)) return result;
  auto bytes = ReadFileBytes(PathFor(key), kMaxEntryBytes + kHeaderSize);
  result.corrupt = true;  // until every check below passes
  if (!bytes.ok() || bytes->size() < kHeaderSize || std::memcmp(bytes->data(), kMagic, 8) != 0) return result;
  uint64_t size = 0;
  for (int i = 0; i < 8; ++i) size |= uint64_t((*bytes)[size_t(8 + i)]) << (8 * i);
  if (size != bytes->size() - kHeaderSize) return result;
  std::vector<uint8_t> payload(bytes->begin() + kHeaderSize, bytes->end());
  const auto digest = Digest(payload);
  if (std::memcmp(digest.data(), bytes->data() + 16, 32) != 0) return result;
  result.corrupt = false;
  result.payload = std::move(payload);
  return result;
}

Status KernelCache::Store(const std::string& key, const std::vector<uint8_t>& payload) const {
  if (dir_.empty()) return Status::Ok();
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return RuntimeError("kernel cache: cannot create {}: {}", dir_, ec.message());
  std::vector<uint8_t> entry(kMagic, kMagic + 8);
  const uint64_t size = payload.size();
  for (int i = 0; i < 8; ++i) entry.push_back(uint8_t(size >> (8 * i)));
  const auto digest = Digest(payload);
  entry.insert(entry.end(), digest.begin(), digest.end());
  entry.insert(entry.end(), payload.begin(), payload.end());
  return WriteFileAtomic(PathFor(key), entry).WithContext("kernel cache");
}

}  // namespace adderq::cuda
