// cpu-layer-bench: every adder layer of an artifact in isolation on the CPU, one thread, one image:
// the layer's kernel (quantizer, adder kernel, epilogue with a residual) run back to back on the
// same buffers, so its data stays in L1/L2 and the figure is the code's, not the host's cache or the
// other core's. Prints one line per layer (us per image, G |a-b| ops/s) and the total, or one JSON
// object with --json. Compare builds by alternating runs of each (the host is noisy); the numbers
// in docs/benchmarks.md ("per layer in isolation") come from this program.
//   cpu-layer-bench MODEL.adq [--rounds N] [--json]
// A benchmark program, not a test (not installed).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "core/artifact_loader.h"
#include "kernels/conv_geometry.h"
#include "kernels/op_kernel.h"
#include "kernels/sad_kernels.h"
#include "kernels/tile_kernels.h"

namespace {

using namespace adderq;

struct LayerResult {
  std::string name;
  double seconds = 0, ops = 0;
};

// Best time of one Eval over `rounds` rounds of 200 calls.
double TimeLayer(const kernels::OpKernel& kernel, const kernels::OpContext& ctx, int rounds) {
  kernels::Scratch scratch;
  kernel.Eval(ctx, 0, 1, scratch);  // sizes the scratch buffers
  double best = 1e30;
  for (int r = 0; r < rounds; ++r) {
    constexpr int kCalls = 200;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kCalls; ++i) kernel.Eval(ctx, 0, 1, scratch);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / kCalls);
  }
  return best;
}

int Run(const std::string& path, int rounds, bool json) {
  auto loaded = LoadArtifactFile(path);
  if (!loaded.ok()) {
    std::fprintf(stderr, "cpu-layer-bench: %s\n", loaded.status().message().c_str());
    return 1;
  }
  const Graph& graph = *loaded;
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> value(0.f, 2.f);  // post-ReLU activations, some beyond the clip
  std::vector<LayerResult> results;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    if (node.kind != OpKind::kAdder2d) continue;
    auto kernel = kernels::CreateCpuKernel(graph, i, /*relu=*/true);
    if (!kernel.ok()) {
      std::fprintf(stderr, "cpu-layer-bench: %s\n", kernel.status().message().c_str());
      return 1;
    }
    const Shape3& in = graph.ShapeOf(node.inputs.at(0));
    const Shape3& out = graph.ShapeOf(node.output);
    std::vector<float> x(in.size()), residual(out.size()), y(out.size());
    for (float& v : x) v = value(rng);
    for (float& v : residual) v = value(rng);
    kernels::OpContext ctx;
    ctx.inputs = {x.data()};
    ctx.input_sizes = {x.size()};
    ctx.output = y.data();
    ctx.output_size = y.size();
    ctx.residual = residual.data();
    const kernels::ConvGeometry g = kernels::ConvGeometry::FromNode(node, in, out);
    results.push_back({node.name, TimeLayer(**kernel, ctx, rounds), double(g.K()) * g.P() * g.out_c});
  }
  const double ceiling = kernels::MeasureSadCeilingOpsPerSecond(0.3);
  double seconds = 0, ops = 0;
  for (const LayerResult& r : results) seconds += r.seconds, ops += r.ops;
  if (json) {
    std::printf("{\"model\":\"%s\",\"simd\":\"%s\",\"simd_ceiling_gops_one_thread\":%.3f,\"layers\":[", path.c_str(),
                kernels::SimdLevel(), ceiling / 1e9);
    for (size_t i = 0; i < results.size(); ++i)
      std::printf("%s{\"node\":\"%s\",\"us\":%.3f,\"gops_per_second\":%.3f}", i ? "," : "", results[i].name.c_str(),
                  results[i].seconds * 1e6, results[i].ops / results[i].seconds / 1e9);
    std::printf("],\"total_us\":%.3f,\"gops_per_second\":%.3f}\n", seconds * 1e6, ops / seconds / 1e9);
    return 0;
  }
  std::printf("%s, %s, one thread, one image per call (best of %d rounds of 200 calls)\n", path.c_str(),
              kernels::SimdLevel(), rounds);
  std::printf("%-28s %10s %9s\n", "layer", "us/image", "Gop/s");
  for (const LayerResult& r : results)
    std::printf("%-28s %10.1f %9.1f\n", r.name.c_str(), r.seconds * 1e6, r.ops / r.seconds / 1e9);
  std::printf("%-28s %10.1f %9.1f  (SIMD ceiling, one thread: %.1f G ops/s)\n", "all adder layers", seconds * 1e6,
              ops / seconds / 1e9, ceiling / 1e9);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string model;
  int rounds = 6;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--json") {
      json = true;
    } else if (arg == "--rounds" && i + 1 < argc) {
      char* end = nullptr;
      const long v = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || v < 1 || v > 1000) {
        std::fprintf(stderr, "cpu-layer-bench: --rounds takes an integer in [1, 1000]\n");
        return 1;
      }
      rounds = int(v);
    } else if (arg == "-h" || arg == "--help") {
      std::printf("usage: cpu-layer-bench MODEL.adq [--rounds N] [--json]\n"
                  "Times every adder layer's CPU kernel in isolation (one thread, one image, hot caches).\n");
      return 0;
    } else if (model.empty() && arg[0] != '-') {
      model = arg;
    } else {
      std::fprintf(stderr, "cpu-layer-bench: unexpected argument '%s' (usage: cpu-layer-bench MODEL.adq [--rounds N] [--json])\n",
                   arg.c_str());
      return 1;
    }
  }
  if (model.empty()) {
    std::fprintf(stderr, "cpu-layer-bench: no model given (usage: cpu-layer-bench MODEL.adq [--rounds N] [--json])\n");
    return 1;
  }
  return Run(model, rounds, json);
}
