// What every checkpoint reader produces: named tensors in file order, values widened to double
// (exact for every float32/float16/bfloat16 value and for integers up to 2^53). The compiler's
// readers (compiler/frontends/) write it and the architectures (models/) read it, so it lives here,
// below both: models/ depends on nothing in compiler/.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace adderq::frontends {

enum class DType { kFloat32, kFloat64, kFloat16, kBFloat16, kInt64, kInt32, kInt16, kInt8, kUInt8, kBool, kUInt16, kUInt32, kUInt64 };
const char* DTypeName(DType d);
size_t DTypeSize(DType d);

struct TensorData {
  DType dtype = DType::kFloat32;
  std::vector<int64_t> shape;  // empty = scalar
  std::vector<double> values;  // row-major
  size_t numel() const { return values.size(); }
};

class StateDict {
 public:
  void Add(std::string name, TensorData t) { entries_.emplace_back(std::move(name), std::move(t)); }
  const TensorData* Find(const std::string& name) const;
  const std::vector<std::pair<std::string, TensorData>>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }
  // Removes a common prefix such as "module." (DataParallel) from every name that has it.
  void StripPrefix(const std::string& prefix);

 private:
  std::vector<std::pair<std::string, TensorData>> entries_;
};

// Converts `count` little-endian elements of `dtype` starting at `src` to doubles.
void DecodeElements(DType dtype, const uint8_t* src, size_t count, double* dst);

// Product of dims with overflow and sign checks; fails on negative dims or a product over `limit`.
Result<size_t> CheckedNumel(const std::vector<int64_t>& shape, size_t limit);

}  // namespace adderq::frontends
