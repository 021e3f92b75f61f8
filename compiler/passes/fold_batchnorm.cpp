#include "passes/fold_batchnorm.h"

#include <cmath>

namespace adderq::passes {

Status FoldBatchNorms(Graph& g) {
  std::vector<int> consumers(g.tensors.size(), 0);
  for (const Node& n : g.nodes)
    for (int t : n.inputs) consumers[size_t(t)]++;
  std::vector<int> producer(g.tensors.size(), -1);
  for (size_t i = 0; i < g.nodes.size(); ++i) producer[size_t(g.nodes[i].output)] = int(i);

  std::vector<bool> erase(g.nodes.size(), false);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& bn = g.nodes[i];
    if (bn.kind != OpKind::kBatchNorm) continue;
    const int src = bn.inputs[0];
    const int p = producer[size_t(src)];
    if (p < 0 || consumers[size_t(src)] != 1 || src == g.output) continue;
    Node& layer = g.nodes[size_t(p)];
    if (layer.kind != OpKind::kConv2d && layer.kind != OpKind::kAdder2d && layer.kind != OpKind::kLinear) continue;
    for (size_t c = 0; c < bn.bn_gamma.size(); ++c) {
      const double a = double(bn.bn_gamma[c]) / std::sqrt(double(bn.bn_var[c]) + double(bn.bn_eps));
      const double b = double(bn.bn_beta[c]) - a * double(bn.bn_mean[c]);
      layer.affine_scale[c] = float(a * double(layer.affine_scale[c]));
      layer.affine_shift[c] = float(a * double(layer.affine_shift[c]) + b);
    }
    layer.output = bn.output;
    producer[size_t(bn.output)] = p;
    erase[i] = true;
  }
  std::vector<Node> kept;
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (!erase[i]) kept.push_back(std::move(g.nodes[i]));
  g.nodes = std::move(kept);
  CompactTensors(g);
  return ValidateGraph(g);
}

void CompactTensors(Graph& g) {
  std::vector<bool> used(g.tensors.size(), false);
  used[size_t(g.input)] = used[size_t(g.output)] = true;
  for (const Node& n : g.nodes) {
    used[size_t(n.output)] = true;
    for (int t : n.inputs) used[size_t(t)] = true;
  }
  std::vector<int> remap(g.tensors.size(), -1);
  std::vector<TensorDesc> kept;
  for (size_t t = 0; t < g.tensors.size(); ++t)
    if (used[t]) {
      remap[t] = int(kept.size());
      kept.push_back(std::move(g.tensors[t]));
    }
  g.tensors = std::move(kept);
  for (Node& n : g.nodes) {
    n.output = remap[size_t(n.output)];
    for (int& t : n.inputs) t = remap[size_t(t)];
  }
  g.input = remap[size_t(g.input)];
  g.output = remap[size_t(g.output)];
}

}  // namespace adderq::passes
