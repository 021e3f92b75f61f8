#include "core/fusion.h"

namespace adderq {

std::vector<FusedNode> PlanFusion(const Graph& g, bool fuse_batchnorm) {
  std::vector<std::vector<size_t>> uses(g.tensors.size());
  std::vector<int> producer(g.tensors.size(), -1);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (int t : g.nodes[i].inputs) uses[size_t(t)].push_back(i);
    producer[size_t(g.nodes[i].output)] = int(i);
  }
  std::vector<FusedNode> plan(g.nodes.size());
  // The sole reader of t, unless t is the graph's output (which must be materialized as is).
  auto sole_consumer = [&](int t) -> int {
    if (t == g.output || uses[size_t(t)].size() != 1) return -1;
    return int(uses[size_t(t)][0]);
  };
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    FusedNode& f = plan[i];
    f.output = g.nodes[i].output;
    if (f.absorbed) continue;
    const OpKind kind = g.nodes[i].kind;
    const bool conv_like = kind == OpKind::kConv2d || kind == OpKind::kAdder2d || (fuse_batchnorm && kind == OpKind::kBatchNorm);
    if (!conv_like && kind != OpKind::kAdd) continue;
    if (conv_like) {
      const int j = sole_consumer(f.output);
      if (j >= 0 && g.nodes[size_t(j)].kind == OpKind::kAdd) {
        const Node& add = g.nodes[size_t(j)];
        const int other = add.inputs[0] == f.output ? add.inputs[1] : add.inputs[0];
        if (add.inputs[0] != add.inputs[1] && producer[size_t(other)] < int(i)) {
          f.residual = other;
          plan[size_t(j)].absorbed = true;
          f.output = add.output;
        }
      }
    }
    const int k = sole_consumer(f.output);
    if (k >= 0 && g.nodes[size_t(k)].kind == OpKind::kRelu) {
      f.relu = true;
      plan[size_t(k)].absorbed = true;
      f.output = g.nodes[size_t(k)].output;
    }
  }
  return plan;
}

}  // namespace adderq
