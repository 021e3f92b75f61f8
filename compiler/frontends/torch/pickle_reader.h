// A restricted unpickler for PyTorch state dicts. Like torch.load(weights_only=True) it executes
// only an allow-list of opcodes and globals (OrderedDict, the tensor rebuild functions, the typed
// storage classes); anything else is an error that names the opcode or global and its offset.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "state_dict.h"

namespace adderq::frontends {

struct PickleValue;
// Values are owned by the document's arena and refer to each other by plain pointers, so a
// hostile pickle that builds a cycle (a dict inserted into itself) cannot leak or double-free.
using PickleRef = PickleValue*;

struct PickleValue {
  enum class Kind { kNone, kBool, kInt, kFloat, kString, kTuple, kList, kDict, kGlobal, kStorage, kTensor };
  Kind kind = Kind::kNone;
  int64_t i = 0;             // kBool, kInt
  double f = 0.0;            // kFloat
  std::string s;             // kString, kGlobal ("module.name"), kStorage (key)
  std::vector<PickleRef> items;                           // kTuple, kList
  std::vector<std::pair<PickleRef, PickleRef>> dict;      // kDict (insertion order)
  // kStorage
  DType dtype = DType::kFloat32;
  // kTensor: a view of a storage
  PickleRef storage;
  int64_t offset = 0;
  std::vector<int64_t> sizes, strides;
};

struct PickleDoc {
  std::shared_ptr<std::vector<std::unique_ptr<PickleValue>>> arena;  // owns every value
  PickleRef root = nullptr;
};

// Unpickles one pickle starting at `pos` (advanced past its STOP opcode). Storages referenced by
// persistent ids ('storage', <type>, key, location, numel, ...) become kStorage values.
Result<PickleDoc> Unpickle(std::span<const uint8_t> bytes, size_t& pos);

}  // namespace adderq::frontends
