#include "frontends/torch/zip_reader.h"

#include <zlib.h>

#include "frontends/common/byte_reader.h"

namespace adderq::frontends {
namespace {

constexpr uint32_t kLocalHeaderSig = 0x04034b50;
constexpr uint32_t kCentralSig = 0x02014b50;
constexpr uint32_t kEndSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr uint64_t kMaxEntryBytes = uint64_t(1) << 31;

struct EndRecord {
  uint64_t entries = 0, cd_size = 0, cd_offset = 0;
};

Result<EndRecord> FindEnd(std::span<const uint8_t> b) {
  if (b.size() < 22) return BadInput("zip: too short for an end-of-central-directory record");
  const size_t lowest = b.size() >= 22 + 65535 ? b.size() - 22 - 65535 : 0;
  for (size_t pos = b.size() - 22 + 1; pos-- > lowest;) {
    ByteReader r(b, pos);
    uint32_t sig = 0;
    if (!r.ReadLE(sig) || sig != kEndSig) continue;
    uint16_t disk = 0, cd_disk = 0, n_disk = 0, n_total = 0;
    uint32_t cd_size = 0, cd_offset = 0;
    r.ReadLE(disk); r.ReadLE(cd_disk); r.ReadLE(n_disk); r.ReadLE(n_total); r.ReadLE(cd_size); r.ReadLE(cd_offset);
    EndRecord end{n_total, cd_size, cd_offset};
    // A ZIP64 locator just before the end record points at the 64-bit version of these fields.
    if (pos >= 20) {
      ByteReader loc(b, pos - 20);
      uint32_t lsig = 0, zdisk = 0, ndisks = 0;
      uint64_t z64_offset = 0;
      if (loc.ReadLE(lsig) && lsig == kZip64LocatorSig && loc.ReadLE(zdisk) && loc.ReadLE(z64_offset) && loc.ReadLE(ndisks)) {
        ByteReader z(b);
        uint32_t zsig = 0;
        uint64_t rec_size = 0, n_this = 0;
        uint16_t ver_made = 0, ver_need = 0;
        uint32_t d1 = 0, d2 = 0;
        if (!z.Seek(z64_offset) || !z.ReadLE(zsig) || zsig != kZip64EndSig || !z.ReadLE(rec_size) || !z.ReadLE(ver_made) ||
            !z.ReadLE(ver_need) || !z.ReadLE(d1) || !z.ReadLE(d2) || !z.ReadLE(n_this) || !z.ReadLE(end.entries) ||
            !z.ReadLE(end.cd_size) || !z.ReadLE(end.cd_offset))
          return BadInput("zip: corrupt ZIP64 end record");
      }
    }
    if (end.cd_offset > b.size() || end.cd_size > b.size() - end.cd_offset)
      return BadInput("zip: central directory lies outside the file");
    return end;
  }
  return BadInput("zip: no end-of-central-directory record (truncated file?)");
}

// Reads ZIP64 values for the fields that were 0xFFFFFFFF, in the order the format defines.
bool ApplyZip64Extra(std::span<const uint8_t> extra, uint64_t& uncompressed, uint64_t& compressed, uint64_t& offset) {
  ByteReader r(extra);
  while (r.remaining() >= 4) {
    uint16_t id = 0, size = 0;
    r.ReadLE(id);
    r.ReadLE(size);
    std::span<const uint8_t> body;
    if (!r.ReadBytes(size, body)) return false;
    if (id != 0x0001) continue;
    ByteReader z(body);
    if (uncompressed == 0xFFFFFFFFu && !z.ReadLE(uncompressed)) return false;
    if (compressed == 0xFFFFFFFFu && !z.ReadLE(compressed)) return false;
    if (offset == 0xFFFFFFFFu && !z.ReadLE(offset)) return false;
  }
  return true;
}

}  // namespace

bool ZipArchive::LooksLikeZip(std::span<const uint8_t> b) {
  return b.size() >= 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4;
}

Result<ZipArchive> ZipArchive::Open(std::span<const uint8_t> bytes) {
  ADQ_ASSIGN_OR_RETURN(EndRecord end, FindEnd(bytes));
  ZipArchive zip;
  zip.bytes_ = bytes;
  ByteReader r(bytes, size_t(end.cd_offset));
  if (end.entries > end.cd_size / 46) return BadInput("zip: {} entries cannot fit in the central directory", end.entries);
  for (uint64_t i = 0; i < end.entries; ++i) {
    uint32_t sig = 0, crc = 0, csize = 0, usize = 0, ext_attr = 0, offset = 0;
    uint16_t made = 0, need = 0, flags = 0, method = 0, mtime = 0, mdate = 0, name_len = 0, extra_len = 0,
             comment_len = 0, disk = 0, int_attr = 0;
    if (!r.ReadLE(sig) || sig != kCentralSig || !r.ReadLE(made) || !r.ReadLE(need) || !r.ReadLE(flags) ||
        !r.ReadLE(method) || !r.ReadLE(mtime) || !r.ReadLE(mdate) || !r.ReadLE(crc) || !r.ReadLE(csize) ||
        !r.ReadLE(usize) || !r.ReadLE(name_len) || !r.ReadLE(extra_len) || !r.ReadLE(comment_len) ||
        !r.ReadLE(disk) || !r.ReadLE(int_attr) || !r.ReadLE(ext_attr) || !r.ReadLE(offset))
      return BadInput("zip: corrupt central directory entry {}", i);
    std::string name;
    std::span<const uint8_t> extra;
    if (!r.ReadString(name_len, name) || !r.ReadBytes(extra_len, extra) || !r.Skip(comment_len))
      return BadInput("zip: central directory entry {} runs past the directory", i);
    if (flags & 0x1) return Unsupported("zip: entry '{}' is encrypted", name);
    Entry e{method, crc, csize, usize, offset};
    if (!ApplyZip64Extra(extra, e.uncompressed, e.compressed, e.local_offset))
      return BadInput("zip: corrupt ZIP64 field in entry '{}'", name);
    if (e.local_offset >= bytes.size()) return BadInput("zip: entry '{}' starts past the end of the file", name);
    zip.entries_[name] = e;
  }
  return zip;
}

std::vector<std::string> ZipArchive::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, e] : entries_) names.push_back(name);
  return names;
}

Result<std::vector<uint8_t>> ZipArchive::Read(const std::string& name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) return BadInput("zip: no entry '{}'", name);
  const Entry& e = it->second;
  ByteReader r(bytes_, size_t(e.local_offset));
  uint32_t sig = 0;
  uint16_t name_len = 0, extra_len = 0;
  if (!r.ReadLE(sig) || sig != kLocalHeaderSig || !r.Skip(22) || !r.ReadLE(name_len) || !r.ReadLE(extra_len) ||
      !r.Skip(size_t(name_len) + extra_len))
    return BadInput("zip: corrupt local header of '{}'", name);
  if (e.uncompressed > kMaxEntryBytes) return BadInput("zip: entry '{}' claims {} bytes", name, e.uncompressed);
  std::span<const uint8_t> data;
  if (!r.ReadBytes(size_t(e.compressed), data)) return BadInput("zip: entry '{}' is truncated", name);
  std::vector<uint8_t> out;
  if (e.method == 0) {
    if (e.compressed != e.uncompressed) return BadInput("zip: stored entry '{}' has inconsistent sizes", name);
    out.assign(data.begin(), data.end());
  } else if (e.method == 8) {
    // Guard against inflation bombs: a deflate stream expands at most ~1032x.
    if (e.uncompressed > e.compressed * 1032 + 1024) return BadInput("zip: entry '{}' has an implausible size", name);
    out.resize(size_t(e.uncompressed));
    z_stream zs{};
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return RuntimeError("zlib: inflateInit2 failed");
    zs.next_in = const_cast<Bytef*>(data.data());
    zs.avail_in = uInt(data.size());
    zs.next_out = out.data();
    zs.avail_out = uInt(out.size());
    const int rc = inflate(&zs, Z_FINISH);
    const uint64_t produced = zs.total_out;
    inflateEnd(&zs);
    if (rc != Z_STREAM_END || produced != e.uncompressed) return BadInput("zip: entry '{}' does not inflate cleanly", name);
  } else {
    return Unsupported("zip: entry '{}' uses compression method {}", name, e.method);
  }
  const uint32_t crc = uint32_t(crc32(0L, out.data(), uInt(out.size())));
  if (crc != e.crc) return BadInput("zip: CRC mismatch in entry '{}' (corrupt file)", name);
  return out;
}

}  // namespace adderq::frontends
