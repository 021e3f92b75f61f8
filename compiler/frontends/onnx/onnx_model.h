// An ONNX model (onnx.proto3's ModelProto) as plain data: the graph's nodes with their attributes,
// its initializers as tensors, its inputs and outputs with their shapes. Only what a compiler of
// convolutional networks needs; subgraphs, sparse and external tensors are refused, not guessed at.
// Read with the defensive protobuf wire reader (frontends/common/protobuf_wire.h): every length is
// checked against the bytes left and every tensor's data against its dims.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "state_dict.h"

namespace adderq::frontends::onnx {

struct Attribute {
  enum Type { kUndefined = 0, kFloat = 1, kInt = 2, kString = 3, kTensor = 4, kGraph = 5, kFloats = 6, kInts = 7 };
  int type = kUndefined;
  float f = 0.f;
  int64_t i = 0;
  std::string s;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<TensorData> tensor;  // one element for kTensor
};

struct Node {
  std::string name, op_type, domain;
  std::vector<std::string> inputs, outputs;  // "" = an omitted optional input
  std::map<std::string, Attribute> attributes;
  const Attribute* Find(const std::string& key) const {
    auto it = attributes.find(key);
    return it == attributes.end() ? nullptr : &it->second;
  }
  // "Conv 'layer1.0.conv1'" (or the op and its first output when the node has no name), for errors.
  std::string Describe() const;
};

struct ValueInfo {
  std::string name;
  int elem_type = 0;           // TensorProto.DataType (1 = float)
  std::vector<int64_t> dims;   // -1 for a symbolic dimension (e.g. the batch)
};

struct Model {
  int64_t ir_version = 0;
  std::string producer;               // producer_name and version
  std::map<std::string, int64_t> opsets;  // domain ("" = the standard one) -> version
  std::string graph_name;
  std::vector<Node> nodes;            // as stored (ONNX requires topological order)
  StateDict initializers;             // in file order
  std::vector<ValueInfo> inputs, outputs;
};

// The first bytes look like a ModelProto: field 1 (ir_version) as a varint.
bool LooksLikeOnnx(std::span<const uint8_t> bytes);
Result<Model> ParseModel(std::span<const uint8_t> bytes);

// ONNX's data type names (for --inspect and errors): "float", "int64", ...
const char* ElemTypeName(int elem_type);

}  // namespace adderq::frontends::onnx
