#include "tools/memory_bandwidth.h"

#include <chrono>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/parallel.h"

namespace adderq::tools {
namespace {

// Four independent sums: the loads, not an add chain, set the pace. Returns the sum so that the
// compiler keeps the loads.
uint64_t ReadAll(const uint64_t* p, size_t n) {
  uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (size_t i = 0; i + 4 <= n; i += 4) {
    s0 += p[i];
    s1 += p[i + 1];
    s2 += p[i + 2];
    s3 += p[i + 3];
  }
  return s0 + s1 + s2 + s3;
}

}  // namespace

double MeasureReadBandwidth(int threads, double seconds) {
  constexpr size_t kWords = (size_t(64) << 20) / sizeof(uint64_t);  // 64 MiB per thread: past any L3
  std::vector<double> rate(size_t(threads), 0.0);
  ParallelFor(threads, threads, [&](int b, int e, int) {
    for (int t = b; t < e; ++t) {
      std::vector<uint64_t> buffer(kWords);
      std::memset(buffer.data(), t + 1, kWords * sizeof(uint64_t));  // touch every page first
      volatile uint64_t sink = 0;
      double best = 0, elapsed = 0;
      const auto start = std::chrono::steady_clock::now();
      do {
        const auto t0 = std::chrono::steady_clock::now();
        sink = sink + ReadAll(buffer.data(), kWords);
        const auto t1 = std::chrono::steady_clock::now();
        best = std::max(best, double(kWords * sizeof(uint64_t)) / std::chrono::duration<double>(t1 - t0).count());
        elapsed = std::chrono::duration<double>(t1 - start).count();
      } while (elapsed < seconds);
      rate[size_t(t)] = best;
    }
  });
  double total = 0;
  for (double r : rate) total += r;
  return total;
}

}  // namespace adderq::tools
