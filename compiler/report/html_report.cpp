#include "report/html_report.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "report/svg_chart.h"

namespace adderq::report {
namespace {

const char* const kGroupColors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"};
const char* GroupColor(int g) { return kGroupColors[size_t(g) % std::size(kGroupColors)]; }
constexpr const char* kClampColor = "#d62728";

constexpr const char* kStyle = R"(
body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1000px; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ccc; }
h3 { font-size: 15px; margin: 18px 0 4px; }
table { border-collapse: collapse; font-size: 12px; margin: 6px 0; }
td, th { border: 1px solid #ccc; padding: 2px 6px; text-align: right; } th { background: #f0f0f0; }
td:first-child, th:first-child { text-align: left; }
.layer { border: 1px solid #ddd; padding: 8px 12px; margin: 12px 0; border-radius: 4px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; } .charts > div { width: 440px; }
table.kv td { text-align: left; } .note { font-size: 12px; color: #555; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
)";

std::string LayerSection(const Node& n, const compiler::AdderLayerData& d) {
  const AdderQuantParams& q = n.quant;
  const bool one_sided = q.code_kind == quant::WeightCodeKind::kUnsigned;
  const size_t per_filter = size_t(n.in_channels) * size_t(n.kernel_h) * size_t(n.kernel_w);
  // Each filter's max |W| (what the grouping clusters) and the group it went to.
  std::vector<float> filter_max(size_t(n.out_channels), 0.f);
  float w_max = 0;
  size_t beyond = 0;  // weights the clamp moved: beyond +-A_l (symmetric), outside [0, s_g] (one-sided)
  for (size_t i = 0; i < d.float_weights.size(); ++i) {
    const float a = std::fabs(d.float_weights[i]);
    filter_max[i / per_filter] = std::max(filter_max[i / per_filter], a);
    w_max = std::max(w_max, a);
    const float s_g = q.group_scale[size_t(q.channel_group[i / per_filter])];
    beyond += one_sided ? d.float_weights[i] < 0.f || d.float_weights[i] > s_g : a > q.act_range;
  }
  const double w_lim = std::max<double>(w_max, q.act_range) * 1.05;
  std::vector<Marker> w_markers = {{one_sided ? 0.f : -q.act_range, kClampColor, one_sided ? "0" : ""},
                                   {q.act_range, kClampColor, "A_l"}};
  for (int g = 0; g < q.groups(); ++g) {
    if (!one_sided) w_markers.push_back({-q.group_scale[size_t(g)], GroupColor(g), ""});
    w_markers.push_back({q.group_scale[size_t(g)], GroupColor(g), fmt::format("s{}", g + 1)});
  }
  float a_max = 0;
  size_t a_beyond = 0;
  for (float v : d.activation_sample) {
    a_max = std::max(a_max, v);
    a_beyond += v > q.act_range;
  }
  std::string s = fmt::format(R"(<div class="layer"><h3>{} &mdash; [{} x {} x {} x {}], {} bits, {} clamp, A<sub>l</sub> = {:.4g}, {} of {} filters clamped</h3>)",
                              EscapeHtml(n.name), n.out_channels, n.in_channels, n.kernel_h, n.kernel_w, q.bits,
                              quant::WeightCodeKindName(q.code_kind), q.act_range, q.clamped_channels, n.out_channels);
  s += R"(<div class="charts"><div>)";
  s += HistogramSvg(d.float_weights, {-w_lim, w_lim, "full-precision weight W"}, 80, "#7f7f7f", w_markers);
  s += fmt::format(R"(<div class="note">Weights: {} values, max |W| = {:.4g}; {:.3f}% {} (clamped, compensated by the bias &beta;).</div>)",
                   d.float_weights.size(), w_max, d.float_weights.empty() ? 0.0 : 100.0 * double(beyond) / double(d.float_weights.size()),
                   one_sided ? "outside [0, s<sub>g</sub>] (one-sided: the input is proven non-negative)" : "beyond &plusmn;A<sub>l</sub>");
  s += "</div><div>";
  if (d.activation_sample.empty()) {
    s += R"(<p class="note">No activation sample: the ranges came from --calib-cache, so calibration did not run.</p>)";
  } else {
    const double a_lim = std::max<double>(a_max, q.act_range) * 1.05;
    s += HistogramSvg(d.activation_sample, {0, a_lim, "input activation X (calibration sample)"}, 80, "#4a90c2",
                      {{q.act_range, kClampColor, "A_l"}});
    s += fmt::format(R"(<div class="note">Activations: {} sampled values, max {:.4g}; {:.3f}% above A<sub>l</sub> (clipped to the top level).</div>)",
                     d.activation_sample.size(), a_max, 100.0 * double(a_beyond) / double(d.activation_sample.size()));
  }
  s += "</div></div>";
  // Filters by max |W|, coloured by group, with the group scales and A_l.
  std::vector<Dot> dots;
  for (int o = 0; o < n.out_channels; ++o) dots.push_back({filter_max[size_t(o)], GroupColor(q.channel_group[size_t(o)])});
  std::vector<Marker> strip = {{q.act_range, kClampColor, "A_l"}};
  s += DotStripSvg(dots, {0, w_lim, "max |W| per filter"}, strip);
  s += "<table><tr><th>group</th><th>filters</th><th>max |W| range</th><th>scale s<sub>g</sub></th><th>clamped</th></tr>";
  const std::vector<int> sizes = q.GroupSizes();
  for (int g = 0; g < q.groups(); ++g) {
    float lo = INFINITY, hi = 0;
    for (int o = 0; o < n.out_channels; ++o)
      if (q.channel_group[size_t(o)] == g) {
        lo = std::min(lo, filter_max[size_t(o)]);
        hi = std::max(hi, filter_max[size_t(o)]);
      }
    s += fmt::format(R"(<tr><td><span class="swatch" style="background:{}"></span>{}</td><td>{}</td><td>{:.4g} &ndash; {:.4g}</td><td>{:.4g}</td><td>{}</td></tr>)",
                     GroupColor(g), g + 1, sizes[size_t(g)], sizes[size_t(g)] ? lo : 0.f, hi, q.group_scale[size_t(g)],
                     hi > q.act_range ? "yes (s = A_l)" : "no");
  }
  return s + "</table></div>";
}

std::string AccuracySection(const std::vector<EvalPoint>& evals) {
  std::string s = "<h2>Accuracy per bit width</h2>";
  if (evals.empty())
    return s + R"(<p class="note">No evaluations given. Pass <code>--report-eval FILE</code> (repeatable) with the output of <code>adderq-run eval MODEL --json</code>.</p>)";
  std::set<int> bit_set;
  std::vector<std::string> methods;
  for (const EvalPoint& e : evals) {
    bit_set.insert(e.bits);
    if (std::find(methods.begin(), methods.end(), e.method) == methods.end()) methods.push_back(e.method);
  }
  // Categories: full precision first, then the bit widths from wide to narrow.
  const std::vector<int> bits(bit_set.rbegin(), bit_set.rend());
  std::vector<int> order;
  if (bit_set.count(0)) order.push_back(0);
  for (int b : bits)
    if (b) order.push_back(b);
  std::vector<std::string> categories;
  for (int b : order) categories.push_back(b ? fmt::format("{} bits", b) : "full precision");
  std::vector<BarSeries> series;
  double lo = 100;
  for (size_t m = 0; m < methods.size(); ++m) {
    BarSeries bs{methods[m], GroupColor(int(m)), std::vector<double>(order.size(), NAN)};
    for (const EvalPoint& e : evals)
      if (e.method == methods[m]) {
        bs.values[size_t(std::find(order.begin(), order.end(), e.bits) - order.begin())] = e.top1;
        lo = std::min(lo, e.top1);
      }
    series.push_back(bs);
  }
  const double y_lo = std::max(0.0, std::floor(lo / 10.0) * 10.0 - 10.0);
  s += BarChartSvg(categories, series, y_lo, 100.0, "top-1 (%)");
  s += "<table><tr><th>evaluation</th><th>method</th><th>bits</th><th>images</th><th>top-1 %</th><th>top-5 %</th></tr>";
  for (const EvalPoint& e : evals)
    s += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.2f}</td><td>{:.2f}</td></tr>", EscapeHtml(e.file),
                     EscapeHtml(e.method), e.bits ? std::to_string(e.bits) : "fp", e.images, e.top1, e.top5);
  return s + "</table>";
}

}  // namespace

std::string RenderHtmlReport(const compiler::CompileOptions& o, const compiler::CompileReport& r,
                             const std::vector<EvalPoint>& evals) {
  const ModelMetadata& m = r.graph.meta;
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>adderq compile report: " +
                  EscapeHtml(m.source_checkpoint) + "</title><style>" + kStyle + "</style></head><body>\n";
  s += fmt::format("<h1>adderq compile report: {} &rarr; {}</h1>", EscapeHtml(m.source_checkpoint), EscapeHtml(o.output));
  s += "<table class=\"kv\">";
  auto row = [&](const std::string& k, const std::string& v) { s += "<tr><td>" + k + "</td><td>" + EscapeHtml(v) + "</td></tr>"; };
  row("architecture", m.architecture);
  row("checkpoint", o.checkpoint + " (" + r.checkpoint_format + ")");
  row("checkpoint sha256", m.source_sha256);
  row("method", m.method);
  for (const auto& [k, v] : m.compile_options) row("option " + k, v);
  row("artifact", fmt::format("{} bytes", r.artifact.size()));
  row("compiler", "adderq " + m.compiler_version);
  std::string phases;
  for (const auto& p : r.phases) phases += fmt::format("{}{} {:.2f} s", phases.empty() ? "" : ", ", p.name, p.seconds);
  row("phases", phases);
  s += "</table>";

  s += AccuracySection(evals);

  s += "<h2>Adder layers</h2>";
  s += R"(<p class="note">Per adder layer (ALGORITHM.md): the full-precision weights with the clamp threshold &plusmn;A<sub>l</sub> (red)
and each group's scale &plusmn;s<sub>g</sub> (group colours); the calibration activations with A<sub>l</sub>; every filter's
max |W| (what the 1-D k-means clusters) coloured by its group. Histograms use a log scale so that outliers stay visible.</p>)";
  s += "<table><tr><th>layer</th><th>bits</th><th>clamp</th><th>A<sub>l</sub></th><th>group sizes</th><th>group scales</th><th>clamped filters</th></tr>";
  bool any = false;
  for (const Node& n : r.graph.nodes) {
    if (n.kind != OpKind::kAdder2d || !n.quant.enabled()) continue;
    any = true;
    std::string sizes, scales;
    for (int g = 0; g < n.quant.groups(); ++g) {
      sizes += fmt::format("{}{}", g ? " / " : "", n.quant.GroupSizes()[size_t(g)]);
      scales += fmt::format("{}{:.3g}", g ? " / " : "", n.quant.group_scale[size_t(g)]);
    }
    s += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.4g}</td><td>{}</td><td>{}</td><td>{}/{}</td></tr>",
                     EscapeHtml(n.name), n.quant.bits, quant::WeightCodeKindName(n.quant.code_kind), n.quant.act_range, sizes, scales, n.quant.clamped_channels, n.out_channels);
  }
  s += "</table>";
  if (!any) s += R"(<p class="note">A full-precision compile: no adder layer is quantized.</p>)";
  for (const Node& n : r.graph.nodes) {
    if (n.kind != OpKind::kAdder2d || !n.quant.enabled()) continue;
    const auto it = r.layer_data.find(n.name);
    if (it != r.layer_data.end()) s += LayerSection(n, it->second);
  }
  s += "</body></html>\n";
  return s;
}

}  // namespace adderq::report
