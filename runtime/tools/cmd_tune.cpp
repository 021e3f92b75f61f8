// adderq-run tune: on this GPU, time every CUDA kernel that can run each quantized adder layer
// (packed SIMD at 1, 2 and 4 pixels per thread; binary tensor cores, with their default tiles and
// six others, where the bits and the GPU allow) and write the fastest per layer to a tuning file
// for --cuda-tuning. Which kernel wins depends on the card and the layer's shape, and all of them
// compute the same sums, so the choice is measured rather than fixed in the source; every
// candidate's logits and the tuned mix's are still compared with the default kernels' byte for
// byte before the file is written. Then fused codes are timed with the chosen kernels and kept
// in the file if they make the network faster.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/artifact_loader.h"
#include "core/file_io.h"
#include "core/paths.h"
#include "core/version.h"
#include "cuda/cuda_executor.h"
#include "core/parallel.h"
#include "data/labeled_images.h"
#include "data/pixel_input.h"
#include "tools/kernel_tuning.h"
#include "tools/run_commands.h"

namespace adderq::tools {

namespace {

struct Candidate {
  cuda::LayerKernel kernel;
  std::map<std::string, double> ms;  // per node, the best pass
  std::set<std::string> runs;        // the adder layers this candidate really runs its way
};

// Each node's best time over `repeat` profiled passes.
Result<std::map<std::string, double>> BestLayerTimes(cuda::CudaExecutor& gpu, std::span<const float> input, int n, int repeat) {
  std::map<std::string, double> best;
  for (int r = 0; r < repeat; ++r) {
    ADQ_ASSIGN_OR_RETURN(std::vector<cuda::LayerTime> times, gpu.ProfileLayers(input, n));
    for (const cuda::LayerTime& t : times) {
      auto [it, inserted] = best.emplace(t.node, t.ms);
      if (!inserted) it->second = std::min(it->second, t.ms);
    }
  }
  return best;
}

cuda::CudaOptions OptionsFor(int n, const cuda::LayerKernel& k) {
  cuda::CudaOptions o;
  o.chunk_images = n;
  o.graphs = false;  // ProfileLayers launches step by step either way
  o.plan.adder = k.adder;
  o.plan.simd_pixels = k.simd_pixels;
  o.plan.tc_n_tiles = k.tc_n_tiles;
  o.plan.tc_m_tiles = k.tc_m_tiles;
  return o;
}

// Packed SIMD at 1 pixel per thread (the default, first: the reference), 2 and 4; tensor cores
// with the default tiles and, unless quick, the tile shapes tools/gpu-check.sh sweeps.
std::vector<Candidate> Candidates(bool quick) {
  using cuda::AdderKernel;
  std::vector<Candidate> c = {{{AdderKernel::kPackedSimd, 1}, {}, {}},
                              {{AdderKernel::kPackedSimd, 2}, {}, {}},
                              {{AdderKernel::kPackedSimd, 4}, {}, {}},
                              {{AdderKernel::kTensorCore, 0}, {}, {}}};
  if (!quick)
    for (auto [n, m] : {std::pair{8, 1}, {8, 2}, {4, 2}, {4, 4}, {2, 4}, {2, 8}})
      c.push_back({{AdderKernel::kTensorCore, 0, n, m}, {}, {}});
  return c;
}

}  // namespace

Status RunTune(const TuneArgs& a) {
  ADQ_ASSIGN_OR_RETURN(Graph graph, LoadArtifactFile(a.model));
  std::vector<std::string> adder_layers;
  for (const Node& node : graph.nodes)
    if (node.kind == OpKind::kAdder2d && node.quant.enabled()) adder_layers.push_back(node.name);
  if (adder_layers.empty()) return InvalidArgument("{} has no quantized adder layers to tune", a.model);
  ADQ_ASSIGN_OR_RETURN(std::string dir, ResolveDataDir(a.data));
  ADQ_ASSIGN_OR_RETURN(auto test, data::OpenLabeledImages(dir, data::Split::kTest, data::InputForm::Of(graph.meta)));
  const size_t image_values = graph.meta.input_shape.size();
  const size_t max_images = std::max<size_t>(1, (size_t(1) << 30) / image_values);  // 1 GiB of pixels
  const int n = int(std::min({size_t(a.images), test->size(), max_images}));
  std::vector<uint8_t> pixels(size_t(n) * image_values);
  ADQ_RETURN_IF_ERROR(data::ReadImages(*test, 0, size_t(n), pixels, DefaultThreadCount()));
  std::vector<float> input(size_t(n) * image_values);
  data::NormalizePixels(pixels, data::PixelLayout::kPlanar, n, graph.meta.input_shape.c,
                        graph.meta.input_shape.h * graph.meta.input_shape.w, graph.meta.mean, graph.meta.std, input.data());
  const bool progress = !a.quiet && !a.json && ::isatty(2);  // as the progress bars: on a terminal only

  std::vector<Candidate> candidates = Candidates(a.quick);
  std::vector<float> reference, logits;
  cuda::CudaStats stats;
  for (size_t c = 0; c < candidates.size(); ++c) {
    Candidate& cand = candidates[c];
    const std::string what = LayerKernelName(cand.kernel);
    if (progress) std::fprintf(stderr, "tune: %s (%zu of %zu): compiling, checking, timing %d x %d images\n", what.c_str(),
                               c + 1, candidates.size(), a.repeat, n);
    auto gpu = cuda::CudaExecutor::Create(graph, OptionsFor(n, cand.kernel));
    if (!gpu.ok()) return gpu.status().WithContext(c == 0 ? "tune needs a GPU" : "tune (" + what + ")");
    stats = (*gpu)->stats();
    for (const cuda::PlanStep& s : (*gpu)->plan().steps) {
      const bool tc = s.kind == cuda::StepKind::kAdderTensorCore;
      if (s.kind == cuda::StepKind::kAdderQuant || tc)
        if (tc == (cand.kernel.adder == cuda::AdderKernel::kTensorCore)) cand.runs.insert(graph.nodes[s.node].name);
    }
    if (cand.runs.empty()) continue;  // e.g. no tensor cores at these bits or on this GPU
    // Every kernel choice must give the default kernels' logits, byte for byte.
    ADQ_RETURN_IF_ERROR((*gpu)->Run(input, n, c == 0 ? reference : logits));
    if (c > 0 && std::memcmp(logits.data(), reference.data(), reference.size() * sizeof(float)) != 0)
      return RuntimeError("the {} kernels' logits differ from the packed-SIMD kernels' on {} images (a bug: please report it)",
                          what, n);
    ADQ_ASSIGN_OR_RETURN(cand.ms, BestLayerTimes(**gpu, input, n, a.repeat));
  }

  // Per layer the fastest kernel that really ran it; packed SIMD at one pixel is the default.
  std::map<std::string, cuda::LayerKernel> chosen;
  double default_ms = 0, picked_ms = 0;
  for (const std::string& layer : adder_layers) {
    const Candidate* best = &candidates[0];
    for (const Candidate& cand : candidates)
      if (cand.runs.count(layer) && cand.ms.count(layer) && cand.ms.at(layer) < best->ms.at(layer)) best = &cand;
    chosen[layer] = best->kernel;
    default_ms += candidates[0].ms.at(layer);
    picked_ms += best->ms.at(layer);
  }

  // The tuned network as eval will run it: the same logits, and its adder layers timed together.
  cuda::CudaOptions tuned_options = OptionsFor(n, {cuda::AdderKernel::kPackedSimd, 1});
  tuned_options.plan.layers = chosen;
  tuned_options.plan.tuned_arch = stats.arch;
  if (progress) std::fprintf(stderr, "tune: the chosen kernels together: checking, timing\n");
  ADQ_ASSIGN_OR_RETURN(auto tuned, cuda::CudaExecutor::Create(graph, tuned_options));
  ADQ_RETURN_IF_ERROR(tuned->Run(input, n, logits));
  if (std::memcmp(logits.data(), reference.data(), reference.size() * sizeof(float)) != 0)
    return RuntimeError("the tuned kernels' logits differ from the default kernels' on {} images (a bug: please report it)", n);
  ADQ_ASSIGN_OR_RETURN(const auto tuned_ms, BestLayerTimes(*tuned, input, n, a.repeat));
  double tuned_adder_ms = 0;
  for (const std::string& layer : adder_layers) tuned_adder_ms += tuned_ms.count(layer) ? tuned_ms.at(layer) : 0.0;
  // Each layer's best of several noisy passes flatters the mix; if the mix, timed as a whole, is no
  // faster than the default kernels, the file keeps the default for every layer.
  const bool kept_default = tuned_adder_ms >= default_ms;
  if (kept_default)
    for (auto& [layer, kernel] : chosen) kernel = candidates[0].kernel;

  // Fused codes (each layer's epilogue writing the next one's codes) with the chosen kernels: they
  // move work between nodes (the consumer loses its quantize kernel, the producer's epilogue
  // grows), so the whole network's time decides, kept only if it is lower.
  const std::map<std::string, double>& unfused = kept_default ? candidates[0].ms : tuned_ms;
  cuda::CudaOptions fused_options = tuned_options;
  fused_options.plan.layers = chosen;
  fused_options.plan.fuse_codes = true;
  if (progress) std::fprintf(stderr, "tune: the chosen kernels with fused codes: checking, timing\n");
  ADQ_ASSIGN_OR_RETURN(auto fused, cuda::CudaExecutor::Create(graph, fused_options));
  double unfused_ms = 0, fused_ms = 0;
  for (const auto& [node, ms] : unfused) unfused_ms += ms;
  if (fused->plan().fused_codes > 0) {
    ADQ_RETURN_IF_ERROR(fused->Run(input, n, logits));
    if (std::memcmp(logits.data(), reference.data(), reference.size() * sizeof(float)) != 0)
      return RuntimeError("the fused codes' logits differ from the default kernels' on {} images (a bug: please report it)", n);
    ADQ_ASSIGN_OR_RETURN(const auto fused_times, BestLayerTimes(*fused, input, n, a.repeat));
    for (const auto& [node, ms] : fused_times) fused_ms += ms;
  }
  const bool fuse_codes = fused->plan().fused_codes > 0 && fused_ms < unfused_ms;

  nlohmann::ordered_json j;
  j["format"] = kTuningFormat;
  j["version"] = kTuningVersion;
  j["device"] = stats.device_name;
  j["arch"] = stats.arch;
  j["adderq"] = kAdderqVersion;
  j["model"] = a.model;
  j["images"] = n;
  j["repeat"] = a.repeat;
  nlohmann::ordered_json layers = nlohmann::ordered_json::object(), measured = nlohmann::ordered_json::object();
  for (const std::string& layer : adder_layers) {
    const cuda::LayerKernel& k = chosen[layer];
    if (k.adder != cuda::AdderKernel::kTensorCore)
      layers[layer] = {{"adder", "simd"}, {"simd_pixels", std::max(1, k.simd_pixels)}};
    else if (k.tc_n_tiles > 0)
      layers[layer] = {{"adder", "tensor-core"}, {"tc_tiles", {k.tc_n_tiles, k.tc_m_tiles}}};
    else
      layers[layer] = {{"adder", "tensor-core"}};
    nlohmann::ordered_json& m = measured[layer];
    for (const Candidate& cand : candidates)
      if (cand.runs.count(layer)) m[LayerKernelName(cand.kernel)] = cand.ms.at(layer);
  }
  j["layers"] = layers;
  j["fuse_codes"] = fuse_codes;
  j["measured_ms"] = measured;
  j["adder_layers_ms"] = {{"default", default_ms}, {"sum_of_chosen", picked_ms}, {"tuned", tuned_adder_ms}};
  j["kept_default"] = kept_default;
  // Every node's time: the chosen kernels without and with fused codes (0: nothing to fuse).
  j["network_ms"] = {{"unfused", unfused_ms}, {"fused_codes", fused_ms}};
  // How many quantize kernels fused codes remove with these kernels: fewer than the default
  // kernels' where a tensor-core layer (thermometer codes, its own quantize step) was chosen.
  j["fused_quantize_kernels"] = fused->plan().fused_codes;
  j["logits_identical_to_default"] = true;
  const std::string text = j.dump(2) + "\n";
  ADQ_RETURN_IF_ERROR(WriteFileAtomic(a.output, {reinterpret_cast<const uint8_t*>(text.data()), text.size()}));

  if (a.json) {
    std::printf("%s\n", j.dump().c_str());
    return Status::Ok();
  }
  std::printf("%s (sm_%d), %d images, best of %d passes; ms per layer:\n", stats.device_name.c_str(), stats.arch, n, a.repeat);
  std::printf("  %-24s", "layer");
  for (const Candidate& cand : candidates)
    if (!cand.runs.empty()) std::printf(" %11s", LayerKernelName(cand.kernel).c_str());
  std::printf("  chosen\n");
  for (const std::string& layer : adder_layers) {
    std::printf("  %-24s", layer.c_str());
    for (const Candidate& cand : candidates) {
      if (cand.runs.empty()) continue;
      if (cand.runs.count(layer)) std::printf(" %11.4f", cand.ms.at(layer));
      else std::printf(" %11s", "-");
    }
    std::printf("  %s\n", LayerKernelName(chosen[layer]).c_str());
  }
  std::printf("adder layers: %.3f ms with the default kernels, %.3f ms tuned (the chosen ones' sum: %.3f ms); logits identical\n",
              default_ms, tuned_adder_ms, picked_ms);
  if (kept_default) std::printf("the tuned mix was not faster as a whole: the file keeps the default kernels\n");
  if (fused->plan().fused_codes > 0)
    std::printf("whole network: %.3f ms, %.3f ms with fused codes (%d quantize kernels fewer): fused codes %s\n", unfused_ms,
                fused_ms, fused->plan().fused_codes, fuse_codes ? "on" : "off");
  std::printf("wrote %s (use: --cuda-tuning %s)\n", a.output.c_str(), a.output.c_str());
  return Status::Ok();
}

}  // namespace adderq::tools
