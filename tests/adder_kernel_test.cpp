// The adder kernels against naive loops: float distances (padding, stride, odd sizes) and exact
// integer sums for every bit width; the SIMD (AVX2, NEON, NEON dot product) and scalar paths must
// agree bit for bit (ctest runs this file once per path).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "cpu/executor.h"
#include "core/quant_math.h"
#include "kernels/conv_geometry.h"
#include "kernels/im2col.h"
#include "kernels/ref/cpu_ops.h"
#include "kernels/sad_kernels.h"
#include "kernels/tile_kernels.h"
#include "test_support.h"

namespace adderq {
namespace {

struct Case {
  Shape3 in;
  int out_c, k, stride, pad;
};
const Case kCases[] = {
    {{3, 8, 8}, 16, 3, 1, 1}, {{16, 9, 7}, 5, 3, 2, 1}, {{7, 6, 6}, 33, 1, 2, 0},
    {{4, 5, 5}, 17, 3, 1, 0}, {{2, 11, 11}, 8, 5, 3, 2}, {{16, 8, 8}, 32, 3, 2, 1},
    // The direct byte kernel (AVX2: 16 channels, stride 1, pixel pairs) and wider layers.
    {{16, 8, 12}, 6, 3, 1, 1}, {{16, 4, 8}, 3, 5, 1, 2}, {{32, 6, 5}, 9, 3, 1, 1}, {{64, 7, 7}, 5, 3, 2, 1},
    {{32, 8, 8}, 7, 1, 2, 0},
    // The rows form (AVX2: channels a multiple of 32, any stride): an odd pixel count, windows
    // that wrap to the next output row within a pixel pair.
    {{32, 5, 5}, 6, 3, 1, 1}, {{64, 9, 7}, 4, 3, 2, 1},
    // The unrolled step counts of the CIFAR ResNets: rows over 64 channels at stride 1 (6 steps per
    // kernel row), im2col rows of 288 bytes (32 channels at stride 2: 9 steps).
    {{64, 6, 6}, 5, 3, 1, 1}, {{32, 7, 9}, 6, 3, 2, 1},
    // 16 channels at stride 2 (AVX2: even and odd columns apart): 5x5, and no padding.
    {{16, 12, 15}, 5, 5, 2, 2}, {{16, 9, 9}, 4, 3, 2, 0},
    // Pointwise (1x1, no padding): the ResNet shortcuts (16 channels: direct kernel; 32: tiles),
    // stride 1 and 3, pixel counts that are not a multiple of the tiles.
    {{16, 8, 8}, 32, 1, 2, 0}, {{16, 6, 6}, 5, 1, 1, 0}, {{16, 7, 7}, 6, 1, 3, 0}, {{32, 5, 5}, 9, 1, 2, 0},
    {{64, 3, 3}, 4, 1, 1, 0},
    // AVX-512: 32 channels at stride 1 as two-pixel vectors (3x3, and 5x5 through the loops), 16
    // channels at stride 2 as four-pixel vectors (rows of 8 outputs).
    {{32, 6, 8}, 6, 3, 1, 1}, {{32, 4, 4}, 5, 5, 1, 2}, {{16, 16, 16}, 5, 3, 2, 1}};

std::vector<float> Random(size_t n, float lo, float hi, std::mt19937& rng) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

// One quantized adder layer of shape c: random codes of the kind, up to three groups with scales
// 0.5, 1.5, 2.5 assigned to channels at random.
Graph RandomQuantLayer(const Case& c, int bits, std::mt19937& rng,
                       quant::WeightCodeKind kind = quant::WeightCodeKind::kSignedDoubled) {
  Graph g = testing::SingleLayerGraph(OpKind::kAdder2d, c.in, c.out_c, c.k, c.stride, c.pad, {});
  Node& n = g.nodes[0];
  const int groups = std::min(3, c.out_c);
  n.quant.bits = bits;
  for (int gi = 0; gi < groups; ++gi) n.quant.group_scale.push_back(0.5f + float(gi));
  for (int o = 0; o < c.out_c; ++o) n.quant.channel_group.push_back(int(rng() % unsigned(groups)));
  n.quant.code_kind = kind;
  std::uniform_int_distribution<int> code(quant::WeightCodeMin(bits, kind), quant::WeightCodeMax(bits, kind));
  n.quant.codes.resize(n.WeightCount());
  for (auto& q : n.quant.codes) q = int16_t(code(rng));
  return g;
}

// ctest runs this file once per SIMD path (tests/CMakeLists.txt) and names the one it means.
TEST(AdderKernel, RunsTheSimdPathAskedFor) {
  const char* expected = std::getenv("ADDERQ_EXPECT_SIMD");
  if (!expected) GTEST_SKIP() << "ADDERQ_EXPECT_SIMD not set; this run uses " << kernels::SimdLevel();
#if defined(__x86_64__)
  if (std::string(expected) == "avx2" && !__builtin_cpu_supports("avx2"))
    GTEST_SKIP() << "this CPU has no AVX2 (the run uses " << kernels::SimdLevel() << ")";
#endif
  EXPECT_STREQ(kernels::SimdLevel(), expected);
}

TEST(AdderKernel, FloatMatchesNaiveLoop) {
  std::mt19937 rng(11);
  for (const Case& c : kCases) {
    auto w = Random(size_t(c.out_c) * size_t(c.in.c) * size_t(c.k * c.k), -2.f, 2.f, rng);
    Graph g = testing::SingleLayerGraph(OpKind::kAdder2d, c.in, c.out_c, c.k, c.stride, c.pad, w);
    auto ex = Executor::Create(g, 2);
    ASSERT_TRUE(ex.ok()) << ex.status().message();
    const int batch = 3;
    auto x = Random(c.in.size() * batch, 0.f, 3.f, rng);
    std::vector<float> y;
    ASSERT_TRUE((*ex)->Run(x, batch, y).ok());
    const size_t out_size = g.ShapeOf(g.output).size();
    for (int n = 0; n < batch; ++n) {
      std::vector<float> img(x.begin() + long(n * c.in.size()), x.begin() + long((n + 1) * c.in.size()));
      auto ref = testing::NaiveAdderDistance(img, c.in, w, c.out_c, c.k, c.k, c.stride, c.pad);
      ASSERT_EQ(ref.size(), out_size);
      for (size_t i = 0; i < out_size; ++i) EXPECT_NEAR(y[n * out_size + i], -ref[i], 1e-4 * (1 + std::abs(ref[i])));
    }
  }
}

TEST(AdderKernel, IntegerSumsAreExactForEveryBitWidthAndCodeKind) {
  std::mt19937 rng(12);
  for (auto kind : {quant::WeightCodeKind::kSignedDoubled, quant::WeightCodeKind::kUnsigned})
  for (int bits = 2; bits <= 8; ++bits) {
    for (const Case& c : kCases) {
      Graph g = RandomQuantLayer(c, bits, rng, kind);
      Node& n = g.nodes[0];
      const int groups = n.quant.groups();
      ASSERT_TRUE(ValidateGraph(g).ok()) << ValidateGraph(g).message();
      const Shape3 out = g.ShapeOf(g.output);
      kernels::Adder2dQuantKernel kernel(n, kernels::ConvGeometry::FromNode(n, c.in, out), false);
      auto x = Random(c.in.size(), -0.5f, 4.f, rng);  // includes values that clip at 0 and at L
      kernels::Scratch scratch;
      std::vector<int32_t> sums(out.size());
      kernel.IntegerSums(x.data(), sums.data(), scratch);
      // Reference: quantize per group with the shared formula, then the naive integer loop.
      for (int gi = 0; gi < groups; ++gi) {
        std::vector<int32_t> qa(x.size());
        const float m = quant::ActivationMultiplier(n.quant.group_scale[size_t(gi)], bits);
        for (size_t i = 0; i < x.size(); ++i) qa[i] = quant::QuantizeActivation(x[i], m, bits);
        auto ref = testing::NaiveIntSums(qa, c.in, n.quant.codes, kind, c.out_c, c.k, c.k, c.stride, c.pad);
        const size_t P = size_t(out.h * out.w);
        for (int o = 0; o < c.out_c; ++o) {
          if (n.quant.channel_group[size_t(o)] != gi) continue;
          for (size_t p = 0; p < P; ++p)
            ASSERT_EQ(sums[size_t(o) * P + p], ref[size_t(o) * P + p])
                << quant::WeightCodeKindName(kind) << " bits " << bits << " o " << o << " p " << p;
        }
      }
    }
  }
}

// The activation quantizer into channels-last bytes (the 16-channel transpose, the 4-channel words
// and the single channels, with pixel tails) equals the scalar rule code + offset for every value,
// ties, negatives, -0.0 and out-of-range values included.
TEST(AdderKernel, ChannelsLastQuantizerMatchesTheScalarRule) {
  std::mt19937 rng(21);
  std::uniform_real_distribution<float> u(-1.f, 20.f);
  // Channel groups of 16 (planes at most 256 floats apart), 8 and 4, and single channels; pixel
  // tails; plane strides on both sides of 256.
  for (int channels : {1, 3, 4, 8, 16, 20, 24, 32, 37, 64})
    for (size_t count : {size_t(1), size_t(7), size_t(8), size_t(13), size_t(64), size_t(300)}) {
      const size_t stride = count + 3;
      std::vector<float> x(size_t(channels) * stride);
      for (float& v : x) v = u(rng);
      x[0] = 2.5f / 1.7f;  // a tie after the multiply, more or less
      if (x.size() > 9) x[9] = 1e30f;
      if (x.size() > 11) x[11] = -0.f;
      const float multiplier = 1.7f;
      for (int bits : {2, 4, 7}) {
        const uint8_t offset = uint8_t(1 << bits);
        std::vector<uint8_t> out(count * size_t(channels), 0xAB);
        kernels::QuantizeToBytesHwc(x.data(), channels, count, stride, multiplier, quant::Levels(bits), offset, out.data());
        for (size_t i = 0; i < count; ++i)
          for (int c = 0; c < channels; ++c) {
            const float v = x[size_t(c) * stride + i];
            const int want = quant::QuantizeActivation(v, multiplier, bits);
            ASSERT_EQ(int(out[i * size_t(channels) + size_t(c)]), want + offset)
                << kernels::SimdLevel() << " channels " << channels << " count " << count << " c " << c << " i " << i;
          }
      }
    }
}

// The largest terms at every bit width (q_a = L against q_w = the most negative code; for 8 bits
// |255 + 256| = 511 per term: 255 from the bytes, 256 from the channel's constant) over 64 x 3 x 3 =
// 576 taps: the byte lanes must not saturate and the constant must be counted once per tap.
// The largest term in every tap: 6x6x64 (576 taps, 18 steps of 32 bytes) and 3x3x512 (4,608 taps:
// 144 steps, past the plain-NEON kernel's 16-bit partial sums, flushed every 64 steps).
TEST(AdderKernel, LargestTermsDoNotOverflowTheLanes) {
  for (const Shape3 in : {Shape3{64, 6, 6}, Shape3{512, 3, 3}})
    for (int bits = 2; bits <= 8; ++bits) {
      Graph g = testing::SingleLayerGraph(OpKind::kAdder2d, in, 16, 3, 1, 0, {});
      Node& n = g.nodes[0];
      n.quant.bits = bits;
      n.quant.group_scale = {1.f};
      n.quant.channel_group.assign(16, 0);
      n.quant.codes.assign(n.WeightCount(), int16_t(quant::WeightCodeMin(bits)));
      ASSERT_TRUE(ValidateGraph(g).ok());
      const Shape3 out = g.ShapeOf(g.output);
      kernels::Adder2dQuantKernel kernel(n, kernels::ConvGeometry::FromNode(n, in, out), false);
      const std::vector<float> x(in.size(), 1000.f);  // clips to q_a = L
      kernels::Scratch scratch;
      std::vector<int32_t> sums(out.size());
      kernel.IntegerSums(x.data(), sums.data(), scratch);
      const int32_t term = quant::Levels(bits) - 2 * quant::WeightCodeMin(bits);
      for (int32_t v : sums) ASSERT_EQ(v, 9 * in.c * term) << "bits " << bits << " channels " << in.c;
    }
}

// Every adder layer shape of the CIFAR ResNet-20/32/44/56 (deeper ones repeat the same shapes), at
// full size: 3x3 over 16/32/64 channels at stride 1, the stage entries at stride 2, the 1x1
// shortcuts; every bit width, both code kinds, against the naive integer loop.
TEST(AdderKernel, EveryCifarResNetLayerShapeIsExact) {
  const Case shapes[] = {{{16, 32, 32}, 16, 3, 1, 1}, {{16, 32, 32}, 32, 3, 2, 1}, {{32, 16, 16}, 32, 3, 1, 1},
                         {{32, 16, 16}, 64, 3, 2, 1}, {{64, 8, 8}, 64, 3, 1, 1},   {{16, 32, 32}, 32, 1, 2, 0},
                         {{32, 16, 16}, 64, 1, 2, 0}};
  std::mt19937 rng(15);
  for (auto kind : {quant::WeightCodeKind::kSignedDoubled, quant::WeightCodeKind::kUnsigned})
    for (int bits = 2; bits <= 8; ++bits)
      for (const Case& c : shapes) {
        Graph g = RandomQuantLayer(c, bits, rng, kind);
        Node& n = g.nodes[0];
        n.quant.group_scale = {1.25f};  // one scale: the layer's sums straight from the kernel
        n.quant.channel_group.assign(size_t(c.out_c), 0);
        ASSERT_TRUE(ValidateGraph(g).ok());
        const Shape3 out = g.ShapeOf(g.output);
        kernels::Adder2dQuantKernel kernel(n, kernels::ConvGeometry::FromNode(n, c.in, out), false);
        auto x = Random(c.in.size(), -0.5f, 2.f, rng);
        kernels::Scratch scratch;
        std::vector<int32_t> sums(out.size());
        kernel.IntegerSums(x.data(), sums.data(), scratch);
        std::vector<int32_t> qa(x.size());
        const float m = quant::ActivationMultiplier(1.25f, bits);
        for (size_t i = 0; i < x.size(); ++i) qa[i] = quant::QuantizeActivation(x[i], m, bits);
        const auto ref = testing::NaiveIntSums(qa, c.in, n.quant.codes, kind, c.out_c, c.k, c.k, c.stride, c.pad);
        ASSERT_EQ(sums, ref) << kernels::SimdLevel() << " " << quant::WeightCodeKindName(kind) << " bits " << bits
                             << " in " << c.in.c << "x" << c.in.h << " out " << c.out_c << " k " << c.k << " stride "
                             << c.stride;
      }
}

// Unsigned codes (one-sided clamp) at both ends: q_a = L against q_w = 0 and q_a = 0 against
// q_w = L give L per tap, with no offset and no constant at any width.
TEST(AdderKernel, UnsignedCodesAtBothEnds) {
  const Shape3 in{64, 6, 6};
  for (int bits = 2; bits <= 8; ++bits)
    for (bool high_weights : {false, true}) {
      Graph g = testing::SingleLayerGraph(OpKind::kAdder2d, in, 16, 3, 1, 0, {});
      Node& n = g.nodes[0];
      n.quant.bits = bits;
      n.quant.code_kind = quant::WeightCodeKind::kUnsigned;
      n.quant.group_scale = {1.f};
      n.quant.channel_group.assign(16, 0);
      n.quant.codes.assign(n.WeightCount(), int16_t(high_weights ? quant::Levels(bits) : 0));
      ASSERT_TRUE(ValidateGraph(g).ok());
      const Shape3 out = g.ShapeOf(g.output);
      kernels::Adder2dQuantKernel kernel(n, kernels::ConvGeometry::FromNode(n, in, out), false);
      const std::vector<float> x(in.size(), high_weights ? -5.f : 1000.f);  // clips to q_a = 0 or L
      kernels::Scratch scratch;
      std::vector<int32_t> sums(out.size());
      kernel.IntegerSums(x.data(), sums.data(), scratch);
      for (int32_t v : sums) ASSERT_EQ(v, 576 * quant::Levels(bits)) << "bits " << bits << " high " << high_weights;
    }
}

// The byte layers apply the epilogue to each tile as it leaves the registers; that must be exactly
// the separate pass over the integer sums: scale * float(S) + shift, + residual, ReLU, in that
// order (every case: several channel sets with their own scales, tails of pixels and filters,
// residual and ReLU on and off, per-channel scales and shifts).
// Every case twice: channels in random groups (up to three scales, sums through a scratch buffer),
// then one scale for the whole layer (the common case: sums straight into the layer's buffer).
std::vector<std::pair<Case, bool>> CasesWithScaleCounts() {
  std::vector<std::pair<Case, bool>> all;
  for (bool one_scale : {false, true})
    for (const Case& c : kCases) all.emplace_back(c, one_scale);
  return all;
}

TEST(AdderKernel, LayerOutputIsTheEpilogueOfTheIntegerSums) {
  std::mt19937 rng(15);
  for (int bits : {2, 4, 7, 8}) {
    for (const auto& [c, one_scale] : CasesWithScaleCounts()) {
      Graph g = RandomQuantLayer(c, bits, rng);
      Node& n = g.nodes[0];
      if (one_scale) {
        n.quant.group_scale.resize(1);
        n.quant.channel_group.assign(size_t(c.out_c), 0);
      }
      n.affine_scale = Random(size_t(c.out_c), -0.1f, 0.1f, rng);
      n.affine_shift = Random(size_t(c.out_c), -3.f, 3.f, rng);
      const Shape3 out = g.ShapeOf(g.output);
      const kernels::ConvGeometry geo = kernels::ConvGeometry::FromNode(n, c.in, out);
      auto x = Random(c.in.size(), -0.5f, 4.f, rng);
      auto residual = Random(out.size(), -2.f, 2.f, rng);
      for (bool relu : {false, true})
        for (bool with_residual : {false, true}) {
          kernels::Adder2dQuantKernel kernel(n, geo, relu);
          kernels::Scratch scratch;
          std::vector<int32_t> sums(out.size());
          kernel.IntegerSums(x.data(), sums.data(), scratch);
          std::vector<float> y(out.size(), -7.f);
          kernels::OpContext ctx;
          ctx.inputs = {x.data()};
          ctx.input_sizes = {x.size()};
          ctx.output = y.data();
          ctx.output_size = y.size();
          ctx.residual = with_residual ? residual.data() : nullptr;
          kernel.Eval(ctx, 0, 1, scratch);
          const size_t P = size_t(out.h * out.w);
          for (size_t i = 0; i < y.size(); ++i) {
            const size_t o = i / P;
            float want = n.affine_scale[o] * float(sums[i]) + n.affine_shift[o];
            if (with_residual) want = want + residual[i];
            if (relu) want = want < 0.f ? 0.f : want;
            ASSERT_EQ(std::memcmp(&y[i], &want, sizeof(float)), 0)
                << kernels::SimdLevel() << " bits " << bits << " one scale " << one_scale << " relu " << relu
                << " residual " << with_residual << " i "
                << i << ": " << y[i] << " vs " << want;
          }
        }
    }
  }
}

TEST(AdderKernel, QuantizedLayerEqualsFakeQuantFormula) {
  // y = -(s/L) * sum |q_a - 2 q_w| + beta (signed codes), or -(s/L) * sum |q_a - q_w| + beta
  // (unsigned), must equal -sum |X_hat - W_hat| + beta in float.
  std::mt19937 rng(13);
  const Case c{{8, 6, 6}, 16, 3, 1, 1};
  for (auto kind : {quant::WeightCodeKind::kSignedDoubled, quant::WeightCodeKind::kUnsigned})
  for (int bits = 2; bits <= 8; ++bits) {
    const float s = 1.7f, L = float(quant::Levels(bits));
    Graph g = testing::SingleLayerGraph(OpKind::kAdder2d, c.in, c.out_c, c.k, c.stride, c.pad, {});
    Node& n = g.nodes[0];
    n.quant.bits = bits;
    n.quant.group_scale = {s};
    n.quant.channel_group.assign(size_t(c.out_c), 0);
    n.quant.code_kind = kind;
    const bool one_sided = kind == quant::WeightCodeKind::kUnsigned;
    auto wf = Random(n.WeightCount(), one_sided ? 0.f : -s, s, rng);
    for (float w : wf)
      n.quant.codes.push_back(int16_t(one_sided ? quant::QuantizeWeightUnsigned(w, s, bits) : quant::QuantizeWeight(w, s, bits)));
    n.affine_scale.assign(size_t(c.out_c), -s / L);
    n.affine_shift.assign(size_t(c.out_c), 0.25f);
    auto ex = Executor::Create(g, 1);
    ASSERT_TRUE(ex.ok()) << ex.status().message();
    auto x = Random(c.in.size(), 0.f, 2.f, rng);
    std::vector<float> y;
    ASSERT_TRUE((*ex)->Run(x, 1, y).ok());
    std::vector<float> xhat(x.size()), what(wf.size());
    for (size_t i = 0; i < x.size(); ++i)
      xhat[i] = quant::DequantActivation(quant::QuantizeActivation(x[i], quant::ActivationMultiplier(s, bits), bits), s, bits);
    for (size_t i = 0; i < wf.size(); ++i) what[i] = quant::DequantWeight(n.quant.codes[i], s, bits, kind);
    auto ref = testing::NaiveAdderDistance(xhat, c.in, what, c.out_c, c.k, c.k, c.stride, c.pad);
    for (size_t i = 0; i < ref.size(); ++i) EXPECT_NEAR(y[i], -ref[i] + 0.25, 1e-5 * (1 + ref[i])) << bits;
  }
}

TEST(AdderKernel, ScalarAndSimdAgreeBitForBit) {
  // Tile kernels called directly on both paths (the dispatcher picks one per process, so compare
  // the portable path, reached through ADDERQ_SIMD=scalar in a child, with a recomputation here).
  std::mt19937 rng(14);
  const kernels::ConvGeometry geo{16, 8, 8, 24, 8, 8, 3, 3, 1, 1};
  const int K = geo.K(), op = kernels::ConvGeometry::PaddedChannels(geo.out_c);
  auto col = Random(size_t(geo.PaddedP()) * size_t(K), 0.f, 3.f, rng);
  auto wT = Random(size_t(K) * size_t(op), -2.f, 2.f, rng);
  std::vector<float> acc(geo.OutputSize());
  kernels::AdderFloatTiles(geo, col.data(), wT.data(), acc.data());
  // Sequential reference in the kernels' own order (k ascending), float arithmetic.
  for (int o = 0; o < geo.out_c; ++o)
    for (int p = 0; p < geo.P(); ++p) {
      float s = 0.f;
      for (int k = 0; k < K; ++k) s += std::fabs(col[size_t(p) * K + k] - wT[size_t(k) * op + o]);
      ASSERT_EQ(acc[size_t(o) * geo.P() + p], s) << kernels::SimdLevel();
    }
}

TEST(AdderKernel, DirectFloatLayersMatchSequentialSums) {
  // The float layers without im2col (AVX2: taps read from a padded image) against a sequential
  // sum in the im2col order, exactly; odd sizes exercise the tile running past a row's end.
  std::mt19937 rng(15);
  for (const kernels::ConvGeometry geo : {kernels::ConvGeometry{3, 32, 32, 16, 32, 32, 3, 3, 1, 1},
                                          kernels::ConvGeometry{5, 7, 7, 19, 4, 4, 3, 3, 2, 1},
                                          kernels::ConvGeometry{6, 9, 9, 8, 5, 5, 1, 1, 2, 0},
                                          kernels::ConvGeometry{4, 6, 6, 17, 6, 6, 3, 3, 1, 1}}) {
    const int K = geo.K(), op = kernels::ConvGeometry::PaddedChannels(geo.out_c);
    auto x = Random(geo.InputSize(), -2.f, 3.f, rng);
    auto wT = Random(size_t(K) * size_t(op), -2.f, 2.f, rng);
    std::vector<float> col(size_t(geo.PaddedP()) * size_t(K));
    kernels::Im2Col<float>(geo, x.data(), col);
    for (bool adder : {true, false}) {
      std::vector<float> acc(geo.OutputSize()), pad, scratch;
      kernels::ConvLikeFloatDirect(adder, geo, x.data(), wT.data(), acc.data(), pad, scratch);
      for (int o = 0; o < geo.out_c; ++o)
        for (int p = 0; p < geo.P(); ++p) {
          float s = 0.f;
          for (int k = 0; k < K; ++k) {
            const float a = col[size_t(p) * K + k], w = wT[size_t(k) * op + o];
            s += adder ? std::fabs(a - w) : a * w;
          }
          ASSERT_EQ(acc[size_t(o) * geo.P() + p], s) << kernels::SimdLevel() << (adder ? " adder" : " conv") << " o" << o << " p" << p;
        }
    }
  }
}

}  // namespace
}  // namespace adderq
