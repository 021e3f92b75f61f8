// What adderq-compile reports: per adder layer (groups, scales, clamped filters, activation range)
// and the time of each phase, as text or as one JSON object.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "compile.h"

namespace adderq::compiler {

nlohmann::ordered_json SummaryJson(const CompileOptions& options, const CompileReport& report);
std::string SummaryText(const CompileOptions& options, const CompileReport& report);

}  // namespace adderq::compiler
