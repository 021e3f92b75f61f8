// The CUDA backend against the CPU backend, bit for bit. Needs a GPU: every test skips (reported
// as skipped, with the reason) where no CUDA driver or GPU is usable.
#include <cstdlib>
#include <cstring>
#include <random>

#include <gtest/gtest.h>

#include "core/artifact_loader.h"
#include "cpu/executor.h"
#include "cuda/cuda_executor.h"
#include "data/cifar10.h"
#include "test_support.h"

namespace adderq::cuda {
namespace {

#define REQUIRE_GPU()                                                                   \
  if (auto d = LoadCudaDriver(); !d.ok()) GTEST_SKIP() << "no GPU: " << d.status().message()

std::vector<float> RandomImages(size_t floats, uint32_t seed, float lo = -2.f, float hi = 2.f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(floats);
  for (float& x : v) x = u(rng);
  return v;
}

// Runs `graph` on both backends and requires identical bytes.
void ExpectSameOnBothBackends(const Graph& graph, const std::vector<float>& input, int batch, int chunk, const std::string& what,
                              AdderKernel kernel = AdderKernel::kAuto, int simd_pixels = 0, bool fuse_codes = false) {
  auto cpu = Executor::Create(graph, 0);
  ASSERT_TRUE(cpu.ok()) << cpu.status().message();
  std::vector<float> expected, got;
  ASSERT_TRUE((*cpu)->Run(input, batch, expected).ok());
  CudaOptions opt;
  opt.chunk_images = chunk;
  opt.plan.adder = kernel;
  opt.plan.simd_pixels = simd_pixels;
  opt.plan.fuse_codes = fuse_codes;
  auto gpu = CudaExecutor::Create(graph, opt);
  ASSERT_TRUE(gpu.ok()) << gpu.status().message();
  if (fuse_codes) {
    EXPECT_GT((*gpu)->plan().fused_codes, 0) << what << ": nothing fused";
  }
  // The kernel asked for is the one that ran (tensor cores: every layer of <= 4 bits on sm_80+).
  int simd = 0, tensor_core = 0;
  for (const PlanStep& s : (*gpu)->plan().steps) {
    simd += s.kind == StepKind::kAdderQuant;
    tensor_core += s.kind == StepKind::kAdderTensorCore;
  }
  if (kernel == AdderKernel::kPackedSimd) {
    EXPECT_EQ(tensor_core, 0) << what;
  }
  if (kernel == AdderKernel::kTensorCore && (*gpu)->stats().arch >= 80) {
    for (const Node& n : graph.nodes) {
      if (n.quant.enabled() && n.quant.bits <= 4) {
        EXPECT_EQ(simd, 0) << what;
      }
    }
  }
  auto st = (*gpu)->Run(input, batch, got);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(got.size(), expected.size());
  size_t mismatches = 0, first = 0;
  for (size_t i = 0; i < got.size(); ++i)
    if (std::memcmp(&got[i], &expected[i], sizeof(float)) != 0 && mismatches++ == 0) first = i;
  EXPECT_EQ(mismatches, 0u) << what << ": first at " << first << ": gpu " << got[first] << " cpu " << expected[first];
}

// A real-shaped adder layer with affine 1/0: the outputs are the int32 sums themselves (exact in
// float below 2^24), so this compares the accumulators of the two backends.
TEST(CudaBackend, AdderIntegerSumsMatchCpuForEveryBitWidth) {
  REQUIRE_GPU();
  struct Shape { int c, hw, o, k, stride, pad; };
  for (const Shape s : {Shape{16, 32, 16, 3, 1, 1}, Shape{16, 32, 32, 3, 2, 1}, Shape{16, 32, 32, 1, 2, 0},
                        Shape{32, 16, 32, 3, 1, 1}, Shape{64, 8, 64, 3, 1, 1}, Shape{5, 7, 3, 3, 2, 1}}) {
    for (int bits = 2; bits <= 8; ++bits) {
      const Graph g = testing::QuantizedAdderLayer({s.c, s.hw, s.hw}, s.o, s.k, s.stride, s.pad, bits, uint32_t(bits * 100 + s.c));
      const int batch = 19;
      const auto input = RandomImages(size_t(batch * s.c * s.hw * s.hw), uint32_t(bits), -0.5f, 2.5f);
      for (AdderKernel kernel : {AdderKernel::kPackedSimd, AdderKernel::kTensorCore})
        ExpectSameOnBothBackends(g, input, batch, 8,
                                 "bits " + std::to_string(bits) + " c" + std::to_string(s.c) + " o" + std::to_string(s.o) +
                                     (kernel == AdderKernel::kTensorCore ? " tensor-core" : " simd"),
                                 kernel);
      // Register blocking (a tuning option): 2 and 3 output pixels per thread.
      for (int pixels : {2, 3})
        ExpectSameOnBothBackends(g, input, batch, 8,
                                 "bits " + std::to_string(bits) + " c" + std::to_string(s.c) + " simd x" + std::to_string(pixels),
                                 AdderKernel::kPackedSimd, pixels);
    }
  }
}

// Fused codes (the producer's epilogue writes the consumer's codes) at every bit width: chains
// whose last layer outputs its integer sums (padding lanes, partial tiles, 16-byte code stores).
TEST(CudaBackend, FusedCodesMatchCpuForEveryBitWidth) {
  REQUIRE_GPU();
  for (int bits = 2; bits <= 8; ++bits)
    for (const std::vector<int>& chain : {std::vector<int>{18, 7}, std::vector<int>{16, 16, 7}}) {
      const Graph g = testing::QuantizedAdderChain({5, 7, 7}, chain, bits, uint32_t(bits));
      const int batch = 19;
      const auto input = RandomImages(size_t(batch) * 5 * 7 * 7, uint32_t(bits + 40), -0.5f, 1.5f);
      for (int pixels : {1, 2})
        ExpectSameOnBothBackends(g, input, batch, 8,
                                 "chain from " + std::to_string(chain[0]) + " bits " + std::to_string(bits) + " fused x" +
                                     std::to_string(pixels),
                                 AdderKernel::kPackedSimd, pixels, true);
    }
  // A shortcut's codes from the same epilogue (testing::ShortcutBlock: odd sizes, another scale).
  for (int bits = 2; bits <= 8; ++bits)
    for (int c0 : {18, 16}) {
      const Graph g = testing::ShortcutBlock({5, 7, 7}, c0, 12, bits, uint32_t(bits));
      const int batch = 19;
      const auto input = RandomImages(size_t(batch) * 5 * 7 * 7, uint32_t(bits + 60), -0.5f, 1.5f);
      for (int pixels : {1, 2})
        ExpectSameOnBothBackends(g, input, batch, 8,
                                 "shortcut block from " + std::to_string(c0) + " bits " + std::to_string(bits) + " fused x" +
                                     std::to_string(pixels),
                                 AdderKernel::kPackedSimd, pixels, true);
    }
}

TEST(CudaBackend, SyntheticResNetsMatchCpuBitForBit) {
  REQUIRE_GPU();
  for (int bits : {0, 3, 4, 8}) {
    const Graph g = testing::SyntheticResNet(20, bits, 11);
    const int batch = 300;  // chunks of 128: both pipelines and a partial last chunk
    const auto input = RandomImages(size_t(batch) * 3 * 32 * 32, 5);
    for (AdderKernel kernel : {AdderKernel::kPackedSimd, AdderKernel::kTensorCore})
      ExpectSameOnBothBackends(g, input, batch, 128, "resnet20 bits " + std::to_string(bits), kernel);
    if (bits > 0)
      ExpectSameOnBothBackends(testing::WithOneQuantizerGroup(g), input, batch, 128,
                               "resnet20 one group, fused codes, bits " + std::to_string(bits), AdderKernel::kPackedSimd, 0, true);
  }
}

// The real artifacts and test images, when the GPU check passes them in ($ADDERQ_TEST_ARTIFACTS,
// colon-separated, and $ADDERQ_DATA): logits of the first 2000 test images are identical.
TEST(CudaBackend, RealArtifactLogitsMatchCpu) {
  REQUIRE_GPU();
  const char* list = std::getenv("ADDERQ_TEST_ARTIFACTS");
  const char* data = std::getenv("ADDERQ_DATA");
  if (!list || !data) GTEST_SKIP() << "set ADDERQ_TEST_ARTIFACTS and ADDERQ_DATA to compare real artifacts";
  auto test = data::LoadCifar10Test(data);
  ASSERT_TRUE(test.ok()) << test.status().message();
  std::string rest = list;
  while (!rest.empty()) {
    const std::string path = rest.substr(0, rest.find(':'));
    rest = rest.find(':') == std::string::npos ? "" : rest.substr(rest.find(':') + 1);
    auto g = LoadArtifactFile(path);
    ASSERT_TRUE(g.ok()) << g.status().message();
    const int n = 2000;
    std::vector<float> input(size_t(n) * data::kCifarPixels);
    data::Normalize(test->image(0), size_t(n), g->meta.mean, g->meta.std, input.data());
    for (AdderKernel kernel : {AdderKernel::kPackedSimd, AdderKernel::kTensorCore})
      ExpectSameOnBothBackends(*g, input, n, 512, path + (kernel == AdderKernel::kTensorCore ? " tensor-core" : " simd"), kernel);
    ExpectSameOnBothBackends(*g, input, n, 512, path + " simd x2", AdderKernel::kPackedSimd, 2);
    ExpectSameOnBothBackends(*g, input, n, 512, path + " fused codes", AdderKernel::kPackedSimd, 0, true);
    ExpectSameOnBothBackends(*g, input, n, 512, path + " fused codes x2", AdderKernel::kPackedSimd, 2, true);
    ExpectSameOnBothBackends(*g, input, n, 0, path + " chunk chosen for the card");
  }
}

TEST(CudaBackend, LayerProfileCoversEveryNode) {
  REQUIRE_GPU();
  const Graph g = testing::SyntheticResNet(20, 4, 2);
  auto gpu = CudaExecutor::Create(g);
  ASSERT_TRUE(gpu.ok()) << gpu.status().message();
  auto times = (*gpu)->ProfileLayers(RandomImages(64 * 3 * 32 * 32, 1), 64);
  ASSERT_TRUE(times.ok()) << times.status().message();
  EXPECT_GE(times->size(), 20u);
  for (const LayerTime& t : *times) EXPECT_GE(t.ms, 0.0) << t.node;
}

}  // namespace
}  // namespace adderq::cuda
