// adderq-compile --report: one self-contained HTML file (inline CSS and SVG, no scripts, no network)
// describing a compile: per adder layer the weight and activation histograms with the clamp
// threshold A_l and the group scales drawn on them, the groups (sizes, scales, clamping), and, when
// evaluations are given, the accuracy per bit width.
#pragma once

#include <string>
#include <vector>

#include "compile.h"

namespace adderq::report {

// One evaluation: the JSON `adderq-run eval --json` prints (method, bits, top1, images).
struct EvalPoint {
  std::string file, method;
  int bits = 0;  // 0 = full precision
  double top1 = 0, top5 = 0;
  size_t images = 0;
};

Result<EvalPoint> ReadEvalJson(const std::string& path);

std::string RenderHtmlReport(const compiler::CompileOptions& options, const compiler::CompileReport& report,
                             const std::vector<EvalPoint>& evals);

}  // namespace adderq::report
