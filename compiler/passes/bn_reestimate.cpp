#include "passes/bn_reestimate.h"

#include "cpu/executor.h"

namespace adderq::passes {

Status ReestimateBatchNorm(Graph& g, const CalibrationBatches& batches, const BnReestimateOptions& opt) {
  ADQ_ASSIGN_OR_RETURN(auto ex, Executor::Create(g, opt.threads));
  RunHooks hooks;
  hooks.bn_training = true;
  // Updating the statistics during the pass is safe: in training mode a BatchNorm normalises with
  // the batch's own statistics, so the running values only matter after the pass.
  hooks.on_bn_stats = [&](size_t node, std::span<const float> mean, std::span<const float> var) {
    Node& n = g.nodes[node];
    for (size_t c = 0; c < mean.size(); ++c) {
      n.bn_mean[c] = float((1.0 - opt.momentum) * double(n.bn_mean[c]) + opt.momentum * double(mean[c]));
      n.bn_var[c] = float((1.0 - opt.momentum) * double(n.bn_var[c]) + opt.momentum * double(var[c]));
    }
  };
  std::vector<float> input, logits;
  for (int b = 0; b < batches.batches(); ++b) {
    if (IsCancelled(opt.cancelled)) return Cancelled("BatchNorm re-estimation");
    ADQ_RETURN_IF_ERROR(batches.Get(b, input));
    ADQ_RETURN_IF_ERROR(ex->Run(input, batches.batch_size(), logits, &hooks));
    if (opt.progress) opt.progress(size_t(b + 1), size_t(batches.batches()));
  }
  return Status::Ok();
}

}  // namespace adderq::passes
