// Fuzz target: artifact load (verifier, checksum, decode, semantic validation) and kernel
// preparation. Any input must give a Status, never a crash, hang, leak or undefined behaviour.
// Inputs are loaded twice: as they are, and with a correct checksum patched in, so mutations
// also reach the decoder and the semantic checks behind the checksum.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "adderq_generated.h"
#include "core/artifact_checksum.h"
#include "core/artifact_loader.h"
#include "cpu/executor.h"

namespace {
void Load(const std::vector<uint8_t>& bytes) {
  auto graph = adderq::LoadArtifactFromMemory(bytes);
  if (graph.ok()) (void)adderq::Executor::Create(graph.value(), 1);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  Load(bytes);
  flatbuffers::Verifier verifier(bytes.data(), bytes.size());
  if (size >= 8 && adderq::schema::VerifyModelBuffer(verifier)) {
    const auto* stored = adderq::schema::GetModel(bytes.data())->checksum();
    if (stored && stored->size() == 32) {
      const size_t at = size_t(stored->data() - bytes.data());
      const auto digest = adderq::ArtifactDigest(bytes, at);
      std::copy(digest.begin(), digest.end(), bytes.begin() + long(at));
      Load(bytes);
    }
  }
  return 0;
}
