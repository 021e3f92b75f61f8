#include "frontends/onnx/onnx_model.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "frontends/common/protobuf_wire.h"

namespace adderq::frontends::onnx {
namespace {

using Bytes = std::span<const uint8_t>;

// Far above any real network's, far below what could exhaust memory or overflow a size.
constexpr size_t kMaxTensorElements = size_t(1) << 31;
constexpr size_t kMaxNodes = 1 << 20;
constexpr size_t kMaxListLength = 1 << 16;  // attribute lists, node inputs, dims
constexpr size_t kMaxString = 1 << 16;

// ONNX TensorProto.DataType values adderq reads, with their element sizes.
struct TypeInfo {
  int onnx;
  DType dtype;
  const char* name;
};
constexpr TypeInfo kTypes[] = {{1, DType::kFloat32, "float"}, {2, DType::kUInt8, "uint8"},  {3, DType::kInt8, "int8"},
                               {4, DType::kUInt16, "uint16"}, {5, DType::kInt16, "int16"},   {6, DType::kInt32, "int32"},
                               {7, DType::kInt64, "int64"},   {9, DType::kBool, "bool"},     {10, DType::kFloat16, "float16"},
                               {11, DType::kFloat64, "double"}, {12, DType::kUInt32, "uint32"}, {13, DType::kUInt64, "uint64"},
                               {16, DType::kBFloat16, "bfloat16"}};

const TypeInfo* FindType(int onnx) {
  for (const TypeInfo& t : kTypes)
    if (t.onnx == onnx) return &t;
  return nullptr;
}

class Parser {
 public:
  Status Fail(const std::string& what) const { return BadInput("corrupt ONNX model: {}", what); }

  bool String(wire::Reader& r, std::string& out) {
    Bytes b;
    if (!r.Bytes(b) || b.size() > kMaxString) return false;
    out.assign(reinterpret_cast<const char*>(b.data()), b.size());
    return true;
  }

  // A repeated int64 field, packed (one length-delimited run) or not (one varint per key).
  bool Int64s(wire::Reader& r, uint32_t type, std::vector<int64_t>& out) {
    if (type == wire::kVarint) {
      uint64_t v = 0;
      if (!r.Varint(v) || out.size() >= kMaxListLength) return false;
      out.push_back(int64_t(v));
      return true;
    }
    Bytes packed;
    if (type != wire::kLengthDelimited || !r.Bytes(packed)) return false;
    wire::Reader p(packed);
    while (!p.AtEnd()) {
      uint64_t v = 0;
      if (!p.Varint(v) || out.size() >= kMaxListLength) return false;
      out.push_back(int64_t(v));
    }
    return true;
  }

  // A repeated float field (fixed32), packed or not; `limit` bounds the count.
  bool Floats(wire::Reader& r, uint32_t type, std::vector<float>& out, size_t limit) {
    Bytes b;
    if (type == wire::kFixed32) {
      if (!r.Bytes4(b)) return false;
    } else if (type != wire::kLengthDelimited || !r.Bytes(b) || b.size() % 4 != 0) {
      return false;
    }
    if (out.size() + b.size() / 4 > limit) return false;
    if (b.empty()) return true;  // (memcpy from an empty span's null pointer is undefined)
    const size_t at = out.size();
    out.resize(at + b.size() / 4);
    std::memcpy(out.data() + at, b.data(), b.size());  // little-endian on every supported host
    return true;
  }

  Status Tensor(Bytes bytes, std::string& name, TensorData& t) {
    wire::Reader r(bytes);
    int data_type = 0;
    Bytes raw;
    bool has_raw = false;
    std::vector<float> float_data;
    std::vector<int64_t> int_data;  // int32_data and int64_data (both varints)
    std::vector<double> double_data;
    while (!r.AtEnd()) {
      uint32_t field = 0, type = 0;
      if (!r.Key(field, type)) return Fail("tensor field");
      uint64_t v = 0;
      if (field == 1) {
        if (!Int64s(r, type, t.shape)) return Fail("tensor dims");
      } else if (field == 2 && type == wire::kVarint) {
        if (!r.Varint(v) || v > 64) return Fail("tensor data type");
        data_type = int(v);
      } else if (field == 8 && type == wire::kLengthDelimited) {
        if (!String(r, name)) return Fail("tensor name");
      } else if (field == 9 && type == wire::kLengthDelimited) {
        if (!r.Bytes(raw)) return Fail("tensor raw_data runs past the end");
        has_raw = true;
      } else if (field == 4) {
        if (!Floats(r, type, float_data, kMaxTensorElements)) return Fail("tensor float_data");
      } else if (field == 5 || field == 7) {
        if (!Int64s(r, type, int_data)) {
          if (int_data.size() >= kMaxListLength)
            return Unsupported("ONNX tensor '{}': more than {} integers outside raw_data", name, kMaxListLength);
          return Fail("tensor integer data");
        }
      } else if (field == 10) {
        Bytes b;
        if (type == wire::kLengthDelimited && r.Bytes(b) && b.size() % 8 == 0) {
          if (b.empty()) continue;
          const size_t at = double_data.size();
          double_data.resize(at + b.size() / 8);
          std::memcpy(double_data.data() + at, b.data(), b.size());
        } else {
          return Fail("tensor double_data");
        }
      } else if (field == 13 || (field == 14 && type == wire::kVarint)) {
        if (field == 14 && (!r.Varint(v) || v == 0)) continue;  // DEFAULT location
        return Unsupported("ONNX tensor '{}' keeps its data in an external file (save the model with every tensor inside)", name);
      } else if (!r.Skip(type)) {
        return Fail("tensor field " + std::to_string(field));
      }
    }
    for (int64_t d : t.shape)
      if (d < 0) return BadInput("ONNX tensor '{}' has a negative dimension", name);
    const TypeInfo* info = FindType(data_type);
    if (!info) return Unsupported("ONNX tensor '{}' has data type {}", name, data_type);
    t.dtype = info->dtype;
    ADQ_ASSIGN_OR_RETURN(const size_t numel, CheckedNumel(t.shape, kMaxTensorElements));
    // The data's length is checked against the dims before anything is allocated for them: a few
    // bytes of dims must not make us allocate gigabytes.
    const bool ints = t.dtype == DType::kInt64 || t.dtype == DType::kInt32 || t.dtype == DType::kInt8 ||
                      t.dtype == DType::kUInt8 || t.dtype == DType::kInt16 || t.dtype == DType::kBool;
    if (has_raw) {
      if (raw.size() != numel * DTypeSize(t.dtype))
        return BadInput("ONNX tensor '{}': {} bytes of data for {} {} values", name, raw.size(), numel, info->name);
    } else if (t.dtype == DType::kFloat32) {
      if (float_data.size() != numel) return BadInput("ONNX tensor '{}': {} floats for {} values", name, float_data.size(), numel);
    } else if (t.dtype == DType::kFloat64) {
      if (double_data.size() != numel) return BadInput("ONNX tensor '{}': {} doubles for {} values", name, double_data.size(), numel);
    } else if (ints) {
      if (int_data.size() != numel) return BadInput("ONNX tensor '{}': {} integers for {} values", name, int_data.size(), numel);
    } else if (numel != 0) {
      return Unsupported("ONNX tensor '{}': {} values outside raw_data", name, info->name);
    }
    if (t.dtype == DType::kFloat64 && !has_raw) {
      t.values = std::move(double_data);
      return Status::Ok();
    }
    t.values.resize(numel);
    if (has_raw) DecodeElements(t.dtype, raw.data(), numel, t.values.data());
    else if (t.dtype == DType::kFloat32) std::copy(float_data.begin(), float_data.end(), t.values.begin());
    else if (ints) std::copy(int_data.begin(), int_data.end(), t.values.begin());
    return Status::Ok();
  }

  Status AttributeProto(Bytes bytes, std::string& name, Attribute& a) {
    wire::Reader r(bytes);
    while (!r.AtEnd()) {
      uint32_t field = 0, type = 0;
      if (!r.Key(field, type)) return Fail("attribute field");
      uint64_t v = 0;
      Bytes b;
      if (field == 1 && type == wire::kLengthDelimited) {
        if (!String(r, name)) return Fail("attribute name");
      } else if (field == 2 && type == wire::kFixed32) {
        if (!r.Bytes4(b)) return Fail("attribute f");
        std::memcpy(&a.f, b.data(), 4);
      } else if (field == 3 && type == wire::kVarint) {
        if (!r.Varint(v)) return Fail("attribute i");
        a.i = int64_t(v);
      } else if (field == 4 && type == wire::kLengthDelimited) {
        if (!String(r, a.s)) return Fail("attribute s");
      } else if (field == 5 && type == wire::kLengthDelimited) {
        if (!r.Bytes(b)) return Fail("attribute t");
        std::string tensor_name;
        a.tensor.resize(1);
        ADQ_RETURN_IF_ERROR(Tensor(b, tensor_name, a.tensor[0]));
      } else if (field == 7) {
        if (!Floats(r, type, a.floats, kMaxListLength)) return Fail("attribute floats");
      } else if (field == 8) {
        if (!Int64s(r, type, a.ints)) return Fail("attribute ints");
      } else if (field == 20 && type == wire::kVarint) {
        if (!r.Varint(v) || v > 32) return Fail("attribute type");
        a.type = int(v);
      } else if (!r.Skip(type)) {  // graphs, strings, tensors lists, ref_attr_name: skipped
        return Fail("attribute field " + std::to_string(field));
      }
    }
    return Status::Ok();
  }

  Status NodeProto(Bytes bytes, Node& n) {
    wire::Reader r(bytes);
    while (!r.AtEnd()) {
      uint32_t field = 0, type = 0;
      if (!r.Key(field, type)) return Fail("node field");
      std::string s;
      Bytes b;
      if ((field == 1 || field == 2) && type == wire::kLengthDelimited) {
        std::vector<std::string>& list = field == 1 ? n.inputs : n.outputs;
        if (!String(r, s) || list.size() >= kMaxListLength) return Fail("node input/output");
        list.push_back(std::move(s));
      } else if (field == 3 && type == wire::kLengthDelimited) {
        if (!String(r, n.name)) return Fail("node name");
      } else if (field == 4 && type == wire::kLengthDelimited) {
        if (!String(r, n.op_type)) return Fail("node op_type");
      } else if (field == 7 && type == wire::kLengthDelimited) {
        if (!String(r, n.domain)) return Fail("node domain");
      } else if (field == 5 && type == wire::kLengthDelimited) {
        if (!r.Bytes(b) || n.attributes.size() >= kMaxListLength) return Fail("node attribute");
        std::string name;
        Attribute a;
        ADQ_RETURN_IF_ERROR(AttributeProto(b, name, a));
        n.attributes[name] = std::move(a);
      } else if (!r.Skip(type)) {
        return Fail("node field " + std::to_string(field));
      }
    }
    return Status::Ok();
  }

  Status ValueInfoProto(Bytes bytes, ValueInfo& vi) {
    wire::Reader r(bytes);
    while (!r.AtEnd()) {
      uint32_t field = 0, type = 0;
      if (!r.Key(field, type)) return Fail("value info field");
      Bytes type_proto;
      if (field == 1 && type == wire::kLengthDelimited) {
        if (!String(r, vi.name)) return Fail("value info name");
      } else if (field == 2 && type == wire::kLengthDelimited) {
        if (!r.Bytes(type_proto)) return Fail("value info type");
        ADQ_RETURN_IF_ERROR(TypeProto(type_proto, vi));
      } else if (!r.Skip(type)) {
        return Fail("value info field");
      }
    }
    return Status::Ok();
  }

  // TypeProto { tensor_type = 1: { elem_type = 1, shape = 2: { dim = 1: { dim_value = 1 | dim_param = 2 } } } }
  Status TypeProto(Bytes bytes, ValueInfo& vi) {
    wire::Reader r(bytes);
    while (!r.AtEnd()) {
      uint32_t field = 0, type = 0;
      if (!r.Key(field, type)) return Fail("type field");
      Bytes tensor_type;
      if (field != 1 || type != wire::kLengthDelimited) {
        if (!r.Skip(type)) return Fail("type field");
        continue;
      }
      if (!r.Bytes(tensor_type)) return Fail("tensor type");
      wire::Reader t(tensor_type);
      while (!t.AtEnd()) {
        uint32_t f2 = 0, t2 = 0;
        uint64_t v = 0;
        Bytes shape;
        if (!t.Key(f2, t2)) return Fail("tensor type field");
        if (f2 == 1 && t2 == wire::kVarint) {
          if (!t.Varint(v) || v > 64) return Fail("elem type");
          vi.elem_type = int(v);
        } else if (f2 == 2 && t2 == wire::kLengthDelimited) {
          if (!t.Bytes(shape)) return Fail("shape");
          wire::Reader s(shape);
          while (!s.AtEnd()) {
            uint32_t f3 = 0, t3 = 0;
            Bytes dim;
            if (!s.Key(f3, t3)) return Fail("shape field");
            if (f3 != 1 || t3 != wire::kLengthDelimited) {
              if (!s.Skip(t3)) return Fail("shape field");
              continue;
            }
            if (!s.Bytes(dim) || vi.dims.size() >= kMaxListLength) return Fail("dimension");
            int64_t value = -1;  // symbolic unless dim_value says otherwise
            wire::Reader d(dim);
            while (!d.AtEnd()) {
              uint32_t f4 = 0, t4 = 0;
              if (!d.Key(f4, t4)) return Fail("dimension field");
              if (f4 == 1 && t4 == wire::kVarint) {
                if (!d.Varint(v)) return Fail("dim_value");
                value = int64_t(v) >= 0 ? int64_t(v) : -1;
              } else if (!d.Skip(t4)) {
                return Fail("dimension field");
              }
            }
            vi.dims.push_back(value);
          }
        } else if (!t.Skip(t2)) {
          return Fail("tensor type field");
        }
      }
    }
    return Status::Ok();
  }

  Status GraphProto(Bytes bytes, Model& m) {
    wire::Reader r(bytes);
    while (!r.AtEnd()) {
      uint32_t field = 0, type = 0;
      if (!r.Key(field, type)) return Fail("graph field");
      Bytes b;
      if (type == wire::kLengthDelimited && (field == 1 || field == 5 || field == 11 || field == 12 || field == 15 || field == 2)) {
        if (field == 2) {
          if (!String(r, m.graph_name)) return Fail("graph name");
          continue;
        }
        if (!r.Bytes(b)) return Fail("graph entry runs past the end");
        if (field == 1) {
          if (m.nodes.size() >= kMaxNodes) return Unsupported("ONNX graph with more than {} nodes", kMaxNodes);
          m.nodes.emplace_back();
          ADQ_RETURN_IF_ERROR(NodeProto(b, m.nodes.back()));
        } else if (field == 5) {
          std::string name;
          TensorData t;
          ADQ_RETURN_IF_ERROR(Tensor(b, name, t));
          if (name.empty()) return BadInput("ONNX initializer without a name");
          if (m.initializers.Find(name)) return BadInput("ONNX initializer '{}' appears twice", name);
          m.initializers.Add(std::move(name), std::move(t));
        } else if (field == 15) {
          return Unsupported("ONNX sparse initializers (store the weights dense)");
        } else {
          ValueInfo vi;
          ADQ_RETURN_IF_ERROR(ValueInfoProto(b, vi));
          (field == 11 ? m.inputs : m.outputs).push_back(std::move(vi));
        }
      } else if (!r.Skip(type)) {
        return Fail("graph field " + std::to_string(field));
      }
    }
    return Status::Ok();
  }

  Status ModelProto(Bytes bytes, Model& m) {
    wire::Reader r(bytes);
    bool has_graph = false;
    std::string producer_version;
    while (!r.AtEnd()) {
      uint32_t field = 0, type = 0;
      if (!r.Key(field, type)) return Fail(fmt::format("model field at byte {}", r.pos()));
      uint64_t v = 0;
      Bytes b;
      if (field == 1 && type == wire::kVarint) {
        if (!r.Varint(v)) return Fail("ir_version");
        m.ir_version = int64_t(v);
      } else if (field == 2 && type == wire::kLengthDelimited) {
        if (!String(r, m.producer)) return Fail("producer name");
      } else if (field == 3 && type == wire::kLengthDelimited) {
        if (!String(r, producer_version)) return Fail("producer version");
      } else if (field == 7 && type == wire::kLengthDelimited) {
        if (has_graph) return Fail("two graphs");
        if (!r.Bytes(b)) return Fail("graph runs past the end of the file (truncated?)");
        ADQ_RETURN_IF_ERROR(GraphProto(b, m));
        has_graph = true;
      } else if (field == 8 && type == wire::kLengthDelimited) {
        if (!r.Bytes(b)) return Fail("opset_import");
        wire::Reader o(b);
        std::string domain;
        int64_t version = 0;
        while (!o.AtEnd()) {
          uint32_t f2 = 0, t2 = 0;
          if (!o.Key(f2, t2)) return Fail("opset_import field");
          if (f2 == 1 && t2 == wire::kLengthDelimited) {
            if (!String(o, domain)) return Fail("opset domain");
          } else if (f2 == 2 && t2 == wire::kVarint) {
            if (!o.Varint(v)) return Fail("opset version");
            version = int64_t(v);
          } else if (!o.Skip(t2)) {
            return Fail("opset_import field");
          }
        }
        m.opsets[domain] = version;
      } else if (!r.Skip(type)) {
        return Fail(fmt::format("model field {} at byte {}", field, r.pos()));
      }
    }
    if (!has_graph) return BadInput("not an ONNX model (no graph)");
    if (!producer_version.empty()) m.producer += " " + producer_version;
    return Status::Ok();
  }
};

}  // namespace

std::string Node::Describe() const {
  const std::string& id = !name.empty() ? name : outputs.empty() ? std::string("?") : outputs[0];
  return fmt::format("{}{}{} '{}'", domain.empty() ? "" : domain, domain.empty() ? "" : "::", op_type, id);
}

bool LooksLikeOnnx(std::span<const uint8_t> bytes) {
  // ModelProto writers put ir_version (field 1, varint: key byte 0x08) first; a MindSpore checkpoint
  // starts with field 1 length-delimited (0x0a), a PyTorch file with "PK" or a pickle opcode.
  wire::Reader r(bytes);
  uint32_t field = 0, type = 0;
  uint64_t v = 0;
  return !bytes.empty() && r.Key(field, type) && field == 1 && type == wire::kVarint && r.Varint(v) && v >= 1 && v < 64;
}

Result<Model> ParseModel(std::span<const uint8_t> bytes) {
  Model m;
  Parser p;
  ADQ_RETURN_IF_ERROR(p.ModelProto(bytes, m));
  return m;
}

const char* ElemTypeName(int elem_type) {
  const TypeInfo* t = FindType(elem_type);
  return t ? t->name : "unknown";
}

}  // namespace adderq::frontends::onnx
