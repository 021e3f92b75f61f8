// adderq-compile --inspect: the tensors of any supported checkpoint, like a model viewer.
#pragma once

#include <string>

#include "core/status.h"

namespace adderq::compiler {

// Prints name, dtype, shape and a value summary (min, max, mean, std) of every tensor.
Status InspectCheckpoint(const std::string& path, const std::string& format, bool json);

}  // namespace adderq::compiler
