// The CPU executor's two schedules give the same bits: image-major (inference: each thread takes
// its images through the whole network, two at a time, in buffers of its own) and node-major (the
// compiler's runs with hooks), for any batch size and thread count.
#include <cmath>
#include <cstring>
#include <random>

#include <gtest/gtest.h>

#include "cpu/cpu_backend.h"
#include "cpu/executor.h"
#include "data/pixel_input.h"
#include "kernels/epilogue.h"
#include "kernels/tile_kernels.h"
#include "test_support.h"

namespace adderq {
namespace {

std::vector<float> RandomImages(int batch, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-2.f, 2.f);
  std::vector<float> v(size_t(batch) * 3 * 32 * 32);
  for (float& x : v) x = u(rng);
  return v;
}

TEST(Executor, ImageMajorEqualsNodeMajorForEveryBatchAndThreadCount) {
  for (int bits : {0, 4, 8}) {
    const Graph g = testing::SyntheticResNet(20, bits, 21);
    for (int batch : {1, 2, 5, 8}) {
      const std::vector<float> input = RandomImages(batch, uint32_t(batch));
      std::vector<float> reference;
      {
        auto ex = Executor::Create(g, 1);
        ASSERT_TRUE(ex.ok()) << ex.status().message();
        RunHooks hooks;
        int calls = 0;
        hooks.before_adder = [&](size_t, std::span<const float>, int) { ++calls; };  // forces node-major
        ASSERT_TRUE((*ex)->Run(input, batch, reference, &hooks).ok());
        EXPECT_EQ(calls, 20);
      }
      for (int threads : {1, 2, 3}) {
        auto ex = Executor::Create(g, threads);
        ASSERT_TRUE(ex.ok()) << ex.status().message();
        std::vector<float> got;
        for (int run = 0; run < 2; ++run) {  // buffers reused across runs
          ASSERT_TRUE((*ex)->Run(input, batch, got).ok());
          ASSERT_EQ(got.size(), reference.size());
          EXPECT_EQ(std::memcmp(got.data(), reference.data(), got.size() * sizeof(float)), 0)
              << "bits " << bits << " batch " << batch << " threads " << threads << " run " << run;
        }
      }
    }
  }
}

// The epilogue (AVX2 build where available) against the scalar formula, bit for bit, with the
// cases a vectorized ReLU could get wrong: -0.0 and NaN stay as they are, negatives become +0.
TEST(Executor, EpilogueMatchesScalarFormula) {
  const int channels = 5;
  const size_t plane = 37;  // not a multiple of 8: vector body and tail
  std::mt19937 rng(3);
  std::uniform_int_distribution<int32_t> acc_dist(-100000, 100000);
  std::uniform_real_distribution<float> f(-3.f, 3.f);
  std::vector<int32_t> acc(channels * plane);
  std::vector<float> accf(acc.size()), residual(acc.size()), scale(channels), shift(channels);
  for (size_t i = 0; i < acc.size(); ++i) {
    acc[i] = acc_dist(rng);
    accf[i] = f(rng);
    residual[i] = f(rng);
  }
  for (int c = 0; c < channels; ++c) scale[size_t(c)] = f(rng), shift[size_t(c)] = f(rng);
  scale[0] = 0.f, shift[0] = -0.f;            // channel 0: -0.0 before the residual
  residual[1] = std::nanf(""), accf[2] = -0.f;  // NaN through ReLU; -0.0 accumulator
  for (bool use_residual : {false, true})
    for (bool relu : {false, true})
      for (bool integer : {false, true}) {
        std::vector<float> got(acc.size()), want(acc.size());
        const float* res = use_residual ? residual.data() : nullptr;
        if (integer) kernels::ApplyAffineEpilogue(acc.data(), scale.data(), shift.data(), res, relu, channels, plane, got.data());
        else kernels::ApplyAffineEpilogue(accf.data(), scale.data(), shift.data(), res, relu, channels, plane, got.data());
        for (size_t i = 0; i < acc.size(); ++i) {
          const size_t o = i / plane;
          float v = scale[o] * (integer ? float(acc[i]) : accf[i]);
          v = v + shift[o];
          if (use_residual) v = v + residual[i];
          if (relu) v = v < 0.f ? 0.f : v;
          want[i] = v;
        }
        EXPECT_EQ(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)), 0)
            << kernels::SimdLevel() << " residual " << use_residual << " relu " << relu << " integer " << integer;
      }
}

// The CPU backend from 8-bit pixels: Run's logits for the floats data::NormalizePixels gives, in
// both layouts, and a wrong byte count or batch is a one-line error, not a read past the end.
TEST(CpuBackend, RunPixelsGivesRunsLogitsAndRejectsWrongSizes) {
  const Graph g = testing::SyntheticResNet(20, 4, 21);
  auto ex = Executor::Create(g, 2);
  ASSERT_TRUE(ex.ok()) << ex.status().message();
  CpuBackend backend(**ex);
  constexpr int kBatch = 3;
  std::mt19937 rng(9);
  std::vector<uint8_t> planar(size_t(kBatch) * 3 * 32 * 32);
  for (uint8_t& v : planar) v = uint8_t(rng());
  std::vector<float> floats(planar.size()), expected, got;
  data::NormalizePixels(planar, data::PixelLayout::kPlanar, kBatch, 3, 32 * 32, g.meta.mean, g.meta.std, floats.data());
  ASSERT_TRUE(backend.Run(floats, kBatch, expected).ok());
  ASSERT_TRUE(backend.RunPixels(planar, data::PixelLayout::kPlanar, kBatch, got).ok());
  EXPECT_EQ(got, expected);
  ASSERT_TRUE(backend.RunPixels(testing::Interleave(planar, 3, 32 * 32), data::PixelLayout::kInterleaved, kBatch, got).ok());
  EXPECT_EQ(got, expected);
  for (const auto& [bytes, batch] : {std::pair{planar.size() - 1, kBatch}, std::pair{planar.size(), kBatch + 1}, std::pair{size_t(0), 0}}) {
    const Status s = backend.RunPixels(std::span(planar).first(bytes), data::PixelLayout::kPlanar, batch, got);
    EXPECT_FALSE(s.ok()) << bytes << " bytes, batch " << batch;
    EXPECT_NE(s.message().find("bytes for a batch of"), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find('\n'), std::string::npos);
  }
}

}  // namespace
}  // namespace adderq
