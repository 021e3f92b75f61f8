// Serializes a graph to the .adq FlatBuffers format (schema/adderq.fbs). The same graph always
// gives the same bytes: no timestamps, options sorted, fields written in a fixed order.
#pragma once

#include <cstdint>
#include <vector>

#include "core/graph.h"

namespace adderq::writer {

Result<std::vector<uint8_t>> SerializeArtifact(const Graph& graph);

}  // namespace adderq::writer
