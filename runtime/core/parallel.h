// Splits [0, count) into contiguous chunks, one per thread. Results never depend on the thread
// count: every image is computed by exactly one thread with the same arithmetic.
#pragma once

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace adderq {

inline int DefaultThreadCount() { return std::max(1, int(std::thread::hardware_concurrency())); }

// fn(begin, end, worker_index)
template <typename Fn>
void ParallelFor(int count, int threads, Fn&& fn) {
  threads = std::clamp(threads, 1, std::max(1, count));
  if (threads == 1) {
    fn(0, count, 0);
    return;
  }
  std::vector<std::jthread> workers;
  workers.reserve(size_t(threads - 1));
  const int chunk = (count + threads - 1) / threads;
  for (int t = 1; t < threads; ++t) {
    const int b = std::min(count, t * chunk), e = std::min(count, (t + 1) * chunk);
    if (b < e) workers.emplace_back([&fn, b, e, t] { fn(b, e, t); });
  }
  fn(0, std::min(count, chunk), 0);
}

// fn(begin, end, worker_index) over chunks of at most `grain` items that the threads claim in turn
// from a shared counter: a thread that runs faster (a quieter core) takes more chunks. Only for
// work whose result does not depend on which thread, or how many calls, compute an item.
template <typename Fn>
void ParallelForDynamic(int count, int threads, int grain, Fn&& fn) {
  grain = std::max(1, grain);
  const int chunks = (count + grain - 1) / grain;
  std::atomic<int> next{0};
  ParallelFor(std::min(threads, chunks), threads, [&](int, int, int worker) {
    for (int c = next++; c < chunks; c = next++) fn(c * grain, std::min(count, (c + 1) * grain), worker);
  });
}

}  // namespace adderq
