#include "cpu/executor.h"

#include <algorithm>
#include <atomic>
#include <chrono>

#include "core/parallel.h"
#include "kernels/ref/cpu_ops.h"

namespace adderq {

Result<std::unique_ptr<Executor>> Executor::Create(const Graph& graph, int threads) {
  ADQ_RETURN_IF_ERROR(ValidateGraph(graph));
  std::unique_ptr<Executor> ex(new Executor(graph, threads > 0 ? threads : DefaultThreadCount()));
  // Fusion never involves BatchNorm nodes, so the training-mode hooks still see every BatchNorm
  // and every adder input.
  ex->fused_ = PlanFusion(graph, /*fuse_batchnorm=*/true);
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    ADQ_ASSIGN_OR_RETURN(auto kernel, kernels::CreateCpuKernel(graph, i, ex->fused_[i].relu));
    ex->kernels_.push_back(std::move(kernel));
  }
  // What each (non-absorbed) node reads: its inputs and its fused residual.
  auto reads = [&](size_t i) {
    std::vector<int> r = graph.nodes[i].inputs;
    if (ex->fused_[i].residual >= 0) r.push_back(ex->fused_[i].residual);
    return r;
  };
  ex->last_use_.assign(graph.tensors.size(), 0);
  for (size_t i = 0; i < graph.nodes.size(); ++i)
    if (!ex->fused_[i].absorbed)
      for (int t : reads(i)) ex->last_use_[size_t(t)] = i;
  // Buffers by liveness: a node's output takes a free slot; its inputs' slots are freed after it.
  // A handful of slots serve the whole network, allocated once and reused for every batch (no
  // allocation, zero-fill or page faults per node).
  ex->slot_.assign(graph.tensors.size(), -1);
  std::vector<int> free_slots;
  int slots = 0;
  auto take = [&] {
    if (free_slots.empty()) return slots++;
    const int s = free_slots.back();
    free_slots.pop_back();
    return s;
  };
  ex->slot_[size_t(graph.input)] = take();
  ex->slot_floats_per_image_ = graph.ShapeOf(graph.input).size();
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (ex->fused_[i].absorbed) continue;
    const int out = ex->fused_[i].output;
    ex->slot_[size_t(out)] = take();
    ex->slot_floats_per_image_ = std::max(ex->slot_floats_per_image_, graph.ShapeOf(out).size());
    for (int t : reads(i))
      if (ex->last_use_[size_t(t)] == i && t != graph.output && ex->slot_[size_t(t)] >= 0 &&
          std::find(free_slots.begin(), free_slots.end(), ex->slot_[size_t(t)]) == free_slots.end())
        free_slots.push_back(ex->slot_[size_t(t)]);
  }
  ex->slots_.resize(size_t(slots));
  ex->scratch_.resize(size_t(ex->threads_));
  return ex;
}

Status Executor::Run(std::span<const float> input, int batch, std::vector<float>& output, const RunHooks* hooks) {
  const size_t in_size = InputSize();
  if (batch <= 0 || input.size() != in_size * size_t(batch))
    return InvalidArgument("Executor::Run: {} floats for a batch of {} images of {} values", input.size(), batch, in_size);
  output.resize(OutputSize() * size_t(batch));
  if (hooks && (hooks->before_adder || hooks->bn_training)) RunNodeMajor(input, batch, output, *hooks);
  else RunImageMajor(input, batch, output);
  return Status::Ok();
}

std::vector<kernels::OpContext> Executor::Contexts(std::vector<std::vector<float>>& slots) const {
  auto data = [&](int tensor) { return slots[size_t(slot_[size_t(tensor)])].data(); };
  std::vector<kernels::OpContext> contexts(graph_.nodes.size());
  for (size_t i = 0; i < graph_.nodes.size(); ++i) {
    const Node& node = graph_.nodes[i];
    const FusedNode& fused = fused_[i];
    if (fused.absorbed) continue;
    kernels::OpContext& ctx = contexts[i];
    for (int t : node.inputs) {
      ctx.inputs.push_back(data(t));
      ctx.input_sizes.push_back(graph_.ShapeOf(t).size());
    }
    ctx.output_size = graph_.ShapeOf(node.output).size();
    ctx.output = data(fused.output);
    if (fused.residual >= 0) ctx.residual = data(fused.residual);
  }
  return contexts;
}

// The compiler's runs: hooks see a node's whole batch (calibration) or compute statistics over it
// (BatchNorm in training mode), so every node finishes the batch before the next starts.
void Executor::RunNodeMajor(std::span<const float> input, int batch, std::vector<float>& output, const RunHooks& hooks) {
  const size_t needed = slot_floats_per_image_ * size_t(batch);
  for (std::vector<float>& slot : slots_)
    if (slot.size() < needed) slot.resize(needed);  // grows once; never shrinks between runs
  std::copy(input.begin(), input.end(), slots_[size_t(slot_[size_t(graph_.input)])].data());
  const std::vector<kernels::OpContext> contexts = Contexts(slots_);
  for (size_t i = 0; i < graph_.nodes.size(); ++i) {
    const Node& node = graph_.nodes[i];
    const FusedNode& fused = fused_[i];
    if (fused.absorbed) continue;
    const kernels::OpContext& ctx = contexts[i];
    if (hooks.before_adder && node.kind == OpKind::kAdder2d)
      hooks.before_adder(i, {ctx.inputs[0], ctx.input_sizes[0] * size_t(batch)}, batch);
    if (hooks.bn_training && node.kind == OpKind::kBatchNorm) {
      std::vector<float> mean, var;
      kernels::BatchNormTraining(node, graph_.ShapeOf(node.output), ctx.inputs[0], batch, ctx.output, mean, var, threads_,
                                 ctx.residual, fused.relu);
      if (hooks.on_bn_stats) hooks.on_bn_stats(i, mean, var);
    } else {
      const kernels::OpKernel& kernel = *kernels_[i];
      const auto t0 = std::chrono::steady_clock::now();
      // Chunks of a few images claimed in turn (see RunImageMajor on uneven cores).
      const int grain = std::max(1, batch / (8 * threads_));
      ParallelForDynamic(batch, threads_, grain,
                         [&](int b, int e, int worker) { kernel.Eval(ctx, b, e, scratch_[size_t(worker)]); });
      if (profiling_) node_seconds_[i] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
  }
  const float* out = slots_[size_t(slot_[size_t(graph_.output)])].data();
  std::copy_n(out, output.size(), output.data());
}

// Inference: every image is independent, so each thread takes images through the whole network,
// kImagesPerPass at a time, in activation buffers of its own. No barrier per node, and an image's
// activations stay in the core's cache from one layer to the next (a node-major pass streams the
// whole batch through L3 at every layer). Threads claim the next pass from a shared counter rather
// than a fixed half of the batch: on a shared host one core is often slower for a while (on the
// development machine one core ran the same code 10-25 % slower than the other), and a fixed
// split waits for it. Which thread computes an image does not change its result.
void Executor::RunImageMajor(std::span<const float> input, int batch, std::vector<float>& output) {
  constexpr int kImagesPerPass = 2;
  const size_t in_size = InputSize(), out_size = OutputSize();
  if (worker_slots_.size() != size_t(threads_)) worker_slots_.assign(size_t(threads_), {});
  std::vector<std::vector<double>> seconds(static_cast<size_t>(threads_));
  std::atomic<int> next_pass{0};
  const int passes = (batch + kImagesPerPass - 1) / kImagesPerPass;
  ParallelFor(std::min(threads_, passes), threads_, [&](int, int, int worker) {
    std::vector<std::vector<float>>& slots = worker_slots_[size_t(worker)];
    slots.resize(slots_.size());
    for (std::vector<float>& slot : slots) slot.resize(slot_floats_per_image_ * kImagesPerPass);
    const std::vector<kernels::OpContext> contexts = Contexts(slots);
    float* in = slots[size_t(slot_[size_t(graph_.input)])].data();
    const float* out = slots[size_t(slot_[size_t(graph_.output)])].data();
    kernels::Scratch& scratch = scratch_[size_t(worker)];
    std::vector<double>& mine = seconds[size_t(worker)];
    if (profiling_) mine.assign(graph_.nodes.size(), 0.0);
    for (int pass = next_pass++; pass < passes; pass = next_pass++) {
      const int b = pass * kImagesPerPass, n = std::min(batch - b, kImagesPerPass);
      std::copy_n(input.data() + size_t(b) * in_size, size_t(n) * in_size, in);
      for (size_t i = 0; i < graph_.nodes.size(); ++i) {
        if (fused_[i].absorbed) continue;
        if (!profiling_) {
          kernels_[i]->Eval(contexts[i], 0, n, scratch);
          continue;
        }
        const auto t0 = std::chrono::steady_clock::now();
        kernels_[i]->Eval(contexts[i], 0, n, scratch);
        mine[i] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      }
      std::copy_n(out, size_t(n) * out_size, output.data() + size_t(b) * out_size);
    }
  });
  if (profiling_)
    for (const std::vector<double>& mine : seconds)
      for (size_t i = 0; i < mine.size(); ++i) node_seconds_[i] += mine[i] / threads_;
}

}  // namespace adderq
