// Writes small seed inputs for the artifact fuzzer into DIR: tiny valid artifacts (float and
// quantized), so the fuzzer starts from well-formed files.
#include <cstdio>
#include <filesystem>

#include "core/file_io.h"
#include "test_support.h"
#include "writer/artifact_writer.h"

int main(int argc, char** argv) {
  using namespace adderq;
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_fuzz_seeds DIR\n");
    return 1;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
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
