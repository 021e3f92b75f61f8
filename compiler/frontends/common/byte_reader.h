// Bounds-checked little-endian reads over untrusted bytes: every read either succeeds in range or
// reports where the data ended. Parsers built on it cannot read past the buffer.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>

namespace adderq::frontends {

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> bytes, size_t pos = 0) : bytes_(bytes), pos_(pos) {}
  size_t pos() const { return pos_; }
  size_t remaining() const { return pos_ <= bytes_.size() ? bytes_.size() - pos_ : 0; }
  bool AtEnd() const { return remaining() == 0; }
  bool Seek(size_t pos) {
    if (pos > bytes_.size()) return false;
    pos_ = pos;
    return true;
  }
  bool Skip(size_t n) {
    if (n > remaining()) return false;
    pos_ += n;
    return true;
  }
  template <typename T>
  bool ReadLE(T& out) {
    if (sizeof(T) > remaining()) return false;
    T v{};
    std::memcpy(&v, bytes_.data() + pos_, sizeof(T));  // hosts are little-endian (checked in CMake)
    out = v;
    pos_ += sizeof(T);
    return true;
  }
  bool ReadBytes(size_t n, std::span<const uint8_t>& out) {
    if (n > remaining()) return false;
    out = bytes_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  bool ReadString(size_t n, std::string& out) {
    std::span<const uint8_t> s;
    if (!ReadBytes(n, s)) return false;
    out.assign(reinterpret_cast<const char*>(s.data()), s.size());
    return true;
  }

 private:
  std::span<const uint8_t> bytes_;
  size_t pos_;
};

}  // namespace adderq::frontends
