// Runs a validated Graph on one NVIDIA GPU: the plan's kernel variants are compiled with NVRTC for
// the GPU's architecture (or found in the kernel cache), weights are uploaded once, and a batch is
// streamed through two pipelines (pinned staging buffers, one stream each), so the copy of one chunk
// overlaps the kernels of the other. A batch of 8-bit pixels crosses the bus as bytes and is
// normalised on the GPU (RunPixels: a quarter of the bytes of floats, no normalising on the host).
// Optionally each chunk's kernels are one CUDA graph, captured once per pipeline and chunk size and
// replayed. Results are bit-identical to the CPU backend.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/backend.h"
#include "data/pixel_input.h"
#include "core/graph.h"
#include "cuda/cuda_plan.h"
#include "cuda/device_memory.h"
#include "cuda/jit_compiler.h"

namespace adderq::cuda {

// A chunk's ~60 kernels as one CUDA graph (one launch, less per-kernel overhead on the GPU). Off
// until it has been timed on a GPU (identical results either way).
inline constexpr bool kCudaGraphsByDefault = false;

struct CudaOptions {
  std::string cache_dir = DefaultKernelCacheDir();
  int chunk_images = 0;  // images per pipeline step; 0: chosen for the card (cuda/chunk_size.h)
  int device = 0;
  PlanOptions plan;  // the kernels asked for; `arch` is replaced by the GPU's
  bool graphs = kCudaGraphsByDefault;
};

struct CudaStats {
  std::string device_name;
  int arch = 0;                 // e.g. 90 for sm_90
  int multiprocessors = 0;
  int chunk_images = 0;         // images per pipeline step, as given or chosen for the card
  double prepare_seconds = 0;   // JIT (compile or cache) + module load + weight upload
  JitStats jit;
  int variants = 0;
  int graphs_captured = 0;      // CUDA graphs captured so far (one per pipeline and chunk size)
  double kernel_ms = 0;         // GPU time of all kernels run so far (CUDA events, per chunk)
  size_t images = 0;
};

struct LayerTime {
  std::string node;
  double ms = 0;
};

class CudaExecutor final : public InferenceBackend {
 public:
  static Result<std::unique_ptr<CudaExecutor>> Create(const Graph& graph, const CudaOptions& options = {});
  ~CudaExecutor() override;

  Status Run(std::span<const float> input, int batch, std::vector<float>& logits) override;
  Status RunPixels(std::span<const uint8_t> pixels, data::PixelLayout layout, int batch, std::vector<float>& logits) override;
  size_t OutputSize() const override { return graph_.ShapeOf(graph_.output).size(); }
  std::string Describe() const override;

  // GPU time of each graph node's kernels for one chunk of `batch` images (synchronous; for benchmarks).
  Result<std::vector<LayerTime>> ProfileLayers(std::span<const float> input, int batch);

  const CudaStats& stats() const { return stats_; }
  const CudaPlan& plan() const { return plan_; }

 private:
  struct StepResources {
    DeviceMemory packed_weights, channel_map, weight_abs, sum_bias, weight, scale, shift;
  };
  struct ChunkGraph {
    int images = 0;
    CudaGraphExec exec;
  };
  // A batch as Run or RunPixels got it: floats, or pixels in a layout.
  struct BatchInput {
    std::span<const float> floats;
    std::span<const uint8_t> pixels;
    data::PixelLayout layout = data::PixelLayout::kPlanar;
  };
  struct Pipeline {
    Stream stream;
    Event start, end;
    PinnedMemory host_in, host_out;  // host_in: a chunk's floats, or its pixels
    DeviceMemory pixels;             // a chunk's pixels, for the plan's pixel_input step
    std::vector<DeviceMemory> slots;
    std::vector<DeviceMemory> codes;  // the plan's code buffers
    std::vector<ChunkGraph> graphs;  // with CudaOptions::graphs: the chunk sizes seen, most recent last
    size_t pending_first = 0;
    int pending_images = 0;
  };

  CudaExecutor(const Graph& graph, const CudaDriver& d) : graph_(graph), d_(d) {}
  Status Prepare(const CudaOptions& options);
  size_t SlotBytesPerImage() const;
  size_t CodeBytesPerImage() const;
  size_t DeviceBytesPerImage() const;
  Result<int> ChunkForCard() const;
  Status RunBatch(const BatchInput& input, int batch, std::vector<float>& logits);
  Status Launch(const PlanStep& step, Pipeline& p, int images, bool interleaved = false);
  Status Collect(Pipeline& p, std::vector<float>& logits);
  Status DropPending();
  Result<CUgraphExec> GraphFor(Pipeline& p, int images);

  const Graph& graph_;
  const CudaDriver& d_;
  CUdevice device_ = 0;
  CUcontext context_ = nullptr;
  CudaPlan plan_;
  int chunk_ = 1024;
  bool graphs_ = false;
  // Declared after the context so they are destroyed before it is released.
  std::vector<Module> modules_;
  std::vector<CUfunction> functions_;  // per variant
  std::vector<StepResources> resources_;  // per plan step
  StepResources pixel_input_resources_;    // the plan's pixel_input step: its table
  std::vector<Pipeline> pipelines_;
  CudaStats stats_;
};

}  // namespace adderq::cuda
