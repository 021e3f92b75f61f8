#include "tools/open_backend.h"

#include <cstdio>

namespace adderq::tools {

Result<std::unique_ptr<InferenceBackend>> OpenBackend(const Graph& graph, const BackendChoice& choice, bool quiet) {
  std::string reason;
  auto backend = MakeBackend(graph, choice, &reason);
  if (backend.ok() && !reason.empty() && !quiet)
    std::fprintf(stderr, "adderq-run: no GPU backend (%s); running on the CPU\n", reason.c_str());
  return backend;
}

}  // namespace adderq::tools
