#include "cuda/cuda_executor.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string_view>

#include <fmt/format.h>

#include "cuda/chunk_size.h"
#include "cuda/kernel_sources.h"
#include "cuda/launch_arguments.h"

namespace adderq::cuda {

Result<std::unique_ptr<CudaExecutor>> CudaExecutor::Create(const Graph& graph, const CudaOptions& options) {
  ADQ_RETURN_IF_ERROR(ValidateGraph(graph));
  if (options.chunk_images < 0) return InvalidArgument("CUDA chunk size must be positive (or 0: chosen for the card)");
  ADQ_ASSIGN_OR_RETURN(const CudaDriver* d, LoadCudaDriver());
  std::unique_ptr<CudaExecutor> ex(new CudaExecutor(graph, *d));
  ADQ_RETURN_IF_ERROR(ex->Prepare(options));
  return ex;
}

CudaExecutor::~CudaExecutor() {
  if (!context_) return;
  d_.CtxSetCurrent(context_);
  // Everything allocated in the context goes before the context itself is released.
  pipelines_.clear();
  resources_.clear();
  pixel_input_resources_ = {};
  functions_.clear();
  modules_.clear();
  d_.DevicePrimaryCtxRelease(device_);
}

std::string CudaExecutor::Describe() const {
  int simd = 0, tensor_core = 0;
  for (const PlanStep& s : plan_.steps) {
    simd += s.kind == StepKind::kAdderQuant;
    tensor_core += s.kind == StepKind::kAdderTensorCore;
  }
  std::string adders;
  if (simd + tensor_core > 0) adders = fmt::format(", quantized adder kernels: {} tensor-core, {} packed-SIMD", tensor_core, simd);
  return fmt::format("cuda ({}, sm_{}, {} kernel variants{}{})", stats_.device_name, stats_.arch, stats_.variants, adders,
                     graphs_ ? ", CUDA graphs" : "");
}

Status CudaExecutor::Prepare(const CudaOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  int count = 0;
  ADQ_CU(d_, DeviceGetCount(&count));
  if (options.device < 0 || options.device >= count)
    return InvalidArgument("CUDA device {} does not exist ({} present)", options.device, count);
  ADQ_CU(d_, DeviceGet(&device_, options.device));
  char name[256] = {};
  ADQ_CU(d_, DeviceGetName(name, int(sizeof(name) - 1), device_));
  stats_.device_name = name;
  int major = 0, minor = 0;
  ADQ_CU(d_, DeviceGetAttribute(&major, kAttrComputeCapabilityMajor, device_));
  ADQ_CU(d_, DeviceGetAttribute(&minor, kAttrComputeCapabilityMinor, device_));
  ADQ_CU(d_, DeviceGetAttribute(&stats_.multiprocessors, kAttrMultiprocessorCount, device_));
  stats_.arch = major * 10 + minor;
  if (options.plan.tuned_arch != 0 && options.plan.tuned_arch != stats_.arch)
    return BadInput("the kernel tuning was measured on an sm_{} GPU and this one is sm_{}: tune on this GPU "
                    "(adderq-run tune)", options.plan.tuned_arch, stats_.arch);
  if (options.graphs && !d_.HasGraphs())
    return Unsupported("the CUDA driver has no graph API (cuGraphInstantiateWithFlags, CUDA 11.4 or newer); use --cuda-graphs off");
  graphs_ = options.graphs;
  ADQ_CU(d_, DevicePrimaryCtxRetain(&context_, device_));
  ADQ_CU(d_, CtxSetCurrent(context_));

  PlanOptions plan_options = options.plan;
  plan_options.arch = stats_.arch;
  ADQ_ASSIGN_OR_RETURN(plan_, BuildCudaPlan(graph_, plan_options));
  ADQ_ASSIGN_OR_RETURN(const Nvrtc* nvrtc, Nvrtc::Load());
  JitCompiler jit(*nvrtc, KernelCache(options.cache_dir), stats_.arch);
  for (const KernelVariant& v : plan_.variants) {
    ADQ_ASSIGN_OR_RETURN(std::vector<uint8_t> cubin, jit.Cubin(v.source, v.name + ".cu"));
    CUmodule m = nullptr;
    ADQ_RETURN_IF_ERROR(d_.Check(d_.ModuleLoadData(&m, cubin.data()), "cuModuleLoadData").WithContext(v.name));
    modules_.emplace_back(&d_, m);
    CUfunction f = nullptr;
    ADQ_CU(d_, ModuleGetFunction(&f, m, kKernelEntry));
    functions_.push_back(f);
  }
  stats_.jit = jit.stats();
  stats_.variants = int(plan_.variants.size());

  auto upload = [&](const PlanStep& s) -> Result<StepResources> {
    StepResources r;
    ADQ_ASSIGN_OR_RETURN(r.packed_weights, Upload(d_, s.packed_weights));
    ADQ_ASSIGN_OR_RETURN(r.channel_map, Upload(d_, s.channel_map));
    ADQ_ASSIGN_OR_RETURN(r.weight_abs, Upload(d_, s.weight_abs));
    ADQ_ASSIGN_OR_RETURN(r.sum_bias, Upload(d_, s.sum_bias));
    ADQ_ASSIGN_OR_RETURN(r.weight, Upload(d_, s.weight));
    ADQ_ASSIGN_OR_RETURN(r.scale, Upload(d_, s.scale));
    ADQ_ASSIGN_OR_RETURN(r.shift, Upload(d_, s.shift));
    return r;
  };
  for (const PlanStep& s : plan_.steps) {
    ADQ_ASSIGN_OR_RETURN(StepResources r, upload(s));
    resources_.push_back(std::move(r));
  }
  ADQ_ASSIGN_OR_RETURN(pixel_input_resources_, upload(plan_.pixel_input));

  if (options.chunk_images > 0) {
    chunk_ = options.chunk_images;
  } else {
    ADQ_ASSIGN_OR_RETURN(chunk_, ChunkForCard());
  }
  stats_.chunk_images = chunk_;
  const size_t in_floats = graph_.ShapeOf(graph_.input).size(), out_floats = OutputSize();
  for (int i = 0; i < 2; ++i) {
    Pipeline p;
    CUstream s = nullptr;
    ADQ_CU(d_, StreamCreate(&s, kStreamNonBlocking));
    p.stream = Stream(&d_, s);
    CUevent e0 = nullptr, e1 = nullptr;
    ADQ_CU(d_, EventCreate(&e0, 0));
    p.start = Event(&d_, e0);
    ADQ_CU(d_, EventCreate(&e1, 0));
    p.end = Event(&d_, e1);
    ADQ_ASSIGN_OR_RETURN(p.host_in, AllocatePinned(d_, size_t(chunk_) * in_floats * sizeof(float)));
    ADQ_ASSIGN_OR_RETURN(p.host_out, AllocatePinned(d_, size_t(chunk_) * out_floats * sizeof(float)));
    for (int k = 0; k < plan_.slots; ++k) {
      ADQ_ASSIGN_OR_RETURN(DeviceMemory m, AllocateDevice(d_, size_t(chunk_) * SlotBytesPerImage()));
      p.slots.push_back(std::move(m));
    }
    for (int k = 0; k < plan_.code_buffers; ++k) {
      ADQ_ASSIGN_OR_RETURN(DeviceMemory m, AllocateDevice(d_, size_t(chunk_) * CodeBytesPerImage()));
      p.codes.push_back(std::move(m));
    }
    ADQ_ASSIGN_OR_RETURN(p.pixels, AllocateDevice(d_, size_t(chunk_) * in_floats));
    pipelines_.push_back(std::move(p));
  }
  stats_.prepare_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return Status::Ok();
}

// Device bytes per image of a chunk: in one activation slot, in one code buffer, and in all of
// both pipelines' buffers (what Prepare allocates).
size_t CudaExecutor::SlotBytesPerImage() const { return plan_.slot_floats_per_image * sizeof(float); }
size_t CudaExecutor::CodeBytesPerImage() const { return plan_.max_codes_words_per_image * sizeof(uint32_t); }
size_t CudaExecutor::DeviceBytesPerImage() const {
  const size_t pixels = graph_.ShapeOf(graph_.input).size();
  return 2 * (size_t(plan_.slots) * SlotBytesPerImage() + size_t(plan_.code_buffers) * CodeBytesPerImage() + pixels);
}

Result<int> CudaExecutor::ChunkForCard() const {
  std::vector<KernelFill> fills;
  constexpr int kProbeImages = 1 << 14;  // grids are linear in the images up to rounding
  for (const PlanStep& s : plan_.steps) {
    // The adder layers' kernels: 92 % of the GPU time on the H200 (docs/benchmarks.md). The stem
    // fills any card at a few images; the classifier (10 outputs an image) would ask for no limit.
    if (graph_.nodes[s.node].kind != OpKind::kAdder2d || s.kind == StepKind::kQuantize) continue;
    KernelFill f;
    f.blocks_per_image = double(GridBlocks(s, kProbeImages)) * double(std::max(s.grid_y, 1)) / kProbeImages;
    ADQ_CU(d_, OccupancyMaxActiveBlocksPerMultiprocessor(&f.resident_blocks_per_sm, functions_[size_t(s.variant)], s.block, 0));
    fills.push_back(f);
  }
  ChunkLimits limits;
  limits.multiprocessors = stats_.multiprocessors;
  size_t total = 0;
  ADQ_CU(d_, MemGetInfo(&limits.free_device_bytes, &total));
  limits.device_bytes_per_image = DeviceBytesPerImage();
  return ChooseChunkImages(fills, limits);
}

// `interleaved`: the layout of the pixels, for the pixel_input step; the other steps ignore it.
Status CudaExecutor::Launch(const PlanStep& s, Pipeline& p, int images, bool interleaved) {
  const bool pixel_input = &s == &plan_.pixel_input;
  const StepResources& r = pixel_input ? pixel_input_resources_ : resources_[size_t(&s - plan_.steps.data())];
  auto slot = [&](int tensor) -> CUdeviceptr {
    return tensor < 0 ? CUdeviceptr(0) : p.slots[size_t(plan_.tensor_slot[size_t(tensor)])].get();
  };
  LaunchValues<CUdeviceptr> v;
  v.x = slot(s.input), v.x2 = slot(s.input2), v.residual = slot(s.residual), v.y = slot(s.output);
  auto codes = [&](int buffer) -> CUdeviceptr { return buffer < 0 ? CUdeviceptr(0) : p.codes[size_t(buffer)].get(); };
  v.codes = codes(s.codes), v.codes_out = codes(s.codes_out), v.codes_out_multiplier = s.codes_out_multiplier;
  v.shortcut_codes_out = codes(s.shortcut_codes_out), v.shortcut_codes_multiplier = s.shortcut_codes_multiplier;
  v.packed_weights = r.packed_weights.get(), v.channel_map = r.channel_map.get();
  v.weight_abs = r.weight_abs.get(), v.sum_bias = r.sum_bias.get(), v.weight = r.weight.get(), v.scale = r.scale.get(), v.shift = r.shift.get();
  v.pixels = p.pixels.get();
  v.interleaved = interleaved;
  v.scalar = s.scalar;
  v.images = images, v.set_channels = s.set_channels;
  v.count = WorkItems(s, images);
  std::vector<void*> args = KernelArguments(s.kind, v);
  const std::string_view name = pixel_input ? std::string_view("pixel input") : std::string_view(graph_.nodes[s.node].name);
  const long long blocks = GridBlocks(s, images);
  if (blocks > 0x7fffffffLL) return RuntimeError("node '{}': {} thread blocks exceed the grid limit", name, blocks);
  return d_.Check(d_.LaunchKernel(functions_[size_t(s.variant)], unsigned(blocks), unsigned(s.grid_y), 1, unsigned(s.block),
                                  1, 1, 0, p.stream.get(), args.data(), nullptr),
                  "cuLaunchKernel")
      .WithContext(fmt::format("node '{}' ({})", name, plan_.variants[size_t(s.variant)].name));
}

Status CudaExecutor::Collect(Pipeline& p, std::vector<float>& logits) {
  if (p.pending_images == 0) return Status::Ok();
  ADQ_CU(d_, StreamSynchronize(p.stream.get()));
  float ms = 0;
  ADQ_CU(d_, EventElapsedTime(&ms, p.start.get(), p.end.get()));
  stats_.kernel_ms += double(ms);
  stats_.images += size_t(p.pending_images);
  const size_t out = OutputSize();
  std::memcpy(logits.data() + p.pending_first * out, p.host_out.get(), size_t(p.pending_images) * out * sizeof(float));
  p.pending_images = 0;
  return Status::Ok();
}

// A Run that failed part-way can leave the other pipeline's chunk in flight; its logits belong to
// that Run, so they are waited for and dropped, never copied into a later Run's output.
Status CudaExecutor::DropPending() {
  for (Pipeline& p : pipelines_) {
    if (p.pending_images == 0) continue;
    p.pending_images = 0;
    ADQ_CU(d_, StreamSynchronize(p.stream.get()));
  }
  return Status::Ok();
}

// The chunk's launches for `images` images on this pipeline, captured once into a CUDA graph (the
// arguments, this pipeline's buffers and the image count, are fixed in it) and reused.
Result<CUgraphExec> CudaExecutor::GraphFor(Pipeline& p, int images) {
  for (const ChunkGraph& g : p.graphs)
    if (g.images == images) return g.exec.get();
  ADQ_CU(d_, StreamBeginCapture(p.stream.get(), kStreamCaptureModeThreadLocal));
  Status launched = Status::Ok();
  for (const PlanStep& s : plan_.steps) {
    launched = Launch(s, p, images);
    if (!launched.ok()) break;
  }
  CUgraph raw = nullptr;
  const CUresult ended = d_.StreamEndCapture(p.stream.get(), &raw);  // on every path: the stream leaves capture mode
  const CudaGraph captured(&d_, raw);
  ADQ_RETURN_IF_ERROR(launched.WithContext("capturing a CUDA graph"));
  ADQ_RETURN_IF_ERROR(d_.Check(ended, "cuStreamEndCapture"));
  CUgraphExec exec = nullptr;
  ADQ_CU(d_, GraphInstantiate(&exec, captured.get(), 0));
  // A Run needs at most two sizes (full chunks and the rest); a few more cover alternating batch sizes.
  constexpr size_t kGraphsPerPipeline = 4;
  if (p.graphs.size() == kGraphsPerPipeline) p.graphs.erase(p.graphs.begin());
  p.graphs.push_back({images, CudaGraphExec(&d_, exec)});
  stats_.graphs_captured++;
  return exec;
}

Status CudaExecutor::Run(std::span<const float> input, int batch, std::vector<float>& logits) {
  const size_t in_size = graph_.ShapeOf(graph_.input).size();
  if (batch <= 0 || input.size() != in_size * size_t(batch))
    return InvalidArgument("CudaExecutor::Run: {} floats for a batch of {} images of {} values", input.size(), batch, in_size);
  return RunBatch({input, {}, data::PixelLayout::kPlanar}, batch, logits);
}

Status CudaExecutor::RunPixels(std::span<const uint8_t> pixels, data::PixelLayout layout, int batch, std::vector<float>& logits) {
  const size_t in_size = graph_.ShapeOf(graph_.input).size();
  if (batch <= 0 || pixels.size() != in_size * size_t(batch))
    return InvalidArgument("CudaExecutor::RunPixels: {} bytes for a batch of {} images of {} values", pixels.size(), batch, in_size);
  return RunBatch({{}, pixels, layout}, batch, logits);
}

Status CudaExecutor::RunBatch(const BatchInput& input, int batch, std::vector<float>& logits) {
  const size_t in_size = graph_.ShapeOf(graph_.input).size(), out_size = OutputSize();
  ADQ_CU(d_, CtxSetCurrent(context_));
  ADQ_RETURN_IF_ERROR(DropPending());
  logits.resize(size_t(batch) * out_size);
  const int input_slot = plan_.tensor_slot[size_t(graph_.input)];
  const int output_slot = plan_.tensor_slot[size_t(graph_.output)];
  const bool pixels = !input.pixels.empty();
  const size_t value_bytes = pixels ? 1 : sizeof(float);
  // As many chunks as the chunk size needs, of equal size (10,000 images in chunks of at most 3328:
  // 4 x 2500, not 3 x 3328 and a last chunk of 16 whose kernels could not fill the card).
  const int chunks = (batch + chunk_ - 1) / chunk_;
  const int per_chunk = (batch + chunks - 1) / chunks;
  int k = 0;
  for (int first = 0; first < batch; first += per_chunk, ++k) {
    Pipeline& p = pipelines_[size_t(k % 2)];
    ADQ_RETURN_IF_ERROR(Collect(p, logits));  // its previous chunk, if any, is done before reuse
    const int n = std::min(per_chunk, batch - first);
    CUgraphExec chunk_graph = nullptr;  // captured (the first time) outside the timed part
    if (graphs_) {
      ADQ_ASSIGN_OR_RETURN(chunk_graph, GraphFor(p, n));
    }
    const size_t offset = size_t(first) * in_size, bytes = size_t(n) * in_size * value_bytes;
    std::memcpy(p.host_in.get(), pixels ? static_cast<const void*>(input.pixels.data() + offset) : input.floats.data() + offset, bytes);
    const CUdeviceptr destination = pixels ? p.pixels.get() : p.slots[size_t(input_slot)].get();
    ADQ_CU(d_, MemcpyHtoDAsync(destination, p.host_in.get(), bytes, p.stream.get()));
    ADQ_CU(d_, EventRecord(p.start.get(), p.stream.get()));
    // The pixels' normalisation is timed with the kernels, outside the graph (which starts from floats).
    if (pixels) ADQ_RETURN_IF_ERROR(Launch(plan_.pixel_input, p, n, input.layout == data::PixelLayout::kInterleaved));
    if (chunk_graph) ADQ_CU(d_, GraphLaunch(chunk_graph, p.stream.get()));
    else
      for (const PlanStep& s : plan_.steps) ADQ_RETURN_IF_ERROR(Launch(s, p, n));
    ADQ_CU(d_, EventRecord(p.end.get(), p.stream.get()));
    ADQ_CU(d_, MemcpyDtoHAsync(p.host_out.get(), p.slots[size_t(output_slot)].get(), size_t(n) * out_size * sizeof(float), p.stream.get()));
    p.pending_first = size_t(first);
    p.pending_images = n;
  }
  for (Pipeline& p : pipelines_) ADQ_RETURN_IF_ERROR(Collect(p, logits));
  return Status::Ok();
}

Result<std::vector<LayerTime>> CudaExecutor::ProfileLayers(std::span<const float> input, int batch) {
  const size_t in_size = graph_.ShapeOf(graph_.input).size();
  if (batch <= 0 || batch > chunk_ || input.size() != in_size * size_t(batch))
    return InvalidArgument("ProfileLayers: a batch of 1..{} images", chunk_);
  ADQ_CU(d_, CtxSetCurrent(context_));
  ADQ_RETURN_IF_ERROR(DropPending());
  Pipeline& p = pipelines_[0];
  std::memcpy(p.host_in.get(), input.data(), input.size() * sizeof(float));
  ADQ_CU(d_, MemcpyHtoD(p.slots[size_t(plan_.tensor_slot[size_t(graph_.input)])].get(), p.host_in.get(), input.size() * sizeof(float)));
  std::vector<Event> marks;
  for (size_t i = 0; i <= plan_.steps.size(); ++i) {
    CUevent e = nullptr;
    ADQ_CU(d_, EventCreate(&e, 0));
    marks.emplace_back(&d_, e);
  }
  ADQ_CU(d_, EventRecord(marks[0].get(), p.stream.get()));
  for (size_t i = 0; i < plan_.steps.size(); ++i) {
    ADQ_RETURN_IF_ERROR(Launch(plan_.steps[i], p, batch));
    ADQ_CU(d_, EventRecord(marks[i + 1].get(), p.stream.get()));
  }
  ADQ_CU(d_, StreamSynchronize(p.stream.get()));
  std::vector<LayerTime> times;
  for (size_t i = 0; i < plan_.steps.size(); ++i) {
    float ms = 0;
    ADQ_CU(d_, EventElapsedTime(&ms, marks[i].get(), marks[i + 1].get()));
    const std::string& name = graph_.nodes[plan_.steps[i].node].name;
    if (!times.empty() && times.back().node == name) times.back().ms += double(ms);
    else times.push_back({name, double(ms)});
  }
  return times;
}

}  // namespace adderq::cuda
