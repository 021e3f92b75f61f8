// What an artifact holds, as JSON: metadata, compile options, and per layer its shape, bits, clamp,
// activation range, groups and weight bytes. `adderq-run info` prints it; the Python package's
// Model.info is it.
#pragma once

#include <nlohmann/json.hpp>

#include "core/graph.h"

namespace adderq::api {

nlohmann::ordered_json ModelSummaryJson(const Graph& graph);

}  // namespace adderq::api
