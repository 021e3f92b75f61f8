// Writes small seed inputs for the fuzzers into DIR/{artifact,cifar10}: tiny valid artifacts
// (float and quantized) so the fuzzer starts from well-formed files.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/file_io.h"
#include "test_support.h"
#include "writer/artifact_writer.h"

int main(int argc, char** argv) {
  using namespace adderq;
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds DIR\n");
    return 1;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir / "artifact");
  std::vector<float> w(4 * 2 * 9);
  for (size_t i = 0; i < w.size(); ++i) w[i] = float(int(i % 9) - 4) * 0.5f;
  Graph fp = testing::SingleLayerGraph(OpKind::kAdder2d, {2, 5, 5}, 4, 3, 1, 1, w);
  Graph q = fp;
  q.nodes[0].quant.bits = 3;
  q.nodes[0].quant.group_scale = {1.f, 2.f};
  q.nodes[0].quant.channel_group = {0, 1, 1, 0};
  for (size_t i = 0; i < w.size(); ++i) q.nodes[0].quant.codes.push_back(int8_t(int(i % 8) - 4));
  q.nodes[0].weight.clear();
  int n = 0;
  for (const Graph* g : {&fp, &q}) {
    auto bytes = writer::SerializeArtifact(*g);
    if (!bytes.ok() || !WriteFileAtomic((dir / "artifact" / ("seed" + std::to_string(n++) + ".adq")).string(), bytes.value()).ok()) {
      std::fprintf(stderr, "make_seeds: failed\n");
      return 1;
    }
  }
  return 0;
}
