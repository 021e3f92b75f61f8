#include "frontends/torch/pickle_reader.h"

#include <bit>
#include <map>

#include "frontends/common/byte_reader.h"

namespace adderq::frontends {
namespace {

using Kind = PickleValue::Kind;

constexpr size_t kMaxStack = 1 << 20;
constexpr size_t kMaxValues = 1 << 24;  // far above any state dict; bounds memory on hostile input

// Storage classes a state dict may name, on CPU or CUDA.
bool StorageDType(const std::string& global, DType& out) {
  static const std::pair<const char*, DType> kStorages[] = {
      {"FloatStorage", DType::kFloat32}, {"DoubleStorage", DType::kFloat64}, {"HalfStorage", DType::kFloat16},
      {"BFloat16Storage", DType::kBFloat16}, {"LongStorage", DType::kInt64}, {"IntStorage", DType::kInt32},
      {"ShortStorage", DType::kInt16}, {"CharStorage", DType::kInt8}, {"ByteStorage", DType::kUInt8},
      {"BoolStorage", DType::kBool}};
  for (const char* module : {"torch.", "torch.cuda."})
    for (const auto& [name, dtype] : kStorages)
      if (global == std::string(module) + name) {
        out = dtype;
        return true;
      }
  return false;
}

bool AllowedGlobal(const std::string& g) {
  DType d;
  return g == "collections.OrderedDict" || g == "torch._utils._rebuild_tensor_v2" ||
         g == "torch._utils._rebuild_tensor" || g == "torch._utils._rebuild_parameter" || StorageDType(g, d);
}

class Unpickler {
 public:
  Unpickler(std::span<const uint8_t> bytes, size_t pos)
      : r_(bytes, pos), arena_(std::make_shared<std::vector<std::unique_ptr<PickleValue>>>()) {}
  std::shared_ptr<std::vector<std::unique_ptr<PickleValue>>> arena() const { return arena_; }
  Result<PickleRef> Run();
  size_t pos() const { return r_.pos(); }

 private:
  Status Fail(const std::string& what) const { return BadInput("pickle: {} at offset {}", what, op_pos_); }
  Result<PickleRef> Pop() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) return Fail("stack underflow");
    PickleRef v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }
  Result<std::vector<PickleRef>> PopToMark() {
    if (marks_.empty()) return Fail("no MARK on the stack");
    const size_t m = marks_.back();
    marks_.pop_back();
    std::vector<PickleRef> items(stack_.begin() + long(m), stack_.end());
    stack_.resize(m);
    return items;
  }
  Status Push(PickleRef v) {
    if (stack_.size() >= kMaxStack) return Fail("stack too deep");
    stack_.push_back(std::move(v));
    return Status::Ok();
  }
  Result<PickleRef> Top() {
    if (stack_.empty()) return Fail("stack underflow");
    return stack_.back();
  }
  Status PushString(size_t len) {
    auto v = Make(Kind::kString);
    if (!r_.ReadString(len, v->s)) return Fail("string runs past the end of the file");
    return Push(std::move(v));
  }
  Status PushInt(int64_t i) {
    auto v = Make(Kind::kInt);
    v->i = i;
    return Push(std::move(v));
  }
  Status SetItems(PickleRef dict, std::vector<PickleRef>& kv) {
    if (dict->kind != Kind::kDict) return Fail("SETITEM(S) on a non-dict");
    if (kv.size() % 2) return Fail("odd number of dict items");
    for (size_t k = 0; k < kv.size(); k += 2) dict->dict.emplace_back(kv[k], kv[k + 1]);
    return Status::Ok();
  }
  Result<PickleRef> PersistentLoad(const PickleRef& pid);
  Result<PickleRef> Reduce(const PickleRef& callable, const PickleRef& args);

  PickleRef Make(Kind k) {
    arena_->push_back(std::make_unique<PickleValue>());
    arena_->back()->kind = k;
    return arena_->back().get();
  }

  ByteReader r_;
  std::shared_ptr<std::vector<std::unique_ptr<PickleValue>>> arena_;
  size_t op_pos_ = 0;
  std::vector<PickleRef> stack_;
  std::vector<size_t> marks_;
  std::map<uint32_t, PickleRef> memo_;
};

Result<std::vector<int64_t>> IntTuple(const PickleRef& v, const char* what) {
  if (v->kind != Kind::kTuple) return BadInput("pickle: tensor {} is not a tuple", what);
  std::vector<int64_t> out;
  for (const PickleRef& x : v->items) {
    if (x->kind != Kind::kInt) return BadInput("pickle: tensor {} holds a non-integer", what);
    out.push_back(x->i);
  }
  return out;
}

Result<PickleRef> Unpickler::PersistentLoad(const PickleRef& pid) {
  // ('storage', storage_type, key, location, numel[, view_metadata])
  if (pid->kind != Kind::kTuple || pid->items.size() < 5 || pid->items[0]->kind != Kind::kString ||
      pid->items[0]->s != "storage")
    return Fail("unsupported persistent id (not a storage reference)");
  const PickleRef& type = pid->items[1];
  const PickleRef& key = pid->items[2];
  const PickleRef& numel = pid->items[4];
  auto v = Make(Kind::kStorage);
  if (type->kind != Kind::kGlobal || !StorageDType(type->s, v->dtype)) return Fail("unknown storage type");
  if (key->kind != Kind::kString || numel->kind != Kind::kInt || numel->i < 0) return Fail("malformed storage reference");
  v->s = key->s;
  v->i = numel->i;
  return v;
}

Result<PickleRef> Unpickler::Reduce(const PickleRef& callable, const PickleRef& args) {
  if (callable->kind != Kind::kGlobal || args->kind != Kind::kTuple) return Fail("REDUCE of a non-global");
  const std::string& fn = callable->s;
  const auto& a = args->items;
  if (fn == "collections.OrderedDict") {
    if (!a.empty()) return Fail("OrderedDict with arguments");
    return Make(Kind::kDict);
  }
  if (fn == "torch._utils._rebuild_tensor_v2" || fn == "torch._utils._rebuild_tensor") {
    if (a.size() < 4 || a[0]->kind != Kind::kStorage || a[1]->kind != Kind::kInt) return Fail("malformed tensor rebuild");
    auto t = Make(Kind::kTensor);
    t->storage = a[0];
    t->dtype = a[0]->dtype;
    t->offset = a[1]->i;
    ADQ_ASSIGN_OR_RETURN(t->sizes, IntTuple(a[2], "size"));
    ADQ_ASSIGN_OR_RETURN(t->strides, IntTuple(a[3], "stride"));
    if (t->sizes.size() != t->strides.size()) return Fail("tensor size and stride ranks differ");
    return t;
  }
  if (fn == "torch._utils._rebuild_parameter") {
    if (a.empty() || a[0]->kind != Kind::kTensor) return Fail("malformed parameter rebuild");
    return a[0];
  }
  return Fail("call of disallowed global " + fn);
}

Result<PickleRef> Unpickler::Run() {
  while (true) {
    op_pos_ = r_.pos();
    if (arena_->size() > kMaxValues) return Fail("too many objects");
    uint8_t op = 0;
    if (!r_.ReadLE(op)) return Fail("unexpected end of data (no STOP opcode)");
    switch (op) {
      case 0x80: {  // PROTO
        uint8_t proto = 0;
        if (!r_.ReadLE(proto) || proto > 5) return Fail("unsupported protocol");
        break;
      }
      case 0x95: {  // FRAME: framing is only a hint for buffered readers
        uint64_t len = 0;
        if (!r_.ReadLE(len)) return Fail("truncated FRAME");
        break;
      }
      case '.': {  // STOP
        ADQ_ASSIGN_OR_RETURN(PickleRef v, Pop());
        return v;
      }
      case '(': marks_.push_back(stack_.size()); break;
      case '}': ADQ_RETURN_IF_ERROR(Push(Make(Kind::kDict))); break;
      case ']': ADQ_RETURN_IF_ERROR(Push(Make(Kind::kList))); break;
      case ')': ADQ_RETURN_IF_ERROR(Push(Make(Kind::kTuple))); break;
      case 'N': ADQ_RETURN_IF_ERROR(Push(Make(Kind::kNone))); break;
      case 0x88:
      case 0x89: {
        auto v = Make(Kind::kBool);
        v->i = op == 0x88;
        ADQ_RETURN_IF_ERROR(Push(std::move(v)));
        break;
      }
      case 't': {
        ADQ_ASSIGN_OR_RETURN(auto items, PopToMark());
        auto v = Make(Kind::kTuple);
        v->items = std::move(items);
        ADQ_RETURN_IF_ERROR(Push(std::move(v)));
        break;
      }
      case 0x85:
      case 0x86:
      case 0x87: {  // TUPLE1..3
        auto v = Make(Kind::kTuple);
        v->items.resize(size_t(op - 0x84));
        for (size_t k = v->items.size(); k-- > 0;) {
          ADQ_ASSIGN_OR_RETURN(v->items[k], Pop());
        }
        ADQ_RETURN_IF_ERROR(Push(std::move(v)));
        break;
      }
      case 'q': {
        uint8_t idx = 0;
        if (!r_.ReadLE(idx)) return Fail("truncated BINPUT");
        ADQ_ASSIGN_OR_RETURN(memo_[idx], Top());
        break;
      }
      case 'r': {
        uint32_t idx = 0;
        if (!r_.ReadLE(idx)) return Fail("truncated LONG_BINPUT");
        ADQ_ASSIGN_OR_RETURN(memo_[idx], Top());
        break;
      }
      case 0x94: {  // MEMOIZE
        const uint32_t idx = uint32_t(memo_.size());
        ADQ_ASSIGN_OR_RETURN(memo_[idx], Top());
        break;
      }
      case 'h':
      case 'j': {
        uint32_t idx = 0;
        uint8_t small = 0;
        if (op == 'h' ? !r_.ReadLE(small) : !r_.ReadLE(idx)) return Fail("truncated GET");
        if (op == 'h') idx = small;
        auto it = memo_.find(idx);
        if (it == memo_.end()) return Fail("memo key " + std::to_string(idx) + " not defined");
        ADQ_RETURN_IF_ERROR(Push(it->second));
        break;
      }
      case 'X':
      case 'T':
      case 'B': {
        uint32_t len = 0;
        if (!r_.ReadLE(len)) return Fail("truncated string length");
        ADQ_RETURN_IF_ERROR(PushString(len));
        break;
      }
      case 0x8c:
      case 'U':
      case 'C': {
        uint8_t len = 0;
        if (!r_.ReadLE(len)) return Fail("truncated string length");
        ADQ_RETURN_IF_ERROR(PushString(len));
        break;
      }
      case 'J': {
        int32_t v = 0;
        if (!r_.ReadLE(v)) return Fail("truncated BININT");
        ADQ_RETURN_IF_ERROR(PushInt(v));
        break;
      }
      case 'K': {
        uint8_t v = 0;
        if (!r_.ReadLE(v)) return Fail("truncated BININT1");
        ADQ_RETURN_IF_ERROR(PushInt(v));
        break;
      }
      case 'M': {
        uint16_t v = 0;
        if (!r_.ReadLE(v)) return Fail("truncated BININT2");
        ADQ_RETURN_IF_ERROR(PushInt(v));
        break;
      }
      case 0x8a: {  // LONG1: little-endian two's complement of n bytes
        uint8_t n = 0;
        std::span<const uint8_t> b;
        if (!r_.ReadLE(n) || !r_.ReadBytes(n, b)) return Fail("truncated LONG1");
        if (n > 8) {
          // Only the legacy magic number (10 bytes) is this long; keep its low 64 bits.
          b = b.subspan(0, 8);
        }
        uint64_t u = 0;
        for (size_t k = 0; k < b.size(); ++k) u |= uint64_t(b[k]) << (8 * k);
        if (!b.empty() && b.size() < 8 && (b.back() & 0x80)) u |= ~uint64_t(0) << (8 * b.size());
        ADQ_RETURN_IF_ERROR(PushInt(int64_t(u)));
        break;
      }
      case 'G': {  // BINFLOAT, big-endian
        uint64_t be = 0;
        if (!r_.ReadLE(be)) return Fail("truncated BINFLOAT");
        auto v = Make(Kind::kFloat);
        v->f = std::bit_cast<double>(__builtin_bswap64(be));
        ADQ_RETURN_IF_ERROR(Push(std::move(v)));
        break;
      }
      case 'c': {  // GLOBAL "module\nname\n"
        std::string module, name;
        for (std::string* part : {&module, &name}) {
          uint8_t ch = 0;
          while (true) {
            if (!r_.ReadLE(ch)) return Fail("truncated GLOBAL");
            if (ch == '\n') break;
            if (part->size() > 256) return Fail("GLOBAL name too long");
            part->push_back(char(ch));
          }
        }
        auto v = Make(Kind::kGlobal);
        v->s = module + "." + name;
        if (!AllowedGlobal(v->s)) return Fail("disallowed global " + v->s + " (not a plain state dict?)");
        ADQ_RETURN_IF_ERROR(Push(std::move(v)));
        break;
      }
      case 0x93: {  // STACK_GLOBAL
        ADQ_ASSIGN_OR_RETURN(PickleRef name, Pop());
        ADQ_ASSIGN_OR_RETURN(PickleRef module, Pop());
        if (name->kind != Kind::kString || module->kind != Kind::kString) return Fail("STACK_GLOBAL of non-strings");
        auto v = Make(Kind::kGlobal);
        v->s = module->s + "." + name->s;
        if (!AllowedGlobal(v->s)) return Fail("disallowed global " + v->s + " (not a plain state dict?)");
        ADQ_RETURN_IF_ERROR(Push(std::move(v)));
        break;
      }
      case 'Q': {  // BINPERSID
        ADQ_ASSIGN_OR_RETURN(PickleRef pid, Pop());
        ADQ_ASSIGN_OR_RETURN(PickleRef v, PersistentLoad(pid));
        ADQ_RETURN_IF_ERROR(Push(std::move(v)));
        break;
      }
      case 'R': {
        ADQ_ASSIGN_OR_RETURN(PickleRef args, Pop());
        ADQ_ASSIGN_OR_RETURN(PickleRef callable, Pop());
        ADQ_ASSIGN_OR_RETURN(PickleRef v, Reduce(callable, args));
        ADQ_RETURN_IF_ERROR(Push(std::move(v)));
        break;
      }
      case 'b': {  // BUILD: state of an OrderedDict (its _metadata) or a tensor carries nothing we need
        ADQ_ASSIGN_OR_RETURN([[maybe_unused]] PickleRef state, Pop());
        ADQ_ASSIGN_OR_RETURN(PickleRef obj, Top());
        if (obj->kind != Kind::kDict && obj->kind != Kind::kTensor) return Fail("BUILD on an unsupported object");
        break;
      }
      case 's': {
        ADQ_ASSIGN_OR_RETURN(PickleRef value, Pop());
        ADQ_ASSIGN_OR_RETURN(PickleRef key, Pop());
        ADQ_ASSIGN_OR_RETURN(PickleRef dict, Top());
        std::vector<PickleRef> kv{key, value};
        ADQ_RETURN_IF_ERROR(SetItems(dict, kv));
        break;
      }
      case 'u': {
        ADQ_ASSIGN_OR_RETURN(auto kv, PopToMark());
        ADQ_ASSIGN_OR_RETURN(PickleRef dict, Top());
        ADQ_RETURN_IF_ERROR(SetItems(dict, kv));
        break;
      }
      case 'a': {
        ADQ_ASSIGN_OR_RETURN(PickleRef value, Pop());
        ADQ_ASSIGN_OR_RETURN(PickleRef list, Top());
        if (list->kind != Kind::kList) return Fail("APPEND to a non-list");
        list->items.push_back(std::move(value));
        break;
      }
      case 'e': {
        ADQ_ASSIGN_OR_RETURN(auto items, PopToMark());
        ADQ_ASSIGN_OR_RETURN(PickleRef list, Top());
        if (list->kind != Kind::kList) return Fail("APPENDS to a non-list");
        for (auto& v : items) list->items.push_back(std::move(v));
        break;
      }
      default: return Fail(fmt::format("unsupported opcode 0x{:02x}", op));
    }
  }
}

}  // namespace

Result<PickleDoc> Unpickle(std::span<const uint8_t> bytes, size_t& pos) {
  Unpickler u(bytes, pos);
  auto v = u.Run();
  if (!v.ok()) return v.status();
  pos = u.pos();
  return PickleDoc{u.arena(), v.value()};
}

}  // namespace adderq::frontends
