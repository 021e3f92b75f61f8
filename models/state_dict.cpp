#include "state_dict.h"

#include <cmath>
#include <cstring>

namespace adderq::frontends {

const char* DTypeName(DType d) {
  switch (d) {
    case DType::kFloat32: return "float32";
    case DType::kFloat64: return "float64";
    case DType::kFloat16: return "float16";
    case DType::kBFloat16: return "bfloat16";
    case DType::kInt64: return "int64";
    case DType::kInt32: return "int32";
    case DType::kInt16: return "int16";
    case DType::kInt8: return "int8";
    case DType::kUInt8: return "uint8";
    case DType::kBool: return "bool";
    case DType::kUInt16: return "uint16";
    case DType::kUInt32: return "uint32";
    case DType::kUInt64: return "uint64";
  }
  return "?";
}

size_t DTypeSize(DType d) {
  switch (d) {
    case DType::kFloat64:
    case DType::kInt64:
    case DType::kUInt64: return 8;
    case DType::kFloat32:
    case DType::kInt32:
    case DType::kUInt32: return 4;
    case DType::kFloat16:
    case DType::kBFloat16:
    case DType::kInt16:
    case DType::kUInt16: return 2;
    case DType::kInt8:
    case DType::kUInt8:
    case DType::kBool: return 1;
  }
  return 1;
}

const TensorData* StateDict::Find(const std::string& name) const {
  for (const auto& [n, t] : entries_)
    if (n == name) return &t;
  return nullptr;
}

void StateDict::StripPrefix(const std::string& prefix) {
  for (auto& [n, t] : entries_)
    if (n.rfind(prefix, 0) == 0) n.erase(0, prefix.size());
}

namespace {
double HalfToDouble(uint16_t h) {
  const int sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  double v;
  if (exp == 0) v = std::ldexp(double(mant), -24);
  else if (exp == 31) v = mant ? NAN : INFINITY;
  else v = std::ldexp(double(mant | 0x400), exp - 25);
  return sign ? -v : v;
}
template <typename T>
T Load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
}  // namespace

void DecodeElements(DType dtype, const uint8_t* src, size_t count, double* dst) {
  const size_t es = DTypeSize(dtype);
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* p = src + i * es;
    switch (dtype) {
      case DType::kFloat32: dst[i] = Load<float>(p); break;
      case DType::kFloat64: dst[i] = Load<double>(p); break;
      case DType::kFloat16: dst[i] = HalfToDouble(Load<uint16_t>(p)); break;
      case DType::kBFloat16: {
        const uint32_t bits = uint32_t(Load<uint16_t>(p)) << 16;
        dst[i] = Load<float>(reinterpret_cast<const uint8_t*>(&bits));
        break;
      }
      case DType::kInt64: dst[i] = double(Load<int64_t>(p)); break;
      case DType::kInt32: dst[i] = Load<int32_t>(p); break;
      case DType::kInt16: dst[i] = Load<int16_t>(p); break;
      case DType::kInt8: dst[i] = Load<int8_t>(p); break;
      case DType::kUInt8: dst[i] = Load<uint8_t>(p); break;
      case DType::kBool: dst[i] = Load<uint8_t>(p) ? 1.0 : 0.0; break;
      case DType::kUInt16: dst[i] = Load<uint16_t>(p); break;
      case DType::kUInt32: dst[i] = Load<uint32_t>(p); break;
      case DType::kUInt64: dst[i] = double(Load<uint64_t>(p)); break;
    }
  }
}

Result<size_t> CheckedNumel(const std::vector<int64_t>& shape, size_t limit) {
  size_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return BadInput("negative dimension {}", d);
    if (d != 0 && n > limit / size_t(d)) return BadInput("tensor of {} dims is implausibly large", shape.size());
    n *= size_t(d);
  }
  return n;
}

}  // namespace adderq::frontends
