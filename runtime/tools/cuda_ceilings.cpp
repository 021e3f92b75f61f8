// cuda-ceilings: the instruction ceilings the adder kernels are measured against, on the GPU at
// hand. Each microkernel keeps independent accumulator chains in registers (no memory traffic in
// the timed loop) and is timed with CUDA events over a grid that fills every SM:
//   vabsdiff4   packed |a-b| on 4 byte lanes with accumulate (the packed-SIMD adder kernel)
//   fadd        FP32 add, |.| as a free modifier (the 8-bit kernel: 2 per adder op)
//   bmma        mma.sync m16n8k256 b1 .and.popc (the tensor-core adder kernel)
//   imma        mma.sync m16n8k32 s8 (for comparison)
//   half2       sub + |.| + add on f16x2 (the issue's "half2 on small integers": exact while the
//               sums stay below 2048; not a kernel of ours, measured to show why, docs/benchmarks.md)
//   lds128_*    128-bit shared loads, broadcast (the filter words) or distinct per thread, alone
//               and feeding 4 or 8 vabsdiff4 each: whether the shared-memory pipe or the vabsdiff4
//               rate bounds the packed-SIMD kernel's loop (docs/benchmarks.md, instruction mix)
// Prints one JSON object: per microkernel, instructions/s and the adder ops/s it could feed.
// A benchmark program, not a test; tools/gpu-check.sh runs it. `--compile-only ARCH...` only
// compiles every microkernel with NVRTC (no GPU needed; a test runs it, so the device run cannot
// be the first to find a typo in the PTX).
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cuda/cuda_driver.h"
#include "cuda/device_memory.h"
#include "cuda/jit_compiler.h"
#include "cuda/kernel_sources.h"

namespace adderq::cuda {
namespace {

constexpr int kIters = 4096;
constexpr int kThreads = 256;

// Every microkernel has the entry adq_kernel(int iters, unsigned seed, int* sink).
constexpr const char* kSource = R"KERNEL(
typedef unsigned int u32;
extern "C" __global__ void __launch_bounds__(256) adq_kernel(int iters, u32 seed, int* sink) {
  const u32 x = seed ^ threadIdx.x, y = seed * 7u + threadIdx.x;
#if KIND == 0
  int acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < iters; ++i)
#pragma unroll
    for (int k = 0; k < 8; ++k) asm volatile("vabsdiff4.u32.u32.u32.add %0, %1, %2, %0;" : "+r"(acc[k]) : "r"(x + k), "r"(y));
  int s = 0;
  for (int k = 0; k < 8; ++k) s += acc[k];
#elif KIND == 1
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  const float a = __uint_as_float((x & 0x007fffffu) | 0x3f800000u);
  for (int i = 0; i < iters; ++i)
#pragma unroll
    for (int k = 0; k < 8; ++k) asm volatile("add.f32 %0, %0, %1;" : "+f"(acc[k]) : "f"(a));
  int s = 0;
  for (int k = 0; k < 8; ++k) s += int(acc[k]);
#elif KIND == 4
  // The subtrahend depends on the accumulator so the compiler cannot hoist |x - y| out of the loop.
  u32 acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < iters; ++i)
#pragma unroll
    for (int k = 0; k < 8; ++k)
      asm volatile("{ .reg .b32 t; sub.rn.f16x2 t, %0, %1; abs.f16x2 t, t; add.rn.f16x2 %0, %0, t; }" : "+r"(acc[k]) : "r"(y + k));
  int s = 0;
  for (int k = 0; k < 8; ++k) s += int(acc[k]);
#elif KIND >= 5 && KIND <= 8
  // 128-bit shared-memory loads as the packed-SIMD kernel issues them: every thread of the warp
  // reads the same 16 bytes (the filter words, a broadcast), except KIND 6 (16 distinct bytes per
  // thread, for comparison); KIND 7 and 8 feed 4 (one pixel per thread) or 8 (two) vabsdiff4 per
  // load: the kernel's inner loop without its global loads. volatile: the loads stay, in order.
  __shared__ __align__(16) u32 w_s[1024];
  for (int k = threadIdx.x; k < 1024; k += blockDim.x) w_s[k] = seed + k;
  __syncthreads();
  const u32* base = KIND == 6 ? w_s + 4 * (threadIdx.x & 31) : w_s;
  u32 acc[8] = {0, 0, 0, 0, 0, 0, 0, 0}, acc2[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < iters; ++i)
#pragma unroll
    for (int k = 0; k < 8; ++k) {
      u32 v0, v1, v2, v3;
      asm volatile("ld.volatile.shared.v4.u32 {%0,%1,%2,%3}, [%4];" : "=r"(v0), "=r"(v1), "=r"(v2), "=r"(v3)
                   : "l"(__cvta_generic_to_shared(base + 128 * k)));
#if KIND <= 6
      acc[k] ^= v0 ^ v1 ^ v2 ^ v3;
#else
      asm volatile("vabsdiff4.u32.u32.u32.add %0, %1, %2, %0;" : "+r"(acc[k]) : "r"(x + k), "r"(v0));
      asm volatile("vabsdiff4.u32.u32.u32.add %0, %1, %2, %0;" : "+r"(acc[k]) : "r"(x + k), "r"(v1));
      asm volatile("vabsdiff4.u32.u32.u32.add %0, %1, %2, %0;" : "+r"(acc[k]) : "r"(x + k), "r"(v2));
      asm volatile("vabsdiff4.u32.u32.u32.add %0, %1, %2, %0;" : "+r"(acc[k]) : "r"(x + k), "r"(v3));
#if KIND == 8
      asm volatile("vabsdiff4.u32.u32.u32.add %0, %1, %2, %0;" : "+r"(acc2[k]) : "r"(y + k), "r"(v0));
      asm volatile("vabsdiff4.u32.u32.u32.add %0, %1, %2, %0;" : "+r"(acc2[k]) : "r"(y + k), "r"(v1));
      asm volatile("vabsdiff4.u32.u32.u32.add %0, %1, %2, %0;" : "+r"(acc2[k]) : "r"(y + k), "r"(v2));
      asm volatile("vabsdiff4.u32.u32.u32.add %0, %1, %2, %0;" : "+r"(acc2[k]) : "r"(y + k), "r"(v3));
#endif
#endif
    }
  int s = 0;
  for (int k = 0; k < 8; ++k) s += int(acc[k] + acc2[k]);
#else
  int d[4][4] = {};
  for (int i = 0; i < iters; ++i)
#pragma unroll
    for (int k = 0; k < 4; ++k) {
#if KIND == 2
      asm volatile("mma.sync.aligned.m16n8k256.row.col.s32.b1.b1.s32.and.popc {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
                   : "+r"(d[k][0]), "+r"(d[k][1]), "+r"(d[k][2]), "+r"(d[k][3])
                   : "r"(x), "r"(y), "r"(x + k), "r"(y + k), "r"(x ^ y), "r"(x + y));
#else
      asm volatile("mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
                   : "+r"(d[k][0]), "+r"(d[k][1]), "+r"(d[k][2]), "+r"(d[k][3])
                   : "r"(x), "r"(y), "r"(x + k), "r"(y + k), "r"(x ^ y), "r"(x + y));
#endif
    }
  int s = 0;
  for (int k = 0; k < 4; ++k) s += d[k][0] + d[k][1] + d[k][2] + d[k][3];
#endif
  if (s == 0x7fffffff) sink[0] = s;  // practically never; keeps the chains alive
}
)KERNEL";

struct Micro {
  const char* name;
  int kind;
  double ops_per_thread_iter;  // instructions (sequences, for half2) per thread (or per warp / 32 for mma) per loop trip
  double adder_ops_per_instr;  // adder ops one of them (per thread) can do
  const char* note;
  int min_arch;
};

// One mma per warp computes 16x8x256 bit products = 2048 adder ops at 16 bits per 4-bit term
// (thermometer length 2^4): per thread, 64. An s8 mma: 16x8x32 = 4096 MACs, 128 per thread.
const std::vector<Micro>& Microkernels() {
  static const std::vector<Micro> micro = {
      {"vabsdiff4", 0, 8, 4, "4 byte lanes per instruction", 0},
      {"fadd", 1, 8, 0.5, "8-bit kernel: sub + add per op", 0},
      {"bmma_and_popc_m16n8k256", 2, 4, 64, "per thread share of 2048 4-bit adder ops (16-bit thermometers)", 80},
      {"imma_s8_m16n8k32", 3, 4, 128, "MACs per thread share (not adder ops)", 80},
      {"half2_sub_abs_add", 4, 8, 2, "2 half lanes per sub + abs + add sequence", 53},
      // Per load: the 4 words feed 4 vabsdiff4 (16 adder ops) per pixel of a thread.
      {"lds128_broadcast", 5, 8, 16, "loads; the adder ops one feeds at 1 pixel per thread", 0},
      {"lds128_distinct", 6, 8, 16, "loads, 16 distinct bytes per thread (comparison)", 0},
      {"lds128_bcast_vabsdiff4_px1", 7, 32, 4, "vabsdiff4, 4 per broadcast load (the kernel's loop)", 0},
      {"lds128_bcast_vabsdiff4_px2", 8, 64, 4, "vabsdiff4, 8 per broadcast load (2 pixels per thread)", 0},
  };
  return micro;
}

Result<std::vector<uint8_t>> CompileMicro(const Nvrtc& nvrtc, const Micro& k, int arch) {
  const std::string source = fmt::format("#define KIND {}\n", k.kind) + kSource;
  return nvrtc.CompileToCubin(source, std::string(k.name) + ".cu", arch, KernelCompileOptions());
}

// Compiles every microkernel for each architecture; prints one line per cubin.
Status CompileOnly(const std::vector<int>& archs) {
  ADQ_ASSIGN_OR_RETURN(const Nvrtc* nvrtc, Nvrtc::Load());
  for (int arch : archs)
    for (const Micro& k : Microkernels()) {
      if (arch < k.min_arch) continue;
      const Result<std::vector<uint8_t>> cubin = CompileMicro(*nvrtc, k, arch);
      if (!cubin.ok()) return cubin.status().WithContext(fmt::format("{} for sm_{}", k.name, arch));
      std::printf("%-26s sm_%d  %zu bytes of cubin\n", k.name, arch, cubin->size());
    }
  return Status::Ok();
}

Status Measure(const CudaDriver& d, int arch, int sms, const char* name);

Status Run() {
  ADQ_ASSIGN_OR_RETURN(const CudaDriver* dp, LoadCudaDriver());
  const CudaDriver& d = *dp;
  CUdevice dev = 0;
  ADQ_CU(d, DeviceGet(&dev, 0));
  char name[256] = {};
  ADQ_CU(d, DeviceGetName(name, int(sizeof(name) - 1), dev));
  int major = 0, minor = 0, sms = 0;
  ADQ_CU(d, DeviceGetAttribute(&major, kAttrComputeCapabilityMajor, dev));
  ADQ_CU(d, DeviceGetAttribute(&minor, kAttrComputeCapabilityMinor, dev));
  ADQ_CU(d, DeviceGetAttribute(&sms, kAttrMultiprocessorCount, dev));
  const int arch = major * 10 + minor;
  CUcontext ctx = nullptr;
  ADQ_CU(d, DevicePrimaryCtxRetain(&ctx, dev));
  ADQ_CU(d, CtxSetCurrent(ctx));
  const Status st = Measure(d, arch, sms, name);
  d.DevicePrimaryCtxRelease(dev);
  return st;
}

// Everything allocated here is freed before Run releases the context.
Status Measure(const CudaDriver& d, int arch, int sms, const char* name) {
  ADQ_ASSIGN_OR_RETURN(const Nvrtc* nvrtc, Nvrtc::Load());
  ADQ_ASSIGN_OR_RETURN(DeviceMemory sink, AllocateDevice(d, 64));

  const std::vector<Micro>& micro = Microkernels();
  std::string json = fmt::format("{{\"device\": \"{}\", \"arch\": {}, \"sms\": {}, \"results\": [", name, arch, sms);
  for (size_t m = 0; m < micro.size(); ++m) {
    const Micro& k = micro[m];
    if (arch < k.min_arch) continue;
    ADQ_ASSIGN_OR_RETURN(std::vector<uint8_t> cubin, CompileMicro(*nvrtc, k, arch));
    CUmodule mod = nullptr;
    ADQ_CU(d, ModuleLoadData(&mod, cubin.data()));
    Module module(&d, mod);
    CUfunction f = nullptr;
    ADQ_CU(d, ModuleGetFunction(&f, mod, kKernelEntry));
    CUevent e0 = nullptr, e1 = nullptr;
    ADQ_CU(d, EventCreate(&e0, 0));
    Event start(&d, e0);
    ADQ_CU(d, EventCreate(&e1, 0));
    Event end(&d, e1);
    int iters = kIters;
    unsigned seed = 12345;
    CUdeviceptr sp = sink.get();
    void* args[] = {&iters, &seed, &sp};
    const unsigned blocks = unsigned(sms) * 8;
    ADQ_CU(d, LaunchKernel(f, blocks, 1, 1, kThreads, 1, 1, 0, nullptr, args, nullptr));  // warm-up
    float best = 1e30f;
    for (int r = 0; r < 5; ++r) {
      ADQ_CU(d, EventRecord(e0, nullptr));
      ADQ_CU(d, LaunchKernel(f, blocks, 1, 1, kThreads, 1, 1, 0, nullptr, args, nullptr));
      ADQ_CU(d, EventRecord(e1, nullptr));
      ADQ_CU(d, EventSynchronize(e1));
      float ms = 0;
      ADQ_CU(d, EventElapsedTime(&ms, e0, e1));
      best = std::min(best, ms);
    }
    const double threads = double(blocks) * kThreads;
    const double instr_per_s = threads * k.ops_per_thread_iter * kIters / (best * 1e-3);  // per-thread instructions
    const double adder = instr_per_s * k.adder_ops_per_instr;
    std::fprintf(stderr, "%-26s %8.3f ms  %10.1f T thread-instr/s  %8.1f T ops/s  (%s)\n", k.name, best, instr_per_s / 1e12,
                 adder / 1e12, k.note);
    json += fmt::format("{}{{\"name\": \"{}\", \"ms\": {:.4f}, \"thread_instructions_per_second\": {:.4e}, "
                        "\"ops_per_second\": {:.4e}, \"note\": \"{}\"}}",
                        m ? ", " : "", k.name, best, instr_per_s, adder, k.note);
  }
  json += "]}";
  std::printf("%s\n", json.c_str());
  return Status::Ok();
}

}  // namespace
}  // namespace adderq::cuda

int main(int argc, char** argv) {
  // Exit codes: 0 done, 2 error, 77 no NVRTC in --compile-only mode (ctest's skip).
  if (argc > 1 && std::string(argv[1]) == "--compile-only") {
    std::vector<int> archs;
    for (int i = 2; i < argc; ++i) {
      const std::string a = argv[i];
      const bool number = !a.empty() && a.size() <= 3 && a.find_first_not_of("0123456789") == std::string::npos;
      if (!number || std::stoi(a) < 50) {
        std::fprintf(stderr, "cuda-ceilings: '%s' is not an architecture number such as 80 or 90\n", argv[i]);
        return 2;
      }
      archs.push_back(std::stoi(a));
    }
    if (archs.empty()) archs = {80, 90};
    if (!adderq::cuda::Nvrtc::Load().ok()) {
      std::fprintf(stderr, "cuda-ceilings: NVRTC not found; nothing compiled\n");
      return 77;
    }
    const adderq::Status st = adderq::cuda::CompileOnly(archs);
    if (!st.ok()) std::fprintf(stderr, "cuda-ceilings: error: %s\n", st.message().c_str());
    return st.ok() ? 0 : 2;
  }
  if (argc > 1) {
    std::fprintf(stderr, "usage: cuda-ceilings [--compile-only [ARCH...]]\n");
    return 2;
  }
  const adderq::Status st = adderq::cuda::Run();
  if (!st.ok()) {
    std::fprintf(stderr, "cuda-ceilings: error: %s\n", st.message().c_str());
    return 2;
  }
  return 0;
}
