// Writes small seed inputs for the artifact fuzzer into DIR: tiny valid artifacts (float and
// quantized), so the fuzzer starts from well-formed files; with `onnx`, the ONNX fuzzer's: a small
// model with every mapped operator, and a truncated copy.
#include <cstdio>
#include <filesystem>

#include "core/file_io.h"
#include "onnx_models.h"
#include "test_support.h"
#include "writer/artifact_writer.h"

int main(int argc, char** argv) {
  using namespace adderq;
  if (argc != 2 && argc != 3) {
    std::fprintf(stderr, "usage: make_fuzz_seeds DIR [onnx]\n");
    return 1;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  if (argc == 3) {
    testing::SmallOnnxNet s;
    s.in_hw = 16;
    s.stem_c = 4;
    s.width = 8;
    const std::vector<uint8_t> bytes = testing::OnnxModelBytes(testing::SmallOnnxNetSpec(s));
    const std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + long(bytes.size() / 2));
    if (!WriteFileAtomic((dir / "small.onnx").string(), bytes).ok() || !WriteFileAtomic((dir / "truncated.onnx").string(), cut).ok())
      return 1;
    return 0;
  }
  int n = 0;
  for (const Graph& g : {testing::SampleFloatGraph(), testing::SampleQuantizedGraph()}) {
    auto bytes = writer::SerializeArtifact(g);
    const std::string path = (dir / ("seed" + std::to_string(n++) + ".adq")).string();
    if (!bytes.ok() || !WriteFileAtomic(path, bytes.value()).ok()) {
      std::fprintf(stderr, "make_fuzz_seeds: cannot write %s\n", path.c_str());
      return 1;
    }
  }
  return 0;
}
