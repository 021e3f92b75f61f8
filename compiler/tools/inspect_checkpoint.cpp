#include "tools/inspect_checkpoint.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "core/graph.h"
#include "frontends/checkpoint.h"
#include "model_graph.h"

namespace adderq::compiler {

Status InspectCheckpoint(const std::string& path, const std::string& format_name, bool json) {
  ADQ_ASSIGN_OR_RETURN(frontends::CheckpointFormat format, frontends::ParseCheckpointFormat(format_name));
  ADQ_ASSIGN_OR_RETURN(frontends::LoadedCheckpoint ckpt, frontends::ReadCheckpoint(path, format));
  nlohmann::ordered_json tensors = nlohmann::ordered_json::array();
  size_t total = 0;
  std::string text;
  for (const auto& [name, t] : ckpt.state.entries()) {
    double lo = 0, hi = 0, mean = 0, sq = 0;
    if (!t.values.empty()) {
      lo = *std::min_element(t.values.begin(), t.values.end());
      hi = *std::max_element(t.values.begin(), t.values.end());
      for (double v : t.values) mean += v;
      mean /= double(t.values.size());
      for (double v : t.values) sq += (v - mean) * (v - mean);
    }
    const double sd = t.values.empty() ? 0.0 : std::sqrt(sq / double(t.values.size()));
    total += t.values.size();
    tensors.push_back({{"name", name}, {"dtype", frontends::DTypeName(t.dtype)}, {"shape", t.shape},
                       {"elements", t.values.size()}, {"min", lo}, {"max", hi}, {"mean", mean}, {"std", sd}});
    text += fmt::format("{:<44} {:<8} {:<16} min {:>10.4g}  max {:>10.4g}  mean {:>10.4g}  std {:>9.4g}\n", name,
                        frontends::DTypeName(t.dtype), fmt::format("[{}]", fmt::join(t.shape, ",")), lo, hi, mean, sd);
  }
  // ONNX: the graph as stored, and what adderq makes of it (or why it cannot).
  nlohmann::ordered_json graph;
  std::string graph_text;
  if (ckpt.onnx) {
    const frontends::onnx::Model& m = *ckpt.onnx;
    nlohmann::ordered_json nodes = nlohmann::ordered_json::array(), opsets = nlohmann::ordered_json::object();
    for (const auto& [domain, version] : m.opsets) opsets[domain.empty() ? "ai.onnx" : domain] = version;
    graph_text += fmt::format("graph '{}' from {} (IR version {}), {} nodes\n", m.graph_name, m.producer.empty() ? "?" : m.producer,
                              m.ir_version, m.nodes.size());
    for (const auto& vi : m.inputs)
      if (!ckpt.state.Find(vi.name)) graph_text += fmt::format("  input  {} {} [{}]\n", vi.name, frontends::onnx::ElemTypeName(vi.elem_type), fmt::join(vi.dims, ","));
    for (const frontends::onnx::Node& n : m.nodes) {
      nodes.push_back({{"op", (n.domain.empty() ? "" : n.domain + "::") + n.op_type}, {"name", n.name}, {"inputs", n.inputs}, {"outputs", n.outputs}});
      graph_text += fmt::format("  {:<44} {}({}) -> {}\n", n.name, n.Describe().substr(0, n.Describe().find(' ')),
                                fmt::join(n.inputs, ", "), fmt::join(n.outputs, ", "));
    }
    for (const auto& vi : m.outputs) graph_text += fmt::format("  output {} [{}]\n", vi.name, fmt::join(vi.dims, ","));
    auto built = BuildModelGraph(ckpt, path, {});
    graph["opsets"] = opsets;
    graph["producer"] = m.producer;
    graph["nodes"] = nodes;
    if (built.ok()) {
      const Graph& g = built.value();
      int adders = 0;
      for (const Node& n : g.nodes) adders += n.kind == OpKind::kAdder2d;
      graph["adderq"] = {{"nodes", g.nodes.size()}, {"adder_layers", adders},
                         {"input", {g.meta.input_shape.c, g.meta.input_shape.h, g.meta.input_shape.w}},
                         {"outputs", g.ShapeOf(g.output).size()}};
      graph_text += fmt::format("adderq graph: {} nodes, {} adder layers, input {}x{}x{}, {} outputs\n", g.nodes.size(), adders,
                                g.meta.input_shape.c, g.meta.input_shape.h, g.meta.input_shape.w, g.ShapeOf(g.output).size());
    } else {
      graph["adderq_error"] = built.status().message();
      graph_text += "adderq cannot compile it: " + built.status().message() + "\n";
    }
  }
  if (json) {
    nlohmann::ordered_json j;
    j["file"] = path;
    j["format"] = ckpt.format;
    j["sha256"] = ckpt.sha256;
    if (ckpt.onnx) j["graph"] = graph;
    j["tensors"] = tensors;
    j["elements"] = total;
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("%s: %s %s, %zu tensors, %zu elements, sha256 %s\n%s%s", path.c_str(), ckpt.format.c_str(),
                ckpt.onnx ? "model" : "checkpoint", ckpt.state.size(), total, ckpt.sha256.c_str(), graph_text.c_str(), text.c_str());
  }
  return Status::Ok();
}

}  // namespace adderq::compiler
