// A minimal ONNX (protobuf wire format) writer for tests: models built node by node, so the
// front end is tested on graphs and on malformed files without PyTorch.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace adderq::testing {

class Proto {
 public:
  Proto& Varint(uint32_t field, uint64_t v) {
    Key(field, 0);
    Raw(v);
    return *this;
  }
  Proto& Bytes(uint32_t field, const std::string& s) { return Bytes(field, std::vector<uint8_t>(s.begin(), s.end())); }
  Proto& Bytes(uint32_t field, const std::vector<uint8_t>& b) {
    Key(field, 2);
    Raw(b.size());
    bytes_.insert(bytes_.end(), b.begin(), b.end());
    return *this;
  }
  Proto& Message(uint32_t field, const Proto& p) { return Bytes(field, p.bytes()); }
  Proto& Fixed32(uint32_t field, float f) {
    Key(field, 5);
    uint8_t b[4];
    std::memcpy(b, &f, 4);
    bytes_.insert(bytes_.end(), b, b + 4);
    return *this;
  }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  void Key(uint32_t field, uint32_t type) { Raw((uint64_t(field) << 3) | type); }
  void Raw(uint64_t v) {
    while (v >= 0x80) {
      bytes_.push_back(uint8_t(v | 0x80));
      v >>= 7;
    }
    bytes_.push_back(uint8_t(v));
  }
  std::vector<uint8_t> bytes_;
};

// TensorProto with float raw_data (or int64 raw data).
inline Proto FloatTensor(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& values) {
  Proto t;
  for (int64_t d : dims) t.Varint(1, uint64_t(d));
  t.Varint(2, 1);
  t.Bytes(8, name);
  std::vector<uint8_t> raw(values.size() * 4);
  std::memcpy(raw.data(), values.data(), raw.size());
  t.Bytes(9, raw);
  return t;
}
inline Proto Int64Tensor(const std::string& name, const std::vector<int64_t>& values) {
  Proto t;
  t.Varint(1, values.size());
  t.Varint(2, 7);
  t.Bytes(8, name);
  std::vector<uint8_t> raw(values.size() * 8);
  std::memcpy(raw.data(), values.data(), raw.size());
  t.Bytes(9, raw);
  return t;
}

inline Proto IntsAttr(const std::string& name, const std::vector<int64_t>& v) {
  Proto a;
  a.Bytes(1, name);
  for (int64_t x : v) a.Varint(8, uint64_t(x));
  a.Varint(20, 7);
  return a;
}
inline Proto IntAttr(const std::string& name, int64_t v) {
  Proto a;
  a.Bytes(1, name);
  a.Varint(3, uint64_t(v));
  a.Varint(20, 2);
  return a;
}
inline Proto FloatAttr(const std::string& name, float v) {
  Proto a;
  a.Bytes(1, name);
  a.Fixed32(2, v);
  a.Varint(20, 1);
  return a;
}

struct OnnxNodeSpec {
  std::string op, name;
  std::vector<std::string> inputs, outputs;
  std::vector<Proto> attributes;
  std::string domain;
};

inline OnnxNodeSpec Op(std::string op, std::string name, std::vector<std::string> inputs, std::vector<std::string> outputs,
                       std::vector<Proto> attributes = {}, std::string domain = "") {
  return {std::move(op), std::move(name), std::move(inputs), std::move(outputs), std::move(attributes), std::move(domain)};
}

inline Proto NodeProto(const OnnxNodeSpec& n) {
  Proto p;
  for (const auto& i : n.inputs) p.Bytes(1, i);
  for (const auto& o : n.outputs) p.Bytes(2, o);
  p.Bytes(3, n.name);
  p.Bytes(4, n.op);
  for (const auto& a : n.attributes) p.Message(5, a);
  if (!n.domain.empty()) p.Bytes(7, n.domain);
  return p;
}

// ValueInfoProto of a float tensor; dims < 0 are symbolic ("batch").
inline Proto ValueInfo(const std::string& name, const std::vector<int64_t>& dims) {
  Proto shape;
  for (int64_t d : dims) {
    Proto dim;
    if (d >= 0) dim.Varint(1, uint64_t(d));
    else dim.Bytes(2, std::string("batch"));
    shape.Message(1, dim);
  }
  Proto tensor_type;
  tensor_type.Varint(1, 1).Message(2, shape);
  Proto type;
  type.Message(1, tensor_type);
  Proto vi;
  vi.Bytes(1, name).Message(2, type);
  return vi;
}

struct OnnxModelSpec {
  std::vector<OnnxNodeSpec> nodes;
  std::vector<Proto> initializers;
  std::vector<Proto> inputs, outputs;
  std::string name = "test_graph";
};

inline std::vector<uint8_t> OnnxModelBytes(const OnnxModelSpec& m) {
  Proto graph;
  for (const auto& n : m.nodes) graph.Message(1, NodeProto(n));
  graph.Bytes(2, m.name);
  for (const auto& t : m.initializers) graph.Message(5, t);
  for (const auto& i : m.inputs) graph.Message(11, i);
  for (const auto& o : m.outputs) graph.Message(12, o);
  Proto opset, custom;
  opset.Bytes(1, std::string()).Varint(2, 13);
  custom.Bytes(1, std::string("adderq")).Varint(2, 1);
  Proto model;
  model.Varint(1, 8).Bytes(2, std::string("adderq-tests")).Message(7, graph).Message(8, opset).Message(8, custom);
  return model.bytes();
}

}  // namespace adderq::testing
