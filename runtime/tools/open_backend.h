// The backend for an adderq-run subcommand: MakeBackend plus the one stderr line when --device auto
// falls back to the CPU (suppressed by --quiet and --json).
#pragma once

#include <memory>
#include <string>

#include "api/backend_factory.h"

namespace adderq::tools {

Result<std::unique_ptr<InferenceBackend>> OpenBackend(const Graph& graph, const BackendChoice& choice, bool quiet);

}  // namespace adderq::tools
