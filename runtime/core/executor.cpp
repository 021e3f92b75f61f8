#include "core/executor.h"

#include "core/parallel.h"
#include "kernels/ref/cpu_ops.h"

namespace adderq {

Result<std::unique_ptr<Executor>> Executor::Create(const Graph& graph, int threads) {
  ADQ_RETURN_IF_ERROR(ValidateGraph(graph));
  std::unique_ptr<Executor> ex(new Executor(graph, threads > 0 ? threads : DefaultThreadCount()));
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    ADQ_ASSIGN_OR_RETURN(auto kernel, kernels::CreateCpuKernel(graph, i));
    ex->kernels_.push_back(std::move(kernel));
  }
  ex->last_use_.assign(graph.tensors.size(), 0);
  for (size_t i = 0; i < graph.nodes.size(); ++i)
    for (int t : graph.nodes[i].inputs) ex->last_use_[size_t(t)] = i;
  ex->scratch_.resize(size_t(ex->threads_));
  ex->buffers_.resize(graph.tensors.size());
  return ex;
}

Status Executor::Run(std::span<const float> input, int batch, std::vector<float>& output, const RunHooks* hooks) {
  const size_t in_size = InputSize();
  if (batch <= 0 || input.size() != in_size * size_t(batch))
    return InvalidArgument("Executor::Run: {} floats for a batch of {} images of {} values", input.size(), batch, in_size);
  auto& buffers = buffers_;
  buffers[size_t(graph_.input)].assign(input.begin(), input.end());
  for (size_t i = 0; i < graph_.nodes.size(); ++i) {
    const Node& node = graph_.nodes[i];
    kernels::OpContext ctx;
    for (int t : node.inputs) {
      ctx.inputs.push_back(buffers[size_t(t)].data());
      ctx.input_sizes.push_back(graph_.ShapeOf(t).size());
    }
    ctx.output_size = graph_.ShapeOf(node.output).size();
    std::vector<float>& out = buffers[size_t(node.output)];
    out.resize(ctx.output_size * size_t(batch));
    ctx.output = out.data();

    if (hooks && hooks->before_adder && node.kind == OpKind::kAdder2d)
      hooks->before_adder(i, {ctx.inputs[0], ctx.input_sizes[0] * size_t(batch)}, batch);

    if (hooks && hooks->bn_training && node.kind == OpKind::kBatchNorm) {
      std::vector<float> mean, var;
      kernels::BatchNormTraining(node, graph_.ShapeOf(node.output), ctx.inputs[0], batch, ctx.output, mean, var);
      if (hooks->on_bn_stats) hooks->on_bn_stats(i, mean, var);
    } else {
      const kernels::OpKernel& kernel = *kernels_[i];
      ParallelFor(batch, threads_, [&](int b, int e, int worker) { kernel.Eval(ctx, b, e, scratch_[size_t(worker)]); });
    }
    // Free what no later node reads (keeps the peak at a few tensors, not the whole network).
    for (int t : node.inputs)
      if (last_use_[size_t(t)] == i && t != graph_.output) std::vector<float>().swap(buffers[size_t(t)]);
  }
  output = std::move(buffers[size_t(graph_.output)]);
  buffers[size_t(graph_.output)].clear();
  return Status::Ok();
}

}  // namespace adderq
