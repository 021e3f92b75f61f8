#include "frontends/torch/torch_checkpoint.h"

#include <algorithm>
#include <map>
#include <set>

#include "frontends/common/byte_reader.h"
#include "frontends/torch/pickle_reader.h"
#include "frontends/torch/zip_reader.h"

namespace adderq::frontends {
namespace {

using Kind = PickleValue::Kind;

constexpr int64_t kLegacyMagic = int64_t(0xa86a20f9469cfc6cULL);  // low 64 bits of 0x1950a86a20f9469cfc6c
constexpr int64_t kLegacyProtocol = 1001;
constexpr size_t kMaxElements = size_t(1) << 31;

struct StorageBytes {
  DType dtype;
  std::span<const uint8_t> bytes;
};

// Copies a (possibly strided) view of a storage into a row-major tensor, checking every bound.
Result<TensorData> Materialize(const std::string& name, const PickleValue& t, const StorageBytes& st) {
  TensorData out;
  out.dtype = t.dtype;
  out.shape = t.sizes;
  auto numel = CheckedNumel(t.sizes, kMaxElements);
  if (!numel.ok()) return numel.status().WithContext("tensor '" + name + "'");
  const size_t es = DTypeSize(st.dtype);
  const size_t storage_elems = st.bytes.size() / es;
  if (t.offset < 0) return BadInput("tensor '{}': negative storage offset", name);
  // Largest element index the view touches must lie inside the storage.
  if (numel.value() > 0) {
    uint64_t last = uint64_t(t.offset);
    for (size_t d = 0; d < t.sizes.size(); ++d) {
      if (t.strides[d] < 0) return BadInput("tensor '{}': negative stride", name);
      if (t.sizes[d] > 1 && uint64_t(t.strides[d]) > (uint64_t(1) << 40)) return BadInput("tensor '{}': implausible stride", name);
      last += uint64_t(t.sizes[d] - 1) * uint64_t(t.strides[d]);
    }
    if (last >= storage_elems)
      return BadInput("tensor '{}': view reaches element {} of a storage of {}", name, last, storage_elems);
  }
  if (numel.value() > storage_elems)
    return BadInput("tensor '{}': view of {} elements over a storage of {}", name, numel.value(), storage_elems);
  out.values.resize(numel.value());
  std::vector<int64_t> idx(t.sizes.size(), 0);
  for (size_t n = 0; n < numel.value(); ++n) {
    int64_t off = t.offset;
    for (size_t d = 0; d < idx.size(); ++d) off += idx[d] * t.strides[d];
    DecodeElements(st.dtype, st.bytes.data() + size_t(off) * es, 1, &out.values[n]);
    for (size_t d = idx.size(); d-- > 0;) {
      if (++idx[d] < t.sizes[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

// The state dict may be the top-level object, or nested under a conventional key of a training
// checkpoint ({"state_dict": ..., "epoch": ...}).
Result<PickleRef> FindStateDict(const PickleRef& root, int depth = 0) {
  if (root->kind != Kind::kDict) return BadInput("checkpoint does not hold a dict (state dict expected)");
  if (depth > 4) return BadInput("checkpoint dict nests too deeply");
  for (const auto& [k, v] : root->dict)
    if (v->kind == Kind::kTensor) return root;
  for (const char* key : {"state_dict", "model", "net", "model_state_dict"})
    for (const auto& [k, v] : root->dict)
      if (k->kind == Kind::kString && k->s == key && v->kind == Kind::kDict) return FindStateDict(v, depth + 1);
  return BadInput("checkpoint dict holds no tensors");
}

Result<StateDict> BuildStateDict(const PickleRef& root, const std::map<std::string, StorageBytes>& storages) {
  ADQ_ASSIGN_OR_RETURN(PickleRef sd, FindStateDict(root));
  StateDict out;
  for (const auto& [k, v] : sd->dict) {
    if (k->kind != Kind::kString) return BadInput("state dict key is not a string");
    if (v->kind != Kind::kTensor) continue;  // e.g. non-tensor extra state
    auto it = storages.find(v->storage->s);
    if (it == storages.end()) return BadInput("tensor '{}': storage '{}' is missing", k->s, v->storage->s);
    if (it->second.dtype != v->dtype) return BadInput("tensor '{}': storage type mismatch", k->s);
    ADQ_ASSIGN_OR_RETURN(TensorData t, Materialize(k->s, *v, it->second));
    out.Add(k->s, std::move(t));
  }
  if (out.size() == 0) return BadInput("checkpoint holds no tensors");
  return out;
}

// Every storage referenced from the pickle, by key. Visits each value once (pickles may share or
// even cycle through values).
void CollectStorages(const PickleRef& root, std::map<std::string, PickleRef>& out) {
  std::set<const PickleValue*> seen;
  std::vector<PickleRef> todo{root};
  while (!todo.empty()) {
    PickleRef v = todo.back();
    todo.pop_back();
    if (!v || !seen.insert(v).second) continue;
    if (v->kind == Kind::kStorage) out.emplace(v->s, v);
    if (v->kind == Kind::kTensor) todo.push_back(v->storage);
    for (const auto& x : v->items) todo.push_back(x);
    for (const auto& [k, x] : v->dict) todo.push_back(x);
  }
}

Result<StateDict> ReadLegacy(std::span<const uint8_t> bytes) {
  size_t pos = 0;
  ADQ_ASSIGN_OR_RETURN(PickleDoc magic_doc, Unpickle(bytes, pos));
  const PickleRef magic = magic_doc.root;
  if (magic->kind != Kind::kInt || magic->i != kLegacyMagic) return BadInput("not a PyTorch legacy checkpoint (bad magic number)");
  ADQ_ASSIGN_OR_RETURN(PickleDoc protocol_doc, Unpickle(bytes, pos));
  const PickleRef protocol = protocol_doc.root;
  if (protocol->kind != Kind::kInt || protocol->i != kLegacyProtocol)
    return Unsupported("PyTorch legacy protocol version {}", protocol->kind == Kind::kInt ? protocol->i : -1);
  ADQ_ASSIGN_OR_RETURN(PickleDoc sys_doc, Unpickle(bytes, pos));
  const PickleRef sys_info = sys_doc.root;
  if (sys_info->kind == Kind::kDict)
    for (const auto& [k, v] : sys_info->dict)
      if (k->kind == Kind::kString && k->s == "little_endian" && v->kind == Kind::kBool && !v->i)
        return Unsupported("big-endian PyTorch checkpoint");
  ADQ_ASSIGN_OR_RETURN(PickleDoc root_doc, Unpickle(bytes, pos));
  ADQ_ASSIGN_OR_RETURN(PickleDoc keys_doc, Unpickle(bytes, pos));
  const PickleRef root = root_doc.root, keys = keys_doc.root;
  if (keys->kind != Kind::kList) return BadInput("legacy checkpoint: storage key list missing");

  std::map<std::string, PickleRef> referenced;
  CollectStorages(root, referenced);
  std::map<std::string, StorageBytes> storages;
  ByteReader r(bytes, pos);
  for (const PickleRef& key : keys->items) {
    if (key->kind != Kind::kString) return BadInput("legacy checkpoint: storage key is not a string");
    auto it = referenced.find(key->s);
    if (it == referenced.end()) return BadInput("legacy checkpoint: storage '{}' is not used by any tensor", key->s);
    int64_t numel = 0;
    if (!r.ReadLE(numel) || numel < 0) return BadInput("legacy checkpoint: truncated before storage '{}'", key->s);
    const size_t es = DTypeSize(it->second->dtype);
    std::span<const uint8_t> data;
    if (uint64_t(numel) > r.remaining() / es || !r.ReadBytes(size_t(numel) * es, data))
      return BadInput("legacy checkpoint: storage '{}' ({} elements) is truncated", key->s, numel);
    storages[key->s] = {it->second->dtype, data};
  }
  return BuildStateDict(root, storages);
}

Result<StateDict> ReadZip(std::span<const uint8_t> bytes) {
  ADQ_ASSIGN_OR_RETURN(ZipArchive zip, ZipArchive::Open(bytes));
  std::string prefix;
  int found = 0;
  for (const std::string& name : zip.Names()) {
    const std::string tail = "data.pkl";
    if (name.size() >= tail.size() && name.compare(name.size() - tail.size(), tail.size(), tail) == 0 &&
        std::count(name.begin(), name.end(), '/') == 1) {
      prefix = name.substr(0, name.size() - tail.size());
      ++found;
    }
  }
  if (found != 1) return BadInput("zip checkpoint: expected one <archive>/data.pkl, found {}", found);
  if (zip.Contains(prefix + "byteorder")) {
    ADQ_ASSIGN_OR_RETURN(auto order, zip.Read(prefix + "byteorder"));
    if (std::string(order.begin(), order.end()) != "little") return Unsupported("big-endian PyTorch checkpoint");
  }
  ADQ_ASSIGN_OR_RETURN(std::vector<uint8_t> pkl, zip.Read(prefix + "data.pkl"));
  size_t pos = 0;
  ADQ_ASSIGN_OR_RETURN(PickleDoc root_doc, Unpickle(pkl, pos));
  const PickleRef root = root_doc.root;
  std::map<std::string, PickleRef> referenced;
  CollectStorages(root, referenced);
  std::vector<std::vector<uint8_t>> owned;
  owned.reserve(referenced.size());
  std::map<std::string, StorageBytes> storages;
  for (const auto& [key, st] : referenced) {
    ADQ_ASSIGN_OR_RETURN(std::vector<uint8_t> data, zip.Read(prefix + "data/" + key));
    const size_t es = DTypeSize(st->dtype);
    if (data.size() % es != 0 || uint64_t(data.size() / es) < uint64_t(st->i))
      return BadInput("zip checkpoint: storage '{}' holds {} bytes, {} elements of {} bytes expected", key, data.size(),
                      st->i, es);
    owned.push_back(std::move(data));
    storages[key] = {st->dtype, owned.back()};
  }
  return BuildStateDict(root, storages);
}

}  // namespace

bool LooksLikeTorchLegacy(std::span<const uint8_t> b) {
  // A pickle (PROTO 2) whose first object is the LONG1 magic number.
  return b.size() >= 4 && b[0] == 0x80 && b[1] == 0x02 && b[2] == 0x8a && b[3] == 0x0a;
}

Result<StateDict> ReadTorchCheckpoint(std::span<const uint8_t> bytes) {
  if (ZipArchive::LooksLikeZip(bytes)) return ReadZip(bytes);
  if (LooksLikeTorchLegacy(bytes)) return ReadLegacy(bytes);
  return BadInput("not a PyTorch checkpoint (neither a zip archive nor a legacy pickle stream)");
}

}  // namespace adderq::frontends
