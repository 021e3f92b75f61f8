// adderq-run bench: throughput of a model on test images (CIFAR-10's, or an ImageFolder's), end to end and (on a GPU)
// per layer, with adder work counted as one op per |a - b| accumulate. Numbers, not tests: the
// machines are shared, so compare ratios within one run.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/artifact_loader.h"
#include "core/paths.h"
#include "cpu/cpu_backend.h"
#include "cuda/cuda_executor.h"
#include "core/parallel.h"
#include "data/labeled_images.h"
#include "data/pixel_input.h"
#include "kernels/sad_kernels.h"
#include "kernels/tile_kernels.h"  // SimdLevel
#include "tools/memory_bandwidth.h"
#include "tools/open_backend.h"
#include "tools/run_commands.h"

namespace adderq::tools {

namespace {
// Adder ops (|a-b| accumulates) per image of a node; 0 for other nodes.
double AdderOps(const Graph& g, const Node& n) {
  if (n.kind != OpKind::kAdder2d) return 0;
  const Shape3 out = g.ShapeOf(n.output);
  return double(out.size()) * double(n.in_channels) * double(n.kernel_h) * double(n.kernel_w);
}

// Bytes a quantized adder layer moves per image at the least: its float input read once, its byte
// codes written and read once per quantizer set (the CPU kernel quantizes the input per set of
// groups), its weight bytes read once, its float output written. Caches may serve some of them;
// the roofline below puts them against main memory's bandwidth all the same.
double AdderBytes(const Graph& g, const Node& n) {
  if (n.kind != OpKind::kAdder2d) return 0;
  const Shape3 out_shape = g.ShapeOf(n.output);
  const double out = double(out_shape.size());
  // A 1x1 layer without padding reads only the pixels it samples (a strided shortcut: a quarter).
  const bool pointwise = n.kernel_h == 1 && n.kernel_w == 1 && n.padding == 0;
  const double in = pointwise ? double(n.in_channels) * out_shape.h * out_shape.w : double(g.ShapeOf(n.inputs[0]).size());
  const double sets = n.quant.enabled() ? double(n.quant.groups()) : 0.0;
  const double weight_bytes = n.quant.enabled() ? double(n.WeightCount()) : 4.0 * double(n.WeightCount());
  return 4 * in + 2 * sets * in + weight_bytes + 4 * out;
}
}  // namespace

Status RunBench(const BenchArgs& a) {
  ADQ_ASSIGN_OR_RETURN(Graph graph, LoadArtifactFile(a.model));
  ADQ_ASSIGN_OR_RETURN(std::string dir, ResolveDataDir(a.data));
  ADQ_ASSIGN_OR_RETURN(auto test, data::OpenLabeledImages(dir, data::Split::kTest, data::InputForm::Of(graph.meta)));
  const size_t image_values = graph.meta.input_shape.size();
  // At most 1 GiB of pixels (ImageNet-sized inputs: about 7,000 images).
  const size_t max_images = std::max<size_t>(1, (size_t(1) << 30) / image_values);
  const int n = int(std::min({size_t(a.images), test->size(), max_images}));
  std::vector<uint8_t> pixels_in(size_t(n) * image_values);
  ADQ_RETURN_IF_ERROR(data::ReadImages(*test, 0, size_t(n), pixels_in, DefaultThreadCount()));
  std::vector<float> input(size_t(n) * image_values), logits;
  data::NormalizePixels(pixels_in, data::PixelLayout::kPlanar, n, graph.meta.input_shape.c,
                        graph.meta.input_shape.h * graph.meta.input_shape.w, graph.meta.mean, graph.meta.std, input.data());

  BackendChoice choice{a.device, a.threads, a.cuda_chunk < 0 ? n : a.cuda_chunk, a.cuda};
  ADQ_ASSIGN_OR_RETURN(auto backend, OpenBackend(graph, choice, a.json || a.quiet));
  auto* gpu = dynamic_cast<cuda::CudaExecutor*>(backend.get());
  const int batch = gpu ? n : 100;
  const bool pixels = a.input == "pixels";
  auto run_all = [&]() -> Status {
    for (int first = 0; first < n; first += batch) {
      const int m = std::min(batch, n - first);
      const size_t offset = size_t(first) * image_values, values = size_t(m) * image_values;
      ADQ_RETURN_IF_ERROR(pixels ? backend->RunPixels({pixels_in.data() + offset, values}, data::PixelLayout::kPlanar, m, logits)
                                 : backend->Run({input.data() + offset, values}, m, logits));
    }
    return Status::Ok();
  };
  ADQ_RETURN_IF_ERROR(run_all());  // warm-up (first-touch, clocks)
  auto* cpu = dynamic_cast<CpuBackend*>(backend.get());
  if (cpu) cpu->executor().EnableProfiling(true);  // per-node wall time over the timed runs
  double best = 1e30, best_kernel_ms = 1e30;
  for (int r = 0; r < a.repeat; ++r) {
    const double kernel_before = gpu ? gpu->stats().kernel_ms : 0;
    const auto t0 = std::chrono::steady_clock::now();
    ADQ_RETURN_IF_ERROR(run_all());
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (gpu) best_kernel_ms = std::min(best_kernel_ms, gpu->stats().kernel_ms - kernel_before);
  }
  // The SIMD ceiling of the adder op (CPU): one thread, then every thread at once, the best of three
  // each (on a shared host a core is often busy for a moment). The machine's ceiling, the ratios'
  // denominator, is the larger of the all-threads figure and threads x one thread: a core that
  // happened to be busy during the measurement must not make the layers look closer to the limit.
  double ceiling_one = 0, ceiling_all = 0, ceiling_machine = 0;
  if (cpu) {
    const int threads = cpu->executor().threads();
    for (int trial = 0; trial < 3; ++trial) {
      ceiling_one = std::max(ceiling_one, kernels::MeasureSadCeilingOpsPerSecond(0.15));
      std::vector<double> per(static_cast<size_t>(threads), 0.0);
      ParallelFor(threads, threads, [&](int b, int e, int) {
        for (int t = b; t < e; ++t) per[size_t(t)] = kernels::MeasureSadCeilingOpsPerSecond(0.15);
      });
      double all = 0;
      for (double v : per) all += v;
      ceiling_all = std::max(ceiling_all, all);
    }
    ceiling_machine = std::max(ceiling_all, threads * ceiling_one);
  }
  // Main memory's read bandwidth, all threads at once (the roofline's slope).
  const double bandwidth = cpu ? MeasureReadBandwidth(cpu->executor().threads(), 0.3) : 0.0;
  double total_ops = 0;
  for (const Node& node : graph.nodes) total_ops += AdderOps(graph, node);

  nlohmann::ordered_json j;
  j["model"] = a.model;
  j["backend"] = backend->Describe();
  j["images"] = n;
  j["input"] = a.input;
  j["seconds"] = best;
  j["images_per_second"] = double(n) / best;
  j["adder_mops_per_image"] = total_ops / 1e6;
  j["adder_gops_per_second_end_to_end"] = total_ops * n / best / 1e9;
  if (gpu) {
    j["gpu_kernel_ms"] = best_kernel_ms;
    j["prepare_seconds"] = gpu->stats().prepare_seconds;
    j["cuda_graphs_captured"] = gpu->stats().graphs_captured;
    j["cuda_chunk_images"] = gpu->stats().chunk_images;
    // Per layer over one chunk (the whole run unless --cuda-chunk made chunks smaller).
    const int profiled = std::min(n, gpu->stats().chunk_images);
    j["layers_images"] = profiled;
    ADQ_ASSIGN_OR_RETURN(auto layers, gpu->ProfileLayers({input.data(), size_t(profiled) * image_values}, profiled));
    nlohmann::ordered_json per_layer = nlohmann::ordered_json::array();
    for (const cuda::LayerTime& t : layers) {
      const Node* node = nullptr;
      for (const Node& candidate : graph.nodes)
        if (candidate.name == t.node) node = &candidate;
      const double ops = node ? AdderOps(graph, *node) * profiled : 0;
      per_layer.push_back({{"node", t.node}, {"ms", t.ms}, {"adder_gops", ops / 1e9},
                           {"gops_per_second", t.ms > 0 ? ops / (t.ms * 1e-3) / 1e9 : 0.0}});
    }
    j["layers"] = per_layer;
  }
  if (cpu) {
    j["simd"] = kernels::SimdLevel();  // the ceiling's instructions are those of this level (avx512: 64-byte vpsadbw)
    j["simd_ceiling_gops_one_thread"] = ceiling_one / 1e9;
    j["simd_ceiling_gops_all_threads"] = ceiling_all / 1e9;
    j["simd_ceiling_gops_machine"] = ceiling_machine / 1e9;
    j["memory_read_gb_per_second"] = bandwidth / 1e9;
    nlohmann::ordered_json per_layer = nlohmann::ordered_json::array();
    const std::vector<double>& secs = cpu->executor().NodeSeconds();
    double adder_ops = 0, adder_ms = 0, all_ms = 0;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      const double ms = secs[i] * 1e3 / a.repeat;
      const double ops = AdderOps(graph, graph.nodes[i]) * n;
      nlohmann::ordered_json l = {{"node", graph.nodes[i].name}, {"op", OpKindName(graph.nodes[i].kind)}, {"ms", ms},
                                  {"adder_gops", ops / 1e9}, {"gops_per_second", ms > 0 ? ops / (ms * 1e-3) / 1e9 : 0.0}};
      all_ms += ms;
      if (ops > 0) {
        // The roofline: what this layer could reach at most, the ceiling or its bytes at the
        // memory's bandwidth, and how close it came.
        const double bytes = AdderBytes(graph, graph.nodes[i]) * n, rate = ms > 0 ? ops / (ms * 1e-3) : 0.0;
        const double intensity = bytes > 0 ? ops / bytes : 0.0;
        const double attainable = std::min(ceiling_machine, intensity * bandwidth);
        l["bytes_moved_mb"] = bytes / 1e6;
        l["gb_per_second"] = ms > 0 ? bytes / (ms * 1e-3) / 1e9 : 0.0;
        l["ops_per_byte"] = intensity;
        l["percent_of_ceiling"] = ceiling_machine > 0 ? 100 * rate / ceiling_machine : 0.0;
        l["bound"] = attainable < ceiling_machine ? "memory" : "compute";
        l["percent_of_roofline"] = attainable > 0 ? 100 * rate / attainable : 0.0;
        adder_ops += ops, adder_ms += ms;
      }
      per_layer.push_back(l);
    }
    j["adder_share_of_time_percent"] = all_ms > 0 ? 100 * adder_ms / all_ms : 0.0;
    // The adder layers together (their nodes' whole time: quantizer, kernel and epilogue).
    const double adder_rate = adder_ms > 0 ? adder_ops / (adder_ms * 1e-3) : 0.0;
    j["adder_layers_gops_per_second"] = adder_rate / 1e9;
    j["adder_layers_percent_of_ceiling"] = ceiling_machine > 0 ? 100 * adder_rate / ceiling_machine : 0.0;
    // The whole network as if it were only its adder work: images/s x adder ops per image.
    j["end_to_end_percent_of_ceiling"] = ceiling_machine > 0 ? 100 * total_ops * n / best / ceiling_machine : 0.0;
    j["layers"] = per_layer;
  }
  if (a.json) {
    std::printf("%s\n", j.dump().c_str());
    return Status::Ok();
  }
  std::printf("%s on %s: %d images (%s) in %.4f s = %.0f images/s (best of %d)\n", a.model.c_str(), backend->Describe().c_str(), n,
              pixels ? "8-bit pixels" : "normalised floats", best, double(n) / best, a.repeat);
  std::printf("adder work: %.1f M ops/image, %.1f G ops/s end to end\n", total_ops / 1e6, total_ops * n / best / 1e9);
  if (gpu)
    std::printf("GPU kernel time %.3f ms for %d images (chunks of %d; with two chunks in flight their times can overlap)\n",
                best_kernel_ms, n, gpu->stats().chunk_images);
  if (cpu) {
    std::printf("SIMD ceiling of the adder op (%s, registers only): %.1f G ops/s one thread, %.1f G ops/s all %d threads"
                " (machine: %.1f)\n",
                kernels::SimdLevel(), ceiling_one / 1e9, ceiling_all / 1e9, cpu->executor().threads(), ceiling_machine / 1e9);
    std::printf("main memory read bandwidth (all threads, streaming): %.1f GB/s\n", bandwidth / 1e9);
  }
  if (j.contains("layers") && cpu) {
    std::printf("%-28s %9s %9s %7s %9s %7s %8s %6s\n", "layer (roofline)", "ms", "Gop/s", "%ceil", "MB moved", "op/B",
                "bound", "%roof");
    for (const auto& l : j["layers"]) {
      if (!l.contains("bound")) {
        std::printf("%-28s %9.3f\n", l["node"].get<std::string>().c_str(), l["ms"].get<double>());
        continue;
      }
      std::printf("%-28s %9.3f %9.0f %7.1f %9.1f %7.1f %8s %6.1f\n", l["node"].get<std::string>().c_str(),
                  l["ms"].get<double>(), l["gops_per_second"].get<double>(), l["percent_of_ceiling"].get<double>(),
                  l["bytes_moved_mb"].get<double>(), l["ops_per_byte"].get<double>(), l["bound"].get<std::string>().c_str(),
                  l["percent_of_roofline"].get<double>());
    }
  }
  if (cpu)
    std::printf("adder layers: %.1f G ops/s = %.0f %% of the ceiling (%.0f %% of the time); whole network: %.0f %% "
                "(images/s x adder ops per image / ceiling)\n",
                j["adder_layers_gops_per_second"].get<double>(), j["adder_layers_percent_of_ceiling"].get<double>(),
                j["adder_share_of_time_percent"].get<double>(), j["end_to_end_percent_of_ceiling"].get<double>());
  if (j.contains("layers") && gpu) {
    std::printf("%-28s %9s %9s   (%s)\n", "layer", "ms", "Gop/s", gpu ? "GPU time of one chunk" : "time per run: the threads' time in the node / threads");
    for (const auto& l : j["layers"])
      std::printf("%-28s %9.3f %9.0f\n", l["node"].get<std::string>().c_str(), l["ms"].get<double>(),
                  l["gops_per_second"].get<double>());
  }
  return Status::Ok();
}

}  // namespace adderq::tools
