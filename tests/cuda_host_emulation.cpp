#include "cuda_host_emulation.h"

#include <cstring>
#include <map>

#include "cuda/launch_arguments.h"
#include "host_kernel.h"

namespace adderq::testing {

namespace {

// The batch as floats, or as pixels that the plan's pixel_input step normalises first.
Result<std::vector<float>> RunOnHost(const Graph& graph, const cuda::CudaPlan& plan, std::span<const float> floats,
                                     std::span<const uint8_t> pixels, data::PixelLayout layout, int batch) {
  // The variants the run launches, each compiled once (a run from floats skips the pixel input's).
  std::map<int, HostKernel> kernels;
  auto kernel = [&](int variant) -> Result<const HostKernel*> {
    if (auto it = kernels.find(variant); it != kernels.end()) return &it->second;
    const cuda::KernelVariant& v = plan.variants[size_t(variant)];
    ADQ_ASSIGN_OR_RETURN(HostKernel k, HostKernel::Compile(v.source, v.name));
    return &kernels.emplace(variant, std::move(k)).first->second;
  };
  std::vector<std::vector<float>> slots(size_t(plan.slots), std::vector<float>(size_t(batch) * plan.slot_floats_per_image));
  std::vector<std::vector<uint32_t>> codes(size_t(plan.code_buffers), std::vector<uint32_t>(size_t(batch) * plan.max_codes_words_per_image));
  auto code_buffer = [&](int b) -> void* { return b < 0 ? nullptr : codes[size_t(b)].data(); };
  const size_t in_size = graph.ShapeOf(graph.input).size(), out_size = graph.ShapeOf(graph.output).size();
  if (floats.size() + pixels.size() != in_size * size_t(batch)) return InvalidArgument("RunPlanOnHost: wrong input size");
  auto slot = [&](int tensor) -> void* {
    return tensor < 0 ? nullptr : slots[size_t(plan.tensor_slot[size_t(tensor)])].data();
  };
  if (!floats.empty()) std::memcpy(slot(graph.input), floats.data(), floats.size_bytes());
  // A device buffer of the pixels (aligned as cuMemAlloc's), not the caller's bytes.
  std::vector<uint32_t> pixel_words((pixels.size() + 3) / 4);
  if (!pixels.empty()) std::memcpy(pixel_words.data(), pixels.data(), pixels.size());
  auto data = [](const auto& v) -> void* { return v.empty() ? nullptr : const_cast<void*>(static_cast<const void*>(v.data())); };
  // As CudaExecutor::Launch: the same argument lists and grid (cuda/launch_arguments.h).
  auto launch = [&](const cuda::PlanStep& s, const std::string& label) -> Status {
    cuda::LaunchValues<void*> v;
    v.x = slot(s.input), v.x2 = slot(s.input2), v.residual = slot(s.residual), v.y = slot(s.output);
    v.codes = code_buffer(s.codes), v.codes_out = code_buffer(s.codes_out), v.codes_out_multiplier = s.codes_out_multiplier;
    v.shortcut_codes_out = code_buffer(s.shortcut_codes_out), v.shortcut_codes_multiplier = s.shortcut_codes_multiplier;
    v.packed_weights = data(s.packed_weights), v.channel_map = data(s.channel_map);
    v.weight_abs = data(s.weight_abs), v.sum_bias = data(s.sum_bias), v.weight = data(s.weight), v.scale = data(s.scale), v.shift = data(s.shift);
    v.pixels = data(pixel_words);
    v.interleaved = layout == data::PixelLayout::kInterleaved;
    v.scalar = s.scalar;
    v.images = batch, v.set_channels = s.set_channels;
    v.count = cuda::WorkItems(s, batch);
    const std::vector<void*> args = cuda::KernelArguments(s.kind, v);
    ADQ_ASSIGN_OR_RETURN(const HostKernel* k, kernel(s.variant));
    return k->Launch(unsigned(cuda::GridBlocks(s, batch)), unsigned(s.grid_y), unsigned(s.block), args).WithContext(label);
  };
  if (!pixels.empty()) ADQ_RETURN_IF_ERROR(launch(plan.pixel_input, "pixel input"));
  for (const cuda::PlanStep& s : plan.steps) ADQ_RETURN_IF_ERROR(launch(s, graph.nodes[s.node].name));
  const float* out = static_cast<const float*>(slot(graph.output));
  return std::vector<float>(out, out + size_t(batch) * out_size);
}

}  // namespace

Result<std::vector<float>> RunPlanOnHost(const Graph& graph, const cuda::CudaPlan& plan, std::span<const float> input,
                                         int batch) {
  return RunOnHost(graph, plan, input, {}, data::PixelLayout::kPlanar, batch);
}

Result<std::vector<float>> RunPlanOnHostFromPixels(const Graph& graph, const cuda::CudaPlan& plan,
                                                   std::span<const uint8_t> pixels, data::PixelLayout layout, int batch) {
  return RunOnHost(graph, plan, {}, pixels, layout, batch);
}

}  // namespace adderq::testing
