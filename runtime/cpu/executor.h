// Runs a validated Graph on the CPU backend, one batch at a time.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "core/fusion.h"
#include "core/graph.h"
#include "kernels/op_kernel.h"

namespace adderq {

struct RunHooks {
  // Called before every Adder2d node with that node's whole input batch (calibration observes here).
  std::function<void(size_t node_index, std::span<const float> input, int batch)> before_adder;
  // BatchNorm nodes in training mode: normalise with batch statistics and report them.
  bool bn_training = false;
  std::function<void(size_t node_index, std::span<const float> mean, std::span<const float> var_unbiased)> on_bn_stats;
};

class Executor {
 public:
  // The graph must outlive the executor and keep its shape; BatchNorm statistics may change
  // between runs (they are read live), weights may not (they are packed here).
  static Result<std::unique_ptr<Executor>> Create(const Graph& graph, int threads = 0);

  // input: `batch` images of the graph's input shape (normalised floats), image-major.
  // output: batch x output-size logits.
  Status Run(std::span<const float> input, int batch, std::vector<float>& output, const RunHooks* hooks = nullptr);

  // Per-node time, accumulated over runs while enabled (benchmarks: per-layer throughput): the
  // threads' summed time in the node divided by the thread count.
  void EnableProfiling(bool on) {
    profiling_ = on;
    node_seconds_.assign(graph_.nodes.size(), 0.0);
  }
  const std::vector<double>& NodeSeconds() const { return node_seconds_; }

  size_t OutputSize() const { return graph_.ShapeOf(graph_.output).size(); }
  size_t InputSize() const { return graph_.ShapeOf(graph_.input).size(); }
  const Graph& graph() const { return graph_; }
  int threads() const { return threads_; }

 private:
  Executor(const Graph& graph, int threads) : graph_(graph), threads_(threads) {}
  std::vector<kernels::OpContext> Contexts(std::vector<std::vector<float>>& slots) const;
  void RunNodeMajor(std::span<const float> input, int batch, std::vector<float>& output, const RunHooks& hooks);
  void RunImageMajor(std::span<const float> input, int batch, std::vector<float>& output);
  const Graph& graph_;
  int threads_;
  std::vector<std::unique_ptr<kernels::OpKernel>> kernels_;
  std::vector<FusedNode> fused_;   // per node: absorbed, or what its epilogue adds and where it writes
  std::vector<size_t> last_use_;  // per tensor: index of the last node that reads it
  std::vector<int> slot_;          // per tensor: its activation buffer (reused once the tensor is dead)
  std::vector<kernels::Scratch> scratch_;
  std::vector<std::vector<float>> slots_;  // node-major runs: each holds any tensor of the batch; kept between runs
  std::vector<std::vector<std::vector<float>>> worker_slots_;  // image-major runs: per thread, a few images
  size_t slot_floats_per_image_ = 0;
  bool profiling_ = false;
  std::vector<double> node_seconds_;
};

}  // namespace adderq
