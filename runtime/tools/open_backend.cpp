#include "tools/open_backend.h"

#include <cstdio>
#include <string>

#include "tools/kernel_tuning.h"

namespace adderq::tools {

Result<std::unique_ptr<InferenceBackend>> OpenBackend(const Graph& graph, const BackendChoice& choice, bool quiet) {
  BackendChoice tuned = choice;
  ADQ_RETURN_IF_ERROR(ApplyKernelTuning(tuned.cuda, graph));
  std::string reason;
  auto backend = MakeBackend(graph, tuned, &reason);
  if (backend.ok() && !reason.empty() && !quiet)
    std::fprintf(stderr, "adderq-run: no GPU backend (%s); running on the CPU\n", reason.c_str());
  return backend;
}

}  // namespace adderq::tools
