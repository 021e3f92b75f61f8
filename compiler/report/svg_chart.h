// Small inline-SVG charts for the HTML report: a histogram with labelled vertical markers, a dot
// strip, and a grouped bar chart. Plain strings, no scripts, so the report opens anywhere offline.
#pragma once

#include <span>
#include <string>
#include <vector>

namespace adderq::report {

struct Marker {
  double x = 0;
  std::string color;
  std::string label;  // drawn at the top of the line; may be empty
};

struct Axis {
  double lo = 0, hi = 1;
  std::string title;
};

// Counts of `values` in `bins` equal bins over [axis.lo, axis.hi] (values outside go to the end
// bins), drawn with a log scale on y so that the outliers a clamp removes stay visible.
std::string HistogramSvg(std::span<const float> values, const Axis& axis, int bins, const std::string& bar_color,
                         const std::vector<Marker>& markers);

struct Dot {
  double x = 0;
  std::string color;
};
// One row of dots along an axis (e.g. each filter's max |W|, coloured by group).
std::string DotStripSvg(const std::vector<Dot>& dots, const Axis& axis, const std::vector<Marker>& markers);

struct BarSeries {
  std::string name, color;
  std::vector<double> values;  // one per category; NaN = no bar
};
// Grouped bars per category (e.g. bit widths), values on a y axis from y_lo to y_hi.
std::string BarChartSvg(const std::vector<std::string>& categories, const std::vector<BarSeries>& series, double y_lo,
                        double y_hi, const std::string& y_title);

std::string EscapeHtml(const std::string& text);

}  // namespace adderq::report
