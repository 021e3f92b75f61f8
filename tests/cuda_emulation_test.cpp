// The CUDA backend's kernels, run on the host (tests/cuda_host_emulation.h), against the CPU
// backend bit for bit: the adder kernels' integer sums at every bit width and layer shape, both
// quantized adder kernels, and the official checkpoint compiled at several bit widths on real test
// images. No GPU needed; on a GPU, cuda_backend_test checks the same on the device.
#include <array>
#include <cmath>
#include <cstring>
#include <random>

#include <gtest/gtest.h>

#include "compile.h"
#include "core/artifact_loader.h"
#include "cpu/executor.h"
#include "cuda_host_emulation.h"
#include "data/cifar10.h"
#include "data/pixel_input.h"
#include "host_kernel.h"
#include "test_support.h"

namespace adderq::testing {
namespace {

using cuda::AdderKernel;

std::vector<float> RandomImages(size_t floats, uint32_t seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(floats);
  for (float& x : v) x = u(rng);
  return v;
}

// Runs `graph` on the CPU backend and through the CUDA plan's kernels on the host; identical bytes.
// With `fused_codes`, at least that many quantize steps must have been replaced by fused codes.
void ExpectHostKernelsMatchCpu(const Graph& graph, AdderKernel kernel, const std::vector<float>& input, int batch,
                               const std::string& what, int simd_pixels = 0, int fused_codes = 0, int arch = 90) {
  auto cpu = Executor::Create(graph, 0);
  ASSERT_TRUE(cpu.ok()) << cpu.status().message();
  std::vector<float> expected;
  ASSERT_TRUE((*cpu)->Run(input, batch, expected).ok());
  auto plan = cuda::BuildCudaPlan(graph, {arch, kernel, 0, 0, simd_pixels, fused_codes > 0});
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_GE(plan->fused_codes, fused_codes) << what;
  if (kernel == AdderKernel::kTensorCore) {
    bool any = false;
    for (const cuda::PlanStep& s : plan->steps) any |= s.kind == cuda::StepKind::kAdderTensorCore;
    ASSERT_TRUE(any) << what << ": the plan has no tensor-core step";
  }
  auto got = RunPlanOnHost(graph, *plan, input, batch);
  ASSERT_TRUE(got.ok()) << what << ": " << got.status().message();
  ASSERT_EQ(got->size(), expected.size());
  size_t mismatches = 0, first = 0;
  for (size_t i = 0; i < got->size(); ++i)
    if (std::memcmp(&(*got)[i], &expected[i], sizeof(float)) != 0 && mismatches++ == 0) first = i;
  EXPECT_EQ(mismatches, 0u) << what << ": first at " << first << ": host kernels " << (*got)[first] << " cpu "
                            << expected[first];
}

// A real-shaped adder layer with affine 1/0: the outputs are the int32 sums themselves (exact in
// float below 2^24), so this compares the accumulators. Every bit width, the CIFAR ResNet shapes
// (16/32/64 channels, stride 1 and 2, the 1x1 shortcuts) and an odd one (channel and pixel tails);
// three quantizer sets per layer; three images (partial blocks).
TEST(CudaEmulation, AdderIntegerSumsMatchCpuForEveryBitWidthAndKernel) {
  struct Shape { int c, hw, o, k, stride, pad; };
  for (const Shape s : {Shape{16, 32, 16, 3, 1, 1}, Shape{16, 32, 32, 3, 2, 1}, Shape{16, 32, 32, 1, 2, 0},
                        Shape{32, 16, 32, 3, 1, 1}, Shape{64, 8, 64, 3, 1, 1}, Shape{5, 7, 3, 3, 2, 1}}) {
    for (int bits = 2; bits <= 8; ++bits) {
      const Graph g = QuantizedAdderLayer({s.c, s.hw, s.hw}, s.o, s.k, s.stride, s.pad, bits, uint32_t(bits * 100 + s.c));
      const int batch = 3;
      const auto input = RandomImages(size_t(batch * s.c * s.hw * s.hw), uint32_t(bits), -0.5f, 2.5f);
      const std::string what = fmt::format("bits {} c{} {}x{} o{} k{} s{}", bits, s.c, s.hw, s.hw, s.o, s.k, s.stride);
      ExpectHostKernelsMatchCpu(g, AdderKernel::kPackedSimd, input, batch, what + " simd");
      // Register blocking: 2 and 3 pixels per thread (3: a thread's last pixels past the end).
      if (bits == 2 || bits == 4 || bits == 8)
        for (int pixels : {2, 3})
          ExpectHostKernelsMatchCpu(g, AdderKernel::kPackedSimd, input, batch, what + fmt::format(" simd x{}", pixels), pixels);
      if (cuda::TensorCoreAdderSupported(bits, 90))
        ExpectHostKernelsMatchCpu(g, AdderKernel::kTensorCore, input, batch, what + " tensor-core");
    }
  }
}

// The official checkpoint compiled at 3, 4 and 8 bits (a small calibration: the kernels, not the
// accuracy, are under test) and full precision, on real test images: every layer kind, fused
// residuals and ReLUs, in a network whose logits depend on its input (random-weight ResNets
// saturate to the same logits for every image, which would hide a wrong early layer).
TEST(CudaEmulation, OfficialCheckpointOnRealImagesMatchesCpu) {
  const std::string ckpt = SharedPath("checkpoints/resnet20_adder_cifar10.pth");
  const std::string data = SharedPath("data/cifar-10-batches-bin");
  if (ckpt.empty() || data.empty()) GTEST_SKIP() << "../shared data not present";
  auto test = data::LoadCifar10Test(data);
  ASSERT_TRUE(test.ok()) << test.status().message();
  for (int bits : {0, 3, 4, 8, -4}) {  // -4: 4 bits with the one-sided clamp (unsigned codes)
    compiler::CompileOptions options = QuickCompileOptions(ckpt, data, std::abs(bits));
    if (bits < 0) options.clamp = compiler::Clamp::kOneSided;
    auto compiled = compiler::Compile(options);
    ASSERT_TRUE(compiled.ok()) << compiled.status().message();
    auto g = LoadArtifactFromMemory(compiled->artifact);
    ASSERT_TRUE(g.ok()) << g.status().message();
    const int batch = 2;
    std::vector<float> input(size_t(batch) * data::kCifarPixels);
    data::Normalize(test->image(0), size_t(batch), g->meta.mean, g->meta.std, input.data());
    const std::string what = fmt::format("official ResNet-20, {} bits{}", std::abs(bits), bits < 0 ? " one-sided" : "");
    if (bits < 0)
      for (const Node& n : g->nodes)
        if (n.kind == OpKind::kAdder2d) {
          ASSERT_EQ(n.quant.code_kind, quant::WeightCodeKind::kUnsigned) << n.name;
        }
    {  // the two images' logits differ, so a kernel fed the wrong pixels would show
      auto cpu = Executor::Create(*g, 0);
      ASSERT_TRUE(cpu.ok()) << cpu.status().message();
      std::vector<float> logits;
      ASSERT_TRUE((*cpu)->Run(input, batch, logits).ok());
      ASSERT_NE(std::memcmp(logits.data(), logits.data() + 10, 10 * sizeof(float)), 0) << what << ": saturated";
    }
    ExpectHostKernelsMatchCpu(*g, AdderKernel::kPackedSimd, input, batch, what + ", packed SIMD");
    // The plan for Jetson Xavier (sm_72: 8-word chunks, several per 64-channel tap).
    ExpectHostKernelsMatchCpu(*g, AdderKernel::kPackedSimd, input, batch, what + ", packed SIMD, sm_72 plan", 0, 0, 72);
    if (std::abs(bits) == 4 || bits == 8)
      ExpectHostKernelsMatchCpu(*g, AdderKernel::kPackedSimd, input, batch, what + ", packed SIMD x2", 2);
    // Fused codes: every adder layer gets its codes from its producer's epilogue, the first from
    // the stem's float convolution, the two shortcuts (they read their input subsampled) beside
    // the conv1 next to them.
    if (bits != 0) {
      ExpectHostKernelsMatchCpu(*g, AdderKernel::kPackedSimd, input, batch, what + ", fused codes", 0, 20);
      if (bits == 4) ExpectHostKernelsMatchCpu(*g, AdderKernel::kPackedSimd, input, batch, what + ", fused codes x2", 2, 20);
    }
    if (cuda::TensorCoreAdderSupported(std::abs(bits), 90))
      ExpectHostKernelsMatchCpu(*g, AdderKernel::kTensorCore, input, batch, what + ", tensor cores");
  }
}

// The float kernels. The convolution (the stem; every adder layer of a full-precision artifact) in
// each of its forms: 16, 8 and 4 output channels per thread, a last group of padding channels (10 = 4 + 4 + 2,
// 5 = 4 + 1), weights too many for shared memory (400 x 3 x 3 taps), strides, 1x1, no padding;
// both operations. Random weights and inputs, three images (a partial block); the plan must have
// chosen the grouping the case is for.
TEST(CudaEmulation, FloatKernelsMatchCpuInEveryForm) {
  struct Case {
    Shape3 in;
    int out_c, k, stride, pad;
    const char* variant_suffix;
  };
  const Case cases[] = {{{3, 32, 32}, 16, 3, 1, 1, "_ob16"}, {{16, 9, 9}, 24, 3, 2, 1, "_ob8"},
                        {{7, 6, 5}, 10, 3, 1, 0, "_ob4"},     {{16, 8, 8}, 5, 1, 2, 0, "_ob4"},
                        {{400, 3, 3}, 4, 3, 1, 1, "_ob4_gw"}};
  for (const Case& c : cases)
    for (OpKind kind : {OpKind::kConv2d, OpKind::kAdder2d}) {
      const size_t weights = size_t(c.out_c) * size_t(c.in.c) * size_t(c.k * c.k);
      const Graph g = SingleLayerGraph(kind, c.in, c.out_c, c.k, c.stride, c.pad, RandomImages(weights, 7, -1.f, 1.f));
      const int batch = 3;
      const std::string what = fmt::format("{} {}x{}x{} -> {}, {}x{} stride {} pad {}", kind == OpKind::kConv2d ? "conv" : "adder",
                                           c.in.c, c.in.h, c.in.w, c.out_c, c.k, c.k, c.stride, c.pad);
      auto plan = cuda::BuildCudaPlan(g, {90});
      ASSERT_TRUE(plan.ok()) << plan.status().message();
      ASSERT_EQ(plan->variants.size(), 2u) << what << ": the layer's and the pixel input's";
      EXPECT_TRUE(plan->variants[0].name.ends_with(c.variant_suffix)) << what << ": " << plan->variants[0].name;
      ExpectHostKernelsMatchCpu(g, AdderKernel::kPackedSimd, RandomImages(size_t(batch) * c.in.size(), 8, -2.f, 2.f), batch, what);
    }
  // Average pooling: global over 8x8 (ResNet's: the planes staged in shared memory) over three
  // images (192 planes: a full block of 128 and a partial one), and 2x2 at stride 2 (not staged).
  struct Pool {
    Shape3 in;
    int k, stride;
    bool staged;
  };
  for (const Pool& p : {Pool{{64, 8, 8}, 8, 1, true}, Pool{{4, 6, 6}, 2, 2, false}}) {
    Graph g;
    g.meta.input_shape = p.in;
    g.meta.mean.assign(size_t(p.in.c), 0.f);
    g.meta.std.assign(size_t(p.in.c), 1.f);
    g.input = g.AddTensor("input", p.in);
    Node n;
    n.kind = OpKind::kAvgPool;
    n.name = "pool";
    n.inputs = {g.input};
    n.pool_kernel = p.k;
    n.pool_stride = p.stride;
    n.output = g.output = g.AddTensor("output", {p.in.c, (p.in.h - p.k) / p.stride + 1, (p.in.w - p.k) / p.stride + 1});
    g.nodes.push_back(std::move(n));
    auto plan = cuda::BuildCudaPlan(g, {90});
    ASSERT_TRUE(plan.ok()) << plan.status().message();
    ASSERT_EQ(plan->variants.size(), 2u) << "the layer's and the pixel input's";
    EXPECT_EQ(plan->variants[0].name.ends_with("_smem"), p.staged) << plan->variants[0].name;
    ExpectHostKernelsMatchCpu(g, AdderKernel::kPackedSimd, RandomImages(3 * p.in.size(), 11, -2.f, 2.f), 3, plan->variants[0].name);
  }
}

// A network that outputs its input (1x1 average pooling: v * 1.0), run from 8-bit pixels: the
// plan's pixel_input kernel must give data::NormalizePixels' floats, in both layouts, for planes
// of 4k positions (32-bit loads, 16-byte stores) and others (byte loads), 1, 3 and 5 channels
// (interleaved words that split pixels), and 3 images (a partial block). Then a wrong table entry
// and a swapped layout must show.
TEST(CudaEmulation, PixelInputMatchesCpuNormalization) {
  struct Case {
    Shape3 in;
    bool vectorized;
  };
  for (const Case& c : {Case{{3, 32, 32}, true}, Case{{5, 3, 4}, true}, Case{{3, 5, 7}, false}, Case{{1, 2, 3}, false}}) {
    Graph g;
    g.meta.input_shape = c.in;
    for (int k = 0; k < c.in.c; ++k) {
      g.meta.mean.push_back(0.45f + 0.01f * float(k));
      g.meta.std.push_back(0.25f + 0.003f * float(k));
    }
    g.input = g.AddTensor("input", c.in);
    Node n;
    n.kind = OpKind::kAvgPool;
    n.name = "identity";
    n.inputs = {g.input};
    n.pool_kernel = 1;
    n.pool_stride = 1;
    n.output = g.output = g.AddTensor("output", c.in);
    g.nodes.push_back(std::move(n));
    ASSERT_TRUE(ValidateGraph(g).ok()) << ValidateGraph(g).message();
    auto plan = cuda::BuildCudaPlan(g, {90});
    ASSERT_TRUE(plan.ok()) << plan.status().message();
    const cuda::PlanStep& pixel_step = plan->pixel_input;
    EXPECT_EQ(pixel_step.threads_per_image, size_t(c.in.h * c.in.w) / (c.vectorized ? 4 : 1));
    const int batch = 3;
    std::mt19937 rng(uint32_t(c.in.size()));
    std::vector<uint8_t> planar(size_t(batch) * c.in.size());
    for (uint8_t& v : planar) v = uint8_t(rng());
    const size_t plane = size_t(c.in.h) * size_t(c.in.w), C = size_t(c.in.c);
    const std::vector<uint8_t> interleaved = Interleave(planar, c.in.c, int(plane));
    std::vector<float> expected(planar.size());
    data::NormalizePixels(planar, data::PixelLayout::kPlanar, batch, c.in.c, int(plane), g.meta.mean, g.meta.std, expected.data());
    const std::string what = fmt::format("{}x{}x{}", c.in.c, c.in.h, c.in.w);
    for (data::PixelLayout layout : {data::PixelLayout::kPlanar, data::PixelLayout::kInterleaved}) {
      const bool inter = layout == data::PixelLayout::kInterleaved;
      auto got = RunPlanOnHostFromPixels(g, *plan, inter ? interleaved : planar, layout, batch);
      ASSERT_TRUE(got.ok()) << what << ": " << got.status().message();
      ASSERT_EQ(got->size(), expected.size());
      EXPECT_EQ(std::memcmp(got->data(), expected.data(), expected.size() * sizeof(float)), 0) << what << (inter ? " interleaved" : " planar");
    }
    // Mutations: the table entry of the first image's first byte, and the layout swapped.
    cuda::CudaPlan wrong = *plan;
    wrong.pixel_input.weight[planar[0]] += 0.5f;
    auto bad = RunPlanOnHostFromPixels(g, wrong, planar, data::PixelLayout::kPlanar, batch);
    ASSERT_TRUE(bad.ok());
    EXPECT_NE(std::memcmp(bad->data(), expected.data(), expected.size() * sizeof(float)), 0) << what << ": a wrong table entry";
    if (C > 1) {
      auto swapped = RunPlanOnHostFromPixels(g, *plan, planar, data::PixelLayout::kInterleaved, batch);
      ASSERT_TRUE(swapped.ok());
      EXPECT_NE(std::memcmp(swapped->data(), expected.data(), expected.size() * sizeof(float)), 0) << what << ": the wrong layout";
    }
  }
}

// Fused codes at every bit width, on 1 and 2 pixels per thread. The last layer's outputs are its
// integer sums, so a wrong code in its input shows directly: 5-18-7 has padding lanes in the last
// code word (18 = 4 x 4 + 2) and a partial channel tile (18 = 16 + 2); in 5-16-16-7 the codes
// leave as 16-byte stores and a chain of two fused layers runs.
TEST(CudaEmulation, FusedCodesMatchCpuForEveryBitWidth) {
  for (int bits = 2; bits <= 8; ++bits)
    for (const std::vector<int>& chain : {std::vector<int>{18, 7}, std::vector<int>{16, 16, 7}}) {
      const Graph g = QuantizedAdderChain({5, 7, 7}, chain, bits, uint32_t(bits));
      const int batch = 3;
      const auto input = RandomImages(size_t(batch) * 5 * 7 * 7, uint32_t(bits + 40), -0.5f, 1.5f);
      const std::string what = fmt::format("chain of {} layers from {} channels, bits {}", chain.size(), chain[0], bits);
      const int fused = int(chain.size()) - 1;
      ExpectHostKernelsMatchCpu(g, AdderKernel::kPackedSimd, input, batch, what + " fused", 0, fused);
      ExpectHostKernelsMatchCpu(g, AdderKernel::kPackedSimd, input, batch, what + " fused x2", 2, fused);
    }
}

// Shortcut codes at every bit width, 1 and 2 pixels per thread, 18 channels (padding lanes in the
// last code word, a partial channel tile) and 16 (16-byte stores): no quantize step is left, and
// the first layer's floats are not written (only the two fused consumers read them).
TEST(CudaEmulation, ShortcutCodesMatchCpuForEveryBitWidth) {
  for (int bits = 2; bits <= 8; ++bits)
    for (int c0 : {18, 16}) {
      const Graph g = ShortcutBlock({5, 7, 7}, c0, 12, bits, uint32_t(bits));
      ASSERT_TRUE(ValidateGraph(g).ok()) << ValidateGraph(g).message();
      auto plan = cuda::BuildCudaPlan(g, {90, AdderKernel::kPackedSimd, 0, 0, 0, true});
      ASSERT_TRUE(plan.ok()) << plan.status().message();
      int quantize = 0, shortcut_codes = 0;
      for (const cuda::PlanStep& s : plan->steps) {
        quantize += s.kind == cuda::StepKind::kQuantize;
        if (s.shortcut_codes_out >= 0) {
          ++shortcut_codes;
          EXPECT_EQ(s.node, 0u) << "the first layer";
          EXPECT_LT(s.output, 0) << "the first layer's floats are read by nothing but the fused consumers";
        }
      }
      EXPECT_EQ(quantize, 1) << "the first layer's own";
      EXPECT_EQ(shortcut_codes, 1);
      const int batch = 3;
      const auto input = RandomImages(size_t(batch) * 5 * 7 * 7, uint32_t(bits + 60), -0.5f, 1.5f);
      const std::string what = fmt::format("shortcut block from {} channels, bits {}", c0, bits);
      ExpectHostKernelsMatchCpu(g, AdderKernel::kPackedSimd, input, batch, what, 0, 2);
      ExpectHostKernelsMatchCpu(g, AdderKernel::kPackedSimd, input, batch, what + " x2", 2, 2);
    }
}

// Unsigned weight codes (the one-sided clamp): no byte offset, no 8-bit constant, v = q_w in the
// tensor-core identity. Every bit width on a 3x3 and a strided shape with three quantizer sets
// (both adder kernels, 1 and 2 pixels per thread), fused codes down a chain and into a shortcut,
// and blocks that mix the kinds: a consumer's codes carry its own offset, and a shortcut of the
// other kind gets its own quantize step (its codes cannot share the first consumer's lanes).
TEST(CudaEmulation, UnsignedCodesMatchCpuInEveryKernel) {
  struct Shape { int c, hw, o, k, stride, pad; };
  for (int bits = 2; bits <= 8; ++bits) {
    for (const Shape s : {Shape{16, 8, 16, 3, 1, 1}, Shape{5, 7, 3, 3, 2, 1}}) {
      const Graph g = WithUnsignedCodes(QuantizedAdderLayer({s.c, s.hw, s.hw}, s.o, s.k, s.stride, s.pad, bits, 5u + bits),
                                        uint32_t(bits));
      const int batch = 3;
      const auto input = RandomImages(size_t(batch * s.c * s.hw * s.hw), uint32_t(bits + 80), -0.5f, 2.5f);
      const std::string what = fmt::format("unsigned, bits {} c{} {}x{} s{}", bits, s.c, s.hw, s.hw, s.stride);
      ExpectHostKernelsMatchCpu(g, AdderKernel::kPackedSimd, input, batch, what + " simd");
      ExpectHostKernelsMatchCpu(g, AdderKernel::kPackedSimd, input, batch, what + " simd x2", 2);
      if (cuda::TensorCoreAdderSupported(bits, 90))
        ExpectHostKernelsMatchCpu(g, AdderKernel::kTensorCore, input, batch, what + " tensor-core");
    }
    const int batch = 2;
    const auto input = RandomImages(size_t(batch) * 5 * 7 * 7, uint32_t(bits + 90), -0.5f, 1.5f);
    const Graph chain = WithUnsignedCodes(QuantizedAdderChain({5, 7, 7}, {18, 7}, bits, uint32_t(bits)), 1u);
    ExpectHostKernelsMatchCpu(chain, AdderKernel::kPackedSimd, input, batch, fmt::format("unsigned chain, bits {}", bits), 0, 1);
    const Graph block = ShortcutBlock({5, 7, 7}, 16, 12, bits, uint32_t(bits));
    ExpectHostKernelsMatchCpu(WithUnsignedCodes(block, 2u), AdderKernel::kPackedSimd, input, batch,
                              fmt::format("unsigned shortcut block, bits {}", bits), 0, 2);
    // Mixed kinds: the block's conv unsigned, the rest signed; then the shortcut alone unsigned.
    for (const char* unsigned_layer : {"block.conv", "block.shortcut"}) {
      const Graph mixed = WithUnsignedCodes(block, 3u, unsigned_layer);
      auto plan = cuda::BuildCudaPlan(mixed, {90, AdderKernel::kPackedSimd, 0, 0, 0, true});
      ASSERT_TRUE(plan.ok()) << plan.status().message();
      for (const cuda::PlanStep& st : plan->steps) EXPECT_LT(st.shortcut_codes_out, 0) << "kinds differ: no shared lanes";
      ExpectHostKernelsMatchCpu(mixed, AdderKernel::kPackedSimd, input, batch,
                                fmt::format("{} unsigned, bits {}", unsigned_layer, bits), 0, 1);
    }
  }
}

// Mutations the comparison must catch in the shortcut's codes: its multiplier 3 % off, written to
// a buffer it does not read, and the other consumer's multiplier used for it.
TEST(CudaEmulation, AWrongShortcutCodeIsCaught) {
  const Graph g = ShortcutBlock({5, 7, 7}, 16, 12, 4, 3);
  auto plan = cuda::BuildCudaPlan(g, {90, AdderKernel::kPackedSimd, 0, 0, 0, true});
  ASSERT_TRUE(plan.ok());
  const auto input = RandomImages(2 * 5 * 7 * 7, 19, -0.5f, 1.5f);
  auto good = RunPlanOnHost(g, *plan, input, 2);
  ASSERT_TRUE(good.ok()) << good.status().message();
  auto mutated = [&](auto change) {
    cuda::CudaPlan p = *plan;
    bool changed = false;
    for (cuda::PlanStep& s : p.steps)
      if (s.shortcut_codes_out >= 0) change(s), changed = true;
    EXPECT_TRUE(changed);
    auto bad = RunPlanOnHost(g, p, input, 2);
    EXPECT_TRUE(bad.ok()) << bad.status().message();
    return bad.ok() && std::memcmp(good->data(), bad->data(), good->size() * sizeof(float)) != 0;
  };
  EXPECT_TRUE(mutated([](cuda::PlanStep& s) { s.shortcut_codes_multiplier *= 0.97f; }));
  EXPECT_TRUE(mutated([](cuda::PlanStep& s) { s.shortcut_codes_multiplier = s.codes_out_multiplier; }));
  ASSERT_GE(plan->code_buffers, 3);
  EXPECT_TRUE(mutated([&](cuda::PlanStep& s) { s.shortcut_codes_out = s.codes_out; }));
}

// What fused codes leave out: the quantize steps they replace, and the float outputs nothing else
// reads (the chain's inner layers), while the tensor-core kernel and several quantizer sets keep
// their quantize steps.
TEST(CudaEmulation, FusedCodesPlanDropsQuantizeStepsAndUnreadFloats) {
  const Graph g = QuantizedAdderChain({5, 7, 7}, {18, 16, 7}, 4, 1);
  auto count = [&](const Graph& graph, cuda::PlanOptions o) {
    auto plan = cuda::BuildCudaPlan(graph, o);
    EXPECT_TRUE(plan.ok()) << plan.status().message();
    int quantize = 0, float_outputs = 0, codes_out = 0;
    for (const cuda::PlanStep& s : plan->steps) {
      quantize += s.kind == cuda::StepKind::kQuantize;
      float_outputs += s.kind == cuda::StepKind::kAdderQuant && s.output >= 0;
      codes_out += s.codes_out >= 0;
    }
    return std::array<int, 4>{quantize, float_outputs, codes_out, plan->fused_codes};
  };
  EXPECT_EQ(count(g, {90, AdderKernel::kPackedSimd, 0, 0, 0, false}), (std::array<int, 4>{3, 3, 0, 0}));
  EXPECT_EQ(count(g, {90, AdderKernel::kPackedSimd, 0, 0, 0, true}), (std::array<int, 4>{1, 1, 2, 2}));
  EXPECT_EQ(count(g, {90, AdderKernel::kTensorCore, 0, 0, 0, true}), (std::array<int, 4>{3, 0, 0, 0}));
  EXPECT_EQ(count(QuantizedAdderLayer({16, 8, 8}, 16, 3, 1, 1, 4, 1), {90, AdderKernel::kPackedSimd, 0, 0, 0, true}),
            (std::array<int, 4>{3, 3, 0, 0}));  // three quantizer sets
}

// Mutations the comparison must catch: a fused multiplier one ulp off, and fused codes written to
// a buffer the consumer does not read.
TEST(CudaEmulation, AWrongFusedCodeIsCaught) {
  const Graph g = QuantizedAdderChain({5, 7, 7}, {18, 16, 7}, 4, 2);
  auto plan = cuda::BuildCudaPlan(g, {90, AdderKernel::kPackedSimd, 0, 0, 0, true});
  ASSERT_TRUE(plan.ok());
  const auto input = RandomImages(5 * 7 * 7, 9, -0.5f, 1.5f);
  auto good = RunPlanOnHost(g, *plan, input, 1);
  ASSERT_TRUE(good.ok()) << good.status().message();
  auto mutated = [&](auto change) {
    cuda::CudaPlan p = *plan;
    for (cuda::PlanStep& s : p.steps)
      if (s.codes_out >= 0) {
        change(s);
        break;
      }
    auto bad = RunPlanOnHost(g, p, input, 1);
    EXPECT_TRUE(bad.ok()) << bad.status().message();
    return bad.ok() && std::memcmp(good->data(), bad->data(), good->size() * sizeof(float)) != 0;
  };
  EXPECT_TRUE(mutated([](cuda::PlanStep& s) { s.codes_out_multiplier = std::nextafter(s.codes_out_multiplier, 0.f) * 0.97f; }));
  if (plan->code_buffers < 2) GTEST_FAIL() << "a fused chain needs two code buffers";
  EXPECT_TRUE(mutated([&](cuda::PlanStep& s) { s.codes_out = (s.codes_out + 1) % plan->code_buffers; }));
}

// A mutation the comparison must catch: one wrong code in a layer's packed weights.
TEST(CudaEmulation, AWrongWeightIsCaught) {
  Graph g = SingleLayerGraph(OpKind::kAdder2d, {16, 8, 8}, 16, 3, 1, 1, std::vector<float>(16 * 16 * 9, 0.f));
  Node& n = g.nodes[0];
  n.quant.bits = 4;
  n.quant.group_scale = {1.f};
  n.quant.channel_group.assign(16, 0);
  for (size_t i = 0; i < n.WeightCount(); ++i) n.quant.codes.push_back(int16_t(int(i % 16) - 8));
  n.quant.clamp_bias.assign(16, 0.f);
  n.quant.act_range = 1.f;
  n.weight.clear();
  n.affine_scale.assign(16, 1.f);
  n.affine_shift.assign(16, 0.f);
  auto plan = cuda::BuildCudaPlan(g, {90, AdderKernel::kPackedSimd});
  ASSERT_TRUE(plan.ok());
  const std::vector<float> input = RandomImages(16 * 8 * 8, 3, 0.f, 1.f);
  auto good = RunPlanOnHost(g, *plan, input, 1);
  ASSERT_TRUE(good.ok()) << good.status().message();
  for (cuda::PlanStep& s : plan->steps)
    if (s.kind == cuda::StepKind::kAdderQuant) {
      s.packed_weights[0] ^= 0x1u;  // channel 0, first tap: q_w one level off
      break;
    }
  auto bad = RunPlanOnHost(g, *plan, input, 1);
  ASSERT_TRUE(bad.ok());
  EXPECT_NE(std::memcmp(good->data(), bad->data(), good->size() * sizeof(float)), 0);
}

// The emulation's shared memory is not zero where a block has not written it (each block starts
// with 0xFF bytes, a NaN as a float), with and without a barrier in the kernel: on a device a block
// reading shared memory it did not write gets whatever was there, so such a kernel must fail here.
TEST(CudaEmulation, SharedMemoryABlockDidNotWriteIsNotZero) {
  for (const bool barrier : {true, false}) {
    const std::string source = std::string(R"(
extern "C" __global__ void adq_kernel(unsigned* out) {
  __shared__ unsigned words[32];
  const unsigned seen = words[threadIdx.x];  // before anything wrote it
  if (blockIdx.x == 0) words[threadIdx.x] = threadIdx.x;
)") + (barrier ? "  __syncthreads();\n" : "") + R"(
  out[2 * (blockIdx.x * 32 + threadIdx.x)] = seen;
  out[2 * (blockIdx.x * 32 + threadIdx.x) + 1] = words[threadIdx.x];
}
)";
    auto kernel = HostKernel::Compile(source, barrier ? "shared_poison_barrier" : "shared_poison");
    ASSERT_TRUE(kernel.ok()) << kernel.status().message();
    std::vector<uint32_t> out(2 * 64, 0);
    uint32_t* out_ptr = out.data();
    void* args[] = {&out_ptr};
    ASSERT_TRUE(kernel->Launch(2, 1, 32, args).ok());
    for (uint32_t t = 0; t < 32; ++t) {
      EXPECT_EQ(out[2 * t], 0xFFFFFFFFu) << t;             // block 0, before writing
      EXPECT_EQ(out[2 * t + 1], t) << t;                   // block 0, its own write
      EXPECT_EQ(out[2 * (32 + t)], 0xFFFFFFFFu) << t;      // block 1: not block 0's value
      EXPECT_EQ(out[2 * (32 + t) + 1], 0xFFFFFFFFu) << t;  // block 1 never wrote
    }
  }
}

// The emulation runs a launch's blocks in a shuffled order: a kernel in which a block reads what
// an earlier block wrote (no order a device promises) gives another result than in block order.
TEST(CudaEmulation, BlocksDoNotRunInBlockOrder) {
  auto kernel = HostKernel::Compile(R"(
extern "C" __global__ void adq_kernel(unsigned* chain) {
  if (threadIdx.x == 0) chain[blockIdx.x + 1] = chain[blockIdx.x] + 1;  // in block order: chain[i] = i
}
)", "block_order");
  ASSERT_TRUE(kernel.ok()) << kernel.status().message();
  std::vector<uint32_t> chain(65, 0);
  uint32_t* chain_ptr = chain.data();
  void* args[] = {&chain_ptr};
  ASSERT_TRUE(kernel->Launch(64, 1, 32, args).ok());
  int in_order = 0;
  for (uint32_t i = 0; i <= 64; ++i) in_order += chain[i] == i;
  EXPECT_LT(in_order, 65);
}

}  // namespace
}  // namespace adderq::testing
