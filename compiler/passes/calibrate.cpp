#include "passes/calibrate.h"

#include <atomic>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "cpu/executor.h"
#include "core/parallel.h"
#include "passes/range_search.h"

namespace adderq::passes {

size_t ReferenceQuantileIndex(size_t n, double ratio) {
  const double k = std::nearbyint(double(n) * ratio);  // Python's round(): half to even
  const double idx = std::floor((k - 1.0) * ratio);    // int() of a non-negative value
  return size_t(std::clamp(idx, 0.0, double(n - 1)));
}

namespace {

// Appends |v| for every v with |v| >= threshold (NaN never), in order. Blocks of 64 values are
// first tested with an integer compare of the magnitude bits (IEEE order for finite values), a loop
// compilers vectorize; only blocks holding a candidate are scanned value by value. Candidates are
// about 1% of the values, so this reads memory at close to bandwidth.
void CollectAtLeast(std::span<const float> values, float threshold, std::vector<float>& out) {
  int32_t t = 0;  // a negative threshold admits every magnitude
  if (threshold > 0.f) std::memcpy(&t, &threshold, sizeof t);
  constexpr size_t kBlock = 64;
  const size_t n = values.size();
  size_t i = 0;
  auto scan = [&](size_t b, size_t e) {
    for (size_t j = b; j < e; ++j)
      if (std::fabs(values[j]) >= threshold) out.push_back(std::fabs(values[j]));
  };
  for (; i + kBlock <= n; i += kBlock) {
    int hit = 0;
    for (size_t j = 0; j < kBlock; ++j) {
      int32_t bits;
      std::memcpy(&bits, &values[i + j], sizeof bits);
      hit |= int((bits & 0x7fffffff) >= t);
    }
    if (hit) scan(i, i + kBlock);
  }
  scan(i, n);
}

}  // namespace

float ReferenceQuantile(std::span<const float> values, double ratio, int threads) {
  const size_t n = values.size();
  if (n == 0) return 0.f;
  const size_t idx = ReferenceQuantileIndex(n, ratio);
  const size_t above = n - idx;  // elements at or above the answer, counting it
  // A threshold from a strided sample, set low enough that (almost always) at least `above`
  // elements pass it; the answer is then an exact selection among those candidates only.
  std::vector<float> sample;
  const size_t stride = std::max<size_t>(1, n / 65536);
  for (size_t i = 0; i < n; i += stride) sample.push_back(std::fabs(values[i]));
  const double margin_ratio = std::max(0.0, 1.0 - 4.0 * double(above) / double(n) - 0.01);
  auto pos = sample.begin() + long(std::min(sample.size() - 1, size_t(margin_ratio * double(sample.size()))));
  std::nth_element(sample.begin(), pos, sample.end());
  float threshold = *pos;
  // The candidate pass reads every value: split it over the threads (the caller's are idle while a
  // hook runs). Candidates keep their order, so the answer is the same for any thread count.
  threads = std::max(1, std::min(threads > 0 ? threads : DefaultThreadCount(), int(n / 65536) + 1));
  std::vector<std::vector<float>> parts(static_cast<size_t>(threads));
  std::vector<float> candidates;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const size_t chunk = (n + size_t(threads) - 1) / size_t(threads);
    ParallelFor(threads, threads, [&](int b, int e, int) {
      for (int t = b; t < e; ++t) {
        parts[size_t(t)].clear();
        const size_t lo = std::min(n, size_t(t) * chunk), hi = std::min(n, lo + chunk);
        CollectAtLeast(values.subspan(lo, hi - lo), threshold, parts[size_t(t)]);
      }
    });
    candidates.clear();
    for (const auto& p : parts) candidates.insert(candidates.end(), p.begin(), p.end());
    if (candidates.size() >= above) break;
    threshold = -1.f;  // the sample misled us: take everything
  }
  const size_t k = candidates.size() - above;  // ascending rank of the answer among candidates
  std::nth_element(candidates.begin(), candidates.begin() + long(k), candidates.end());
  return candidates[k];
}

Result<std::map<std::string, float>> CalibrateActivationRanges(const Graph& g, const CalibrationBatches& batches,
                                                               const CalibrateOptions& opt) {
  ADQ_ASSIGN_OR_RETURN(auto ex, Executor::Create(g, opt.threads));
  std::map<std::string, float> ranges;
  std::map<std::string, ActivationSample> samples;  // kSearch
  const size_t quota = opt.search_sample / size_t(std::max(1, batches.batches()));
  RunHooks hooks;
  hooks.before_adder = [&](size_t node, std::span<const float> input, int) {
    if (opt.method == RangeMethod::kSearch) {
      samples[g.nodes[node].name].Add(input, quota);
    } else {
      const float q = ReferenceQuantile(input, opt.act_ratio, opt.threads);
      float& a = ranges[g.nodes[node].name];
      a = std::max(a, q);
    }
    if (opt.observe) opt.observe(node, input);
  };
  std::vector<float> input, logits;
  for (int b = 0; b < batches.batches(); ++b) {
    if (IsCancelled(opt.cancelled)) return Cancelled("calibration");
    ADQ_RETURN_IF_ERROR(batches.Get(b, input));
    ADQ_RETURN_IF_ERROR(ex->Run(input, batches.batch_size(), logits, &hooks));
    if (opt.progress) opt.progress(size_t(b + 1), size_t(batches.batches()));
  }
  if (opt.method == RangeMethod::kSearch) {
    // Layers are independent: one per thread.
    std::vector<std::pair<std::string, const ActivationSample*>> layers;
    for (const auto& [name, sample] : samples) layers.emplace_back(name, &sample);
    std::vector<float> clips(layers.size());
    std::atomic<bool> stop{false};
    ParallelFor(int(layers.size()), opt.threads > 0 ? opt.threads : DefaultThreadCount(), [&](int b, int e, int worker) {
      for (int i = b; i < e && !stop; ++i) {
        // The hook is asked on the calling thread only (it may need the caller's locks, e.g. the GIL).
        if (worker == 0 && IsCancelled(opt.cancelled)) stop = true;
        if (!stop)
          clips[size_t(i)] = SearchActivationClip(layers[size_t(i)].second->values(), layers[size_t(i)].second->max(), opt.bits);
      }
    });
    if (stop) return Cancelled("calibration");
    for (size_t i = 0; i < layers.size(); ++i) ranges[layers[i].first] = clips[i];
  }
  for (const auto& [name, a] : ranges)
    if (!(a > 0.f)) return RuntimeError("calibration: adder layer '{}' saw only zero activations", name);
  return ranges;
}

}  // namespace adderq::passes
