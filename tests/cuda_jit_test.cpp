// NVRTC compilation of every kernel variant (no GPU needed) and the JIT compiler's use of the cache.
// Skips, saying why, where NVRTC is not installed.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "core/file_io.h"
#include "cuda/cuda_plan.h"
#include "cuda/jit_compiler.h"
#include "cuda/kernel_resources.h"
#include "cuda/kernel_sources.h"
#include "cuda/ptx_instruction_mix.h"
#include "onnx_models.h"
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

// The block sizes each kernel source is launched with, over the plans given (its steps and the
// pixel-input step).
using LaunchBlocks = std::map<std::string, std::set<int>>;
void RecordLaunchBlocks(const CudaPlan& plan, LaunchBlocks& blocks) {
  for (const PlanStep& s : plan.steps) blocks[plan.variants[size_t(s.variant)].source].insert(s.block);
  blocks[plan.variants[size_t(plan.pixel_input.variant)].source].insert(plan.pixel_input.block);
}

// The x of an entry's `.maxntid x, y, z` (what __launch_bounds__ becomes in PTX), 0 without one.
int PtxMaxThreads(const std::string& ptx) {
  const size_t at = ptx.find(".maxntid");
  if (at == std::string::npos) return 0;
  return std::atoi(ptx.c_str() + at + std::strlen(".maxntid"));
}

// Every variant the ResNet-20/32/56 artifacts need, at every supported bit width (and full
// precision), compiles to a cubin for the A100 (sm_80) and H100/H200 (sm_90) architectures, and
// ptxas keeps it in registers: no spills to local memory, which in an adder kernel's inner loop
// cost more than they save (a spill found here is fixed in the kernel source generators; see
// `adderq-run jit --resources`).
TEST(CudaJit, EveryResNetVariantCompilesForSm80AndSm90WithoutSpills) {
  REQUIRE_NVRTC();
  std::map<std::string, std::string> variants;  // source -> name, deduplicated across depths
  LaunchBlocks launch_blocks;
  for (int depth : {20, 32, 56})
    for (int bits : {0, 2, 3, 4, 5, 6, 7, 8}) {
      for (AdderKernel kernel : {AdderKernel::kPackedSimd, AdderKernel::kTensorCore}) {
        auto plan = BuildCudaPlan(testing::SyntheticResNet(depth, bits, 3), {90, kernel});
        ASSERT_TRUE(plan.ok()) << plan.status().message();
        RecordLaunchBlocks(*plan, launch_blocks);
        for (const KernelVariant& v : plan->variants) variants.emplace(v.source, v.name);
      }
    }
  // Register blocking in the packed-SIMD kernel (a tuning option for H100/H200: sm_90 only, two
  // pixels per thread; four take NVRTC 2-3x longer), over ResNet-20's shapes.
  std::map<std::string, std::string> blocked;
  for (int bits : {4, 8}) {
    auto plan = BuildCudaPlan(testing::SyntheticResNet(20, bits, 3), {90, AdderKernel::kPackedSimd, 0, 0, 2});
    ASSERT_TRUE(plan.ok()) << plan.status().message();
    RecordLaunchBlocks(*plan, launch_blocks);
    for (const KernelVariant& v : plan->variants)
      if (!variants.count(v.source)) blocked.emplace(v.source, v.name);
  }
  EXPECT_GE(blocked.size(), 2u * 12u);
  // Fused codes (a tuning option until measured): ResNet-20 with one quantizer group per layer, at
  // 2, 4 and 8 bits, for both architectures; at 4 bits also blocked.
  std::map<std::string, std::string> fused;
  for (int bits : {2, 4, 8})
    for (int pixels : {1, 2}) {
      if (pixels == 2 && bits != 4) continue;
      auto plan = BuildCudaPlan(testing::WithOneQuantizerGroup(testing::SyntheticResNet(20, bits, 3)),
                                {90, AdderKernel::kPackedSimd, 0, 0, pixels, true});
      ASSERT_TRUE(plan.ok()) << plan.status().message();
      EXPECT_EQ(plan->fused_codes, 20) << bits << " bits";
      RecordLaunchBlocks(*plan, launch_blocks);
      for (const KernelVariant& v : plan->variants)
        if (!variants.count(v.source) && !blocked.count(v.source)) fused.emplace(v.source, v.name);
    }
  EXPECT_GE(fused.size(), 4u * 10u);  // at least 10 new adder variants (and the stem) from each of the 4 plans
  // Unsigned weight codes (the one-sided clamp): the packed-SIMD quantizers and adders at every bit
  // width (their byte offset is 0) and, at 4 bits, fused into the producers' epilogues. The
  // tensor-core kernels are the same sources for both code kinds.
  std::map<std::string, std::string> unsigned_codes;
  std::set<int> unsigned_bits;
  for (int bits = 2; bits <= 8; ++bits)
    for (bool fuse : {false, true}) {
      if (fuse && bits != 4) continue;
      Graph g = testing::WithUnsignedCodes(testing::SyntheticResNet(20, bits, 3), 1u);
      if (fuse) g = testing::WithOneQuantizerGroup(std::move(g));
      auto plan = BuildCudaPlan(g, {90, AdderKernel::kPackedSimd, 0, 0, 0, fuse});
      ASSERT_TRUE(plan.ok()) << plan.status().message();
      RecordLaunchBlocks(*plan, launch_blocks);
      for (const KernelVariant& v : plan->variants)
        if (!variants.count(v.source) && !blocked.count(v.source) && !fused.count(v.source)) {
          unsigned_codes.emplace(v.source, v.name);
          if (v.name.rfind(fmt::format("adder_b{}_u_", bits), 0) == 0) unsigned_bits.insert(bits);
        }
    }
  // The shapes of the AdderNet papers' other networks (through the ONNX front end): ImageNet
  // ResNet-18 and ResNet-50 (7x7 stride-2 stem, max pooling, 1x1 bottleneck adders, 512..2048
  // channels at 7x7) and VGG-small (max pooling between 128..512-channel layers, a linear
  // classifier); full precision, 8 bits (signed codes) and 4 bits (unsigned, the default clamp's),
  // and the tensor-core kernels at 4 bits.
  std::map<std::string, std::string> general;
  auto seen = [&](const std::string& source) {
    return variants.count(source) || blocked.count(source) || fused.count(source) || unsigned_codes.count(source);
  };
  testing::ImageNetResNet r50;
  r50.bottleneck = true;
  r50.blocks = {3, 4, 6, 3};
  for (const testing::OnnxModelSpec& spec : {testing::ImageNetResNetSpec({}), testing::ImageNetResNetSpec(r50), testing::VggSmallSpec(1)})
    for (int bits : {0, 4, 8})
      for (AdderKernel kernel : {AdderKernel::kPackedSimd, AdderKernel::kTensorCore}) {
        if (kernel == AdderKernel::kTensorCore && bits != 4) continue;
        Graph g = testing::SyntheticOnnxGraph(spec, bits, 5);
        if (bits == 4) g = testing::WithUnsignedCodes(std::move(g), 2u);
        auto plan = BuildCudaPlan(g, {90, kernel});
        ASSERT_TRUE(plan.ok()) << spec.name << " " << bits << " bits: " << plan.status().message();
        RecordLaunchBlocks(*plan, launch_blocks);
        for (const KernelVariant& v : plan->variants)
          if (!seen(v.source)) general.emplace(v.source, v.name);
      }
  EXPECT_GE(general.size(), 60u);
  // New quantizers (2..7 bits: a new offset) and adders (8 bits too: no 8-bit constant), from
  // every bit width: 55 on 2026-12-06.
  EXPECT_EQ(unsigned_bits, (std::set<int>{2, 3, 4, 5, 6, 7, 8}));
  EXPECT_GE(unsigned_codes.size(), 50u);
  // Per bit width: 3 quantizers and 12 adder shapes/epilogues, again for the tensor-core kernels at
  // 2..4 bits; plus the float stem, classifier, pooling and copy, and the full-precision adder layers.
  EXPECT_GE(variants.size(), 7u * 15u + 3u * 15u);
  std::vector<std::string> options = KernelCompileOptions();
  options.push_back("--ptxas-options=-v");
  // ptxas does not always allocate the same: in about one of ten runs of this test (2026-12-01,
  // NVRTC 13.0) it gave one 3-bit 16-channel variant 48 registers and a 16-byte spill, and 56
  // registers without a spill otherwise (the same source, alone or under load); once (2026-12-07)
  // a variant spilled three times in a row during a parallel ctest run. So a variant that spills
  // is compiled up to five times more, and fails only if it spills every time.
  int checked_launches = 0, bounded = 0;
  std::vector<std::string> small_spills;  // the ImageNet/VGG shapes' (see below)
  auto check = [&](const std::string& source, const std::string& name, int arch, int allowed_spill_bytes = 0) {
    Result<KernelResources> r = InvalidArgument("not compiled");
    std::string ptx;
    for (int attempt = 0; attempt < 6; ++attempt) {
      std::string log;
      auto cubin = nvrtc->CompileToCubin(source, name + ".cu", arch, options, &log, &ptx);
      ASSERT_TRUE(cubin.ok()) << name << " sm_" << arch << ": " << cubin.status().message();
      EXPECT_TRUE(IsElf(*cubin)) << name;
      r = ParsePtxasInfo(log);
      ASSERT_TRUE(r.ok()) << name << ": " << r.status().message() << "\n" << log;
      if (r->spill_store_bytes == 0 && r->spill_load_bytes == 0) break;
      std::fprintf(stderr, "note: %s sm_%d spilled (%d registers) on attempt %d\n", name.c_str(), arch, r->registers, attempt + 1);
    }
    EXPECT_LE(r->spill_store_bytes, allowed_spill_bytes) << name << " sm_" << arch << " spills (" << r->registers << " registers)";
    EXPECT_LE(r->spill_load_bytes, allowed_spill_bytes) << name << " sm_" << arch;
    if (r->spill_store_bytes > 0) small_spills.push_back(fmt::format("{} sm_{} ({} bytes)", name, arch, r->spill_store_bytes));
    EXPECT_LE(r->shared_bytes, 48 * 1024) << name << ": static shared memory is limited to 48 KiB per block";
    EXPECT_GT(r->registers, 0) << name;
    // The plan's launches fit what the kernel was compiled for: a block larger than its
    // __launch_bounds__, or one whose registers exceed the SM's 64 K (allocated per warp in
    // units of 256), fails cuLaunchKernel on the device, which the host emulation does not model.
    const int max_threads = PtxMaxThreads(ptx);
    const int warp_registers = (r->registers * 32 + 255) / 256 * 256;
    ASSERT_TRUE(launch_blocks.count(source)) << name << " is never launched";
    for (int block : launch_blocks.at(source)) {
      EXPECT_TRUE(block > 0 && block <= 1024) << name << ": block of " << block << " threads";
      if (max_threads > 0) {
        EXPECT_LE(block, max_threads) << name << " sm_" << arch << ": __launch_bounds__";
      }
      EXPECT_LE((block + 31) / 32 * warp_registers, 65536) << name << " sm_" << arch << ": " << r->registers
                                                           << " registers x " << block << " threads";
    }
    checked_launches += int(launch_blocks.at(source).size());
    if (max_threads > 0) bounded++;
  };
  for (int arch : {80, 90})
    for (const auto& [source, name] : variants) check(source, name, arch);
  for (const auto& [source, name] : blocked) check(source, name, 90);
  for (int arch : {80, 90})
    for (const auto& [source, name] : fused)
      if (arch == 90 || name.find("_px") == std::string::npos) check(source, name, arch);
  for (int arch : {80, 90})
    for (const auto& [source, name] : unsigned_codes) check(source, name, arch);
  // ptxas spills a few bytes in some of these ~200 (2026-12-06, NVRTC 13.0, two runs: 3 and 8
  // variants, 4-24 bytes: the 128-channel 3x3 layers at 32x32 and 16x16 on sm_80, 512-channel 3x3
  // layers and one float one on sm_90). Rolling the chunk loop fixed the 128-channel layers at
  // 28x28 and 56x56; 8-word chunks spilled more. Their cost needs a GPU to measure (docs/cuda.md),
  // so here they are bounded, not forbidden.
  for (int arch : {80, 90})
    for (const auto& [source, name] : general) check(source, name, arch, 32);
  std::printf("ImageNet ResNet-18/50 and VGG-small: %zu more variants checked; spills of at most 32 bytes in %zu:\n",
              general.size(), small_spills.size());
  for (const std::string& s : small_spills) std::printf("  %s\n", s.c_str());
  EXPECT_LE(small_spills.size(), 16u);
  EXPECT_GE(checked_launches, int(2 * variants.size()));
  EXPECT_GT(bounded, int(variants.size()));  // the adder, stem, pooling and pixel kernels declare bounds
}

// Jetson: every variant of ResNet-20/32/56 at full precision and 2..8 bits (both weight-code kinds;
// the tensor-core kernel where the plan picks it) compiles for Xavier (sm_72) and Orin (sm_87)
// without spills, planned for that architecture. NVRTC 13 dropped Volta, so sm_72 needs NVRTC 11 or
// 12 (JetPack 5 has CUDA 11.4): an architecture this NVRTC cannot target is skipped with a note,
// unless $ADDERQ_JIT_REQUIRE_ARCHS lists it (ctest's cuda_jit_jetson_nvrtc11 runs this with
// Debian's NVRTC 11.8 and requires both).
TEST(CudaJit, JetsonVariantsCompileForSm72AndSm87WithoutSpills) {
  REQUIRE_NVRTC();
  std::set<int> required;
  if (const char* env = std::getenv("ADDERQ_JIT_REQUIRE_ARCHS"))
    for (const char* p = env; *p;) {
      char* end = nullptr;
      const long arch = std::strtol(p, &end, 10);
      if (end == p) break;
      required.insert(int(arch));
      p = *end == ',' ? end + 1 : end;
    }
  std::vector<std::string> options = KernelCompileOptions();
  options.push_back("--ptxas-options=-v");
  int compiled = 0;
  for (int arch : {72, 87}) {
    const auto& archs = nvrtc->supported_archs();
    if (std::find(archs.begin(), archs.end(), arch) == archs.end()) {
      EXPECT_FALSE(required.count(arch)) << "NVRTC " << nvrtc->version() << " cannot compile for sm_" << arch;
      std::printf("note: NVRTC %s cannot compile for sm_%d; skipped (JetPack's NVRTC can)\n", nvrtc->version().c_str(), arch);
      continue;
    }
    std::map<std::string, std::string> variants;
    for (int depth : {20, 32, 56})
      for (int bits : {0, 2, 3, 4, 5, 6, 7, 8})
        for (bool unsigned_codes : {false, true}) {
          if (unsigned_codes && bits == 0) continue;
          Graph g = testing::SyntheticResNet(depth, bits, 3);
          if (unsigned_codes) g = testing::WithUnsignedCodes(std::move(g), 1u);
          auto plan = BuildCudaPlan(g, {arch, AdderKernel::kAuto});
          ASSERT_TRUE(plan.ok()) << plan.status().message();
          for (const KernelVariant& v : plan->variants) variants.emplace(v.source, v.name);
        }
    int clean = 0;
    for (const auto& [source, name] : variants) {
      // ptxas does not always allocate the same (see EveryResNetVariant...: in CI a 2-bit 16-channel
      // variant once spilled 16 bytes on sm_87 at 48 registers): a variant fails only if it spills
      // on each of six compiles.
      Result<KernelResources> r = InvalidArgument("not compiled");
      for (int attempt = 0; attempt < 6; ++attempt) {
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
      if (r->spill_store_bytes == 0 && r->spill_load_bytes == 0) ++clean;
      ++compiled;
    }
    std::printf("sm_%d: %d of %zu variants compiled without spills (NVRTC %s)\n", arch, clean, variants.size(),
                nvrtc->version().c_str());
    EXPECT_GE(variants.size(), 60u);
  }
  for (int arch : required) EXPECT_TRUE(arch == 72 || arch == 87) << "sm_" << arch << " is not a Jetson architecture here";
  if (compiled == 0) GTEST_SKIP() << "this NVRTC targets neither sm_72 nor sm_87";
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

// PTX in NVRTC 13.0's layout: a loop over taps inside a loop over pixels, guards, inline-asm
// comments, a statement spanning two lines and two statements on one line.
TEST(CudaJit, PtxInstructionMixIsCounted) {
  const std::string ptx =
      "//\n// Generated by NVIDIA NVVM Compiler\n.version 9.0\n.target sm_90\n.address_size 64\n\n"
      "\t// .globl\tadq_kernel\n"
      ".visible .entry adq_kernel(\n\t.param .u64 adq_kernel_param_0\n)\n.maxntid 128, 1, 1\n{\n"
      "\t.reg .pred \t%p<4>;\n\t.reg .b32 \t%r<40>;\n\t.shared .align 16 .b8 w[4096];\n"
      "\tld.param.u64 \t%rd1, [adq_kernel_param_0];\n"
      "$L__BB0_1:\n"
      "\tmov.u32 \t%r1, 0;\n"
      "$L__BB0_2:\n"
      "\t.pragma \"nounroll\";\n"
      "\t@%p1 bra \t$L__BB0_3;\n"
      "\tld.global.nc.v4.u32 \t{%r2, %r3, %r4, %r5}, [%rd2];\n"
      "$L__BB0_3:\n"
      "\tld.shared.v4.u32 \t{%r6, %r7, %r8, %r9}, [%rd3];\n"
      "\t// begin inline asm\n"
      "\tvabsdiff4.u32.u32.u32.add %r1, %r2, %r6, %r1;\n"
      "\t// end inline asm\n"
      "\tvabsdiff4.u32.u32.u32.add %r1, %r3, %r7, %r1; vabsdiff4.u32.u32.u32.add %r1, %r4, %r8, %r1;\n"
      "\tvabsdiff4.u32.u32.u32.add %r1, %r5,\n\t\t%r9, %r1;\n"
      "\tadd.s32 \t%r10, %r10, 1;\n"
      "\tsetp.ne.s32 \t%p2, %r10, 9;\n"
      "\t@%p2 bra \t$L__BB0_2;\n"
      "\tst.global.f32 \t[%rd4], %f1;\n"
      "\tld.local.u32 \t%r11, [%rd5];\n"
      "\tld.shared.v2.u32 \t{%r12, %r13}, [%rd6];\n"
      "\tsetp.ne.s32 \t%p3, %r12, 0;\n"
      "\t@%p3 bra \t$L__BB0_1;\n"
      "\tbra.uni \t$L__BB0_4;\n"
      "$L__BB0_4:\n"
      "\tret;\n\n}\n";
  auto mix = CountPtxInstructions(ptx);
  ASSERT_TRUE(mix.ok()) << mix.status().message();
  // The tap loop ($L__BB0_2 .. its branch), not the outer loop: as many adder instructions, fewer others.
  EXPECT_TRUE(mix->hot_is_loop);
  const PtxRegionMix& hot = mix->hot;
  EXPECT_EQ(hot.instructions, 10);
  EXPECT_EQ(hot.adder, 4);
  EXPECT_EQ(hot.shared_loads, 1);
  EXPECT_EQ(hot.shared_load_bytes, 16);
  EXPECT_EQ(hot.global_loads, 1);
  EXPECT_EQ(hot.global_load_bytes, 16);
  EXPECT_EQ(hot.control, 3);  // two guarded branches and the setp
  EXPECT_EQ(hot.other, 1);
  ASSERT_FALSE(hot.opcodes.empty());
  EXPECT_EQ(hot.opcodes[0].opcode, "vabsdiff4.u32.u32.u32.add");
  EXPECT_EQ(hot.opcodes[0].count, 4);
  const PtxRegionMix& all = mix->kernel;
  EXPECT_EQ(all.instructions, 19);  // directives, labels and comments are not instructions
  EXPECT_EQ(all.stores, 1);
  EXPECT_EQ(all.local_accesses, 1);
  EXPECT_EQ(all.shared_loads, 2);
  EXPECT_EQ(all.shared_load_bytes, 24);
  EXPECT_EQ(all.other, 3);  // ld.param, mov, add

  // Without a loop around the adder instructions the hot region is the whole kernel.
  auto straight = CountPtxInstructions(
      ".visible .entry adq_kernel()\n{\n\tmma.sync.aligned.m16n8k256.row.col.s32.b1.b1.s32.and.popc {%r1, %r2, %r3, %r4},"
      " {%r5, %r6, %r7, %r8}, {%r9, %r10}, {%r1, %r2, %r3, %r4};\n\tret;\n}\n");
  ASSERT_TRUE(straight.ok()) << straight.status().message();
  EXPECT_FALSE(straight->hot_is_loop);
  EXPECT_EQ(straight->hot.adder, 1);
  EXPECT_EQ(straight->hot.instructions, 2);

  EXPECT_FALSE(CountPtxInstructions("").ok());
  EXPECT_FALSE(CountPtxInstructions(".version 9.0\n.target sm_90\n").ok());  // no kernel
  EXPECT_FALSE(CountPtxInstructions(ptx + ptx).ok());                          // two kernels
}

// What the kernel generator promises about its inner loops, checked in the PTX NVRTC makes of
// ResNet-20's 3x3 adder layers for sm_90 (counts per loop iteration and thread): the packed-SIMD
// loop is mostly vabsdiff4 (60-80 % at 1-4 pixels per thread in NVRTC 13.0; the rest is the
// filter words' shared-memory loads, the activation codes' global loads and the loop's own
// bookkeeping), every 4-byte filter word loaded from shared memory feeds one vabsdiff4 per pixel
// (register blocking: N pixels share a load), and the 8-bit kernel runs the 4-bit kernel's loop (byte lanes).
// The tensor-core kernel's loops hold mma and no vabsdiff4. A change that puts address arithmetic
// or reloads into these loops fails here, without a GPU.
TEST(CudaJit, AdderHotLoopsHoldTheExpectedInstructions) {
  REQUIRE_NVRTC();
  // NVRTC 13.0's PTX is not always the same for the same source: in about one compile of ten it
  // adds one to three 8-byte shared loads to the 64-channel loop (2026-12-02), hence the 0.9.
  std::map<std::string, int> adder_at_4_bits;  // layer shape -> vabsdiff4 per iteration
  for (int bits : {4, 8})
    for (int pixels : {1, 2}) {
      auto plan = BuildCudaPlan(testing::SyntheticResNet(20, bits, 3), {90, AdderKernel::kPackedSimd, 0, 0, pixels});
      ASSERT_TRUE(plan.ok()) << plan.status().message();
      int checked = 0;
      for (const KernelVariant& v : plan->variants) {
        if (v.name.rfind("adder_b", 0) != 0 || v.name.find("_k3x3_") == std::string::npos) continue;
        auto mix = MeasureKernelInstructionMix(*nvrtc, v.source, v.name + ".cu", 90);
        ASSERT_TRUE(mix.ok()) << mix.status().message();
        const PtxRegionMix& hot = mix->hot;
        ++checked;
        EXPECT_TRUE(mix->hot_is_loop) << v.name;
        EXPECT_EQ(hot.local_accesses, 0) << v.name;
        EXPECT_GT(hot.shared_loads, 0) << v.name;
        EXPECT_GE(hot.adder, 0.55 * hot.instructions) << v.name << ": " << hot.adder << " of " << hot.instructions;
        EXPECT_GE(hot.shared_load_bytes, 0.9 * 16 * hot.shared_loads) << v.name << ": not 128-bit loads";
        EXPECT_GE(hot.adder, 0.9 * pixels * hot.shared_load_bytes / 4) << v.name << ": " << hot.shared_load_bytes << " bytes from shared memory";
        const std::string shape = v.name.substr(v.name.find("_c")) + std::to_string(pixels);
        if (bits == 4) adder_at_4_bits[shape] = hot.adder;
        else EXPECT_EQ(hot.adder, adder_at_4_bits[shape]) << v.name << ": the 8-bit loop differs from the 4-bit one";
      }
      EXPECT_GE(checked, 9) << bits << " bits, " << pixels << " pixels";  // 3 stages x 3 epilogues at least
    }
  auto plan = BuildCudaPlan(testing::SyntheticResNet(20, 4, 3), {90, AdderKernel::kTensorCore});
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  int tensor_core = 0;
  for (const KernelVariant& v : plan->variants) {
    if (v.name.rfind("adder_tc_", 0) != 0) continue;
    auto mix = MeasureKernelInstructionMix(*nvrtc, v.source, v.name + ".cu", 90);
    ASSERT_TRUE(mix.ok()) << mix.status().message();
    ++tensor_core;
    EXPECT_GT(mix->hot.adder, 0) << v.name;
    for (const OpcodeCount& o : mix->kernel.opcodes) {
      EXPECT_EQ(o.opcode.rfind("vabsdiff4", 0), std::string::npos) << v.name;
      if (o.opcode.rfind("mma", 0) == 0) {
        EXPECT_NE(o.opcode.find(".b1.b1.s32.and.popc"), std::string::npos) << o.opcode;
      }
    }
  }
  EXPECT_GE(tensor_core, 9);
}

// The float convolution (the stem; a full-precision artifact's adder layers): per tap, one global
// load of the input value serves all kOB output channels of the thread, and their weights arrive
// as kOB / 4 128-bit shared loads (the first version loaded one input value and one weight per
// multiply-add, twice the loads of its arithmetic). Counted over the kernel, whose channel loop
// NVRTC keeps rolled: one iteration's 3x3 taps plus the prologue's weight copy and the
// epilogue's scale, shift and residual loads.
TEST(CudaJit, FloatConvolutionLoadsServeManyChannels) {
  REQUIRE_NVRTC();
  auto plan = BuildCudaPlan(testing::SyntheticResNet(20, 0, 3), {90});
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  int checked = 0;
  for (const KernelVariant& v : plan->variants) {
    const bool conv = v.name.rfind("conv_f32_", 0) == 0 || v.name.rfind("adder_f32_", 0) == 0;
    if (!conv || v.name.find("_k3x3_") == std::string::npos) continue;
    const int channels = std::stoi(v.name.substr(v.name.rfind("_ob") + 3));
    auto mix = MeasureKernelInstructionMix(*nvrtc, v.source, v.name + ".cu", 90);
    ASSERT_TRUE(mix.ok()) << mix.status().message();
    const PtxRegionMix& k = mix->kernel;
    ++checked;
    EXPECT_EQ(channels, 16) << v.name;
    EXPECT_EQ(k.local_accesses, 0) << v.name;
    EXPECT_EQ(k.shared_loads, 9 * channels / 4) << v.name;
    EXPECT_EQ(k.shared_load_bytes, 16 * k.shared_loads) << v.name << ": not 128-bit loads";
    EXPECT_LE(k.global_loads, 9 + 1 + 3 * channels) << v.name;
    int adds = 0;
    for (const OpcodeCount& o : k.opcodes) adds += o.opcode.rfind("add.rn.f32", 0) == 0 ? o.count : 0;
    EXPECT_GE(adds, 9 * channels) << v.name;
  }
  EXPECT_GE(checked, 6);  // the stem, 3 stages, the stride-2 layers
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
