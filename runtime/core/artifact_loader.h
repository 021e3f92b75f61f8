// Loads an .adq artifact: FlatBuffers verifier first, then identifier and schema version, then the
// decoded graph is validated (shapes, counts, bits) before anything may execute it.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/graph.h"

namespace adderq {

Result<Graph> LoadArtifactFromMemory(std::span<const uint8_t> bytes);
// Errors are prefixed with the path.
Result<Graph> LoadArtifactFile(const std::string& path);

}  // namespace adderq
