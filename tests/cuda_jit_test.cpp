// NVRTC compilation of every kernel variant (no GPU needed) and the JIT compiler's use of the cache.
// Skips, saying why, where NVRTC is not installed.
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "core/file_io.h"
#include "cuda/cuda_plan.h"
#include "cuda/jit_compiler.h"
#include "cuda/kernel_resources.h"
#include "cuda/kernel_sources.h"
#include "test_support.h"

namespace adderq::cuda {
namespace {

namespace fs = std::filesystem;

const Nvrtc* NvrtcOrNull() {
  auto n = Nvrtc::Load();
  return n.ok() ? *n : nullptr;
}

#define REQUIRE_NVRTC()                                                           \
  const Nvrtc* nvrtc = NvrtcOrNull();                                             \
  if (!nvrtc) GTEST_SKIP() << "NVRTC not available: " << Nvrtc::Load().status().message()

bool IsElf(const std::vector<uint8_t>& b) { return b.size() > 4 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F'; }

// Every variant the ResNet-20/32/56 artifacts need, at every supported bit width (and full
// precision), compiles to a cubin for the A100 (sm_80) and H100/H200 (sm_90) architectures, and
// ptxas keeps it in registers: no spills to local memory, which in an adder kernel's inner loop
// cost more than they save (a spill found here is fixed in kernel_sources.cpp; see
// `adderq-run jit --resources`).
TEST(CudaJit, EveryResNetVariantCompilesForSm80AndSm90WithoutSpills) {
  REQUIRE_NVRTC();
  std::map<std::string, std::string> variants;  // source -> name, deduplicated across depths
  for (int depth : {20, 32, 56})
    for (int bits : {0, 2, 3, 4, 5, 6, 7, 8}) {
      for (AdderKernel kernel : {AdderKernel::kPackedSimd, AdderKernel::kTensorCore}) {
        auto plan = BuildCudaPlan(testing::SyntheticResNet(depth, bits, 3), {90, kernel});
        ASSERT_TRUE(plan.ok()) << plan.status().message();
        for (const KernelVariant& v : plan->variants) variants.emplace(v.source, v.name);
      }
    }
  // Register blocking in the packed-SIMD kernel (a tuning option for H100/H200: sm_90 only, two
  // pixels per thread; four take NVRTC 2-3x longer), over ResNet-20's shapes.
  std::map<std::string, std::string> blocked;
  for (int bits : {4, 8}) {
    auto plan = BuildCudaPlan(testing::SyntheticResNet(20, bits, 3), {90, AdderKernel::kPackedSimd, 0, 0, 2});
    ASSERT_TRUE(plan.ok()) << plan.status().message();
    for (const KernelVariant& v : plan->variants)
      if (!variants.count(v.source)) blocked.emplace(v.source, v.name);
  }
  EXPECT_GE(blocked.size(), 2u * 12u);
  // Fused codes (a tuning option until measured): ResNet-20 with one quantizer group per layer, at
  // 2 bits (byte lanes), 4 and 8 (float lanes), for both architectures; at 4 bits also blocked.
  std::map<std::string, std::string> fused;
  for (int bits : {2, 4, 8})
    for (int pixels : {1, 2}) {
      if (pixels == 2 && bits != 4) continue;
      auto plan = BuildCudaPlan(testing::WithOneQuantizerGroup(testing::SyntheticResNet(20, bits, 3)),
                                {90, AdderKernel::kPackedSimd, 0, 0, pixels, true});
      ASSERT_TRUE(plan.ok()) << plan.status().message();
      EXPECT_EQ(plan->fused_codes, 17) << bits << " bits";
      for (const KernelVariant& v : plan->variants)
        if (!variants.count(v.source) && !blocked.count(v.source)) fused.emplace(v.source, v.name);
    }
  EXPECT_GE(fused.size(), 4u * 10u);  // at least 10 new adder variants from each of the 4 plans
  // Per bit width: 3 quantizers and 12 adder shapes/epilogues, again for the tensor-core kernels at
  // 2..4 bits; plus the float stem, classifier, pooling and copy, and the full-precision adder layers.
  EXPECT_GE(variants.size(), 7u * 15u + 3u * 15u);
  std::vector<std::string> options = KernelCompileOptions();
  options.push_back("--ptxas-options=-v");
  // ptxas does not always allocate the same: in about one of ten runs of this test (2026-12-01,
  // NVRTC 13.0) it gave one 3-bit 16-channel variant 48 registers and a 16-byte spill, and 56
  // registers without a spill otherwise (the same source, alone or under load). So a variant
  // that spills is compiled twice more, and fails only if it spills every time.
  auto check = [&](const std::string& source, const std::string& name, int arch) {
    Result<KernelResources> r = InvalidArgument("not compiled");
    for (int attempt = 0; attempt < 3; ++attempt) {
      std::string log;
      auto cubin = nvrtc->CompileToCubin(source, name + ".cu", arch, options, &log);
      ASSERT_TRUE(cubin.ok()) << name << " sm_" << arch << ": " << cubin.status().message();
      EXPECT_TRUE(IsElf(*cubin)) << name;
      r = ParsePtxasInfo(log);
      ASSERT_TRUE(r.ok()) << name << ": " << r.status().message() << "\n" << log;
      if (r->spill_store_bytes == 0 && r->spill_load_bytes == 0) break;
      std::fprintf(stderr, "note: %s sm_%d spilled (%d registers) on attempt %d\n", name.c_str(), arch, r->registers, attempt + 1);
    }
    EXPECT_EQ(r->spill_store_bytes, 0) << name << " sm_" << arch << " spills (" << r->registers << " registers)";
    EXPECT_EQ(r->spill_load_bytes, 0) << name << " sm_" << arch;
    EXPECT_LE(r->shared_bytes, 48 * 1024) << name << ": static shared memory is limited to 48 KiB per block";
    EXPECT_GT(r->registers, 0) << name;
  };
  for (int arch : {80, 90})
    for (const auto& [source, name] : variants) check(source, name, arch);
  for (const auto& [source, name] : blocked) check(source, name, 90);
  for (int arch : {80, 90})
    for (const auto& [source, name] : fused)
      if (arch == 90 || name.find("_px") == std::string::npos) check(source, name, arch);
}

// The resource lines of a `--ptxas-options=-v` log (ptxas 13.0's format), and the logs that must
// not be mistaken for one kernel's.
TEST(CudaJit, PtxasInfoIsParsed) {
  const std::string log =
      "ptxas info    : 126 bytes gmem\n"
      "ptxas info    : Compiling entry function 'adq_kernel' for 'sm_90'\n"
      "ptxas info    : Function properties for adq_kernel\n"
      "ptxas         .     8 bytes stack frame, 4 bytes spill stores, 12 bytes spill loads\n"
      "ptxas info    : Used 56 registers, used 1 barriers, 8 bytes cumulative stack size, 4608 bytes smem\n"
      "ptxas info    : Compile time = 74.996 ms\n";
  auto r = ParsePtxasInfo(log);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->registers, 56);
  EXPECT_EQ(r->barriers, 1);
  EXPECT_EQ(r->stack_frame_bytes, 8);
  EXPECT_EQ(r->spill_store_bytes, 4);
  EXPECT_EQ(r->spill_load_bytes, 12);
  EXPECT_EQ(r->shared_bytes, 4608);

  // Without shared memory or barriers ptxas leaves them out (or prints 0).
  auto plain = ParsePtxasInfo(
      "ptxas info    : Compiling entry function 'adq_kernel' for 'sm_80'\n"
      "ptxas         .     0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads\n"
      "ptxas info    : Used 8 registers, used 0 barriers\n");
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_EQ(plain->registers, 8);
  EXPECT_EQ(plain->shared_bytes, 0);
  EXPECT_EQ(plain->spill_store_bytes, 0);

  EXPECT_FALSE(ParsePtxasInfo("").ok());                               // compiled without -v
  EXPECT_FALSE(ParsePtxasInfo(log.substr(0, log.find("ptxas         .")) ).ok());  // cut short
  EXPECT_FALSE(ParsePtxasInfo(log + log).ok());                        // two kernels
}

// The same figures through the compiler, for a kernel whose resources are known: the copy kernel
// needs no shared memory and no barrier, and nothing spills.
TEST(CudaJit, KernelResourcesAreMeasuredWithNvrtc) {
  REQUIRE_NVRTC();
  auto r = MeasureKernelResources(*nvrtc, ElementwiseSource(false, false), "copy.cu", 90);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_GT(r->registers, 0);
  EXPECT_LT(r->registers, 64);
  EXPECT_EQ(r->shared_bytes, 0);
  EXPECT_EQ(r->barriers, 0);
  EXPECT_EQ(r->spill_store_bytes, 0);
  auto broken = MeasureKernelResources(*nvrtc, "extern \"C\" __global__ void adq_kernel() { nope(); }", "broken.cu", 90);
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("nope"), std::string::npos) << broken.status().message();
}

TEST(CudaJit, CompileErrorsAreReportedWithTheLog) {
  REQUIRE_NVRTC();
  auto r = nvrtc->CompileToCubin("extern \"C\" __global__ void adq_kernel() { undefined_thing(); }", "broken.cu", 90,
                                 KernelCompileOptions());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("broken.cu"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("undefined_thing"), std::string::npos) << r.status().message();
  auto bad_arch = nvrtc->CompileToCubin(ElementwiseSource(false, false), "copy.cu", 1, KernelCompileOptions());
  EXPECT_FALSE(bad_arch.ok());
}

TEST(CudaJit, CacheMissHitAndCorruptEntry) {
  REQUIRE_NVRTC();
  const fs::path dir = fs::temp_directory_path() / ("adderq_jit_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const std::string source = ElementwiseSource(true, true);
  std::vector<uint8_t> first;
  {
    JitCompiler jit(*nvrtc, KernelCache(dir.string()), 90);
    auto c = jit.Cubin(source, "add_relu.cu");
    ASSERT_TRUE(c.ok()) << c.status().message();
    first = *c;
    EXPECT_EQ(jit.stats().misses, 1);
    EXPECT_EQ(jit.stats().hits, 0);
    EXPECT_GT(jit.stats().compile_seconds, 0.0);
  }
  {
    JitCompiler jit(*nvrtc, KernelCache(dir.string()), 90);  // a new process would see the same
    auto c = jit.Cubin(source, "add_relu.cu");
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(*c, first);
    EXPECT_EQ(jit.stats().hits, 1);
    EXPECT_EQ(jit.stats().misses, 0);
    // Another architecture is another entry.
    ASSERT_TRUE(jit.Cubin(source, "add_relu.cu").ok());
  }
  {
    JitCompiler jit80(*nvrtc, KernelCache(dir.string()), 80);
    ASSERT_TRUE(jit80.Cubin(source, "add_relu.cu").ok());
    EXPECT_EQ(jit80.stats().misses, 1);
  }
  // Damage the sm_90 entry: it is recompiled, replaced, and then hits again.
  const std::string path = KernelCache(dir.string()).PathFor(KernelCacheKey(source, KernelCompileOptions(), 90, nvrtc->version()));
  auto bytes = ReadFileBytes(path);
  ASSERT_TRUE(bytes.ok()) << path;
  (*bytes)[bytes->size() / 2] ^= 0xff;
  ASSERT_TRUE(WriteFileAtomic(path, *bytes).ok());
  {
    JitCompiler jit(*nvrtc, KernelCache(dir.string()), 90);
    auto c = jit.Cubin(source, "add_relu.cu");
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(*c, first);
    EXPECT_EQ(jit.stats().corrupt, 1);
    EXPECT_EQ(jit.stats().misses, 1);
    ASSERT_TRUE(jit.Cubin(source, "add_relu.cu").ok());
    EXPECT_EQ(jit.stats().hits, 1);
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace adderq::cuda
