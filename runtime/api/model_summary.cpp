#include "api/model_summary.h"

#include <algorithm>

#include "core/bit_packing.h"

namespace adderq::api {
namespace {

// Bytes of weight storage in the artifact: packed codes for quantized adders, float32 otherwise.
size_t WeightBytes(const Node& n) {
  if (n.kind == OpKind::kAdder2d && n.quant.enabled()) return PackedSize(n.WeightCount(), n.quant.bits);
  return n.weight.size() * sizeof(float);
}

}  // namespace

nlohmann::ordered_json ModelSummaryJson(const Graph& g) {
  nlohmann::ordered_json j;
  j["architecture"] = g.meta.architecture;
  j["method"] = g.meta.method;
  int bits = 0;  // the widest quantized adder layer; 32 for a full-precision model
  for (const Node& n : g.nodes)
    if (n.kind == OpKind::kAdder2d) bits = std::max(bits, n.quant.enabled() ? n.quant.bits : 32);
  j["bits"] = bits;
  j["input"] = {g.meta.input_shape.c, g.meta.input_shape.h, g.meta.input_shape.w};
  j["resize_shorter"] = g.meta.resize_shorter;
  j["classes"] = g.meta.class_names;
  j["mean"] = g.meta.mean;
  j["std"] = g.meta.std;
  j["source_checkpoint"] = g.meta.source_checkpoint;
  j["source_sha256"] = g.meta.source_sha256;
  j["compiler_version"] = g.meta.compiler_version;
  j["compile_options"] = g.meta.compile_options;
  size_t total_weight_bytes = 0;
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (const Node& n : g.nodes) {
    if (n.kind != OpKind::kConv2d && n.kind != OpKind::kAdder2d && n.kind != OpKind::kLinear) continue;
    nlohmann::ordered_json l;
    l["name"] = n.name;
    l["op"] = OpKindName(n.kind);
    l["shape"] = {n.out_channels, n.in_channels, n.kernel_h, n.kernel_w};
    l["stride"] = n.stride;
    l["padding"] = n.padding;
    l["bits"] = n.quant.enabled() ? n.quant.bits : 32;
    if (n.quant.enabled()) {
      l["groups"] = n.quant.groups();
      l["group_scales"] = n.quant.group_scale;
      l["group_sizes"] = n.quant.GroupSizes();
      l["act_range"] = n.quant.act_range;
      l["clamped_channels"] = n.quant.clamped_channels;
      l["clamp"] = quant::WeightCodeKindName(n.quant.code_kind);
    }
    l["weight_bytes"] = WeightBytes(n);
    total_weight_bytes += WeightBytes(n);
    layers.push_back(l);
  }
  j["weight_bytes"] = total_weight_bytes;
  j["layers"] = layers;
  return j;
}

}  // namespace adderq::api
