// AdderQuant's passes in isolation: clustering, the lossless clamps (symmetric and one-sided), the
// proof of non-negative inputs, the quantile rule, the range search, the per-group scale rule.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <random>

#include "cpu/executor.h"
#include "core/fusion.h"
#include "kernels/ref/cpu_ops.h"
#include "core/quant_math.h"
#include "passes/calibrate.h"
#include "passes/cluster_filters.h"
#include "passes/nonnegative_inputs.h"
#include "passes/quantize_adders.h"
#include "passes/range_search.h"
#include "test_support.h"

namespace adderq::passes {
namespace {

double WithinGroupSS(const std::vector<float>& v, const std::vector<int>& label, int k) {
  double total = 0;
  for (int g = 0; g < k; ++g) {
    double s = 0, s2 = 0, n = 0;
    for (size_t i = 0; i < v.size(); ++i)
      if (label[i] == g) s += v[i], s2 += double(v[i]) * v[i], n++;
    if (n) total += s2 - s * s / n;
  }
  return total;
}

TEST(Cluster, ObviousGroups) {
  const std::vector<float> v{10.f, 1.f, 10.5f, 1.2f, 30.f, 5.f, 5.1f, 0.9f};
  auto label = OptimalKMeans1D(v, 4);
  ASSERT_TRUE(label.ok());
  EXPECT_EQ(label.value(), (std::vector<int>{2, 0, 2, 0, 3, 1, 1, 0}));  // numbered by ascending value
}

TEST(Cluster, OptimalAgainstBruteForceAndNonEmpty) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> d(0.f, 50.f);
  for (int trial = 0; trial < 30; ++trial) {
    const size_t n = 4 + rng() % 9;
    std::vector<float> v(n);
    for (auto& x : v) x = d(rng);
    for (int k = 1; k <= 4; ++k) {
      auto label = OptimalKMeans1D(v, k);
      ASSERT_TRUE(label.ok());
      std::vector<int> count(size_t(k), 0);
      for (int l : label.value()) count[size_t(l)]++;
      for (int c : count) EXPECT_GT(c, 0);
      // Brute force over all contiguous partitions of the sorted values (optimal 1-D clusters are contiguous).
      std::vector<float> sorted = v;
      std::sort(sorted.begin(), sorted.end());
      double best = 1e300;
      std::vector<size_t> cuts(size_t(k - 1));
      std::function<void(size_t, size_t)> rec = [&](size_t j, size_t start) {
        if (j == cuts.size()) {
          std::vector<int> lab(n);
          size_t g = 0;
          for (size_t i = 0; i < n; ++i) {
            while (g < cuts.size() && i >= cuts[g]) ++g;
            lab[i] = int(g);
          }
          best = std::min(best, WithinGroupSS(sorted, lab, k));
          return;
        }
        for (size_t c = start + 1; c + (cuts.size() - j - 1) < n; ++c) {
          cuts[j] = c;
          rec(j + 1, c);
        }
      };
      rec(0, 0);
      EXPECT_NEAR(WithinGroupSS(v, label.value(), k), best, 1e-6 * (1 + best));
    }
  }
}

TEST(Cluster, MoreGroupsThanValuesAndDeterminism) {
  const std::vector<float> v{3.f, 3.f, 1.f};
  auto a = OptimalKMeans1D(v, 4);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*std::max_element(a->begin(), a->end()), 2);  // 3 groups for 3 values
  EXPECT_EQ(OptimalKMeans1D(v, 4).value(), a.value());
  EXPECT_FALSE(OptimalKMeans1D({}, 2).ok());
}

// sum |x - w| over a filter, in double.
double Distance(double x, const std::vector<float>& w) {
  double d = 0;
  for (float v : w) d += std::fabs(x - double(v));
  return d;
}

TEST(Clamp, ExactForActivationsInRange) {
  // sum |x - w| == sum |x - clamp(w)| - beta for every x in [0, A]; checked in double on float data.
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> wd(-70.f, 70.f);
  const float A = 2.75f;
  std::vector<float> w(576);
  for (auto& x : w) x = wd(rng);
  std::vector<float> clamped = w;
  const double beta = ClampFilter(clamped, A);
  EXPECT_LT(beta, 0.0);
  for (float c : clamped) EXPECT_LE(std::fabs(c), A);
  for (int t = 0; t <= 100; ++t) {
    const double x = A * float(t) / 100.f;
    EXPECT_NEAR(Distance(x, w), Distance(x, clamped) - beta, 1e-9 * Distance(x, w)) << "x=" << x;
  }
  // Outside the range the identity no longer holds (why activations are clipped to A).
  EXPECT_GT(std::fabs(Distance(A + 1, w) - (Distance(A + 1, clamped) - beta)), 1.0);
}

TEST(Clamp, WholeLayerInFloat) {
  // A float adder layer with clamped weights and the bias as its affine shift reproduces the
  // original layer for inputs in [0, A].
  std::mt19937 rng(6);
  std::uniform_real_distribution<float> wd(-5.f, 5.f), xd(0.f, 1.5f);
  const Shape3 in{4, 6, 6};
  std::vector<float> w(8 * 4 * 9);
  for (auto& x : w) x = wd(rng);
  Graph orig = testing::SingleLayerGraph(OpKind::kAdder2d, in, 8, 3, 1, 1, w);
  Graph clamped = orig;
  for (int o = 0; o < 8; ++o)
    clamped.nodes[0].affine_shift[size_t(o)] = float(ClampFilter({clamped.nodes[0].weight.data() + o * 36, 36}, 1.5f));
  std::vector<float> x(in.size());
  for (auto& v : x) v = xd(rng);
  std::vector<float> ya, yb;
  ASSERT_TRUE(Executor::Create(orig, 1).value()->Run(x, 1, ya).ok());
  ASSERT_TRUE(Executor::Create(clamped, 1).value()->Run(x, 1, yb).ok());
  for (size_t i = 0; i < ya.size(); ++i) EXPECT_NEAR(ya[i], yb[i], 1e-4 * std::fabs(ya[i]));
}

TEST(Quantile, ReferenceRule) {
  // N = 128 x 16 x 32 x 32: round(N * 0.9997) = 2096523; (2096523 - 1) * 0.9997 = 2095893.04.
  EXPECT_EQ(ReferenceQuantileIndex(2097152, 0.9997), 2095893u);
  EXPECT_EQ(ReferenceQuantileIndex(1, 0.9997), 0u);
  EXPECT_EQ(ReferenceQuantileIndex(10, 1.0), 9u);
  std::mt19937 rng(8);
  for (size_t n : {size_t(1), size_t(7), size_t(1000), size_t(300000)}) {
    std::vector<float> v(n);
    std::exponential_distribution<float> e(1.f);
    for (auto& x : v) x = (rng() % 5 == 0) ? 0.f : e(rng) * ((rng() & 1) ? 1.f : -1.f);  // ties at 0, both signs
    std::vector<float> a(n);
    for (size_t i = 0; i < n; ++i) a[i] = std::fabs(v[i]);
    std::sort(a.begin(), a.end());
    for (double r : {0.9997, 0.99, 0.5, 1.0})
      for (int threads : {1, 2, 3})  // the candidate pass is split over threads; same answer
        EXPECT_EQ(ReferenceQuantile(v, r, threads), a[ReferenceQuantileIndex(n, r)]) << n << " " << r << " " << threads;
  }
  // Mostly zeros (the sampled threshold is 0, so every value is a candidate) and a sample that
  // misleads (the large values sit between the sampled positions): still exact.
  std::vector<float> sparse(400000, 0.f);
  for (size_t i = 3; i < sparse.size(); i += 997) sparse[i] = float(i % 13) + 0.5f;
  std::vector<float> sorted(sparse);
  std::sort(sorted.begin(), sorted.end());
  for (int threads : {1, 2})
    EXPECT_EQ(ReferenceQuantile(sparse, 0.9997, threads), sorted[ReferenceQuantileIndex(sparse.size(), 0.9997)]);
}

// BN re-estimation runs graphs whose BatchNorms are not folded: the CPU executor fuses the residual
// Add and the ReLU after a BatchNorm, which must give the bits of the separate nodes.
TEST(BatchNormFusion, TrainingModeWithResidualAndReluEqualsSeparateNodes) {
  Node bn;
  bn.kind = OpKind::kBatchNorm;
  const Shape3 shape{3, 5, 7};
  bn.bn_gamma = {1.5f, -0.5f, 2.f};
  bn.bn_beta = {0.1f, -0.2f, 0.3f};
  bn.bn_mean.assign(3, 0.f);
  bn.bn_var.assign(3, 1.f);
  const int batch = 4;
  std::mt19937 rng(3);
  std::normal_distribution<float> d(0.f, 2.f);
  std::vector<float> x(size_t(batch) * shape.size()), r(x.size());
  for (auto& v : x) v = d(rng);
  for (auto& v : r) v = d(rng);
  std::vector<float> y_sep(x.size()), y_fused(x.size()), m1, v1, m2, v2;
  kernels::BatchNormTraining(bn, shape, x.data(), batch, y_sep.data(), m1, v1, 2);
  for (size_t i = 0; i < y_sep.size(); ++i) y_sep[i] = std::max(y_sep[i] + r[i], 0.f);  // Add, then ReLU nodes
  kernels::BatchNormTraining(bn, shape, x.data(), batch, y_fused.data(), m2, v2, 1, r.data(), true);
  EXPECT_EQ(y_sep, y_fused);
  EXPECT_EQ(m1, m2);
  EXPECT_EQ(v1, v2);
}

TEST(BatchNormFusion, PlannedOnlyWhenAsked) {
  const Graph g = testing::SyntheticResNet(20, 0, 5);  // full precision: BatchNorms not folded
  size_t bn = 0, absorbed_by_bn = 0;
  const auto plain = PlanFusion(g), fused = PlanFusion(g, /*fuse_batchnorm=*/true);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (g.nodes[i].kind != OpKind::kBatchNorm) continue;
    ++bn;
    EXPECT_FALSE(plain[i].relu);
    absorbed_by_bn += fused[i].relu;
  }
  ASSERT_GT(bn, 0u) << "the synthetic float ResNet should keep its BatchNorms";
  EXPECT_GT(absorbed_by_bn, 0u);
}

TEST(QuantizeAdders, GroupScaleRule) {
  // Two filters far above A (clamped, s = A), two below (s = their group max, no clamp).
  const Shape3 in{1, 3, 3};
  std::vector<float> w(4 * 9, 0.f);
  for (int i = 0; i < 9; ++i) {
    w[size_t(i)] = i == 0 ? 50.f : 1.f;          // filter 0: max 50
    w[size_t(9 + i)] = i == 0 ? -48.f : 2.f;     // filter 1: max 48
    w[size_t(18 + i)] = i == 0 ? 0.5f : 0.1f;    // filter 2: max 0.5
    w[size_t(27 + i)] = i == 0 ? -0.4f : 0.1f;   // filter 3: max 0.4
  }
  Graph g = testing::SingleLayerGraph(OpKind::kAdder2d, in, 4, 3, 1, 1, w);
  QuantizeOptions opt;
  opt.bits = 4;
  opt.groups = 2;
  ASSERT_TRUE(QuantizeAdderLayers(g, {{"layer", 3.f}}, opt).ok());
  const AdderQuantParams& q = g.nodes[0].quant;
  ASSERT_EQ(q.groups(), 2);
  EXPECT_EQ(q.channel_group, (std::vector<int>{1, 1, 0, 0}));
  EXPECT_FLOAT_EQ(q.group_scale[1], 3.f);   // M = 50 > A
  EXPECT_FLOAT_EQ(q.group_scale[0], 0.5f);  // M = 0.5 <= A
  EXPECT_EQ(q.clamped_channels, 2);
  EXPECT_FLOAT_EQ(q.clamp_bias[0], -47.f);
  EXPECT_FLOAT_EQ(q.clamp_bias[1], -45.f);
  EXPECT_FLOAT_EQ(q.clamp_bias[2], 0.f);
  // Codes: 50 clamps to 3 -> round(3 * 15 / 6) = round(7.5) = 8 -> clipped to 7; 0.5 with s = 0.5 -> 7.5 -> 8 -> 7.
  EXPECT_EQ(q.codes[0], 7);
  EXPECT_EQ(q.codes[9], -8);  // -48 -> -3 -> -7.5 -> -8 (half to even)
  EXPECT_EQ(q.codes[18], 7);
  EXPECT_FLOAT_EQ(g.nodes[0].affine_scale[0], -3.f / 15.f);
  EXPECT_TRUE(g.nodes[0].weight.empty());

  Graph shared = testing::SingleLayerGraph(OpKind::kAdder2d, in, 4, 3, 1, 1, w);
  opt.method = ScaleMethod::kSharedScale;
  ASSERT_TRUE(QuantizeAdderLayers(shared, {{"layer", 3.f}}, opt).ok());
  EXPECT_EQ(shared.nodes[0].quant.group_scale, std::vector<float>{50.f});
  EXPECT_EQ(shared.nodes[0].quant.clamped_channels, 0);

  Graph bad = testing::SingleLayerGraph(OpKind::kAdder2d, in, 4, 3, 1, 1, w);
  opt.bits = 9;
  EXPECT_FALSE(QuantizeAdderLayers(bad, {{"layer", 3.f}}, opt).ok());
  opt.bits = 4;
  EXPECT_FALSE(QuantizeAdderLayers(bad, {}, opt).ok());  // no calibrated range
}

TEST(Clamp, OneSidedExactForNonNegativeActivations) {
  // sum |x - w| == sum |x - clamp(w, 0, s)| - beta for every x in [0, s]; clamped weights in [0, s].
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> wd(-70.f, 70.f);
  const float s = 2.75f;
  std::vector<float> w(576);
  for (auto& x : w) x = wd(rng);
  w[0] = 0.f, w[1] = s, w[2] = -0.f;  // the ends move nothing
  std::vector<float> clamped = w;
  const double beta = ClampFilterOneSided(clamped, s);
  EXPECT_LT(beta, 0.0);
  for (float c : clamped) EXPECT_TRUE(c >= 0.f && c <= s) << c;
  double expected_beta = 0;
  for (float v : w) expected_beta -= std::max(-double(v), 0.0) + std::max(double(v) - double(s), 0.0);
  EXPECT_NEAR(beta, expected_beta, 1e-9 * std::fabs(expected_beta));
  for (int t = 0; t <= 100; ++t) {
    const double x = s * float(t) / 100.f;
    EXPECT_NEAR(Distance(x, w), Distance(x, clamped) - beta, 1e-9 * Distance(x, w)) << "x=" << x;
  }
  // A negative input breaks it (why the input must be proven non-negative).
  EXPECT_GT(std::fabs(Distance(-1.0, w) - (Distance(-1.0, clamped) - beta)), 1.0);
}

// input -> adder "first" -> ReLU -> adder "second": the first reads the (normalised, signed) image,
// the second a ReLU output.
Graph TwoAdderLayers(const std::vector<float>& w1, const std::vector<float>& w2) {
  Graph g = testing::SingleLayerGraph(OpKind::kAdder2d, {1, 4, 4}, 1, 3, 1, 1, w1);
  g.nodes[0].name = "first";
  Node relu;
  relu.kind = OpKind::kRelu;
  relu.name = "relu";
  relu.inputs = {g.nodes[0].output};
  relu.output = g.AddTensor("relu", g.ShapeOf(g.nodes[0].output));
  g.nodes.push_back(relu);
  const Graph one = testing::SingleLayerGraph(OpKind::kAdder2d, {1, 4, 4}, 1, 3, 1, 1, w2);
  Node second = one.nodes[0];
  second.name = "second";
  second.inputs = {relu.output};
  second.output = g.output = g.AddTensor("second", one.ShapeOf(one.output));
  g.nodes.push_back(second);
  return g;
}

TEST(NonNegativeInputs, ReluPoolingAndSumsOfProvenTensorsOnly) {
  // The official architecture: every adder layer reads a ReLU output, directly or through the
  // residual sums of ReLU outputs.
  const Graph resnet = testing::SyntheticResNet(20, 0, 1);
  const std::vector<bool> proven = AdderInputsProvenNonNegative(resnet);
  int adders = 0;
  for (size_t i = 0; i < resnet.nodes.size(); ++i)
    if (resnet.nodes[i].kind == OpKind::kAdder2d) {
      ++adders;
      EXPECT_TRUE(proven[i]) << resnet.nodes[i].name;
    } else {
      EXPECT_FALSE(proven[i]);
    }
  EXPECT_EQ(adders, 20);
  // The graph input is not proven; a ReLU output is.
  const Graph two = TwoAdderLayers(std::vector<float>(9, 1.f), std::vector<float>(9, 1.f));
  EXPECT_EQ(AdderInputsProvenNonNegative(two), (std::vector<bool>{false, false, true}));
  // Without the ReLU after the first block's sum (here a flatten, which keeps a sign but proves
  // none), the adder that reads the sum is not proven: layer1.1.conv1.
  Graph unproven = resnet;
  for (Node& n : unproven.nodes)
    if (n.kind == OpKind::kRelu && n.inputs.size() == 1) {
      const int in = n.inputs[0];
      bool after_add = false;
      for (const Node& m : unproven.nodes) after_add |= m.output == in && m.kind == OpKind::kAdd;
      if (after_add) {
        n.kind = OpKind::kFlatten;  // keeps the sign, proves nothing
        break;
      }
    }
  const std::vector<bool> after = AdderInputsProvenNonNegative(unproven);
  EXPECT_EQ(std::count(after.begin(), after.end(), true), 19);
  for (size_t i = 0; i < after.size(); ++i)
    if (unproven.nodes[i].kind == OpKind::kAdder2d && !after[i]) {
      EXPECT_EQ(unproven.nodes[i].name, "layer1.1.conv1");
    }
}

TEST(QuantizeAdders, OneSidedClampGivesUnsignedCodesWhereProven) {
  // Both layers: weights -1, 0, 0.3, 1.2, 5 (and zeros); A = 1.5 (s = A: the group max 5 > A).
  std::vector<float> w(9, 0.f);
  w[0] = -1.f, w[1] = 0.3f, w[2] = 1.2f, w[3] = 5.f;
  Graph g = TwoAdderLayers(w, w);
  QuantizeOptions opt;
  opt.bits = 4;
  opt.groups = 1;
  opt.clamp = ClampKind::kOneSided;
  ASSERT_TRUE(QuantizeAdderLayers(g, {{"first", 1.5f}, {"second", 1.5f}}, opt).ok());
  const AdderQuantParams& first = g.nodes[0].quant;
  const AdderQuantParams& second = g.nodes[2].quant;
  // The first layer reads the image: the paper's symmetric clamp, signed codes.
  EXPECT_EQ(first.code_kind, quant::WeightCodeKind::kSignedDoubled);
  EXPECT_FLOAT_EQ(first.clamp_bias[0], -3.5f);  // |5| - 1.5
  EXPECT_EQ(first.codes[0], -5);                // -1 * 15 / 3 = -5
  // The second: weights into [0, 1.5], bias -(1 + 3.5), codes round(w * 15 / 1.5) = 10 w.
  EXPECT_EQ(second.code_kind, quant::WeightCodeKind::kUnsigned);
  EXPECT_FLOAT_EQ(second.group_scale[0], 1.5f);
  EXPECT_FLOAT_EQ(second.clamp_bias[0], -4.5f);
  EXPECT_EQ(second.clamped_channels, 1);
  EXPECT_EQ(second.codes, (std::vector<int16_t>{0, 3, 12, 15, 0, 0, 0, 0, 0}));
  EXPECT_FLOAT_EQ(g.nodes[2].affine_scale[0], -0.1f);
  EXPECT_FLOAT_EQ(g.nodes[2].affine_shift[0], -4.5f);
  EXPECT_TRUE(ValidateGraph(g).ok()) << ValidateGraph(g).message();
  // The shared-scale baseline has no clamp: signed codes whatever the clamp option says.
  Graph shared = TwoAdderLayers(w, w);
  opt.method = ScaleMethod::kSharedScale;
  ASSERT_TRUE(QuantizeAdderLayers(shared, {{"first", 1.5f}, {"second", 1.5f}}, opt).ok());
  EXPECT_EQ(shared.nodes[2].quant.code_kind, quant::WeightCodeKind::kSignedDoubled);
}

TEST(QuantizeAdders, OneSidedLayerEqualsTheFloatLayerOnItsGrid) {
  // A one-sided quantized layer computes exactly -sum |X_hat - W| + 0 for the float weights W when
  // X_hat and clamp(W, 0, s) are on the grid: weights already multiples of s / L, any sign, any size.
  std::mt19937 rng(9);
  const float s = 1.5f;
  const int bits = 4, L = quant::Levels(bits);
  std::uniform_int_distribution<int> level(-20, 30);
  std::vector<float> w1(9, 0.f), w2(9 * 1);
  for (float& v : w2) v = float(level(rng)) * s / float(L);
  Graph g = TwoAdderLayers(w1, w2);
  QuantizeOptions opt;
  opt.bits = bits;
  opt.groups = 1;
  opt.clamp = ClampKind::kOneSided;
  ASSERT_TRUE(QuantizeAdderLayers(g, {{"first", 100.f}, {"second", s}}, opt).ok());
  ASSERT_EQ(g.nodes[2].quant.code_kind, quant::WeightCodeKind::kUnsigned);
  // Inputs on the grid and in [0, s], fed to the second layer alone.
  Graph second = testing::SingleLayerGraph(OpKind::kAdder2d, {1, 4, 4}, 1, 3, 1, 1, {});
  second.nodes[0].weight.clear();
  second.nodes[0].quant = g.nodes[2].quant;
  second.nodes[0].affine_scale = g.nodes[2].affine_scale;
  second.nodes[0].affine_shift = g.nodes[2].affine_shift;
  ASSERT_TRUE(ValidateGraph(second).ok()) << ValidateGraph(second).message();
  std::vector<float> x(16);
  for (float& v : x) v = float(rng() % unsigned(L + 1)) * s / float(L);
  std::vector<float> y;
  ASSERT_TRUE(Executor::Create(second, 1).value()->Run(x, 1, y).ok());
  const auto ref = testing::NaiveAdderDistance(x, {1, 4, 4}, w2, 1, 3, 3, 1, 1);
  ASSERT_EQ(y.size(), ref.size());
  for (size_t i = 0; i < ref.size(); ++i) EXPECT_NEAR(y[i], -ref[i], 1e-4 * (1 + ref[i])) << i;
}

TEST(RangeSearch, ErrorAndClipAgainstBruteForce) {
  std::mt19937 rng(10);
  std::exponential_distribution<float> e(2.f);
  std::vector<float> values(20000);
  for (float& v : values) v = e(rng) + 1e-6f;
  const float max = *std::max_element(values.begin(), values.end());
  for (int bits : {2, 4, 8}) {
    // The error against a plain double loop, at a few clips.
    for (float clip : {0.5f, 1.f, max}) {
      double naive = 0;
      const float m = quant::ActivationMultiplier(clip, bits);
      for (float v : values) {
        const double q = double(quant::QuantizeActivation(v, m, bits)) * double(clip) / double(quant::Levels(bits));
        naive += (double(v) - q) * (double(v) - q);
      }
      naive /= double(values.size());
      EXPECT_NEAR(ActivationQuantizationError(values, clip, bits), naive, 1e-4 * naive) << bits << " " << clip;
    }
    // The search returns the grid's minimum.
    const float clip = SearchActivationClip(values, max, bits);
    double best = INFINITY;
    float best_clip = 0;
    for (int k = 0; k < kRangeSearchSteps; ++k) {
      const float c = max * float(0.2 + 0.8 * double(k) / double(kRangeSearchSteps - 1));
      const double err = ActivationQuantizationError(values, c, bits);
      if (err < best) best = err, best_clip = c;
    }
    EXPECT_EQ(clip, best_clip) << bits;
  }
  // Fewer bits clip harder (a long tail is not worth coarse steps), and the clip never exceeds max.
  const float c2 = SearchActivationClip(values, max, 2), c8 = SearchActivationClip(values, max, 8);
  EXPECT_LT(c2, c8);
  EXPECT_LE(c8, max);
  EXPECT_EQ(SearchActivationClip({}, 3.f, 4), 3.f);  // nothing sampled: the maximum
}

TEST(RangeSearch, SampleVisitsEveryPixelPositionAndKeepsTheMaximum) {
  // A 32x32 plane whose only positive values are in column 5: a power-of-two stride would miss them.
  std::vector<float> plane(16 * 1024, 0.f);
  for (size_t i = 5; i < plane.size(); i += 32) plane[i] = 1.f + float(i % 7);
  plane[1000 * 16 + 3] = 50.f;  // the maximum, off the sampled positions most likely
  ActivationSample sample;
  sample.Add(plane, 1024);
  EXPECT_GT(sample.values().size(), 8u);
  for (float v : sample.values()) EXPECT_GT(v, 0.f);
  EXPECT_EQ(sample.max(), 50.f);
}

}  // namespace
}  // namespace adderq::passes
