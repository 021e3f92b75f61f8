#include "frontends/mindspore/mindspore_checkpoint.h"

#include <cstring>
#include <string>
#include <zlib.h>

#include "frontends/common/protobuf_wire.h"

namespace adderq::frontends {
namespace {

constexpr char kCrcMarker[] = "crc_num";
constexpr size_t kCrcTrailer = 7 + 10;
constexpr size_t kMaxElements = size_t(1) << 31;

bool ParseDType(const std::string& name, DType& out) {
  static const std::pair<const char*, DType> kTypes[] = {
      {"Float32", DType::kFloat32}, {"Float16", DType::kFloat16}, {"Float64", DType::kFloat64},
      {"BFloat16", DType::kBFloat16}, {"Int8", DType::kInt8}, {"Int16", DType::kInt16}, {"Int32", DType::kInt32},
      {"Int64", DType::kInt64}, {"UInt8", DType::kUInt8}, {"UInt16", DType::kUInt16}, {"UInt32", DType::kUInt32},
      {"UInt64", DType::kUInt64}, {"Bool", DType::kBool}};
  for (const auto& [n, d] : kTypes)
    if (name == n) {
      out = d;
      return true;
    }
  return false;
}

struct RawTensor {
  std::vector<int64_t> dims;
  std::string type;
  std::span<const uint8_t> content;
};

Status ParseTensor(std::span<const uint8_t> bytes, RawTensor& t, size_t record) {
  wire::Reader r(bytes);
  bool has_type = false;
  while (!r.AtEnd()) {
    uint32_t field = 0, type = 0;
    if (!r.Key(field, type)) return BadInput("value {}: corrupt tensor", record);
    if (field == 1 && type == wire::kVarint) {
      uint64_t d = 0;
      if (!r.Varint(d) || d > (uint64_t(1) << 40)) return BadInput("value {}: bad dimension", record);
      t.dims.push_back(int64_t(d));
    } else if (field == 1 && type == wire::kLengthDelimited) {  // packed dims (proto3 writers)
      std::span<const uint8_t> packed;
      if (!r.Bytes(packed)) return BadInput("value {}: corrupt dims", record);
      wire::Reader p(packed);
      while (!p.AtEnd()) {
        uint64_t d = 0;
        if (!p.Varint(d) || d > (uint64_t(1) << 40)) return BadInput("value {}: bad dimension", record);
        t.dims.push_back(int64_t(d));
      }
    } else if (field == 2 && type == wire::kLengthDelimited) {
      std::span<const uint8_t> s;
      if (!r.Bytes(s) || s.size() > 64) return BadInput("value {}: bad tensor type", record);
      t.type.assign(reinterpret_cast<const char*>(s.data()), s.size());
      has_type = true;
    } else if (field == 3 && type == wire::kLengthDelimited) {
      if (!r.Bytes(t.content)) return BadInput("value {}: tensor content runs past the end", record);
    } else if (!r.Skip(type)) {
      return BadInput("value {}: corrupt field {}", record, field);
    }
  }
  if (!has_type) return BadInput("value {}: tensor without a type", record);
  return Status::Ok();
}

}  // namespace

bool LooksLikeMindSpore(std::span<const uint8_t> b) {
  wire::Reader r(b);
  uint32_t field = 0, type = 0;
  std::span<const uint8_t> first;
  return !b.empty() && r.Key(field, type) && field == 1 && type == wire::kLengthDelimited && r.Bytes(first);
}

Result<StateDict> ReadMindSporeCheckpoint(std::span<const uint8_t> bytes) {
  std::span<const uint8_t> body = bytes;
  if (bytes.size() >= kCrcTrailer &&
      std::memcmp(bytes.data() + bytes.size() - kCrcTrailer, kCrcMarker, 7) == 0) {
    body = bytes.first(bytes.size() - kCrcTrailer);
    uint64_t stored = 0;
    for (size_t i = bytes.size() - 10; i < bytes.size(); ++i) {
      if (stored >> 56) return BadInput("CRC trailer holds an impossible value");
      stored = (stored << 8) | bytes[i];
    }
    uLong crc = crc32(0L, Z_NULL, 0);
    for (size_t off = 0; off < body.size(); off += size_t(1) << 30) {
      const size_t n = std::min(body.size() - off, size_t(1) << 30);
      crc = crc32(crc, body.data() + off, uInt(n));
    }
    if (stored != uint64_t(crc))
      return BadInput("CRC mismatch: the trailer says {:08x}, the content has {:08x} (corrupt file)", stored, uint64_t(crc));
  }

  struct Pending {
    std::string tag;
    RawTensor first;
    std::vector<uint8_t> content;
  };
  StateDict out;
  Pending cur;
  bool have = false;
  size_t skipped = 0, record = 0;
  auto flush = [&]() -> Status {
    if (!have) return Status::Ok();
    have = false;
    DType dtype;
    if (!ParseDType(cur.first.type, dtype)) {
      ++skipped;  // strings ("str") and the random-op state carry no parameter
      return Status::Ok();
    }
    TensorData t;
    t.dtype = dtype;
    t.shape = cur.first.dims;
    const size_t es = DTypeSize(dtype);
    if (cur.content.size() % es != 0)
      return BadInput("'{}': {} bytes of content is not a whole number of {} elements", cur.tag, cur.content.size(), cur.first.type);
    const size_t have_elems = cur.content.size() / es;
    if (t.shape == std::vector<int64_t>{0} && have_elems == 1) t.shape.clear();  // MindSpore <= 2.0 scalar
    auto numel = CheckedNumel(t.shape, kMaxElements);
    if (!numel.ok()) return numel.status().WithContext("'" + cur.tag + "'");
    if (numel.value() != have_elems)
      return BadInput("'{}': dims give {} elements but the content holds {}", cur.tag, numel.value(), have_elems);
    t.values.resize(have_elems);
    DecodeElements(dtype, cur.content.data(), have_elems, t.values.data());
    if (out.Find(cur.tag)) return BadInput("'{}' appears twice (not consecutively)", cur.tag);
    out.Add(cur.tag, std::move(t));
    return Status::Ok();
  };

  wire::Reader r(body);
  while (!r.AtEnd()) {
    uint32_t field = 0, type = 0;
    std::span<const uint8_t> value;
    if (!r.Key(field, type) || field != 1 || type != wire::kLengthDelimited || !r.Bytes(value)) {
      if (record == 0) return BadInput("not a MindSpore parameter checkpoint (no protobuf 'value' records; encrypted or another format?)");
      return BadInput("corrupt record {} at byte {}", record, r.pos());
    }
    std::string tag;
    RawTensor tensor;
    bool has_tensor = false, has_tag = false;
    wire::Reader v(value);
    while (!v.AtEnd()) {
      uint32_t f = 0, t = 0;
      if (!v.Key(f, t)) return BadInput("record {}: corrupt value", record);
      std::span<const uint8_t> sub;
      if (f == 1 && t == wire::kLengthDelimited) {
        if (!v.Bytes(sub) || sub.size() > 4096) return BadInput("record {}: bad tag", record);
        tag.assign(reinterpret_cast<const char*>(sub.data()), sub.size());
        has_tag = true;
      } else if (f == 2 && t == wire::kLengthDelimited) {
        if (!v.Bytes(sub)) return BadInput("record {}: tensor runs past the end", record);
        ADQ_RETURN_IF_ERROR(ParseTensor(sub, tensor, record));
        has_tensor = true;
      } else if (!v.Skip(t)) {  // maptensor (field 3) and unknown fields
        return BadInput("record {}: corrupt field {}", record, f);
      }
    }
    if (!has_tag) return BadInput("record {}: value without a tag", record);
    ++record;
    if (!has_tensor) {
      ++skipped;
      continue;
    }
    if (have && tag == cur.tag) {  // a further slice of a split tensor
      if (tensor.dims != cur.first.dims || tensor.type != cur.first.type)
        return BadInput("'{}': slices disagree on dims or type", tag);
      cur.content.insert(cur.content.end(), tensor.content.begin(), tensor.content.end());
      continue;
    }
    ADQ_RETURN_IF_ERROR(flush());
    cur.tag = tag;
    cur.first = tensor;
    cur.content.assign(tensor.content.begin(), tensor.content.end());
    have = true;
  }
  ADQ_RETURN_IF_ERROR(flush());
  if (out.size() == 0)
    return BadInput("not a parameter checkpoint: no numeric tensors in {} records (a strategy or other protobuf file?)", record);
  return out;
}

}  // namespace adderq::frontends
