#include "host_kernel.h"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <barrier>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <numeric>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "core/file_io.h"
#include "core/sha256.h"
#ifndef ADQ_HOST_CXX
#define ADQ_HOST_CXX "c++"
#endif

namespace adderq::testing {
namespace {

namespace fs = std::filesystem;

// The C++ side of the CUDA built-ins: what each emulated thread sees, set by Launch.
struct Dim3 {
  unsigned x = 0, y = 0, z = 0;
};

struct WarpShared {
  explicit WarpShared(int lanes) : sync(lanes) {}
  std::barrier<> sync;
  unsigned a[32][4] = {}, b[32][2] = {};
  int shuffle[32] = {};
};

struct ThreadState {
  Dim3 thread, block;
  std::barrier<>* block_sync = nullptr;
  WarpShared* warp = nullptr;
  int lane = 0;
};
thread_local ThreadState self;
Dim3 block_dim;  // one launch at a time

struct Hooks {  // the prelude's adq_emu_hooks, member for member
  const Dim3* (*thread_idx)();
  const Dim3* (*block_idx)();
  const Dim3* (*block_dim)();
  void (*syncthreads)();
  int (*shfl_xor)(int, int);
  void (*bmma)(int*, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned);
};

void Syncthreads() { self.block_sync->arrive_and_wait(); }

int ShuffleXor(int v, int lane_mask) {
  WarpShared& w = *self.warp;
  w.shuffle[self.lane] = v;
  w.sync.arrive_and_wait();
  const int got = w.shuffle[self.lane ^ lane_mask];
  w.sync.arrive_and_wait();  // nobody overwrites a value before every lane has read
  return got;
}

// mma.sync.aligned.m16n8k256.row.col.s32.b1.b1.s32.and.popc, fragments as in the PTX ISA:
// lane = 4 g + t; a0/a1 rows g/g+8 bits 32t..32t+31, a2/a3 the same rows bits 128+32t..;
// b0/b1 column g, bits 32t.. and 128+32t..; d0,d1 row g columns 2t, 2t+1; d2,d3 row g+8.
void BmmaAndPopc(int* d, unsigned a0, unsigned a1, unsigned a2, unsigned a3, unsigned b0, unsigned b1) {
  WarpShared& w = *self.warp;
  const int lane = self.lane;
  w.a[lane][0] = a0, w.a[lane][1] = a1, w.a[lane][2] = a2, w.a[lane][3] = a3;
  w.b[lane][0] = b0, w.b[lane][1] = b1;
  w.sync.arrive_and_wait();
  const int g = lane / 4, t = lane % 4;
  for (int e = 0; e < 4; ++e) {
    const int row = g + (e >= 2 ? 8 : 0), col = 2 * t + (e & 1);
    const int high = row >= 8 ? 1 : 0;
    int sum = 0;
    for (int k = 0; k < 4; ++k) {
      const unsigned* a = w.a[(row % 8) * 4 + k];
      const unsigned* b = w.b[col * 4 + k];
      sum += __builtin_popcount(a[high] & b[0]) + __builtin_popcount(a[2 + high] & b[1]);
    }
    d[e] += sum;
  }
  w.sync.arrive_and_wait();
}

const Hooks kHooks = {[] { return static_cast<const Dim3*>(&self.thread); },
                      [] { return static_cast<const Dim3*>(&self.block); },
                      [] { return static_cast<const Dim3*>(&block_dim); },
                      Syncthreads,
                      ShuffleXor,
                      BmmaAndPopc};

// Defines what NVRTC provides; the kernel source follows it.
constexpr const char* kPrelude = R"(
#include <math.h>
#include <string.h>
#include <type_traits>
#include <utility>
struct adq_emu_dim3 { unsigned x, y, z; };
struct adq_emu_hooks {
  const adq_emu_dim3* (*thread_idx)();
  const adq_emu_dim3* (*block_idx)();
  const adq_emu_dim3* (*block_dim)();
  void (*syncthreads)();
  int (*shfl_xor)(int, int);
  void (*bmma)(int*, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned);
};
static const adq_emu_hooks* adq_emu;
extern "C" void adq_emu_set_hooks(const adq_emu_hooks* h) { adq_emu = h; }
#define threadIdx (*adq_emu->thread_idx())
#define blockIdx (*adq_emu->block_idx())
#define blockDim (*adq_emu->block_dim())
#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __restrict__ __restrict
/* Blocks run one at a time, so a block's shared memory is a static in one section, which the
   launcher fills with 0xFF bytes (NaN as floats) before each block: on the device a block's shared
   memory starts with whatever was there, so a kernel reading a shared word it did not write must
   go wrong here too, not read a zero or the previous block's value. */
#define __shared__ static __attribute__((section("adq_shared")))
static char adq_emu_shared_anchor __attribute__((section("adq_shared"), used));  /* the section always exists */
extern "C" char __start_adq_shared[] __attribute__((visibility("hidden")));  /* the linker's bounds, this library's */
extern "C" char __stop_adq_shared[] __attribute__((visibility("hidden")));
extern "C" void adq_emu_poison_shared() { memset(__start_adq_shared, 0xFF, size_t(__stop_adq_shared - __start_adq_shared)); }
#define __align__(n) __attribute__((aligned(n)))
/* CUDA's alignments (vector_types.h): a vector access at a lesser one faults on the device, and
   the alignment sanitizer (kFlags) makes it fail here too. */
struct alignas(8) uint2 { unsigned x, y; };
struct alignas(16) uint4 { unsigned x, y, z, w; };
struct alignas(16) float4 { float x, y, z, w; };
inline uint2 make_uint2(unsigned x, unsigned y) { return {x, y}; }
inline uint4 make_uint4(unsigned x, unsigned y, unsigned z, unsigned w) { return {x, y, z, w}; }
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __uint_as_float(unsigned u) { float f; memcpy(&f, &u, 4); return f; }
inline unsigned __float_as_uint(float f) { unsigned u; memcpy(&u, &f, 4); return u; }
inline int __popc(unsigned v) { return __builtin_popcount(v); }
template <class T> inline T __ldg(const T* p) { return *p; }
inline void __syncthreads() { adq_emu->syncthreads(); }
inline int __shfl_xor_sync(unsigned, int v, int lane_mask) { return adq_emu->shfl_xor(v, lane_mask); }
// vabsdiff4/vabsdiff2 .u32.u32.u32.add: the sum of |a_i - b_i| over the unsigned 8- or 16-bit lanes, plus c.
inline int adq_emu_vabsdiff_add(int lanes, unsigned a, unsigned b, int c) {
  const int bits = 32 / lanes;
  const unsigned mask = (1u << bits) - 1u;
  for (int i = 0; i < lanes; ++i) {
    const int x = int((a >> (i * bits)) & mask), y = int((b >> (i * bits)) & mask);
    c += x > y ? x - y : y - x;
  }
  return c;
}
inline void adq_emu_bmma_and_popc(int (&d)[4], unsigned a0, unsigned a1, unsigned a2, unsigned a3, unsigned b0, unsigned b1) {
  adq_emu->bmma(d, a0, a1, a2, a3, b0, b1);
}
)";

// Calls the kernel with cuLaunchKernel-style arguments (the address of each).
constexpr const char* kTrailer = R"(
template <class A> A adq_emu_arg(void* p) { return *static_cast<A*>(p); }
template <class... A, size_t... I>
void adq_emu_call(void (*k)(A...), void* const* args, std::index_sequence<I...>) { k(adq_emu_arg<std::remove_cv_t<A>>(args[I])...); }
template <class... A>
void adq_emu_call(void (*k)(A...), void* const* args) { adq_emu_call(k, args, std::index_sequence_for<A...>{}); }
extern "C" void adq_emu_run_thread(void* const* args) { adq_emu_call(adq_kernel, args); }
template <class... A>
int adq_emu_sizes(void (*)(A...), unsigned* out, int max) {
  const unsigned sizes[] = {unsigned(sizeof(A))..., 0u};
  for (int i = 0; i < int(sizeof...(A)) && i < max; ++i) out[i] = sizes[i];
  return int(sizeof...(A));
}
extern "C" int adq_emu_param_sizes(unsigned* out, int max) { return adq_emu_sizes(adq_kernel, out, max); }
)";

// The sanitizers stand in for what a device would report and the emulation alone would not: a
// misaligned vector or word access (CUDA_ERROR_MISALIGNED_ADDRESS there), an index past a shared or
// per-thread array (silent garbage there), and integer undefined behaviour NVRTC may optimise on.
// Each stops the process with a "runtime error:" line naming the kernel's source line.
const char* kFlags =
    "-std=c++17 -O1 -fPIC -shared -w -fno-strict-aliasing -ffp-contract=off -DADQ_HOST_EMULATION "
    "-fsanitize=alignment,bounds,shift,integer-divide-by-zero,signed-integer-overflow -fno-sanitize-recover=all";

}  // namespace

Result<HostKernel> HostKernel::Compile(const std::string& source, const std::string& name) {
  const std::string unit = std::string(kPrelude) + source + kTrailer;
  const std::string key = std::string(ADQ_HOST_CXX) + "\n" + kFlags + "\n" + unit;
  const fs::path dir = fs::temp_directory_path() / "adderq_host_kernels";
  std::error_code ec;
  fs::create_directories(dir, ec);
  const std::string stem = (dir / Sha256::HexDigest({reinterpret_cast<const uint8_t*>(key.data()), key.size()})).string();
  const std::string library = stem + ".so";
  if (!fs::exists(library)) {
    // Unique temporary names, then a rename: concurrent tests never load a half-written library.
    const std::string tmp = fmt::format("{}.{}", stem, ::getpid());
    {
      std::ofstream(tmp + ".cpp") << unit;
    }
    const std::string cmd = fmt::format("'{}' {} -x c++ '{}.cpp' -o '{}.so' > '{}.log' 2>&1", ADQ_HOST_CXX, kFlags, tmp, tmp, tmp);
    if (std::system(cmd.c_str()) != 0) {
      auto log = ReadFileBytes(tmp + ".log");
      std::string text = log.ok() ? std::string(log->begin(), log->end()) : "";
      return RuntimeError("host compile of {} failed ({}): {}", name, cmd, text.substr(0, 2000));
    }
    fs::rename(tmp + ".so", library, ec);
    if (ec) return RuntimeError("{}: {}", library, ec.message());
    fs::remove(tmp + ".cpp", ec);
    fs::remove(tmp + ".log", ec);
  }
  void* handle = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) return RuntimeError("dlopen {}: {}", library, ::dlerror());
  HostKernel k;
  k.library_ = std::shared_ptr<void>(handle, [](void* h) { ::dlclose(h); });
  auto set_hooks = reinterpret_cast<void (*)(const Hooks*)>(::dlsym(handle, "adq_emu_set_hooks"));
  k.run_thread_ = reinterpret_cast<RunThread>(::dlsym(handle, "adq_emu_run_thread"));
  auto param_sizes = reinterpret_cast<int (*)(unsigned*, int)>(::dlsym(handle, "adq_emu_param_sizes"));
  k.poison_shared_ = reinterpret_cast<void (*)()>(::dlsym(handle, "adq_emu_poison_shared"));
  if (!set_hooks || !k.run_thread_ || !param_sizes || !k.poison_shared_) return RuntimeError("{}: entry points missing", library);
  set_hooks(&kHooks);
  unsigned sizes[64] = {};  // the kernels take about 20 parameters
  const int params = param_sizes(sizes, 64);
  if (params > 64) return RuntimeError("{}: {} kernel parameters", name, params);
  k.param_sizes_.assign(sizes, sizes + params);
  k.cooperative_ = source.find("__syncthreads") != std::string::npos || source.find("_sync(") != std::string::npos ||
                   source.find("adq_bmma(") != std::string::npos;
  k.name_ = name;
  return k;
}

namespace {

// The order a launch runs its blocks in: shuffled, differently each launch (a fixed seed, so a run
// repeats). A device runs them in no promised order, so a kernel that reads what another block of
// the same launch writes must fail here rather than pass by the order blocks happen to run in.
std::vector<unsigned> BlockOrder(unsigned blocks) {
  static std::mutex mutex;
  static std::mt19937 rng{20261205};
  std::vector<unsigned> order(blocks);
  std::iota(order.begin(), order.end(), 0u);
  std::lock_guard lock(mutex);
  std::shuffle(order.begin(), order.end(), rng);
  return order;
}

}  // namespace

Status HostKernel::Launch(unsigned grid_x, unsigned grid_y, unsigned block, std::span<void* const> args) const {
  if (block == 0 || (cooperative_ && block % 32 != 0))
    return InvalidArgument("{}: block of {} threads", name_, block);
  block_dim = {block, 1, 1};
  const std::vector<unsigned> order = BlockOrder(grid_x * grid_y);
  if (!cooperative_) {  // no barrier, no warp collective: a block's threads one after another
    for (unsigned b : order) {
      poison_shared_();
      for (unsigned t = 0; t < block; ++t) {
        self = ThreadState{{t, 0, 0}, {b % grid_x, b / grid_x, 0}, nullptr, nullptr, 0};
        run_thread_(args.data());
      }
    }
    return Status::Ok();
  }
  // One thread per CUDA thread of a block, kept for the whole grid; the block's threads move to
  // the next block together (static shared memory is reused). Barriers per block: a thread that
  // returns early drops out of its block's barriers only.
  const unsigned blocks = grid_x * grid_y, warps = block / 32;
  std::vector<std::unique_ptr<std::barrier<>>> block_syncs;
  std::vector<std::unique_ptr<WarpShared>> warp_shared;
  for (unsigned b = 0; b < blocks; ++b) {
    block_syncs.push_back(std::make_unique<std::barrier<>>(block));
    for (unsigned w = 0; w < warps; ++w) warp_shared.push_back(std::make_unique<WarpShared>(32));
  }
  poison_shared_();
  std::barrier next_block(block, [this]() noexcept { poison_shared_(); });  // runs between two blocks
  std::vector<std::jthread> threads;
  threads.reserve(block);
  for (unsigned t = 0; t < block; ++t)
    threads.emplace_back([&, t] {
      for (unsigned b : order) {
        WarpShared* warp = warp_shared[b * warps + t / 32].get();
        self = ThreadState{{t, 0, 0}, {b % grid_x, b / grid_x, 0}, block_syncs[b].get(), warp, int(t % 32)};
        run_thread_(args.data());
        block_syncs[b]->arrive_and_drop();  // as an exited CUDA thread: it no longer counts
        warp->sync.arrive_and_drop();
        next_block.arrive_and_wait();
      }
    });
  return Status::Ok();
}

}  // namespace adderq::testing
