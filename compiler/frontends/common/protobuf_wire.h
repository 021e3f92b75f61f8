// The protobuf wire format, read defensively: varints of at most 10 bytes, lengths checked against
// the bytes left, unknown fields skipped by their wire type. Enough for MindSpore's three-message
// checkpoint schema and the subset of ONNX that adderq reads, without a protobuf library or
// generated code.
#pragma once

#include <cstdint>
#include <span>

namespace adderq::frontends::wire {

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> bytes) : b_(bytes) {}
  bool AtEnd() const { return pos_ >= b_.size(); }
  size_t pos() const { return pos_; }

  bool Varint(uint64_t& out) {
    out = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (pos_ >= b_.size()) return false;
      const uint8_t c = b_[pos_++];
      if (shift == 63 && c > 1) return false;  // would overflow 64 bits
      out |= uint64_t(c & 0x7f) << shift;
      if (!(c & 0x80)) return true;
    }
    return false;
  }
  // A field key: field number and wire type; field 0 and wire types 3/4 (groups) are invalid here.
  bool Key(uint32_t& field, uint32_t& type) {
    uint64_t k = 0;
    if (!Varint(k) || (k >> 3) == 0 || (k >> 3) > 0x1fffffff) return false;
    field = uint32_t(k >> 3);
    type = uint32_t(k & 7);
    return type == kVarint || type == kFixed64 || type == kLengthDelimited || type == kFixed32;
  }
  bool Bytes(std::span<const uint8_t>& out) {
    uint64_t len = 0;
    if (!Varint(len) || len > b_.size() - pos_) return false;
    out = b_.subspan(pos_, size_t(len));
    pos_ += size_t(len);
    return true;
  }
  // The 4 bytes of a fixed32 field.
  bool Bytes4(std::span<const uint8_t>& out) {
    if (4 > b_.size() - pos_) return false;
    out = b_.subspan(pos_, 4);
    pos_ += 4;
    return true;
  }
  bool Skip(uint32_t type) {
    uint64_t v = 0;
    std::span<const uint8_t> s;
    switch (type) {
      case kVarint: return Varint(v);
      case kFixed64: return Advance(8);
      case kFixed32: return Advance(4);
      case kLengthDelimited: return Bytes(s);
      default: return false;
    }
  }

 private:
  bool Advance(size_t n) {
    if (n > b_.size() - pos_) return false;
    pos_ += n;
    return true;
  }
  std::span<const uint8_t> b_;
  size_t pos_ = 0;
};

}  // namespace adderq::frontends::wire
