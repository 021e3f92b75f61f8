#include "report/svg_chart.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace adderq::report {
namespace {

constexpr double kWidth = 440, kHeight = 170, kLeft = 46, kRight = 10, kTop = 22, kBottom = 34;

double MapX(double x, const Axis& a) { return kLeft + (x - a.lo) / (a.hi - a.lo) * (kWidth - kLeft - kRight); }

std::string Frame(const Axis& axis, const std::string& y_title) {
  std::string s = fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="#fcfcfc" stroke="#999"/>)", kLeft, kTop,
                              kWidth - kLeft - kRight, kHeight - kTop - kBottom);
  for (int t = 0; t <= 4; ++t) {
    const double v = axis.lo + (axis.hi - axis.lo) * t / 4.0, x = MapX(v, axis);
    s += fmt::format(R"(<line x1="{0:.1f}" x2="{0:.1f}" y1="{1}" y2="{2}" stroke="#999"/>)", x, kHeight - kBottom, kHeight - kBottom + 4);
    s += fmt::format(R"(<text x="{:.1f}" y="{}" font-size="10" text-anchor="middle">{:.3g}</text>)", x, kHeight - kBottom + 14, v);
  }
  s += fmt::format(R"(<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>)", (kLeft + kWidth - kRight) / 2,
                   kHeight - 4, EscapeHtml(axis.title));
  s += fmt::format(R"svg(<text x="10" y="{0}" font-size="10" text-anchor="middle" transform="rotate(-90 10 {0})">{1}</text>)svg",
                   (kTop + kHeight - kBottom) / 2, EscapeHtml(y_title));
  return s;
}

std::string Markers(const std::vector<Marker>& markers, const Axis& axis) {
  std::string s;
  int labelled = 0;
  for (const Marker& m : markers) {
    if (m.x < axis.lo || m.x > axis.hi) continue;
    const double x = MapX(m.x, axis);
    s += fmt::format(R"(<line x1="{0:.1f}" x2="{0:.1f}" y1="{1}" y2="{2}" stroke="{3}" stroke-width="1.5" stroke-dasharray="4 2"/>)",
                     x, kTop, kHeight - kBottom, m.color);
    if (!m.label.empty())
      s += fmt::format(R"(<text x="{:.1f}" y="{}" font-size="9" fill="{}" text-anchor="middle">{}</text>)", x,
                       kTop - 3 - 9 * (labelled++ % 2), m.color, EscapeHtml(m.label));
  }
  return s;
}

std::string Open() {
  return fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" font-family="sans-serif">)",
                     kWidth, kHeight);
}

}  // namespace

std::string EscapeHtml(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string HistogramSvg(std::span<const float> values, const Axis& axis, int bins, const std::string& bar_color,
                         const std::vector<Marker>& markers) {
  std::vector<size_t> counts(size_t(bins), 0);
  for (float v : values) {
    const double f = (double(v) - axis.lo) / (axis.hi - axis.lo) * bins;
    counts[size_t(std::clamp(int(std::floor(f)), 0, bins - 1))]++;
  }
  const double top = std::log10(double(*std::max_element(counts.begin(), counts.end())) + 1.0);
  std::string s = Open() + Frame(axis, "log10(count+1)");
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom, bw = plot_w / bins;
  for (int b = 0; b < bins; ++b) {
    if (!counts[size_t(b)]) continue;
    const double h = top > 0 ? std::log10(double(counts[size_t(b)]) + 1.0) / top * plot_h : 0;
    s += fmt::format(R"(<rect x="{:.2f}" y="{:.2f}" width="{:.2f}" height="{:.2f}" fill="{}"/>)", kLeft + b * bw,
                     kTop + plot_h - h, std::max(bw - 0.3, 0.5), h, bar_color);
  }
  return s + Markers(markers, axis) + "</svg>";
}

std::string DotStripSvg(const std::vector<Dot>& dots, const Axis& axis, const std::vector<Marker>& markers) {
  constexpr double kStripHeight = 70;
  std::string s = fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" font-family="sans-serif">)",
                              kWidth, kStripHeight);
  s += fmt::format(R"(<line x1="{}" x2="{}" y1="40" y2="40" stroke="#999"/>)", kLeft, kWidth - kRight);
  for (size_t i = 0; i < dots.size(); ++i) {
    const double jitter = double(int(i % 5) - 2) * 3.0;  // spreads coincident filters vertically
    s += fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="3" fill="{}" fill-opacity="0.8"/>)", MapX(dots[i].x, axis),
                     40 + jitter, dots[i].color);
  }
  for (const Marker& m : markers) {
    if (m.x < axis.lo || m.x > axis.hi) continue;
    const double x = MapX(m.x, axis);
    s += fmt::format(R"(<line x1="{0:.1f}" x2="{0:.1f}" y1="22" y2="52" stroke="{1}" stroke-dasharray="4 2"/>)", x, m.color);
    s += fmt::format(R"(<text x="{:.1f}" y="16" font-size="9" fill="{}" text-anchor="middle">{}</text>)", x, m.color, EscapeHtml(m.label));
  }
  for (int t = 0; t <= 4; ++t) {
    const double v = axis.lo + (axis.hi - axis.lo) * t / 4.0;
    s += fmt::format(R"(<text x="{:.1f}" y="64" font-size="10" text-anchor="middle">{:.3g}</text>)", MapX(v, axis), v);
  }
  return s + "</svg>";
}

std::string BarChartSvg(const std::vector<std::string>& categories, const std::vector<BarSeries>& series, double y_lo,
                        double y_hi, const std::string& y_title) {
  constexpr double kW = 640, kH = 260, kL = 50, kR = 150, kT = 16, kB = 34;
  const double plot_w = kW - kL - kR, plot_h = kH - kT - kB;
  std::string s = fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" font-family="sans-serif">)", kW, kH);
  s += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="#fcfcfc" stroke="#999"/>)", kL, kT, plot_w, plot_h);
  auto map_y = [&](double v) { return kT + plot_h - (std::clamp(v, y_lo, y_hi) - y_lo) / (y_hi - y_lo) * plot_h; };
  for (int t = 0; t <= 5; ++t) {
    const double v = y_lo + (y_hi - y_lo) * t / 5.0;
    s += fmt::format(R"(<line x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}" stroke="#ddd"/>)", kL, kL + plot_w, map_y(v), map_y(v));
    s += fmt::format(R"(<text x="{}" y="{:.1f}" font-size="10" text-anchor="end">{:.3g}</text>)", kL - 4, map_y(v) + 3, v);
  }
  s += fmt::format(R"svg(<text x="12" y="{0}" font-size="10" text-anchor="middle" transform="rotate(-90 12 {0})">{1}</text>)svg",
                   kT + plot_h / 2, EscapeHtml(y_title));
  const double group_w = plot_w / double(std::max<size_t>(1, categories.size()));
  const double bar_w = group_w * 0.8 / double(std::max<size_t>(1, series.size()));
  for (size_t c = 0; c < categories.size(); ++c) {
    s += fmt::format(R"(<text x="{:.1f}" y="{}" font-size="11" text-anchor="middle">{}</text>)", kL + (c + 0.5) * group_w,
                     kH - kB + 16, EscapeHtml(categories[c]));
    for (size_t k = 0; k < series.size(); ++k) {
      const double v = c < series[k].values.size() ? series[k].values[c] : NAN;
      if (std::isnan(v)) continue;
      const double x = kL + c * group_w + group_w * 0.1 + double(k) * bar_w;
      s += fmt::format(R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}"/>)", x, map_y(v), bar_w - 1,
                       kT + plot_h - map_y(v), series[k].color);
      s += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="9" text-anchor="middle">{:.2f}</text>)", x + bar_w / 2,
                       map_y(v) - 3, v);
    }
  }
  for (size_t k = 0; k < series.size(); ++k) {
    s += fmt::format(R"(<rect x="{}" y="{}" width="10" height="10" fill="{}"/>)", kW - kR + 10, kT + 4 + 16 * k, series[k].color);
    s += fmt::format(R"(<text x="{}" y="{}" font-size="11">{}</text>)", kW - kR + 24, kT + 13 + 16 * k, EscapeHtml(series[k].name));
  }
  return s + "</svg>";
}

}  // namespace adderq::report
