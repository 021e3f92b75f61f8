#include "passes/cluster_filters.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace adderq::passes {

Result<std::vector<int>> OptimalKMeans1D(std::span<const float> values, int groups) {
  const size_t n = values.size();
  if (n == 0) return InvalidArgument("clustering: no values");
  if (groups < 1) return InvalidArgument("clustering: {} groups", groups);
  const size_t k = std::min(size_t(groups), n);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  // Prefix sums of the sorted values give the cost of any contiguous segment in O(1).
  std::vector<double> s1(n + 1, 0.0), s2(n + 1, 0.0);
  for (size_t i = 0; i < n; ++i) {
    const double v = values[order[i]];
    s1[i + 1] = s1[i] + v;
    s2[i + 1] = s2[i] + v * v;
  }
  auto cost = [&](size_t a, size_t b) {  // sum of squared deviations of sorted[a, b)
    const double m = double(b - a), s = s1[b] - s1[a];
    return std::max(0.0, (s2[b] - s2[a]) - s * s / m);
  };
  const double inf = std::numeric_limits<double>::infinity();
  // best[j][i]: minimal cost of the first i sorted values in j groups; cut[j][i]: start of the last.
  std::vector<std::vector<double>> best(k + 1, std::vector<double>(n + 1, inf));
  std::vector<std::vector<size_t>> cut(k + 1, std::vector<size_t>(n + 1, 0));
  best[0][0] = 0.0;
  for (size_t j = 1; j <= k; ++j)
    for (size_t i = j; i <= n; ++i)
      for (size_t start = j - 1; start < i; ++start) {
        if (best[j - 1][start] == inf) continue;
        const double c = best[j - 1][start] + cost(start, i);
        if (c < best[j][i]) {
          best[j][i] = c;
          cut[j][i] = start;
        }
      }
  std::vector<int> label(n, 0);
  size_t end = n;
  for (size_t j = k; j >= 1; --j) {
    const size_t start = cut[j][end];
    for (size_t i = start; i < end; ++i) label[order[i]] = int(j - 1);
    end = start;
  }
  return label;
}

}  // namespace adderq::passes
