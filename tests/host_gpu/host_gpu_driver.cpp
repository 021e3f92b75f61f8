// The host GPU's libcuda (host_gpu.h): the driver entry points adderq binds, over host memory and
// HostKernel. One device (sm_90, 4 multiprocessors); every call is serialized by one mutex.
//
// Work on a created stream (kernels, async copies, event records, graph launches) is queued and
// runs only when something waits for it: a synchronize of that stream, or of an event recorded on
// it (up to that record only), a wait on such an event, or a call that frees or destroys anything. That is one legal
// schedule of the real device's, the latest one: a caller that reads a copy's destination, or
// overwrites its source, before waiting gets the wrong bytes here instead of usually the right ones.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "host_gpu/host_gpu.h"
#include "host_gpu/host_gpu_cubin.h"
#include "host_kernel.h"

#define ADQ_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

using adderq::testing::HostKernel;

// CUresult values, as in cuda.h.
enum : int {
  kSuccess = 0,
  kInvalidValue = 1,
  kOutOfMemory = 2,
  kNotInitialized = 3,
  kInvalidImage = 200,
  kInvalidContext = 201,
  kNoBinaryForGpu = 209,
  kInvalidHandle = 400,
  kIllegalState = 401,
  kNotFound = 500,
  kNotReady = 600,
  kLaunchFailed = 719,
  kNotSupported = 801,
  kCaptureUnsupported = 900,
  kCaptureInvalidated = 901,
  kUnknown = 999,
};

constexpr int kArch = 90;
constexpr size_t kAlignment = 256;  // what cuMemAlloc guarantees
constexpr size_t kGuardBytes = 256;
constexpr unsigned char kGuardByte = 0xA5;
constexpr unsigned char kPoisonByte = 0xFF;

struct KernelNode {
  const HostKernel* kernel = nullptr;
  unsigned grid_x = 0, grid_y = 0, block = 0;
  std::vector<std::vector<unsigned char>> params;  // copied at launch, as the driver does
};
struct Graph {
  std::vector<KernelNode> nodes;
};
struct GraphExec {
  std::vector<KernelNode> nodes;
};
struct Module {
  HostKernel kernel;
};
struct Stream {
  std::deque<std::function<int()>> queued;  // work not run yet, in order
  std::unique_ptr<Graph> capture;  // set between cuStreamBeginCapture and cuStreamEndCapture
  bool capture_invalidated = false;
};
struct Event {
  bool recorded = false;      // a record has run
  int records_queued = 0;     // records still in a stream's queue
  Stream* stream = nullptr;   // where it was last recorded
  std::chrono::steady_clock::time_point at;
};

// Owns the objects handed out, keyed by the handle's value (a handle not in the map is invalid).
template <typename T>
using Registry = std::map<const void*, std::unique_ptr<T>>;

struct State {
  std::mutex mutex;
  bool initialized = false;
  std::map<uintptr_t, size_t> device;  // start -> size (guard bytes follow)
  size_t device_total = size_t(8) << 30;  // what cuMemGetInfo reports and cuMemAlloc enforces
  size_t device_used = 0;
  std::map<const void*, size_t> host;
  Registry<Module> modules;
  Registry<Stream> streams;
  Registry<Event> events;
  Registry<Graph> graphs;
  Registry<GraphExec> graph_execs;
  long long context_refs = 0;
  AdqHostGpuCounts counts{};
  std::string fail_call;
  int fail_countdown = 0;
};

State& S() {
  static State* state = new State;  // never destroyed: handles may be released during exit
  return *state;
}

thread_local int captures_on_this_thread = 0;
char primary_context;  // the one context handle

bool Fails(State& s, const char* call) {
  if (s.fail_countdown <= 0 || s.fail_call != call) return false;
  if (--s.fail_countdown > 0) return false;
  s.fail_call.clear();
  return true;
}

int InjectedError(const char* call) {
  if (std::strncmp(call, "cuMemAlloc", 10) == 0) return kOutOfMemory;
  if (std::strcmp(call, "cuLaunchKernel") == 0 || std::strcmp(call, "cuGraphLaunch") == 0) return kLaunchFailed;
  return kUnknown;
}

// Under THREAD_LOCAL capture, a call that may synchronize invalidates the capture and fails.
int ForbiddenDuringCapture(State& s) {
  if (captures_on_this_thread == 0) return kSuccess;
  for (auto& [handle, stream] : s.streams)
    if (stream->capture) stream->capture_invalidated = true;
  return kCaptureUnsupported;
}

template <typename T>
T* Find(Registry<T>& r, const void* handle) {
  auto it = r.find(handle);
  return it == r.end() ? nullptr : it->second.get();
}

// Hands out `object`'s address as the handle and keeps the object until the handle is destroyed.
template <typename T, typename Handle>
int Register(Registry<T>& r, Handle* handle, std::unique_ptr<T> object) {
  *handle = reinterpret_cast<Handle>(object.get());
  r.emplace(object.get(), std::move(object));
  return kSuccess;
}

// A device range [p, p + n) inside one allocation.
bool InDevice(const State& s, uintptr_t p, size_t n) {
  auto it = s.device.upper_bound(p);
  if (it == s.device.begin()) return false;
  --it;
  return p >= it->first && p - it->first + n <= it->second;
}

// New memory holds kPoisonByte, not the zeros a fresh mmap gives: the device's cuMemAlloc and
// cuMemAllocHost promise no contents (reused memory keeps an earlier allocation's), so a kernel or
// copy that reads bytes nobody wrote must change the results here too (as floats these are NaN).
void* AllocateWithGuard(size_t bytes) {
  const size_t total = (bytes + kGuardBytes + kAlignment - 1) / kAlignment * kAlignment;
  auto* p = static_cast<unsigned char*>(std::aligned_alloc(kAlignment, total));
  if (!p) return nullptr;
  std::memset(p, kPoisonByte, bytes);
  std::memset(p + bytes, kGuardByte, total - bytes);
  return p;
}

void FreeWithGuard(State& s, void* p, size_t bytes) {
  const auto* b = static_cast<const unsigned char*>(p);
  for (size_t i = 0; i < kGuardBytes; ++i)
    if (b[bytes + i] != kGuardByte) {
      s.counts.guard_violations++;
      std::fprintf(stderr, "host GPU: a write past the end of a %zu-byte allocation (guard byte %zu)\n", bytes, i);
      break;
    }
  std::free(p);
}

// Runs a stream's queued work in order while `more()`; the first error is the one a synchronize
// reports (kernels fail asynchronously on a real device too).
template <typename More>
int RunQueued(Stream* st, More more) {
  int result = kSuccess;
  while (st && !st->queued.empty() && more()) {
    std::function<int()> op = std::move(st->queued.front());
    st->queued.pop_front();
    if (int r = op(); r != kSuccess && result == kSuccess) result = r;
  }
  return result;
}

int Flush(Stream* st) {
  return RunQueued(st, [] { return true; });
}

// Up to and including the (last) record of `e`, and no further.
int FlushThrough(Event* e) {
  return RunQueued(e->stream, [e] { return e->records_queued > 0; });
}

// Before anything is freed or destroyed: no queued work may still refer to it.
int FlushAll(State& s) {
  int result = kSuccess;
  for (auto& [handle, stream] : s.streams)
    if (int r = Flush(stream.get()); r != kSuccess && result == kSuccess) result = r;
  return result;
}

// The legacy stream (null) runs work at once; a created stream queues it.
int Enqueue(Stream* st, std::function<int()> op) {
  if (!st) return op();
  st->queued.push_back(std::move(op));
  return kSuccess;
}

int Run(State& s, const KernelNode& node) {
  std::vector<void*> args;
  for (const auto& p : node.params) args.push_back(const_cast<unsigned char*>(p.data()));
  adderq::Status st = node.kernel->Launch(node.grid_x, node.grid_y, node.block, args);
  s.counts.kernel_launches++;
  if (!st.ok()) {
    std::fprintf(stderr, "host GPU: %s\n", st.message().c_str());
    return kLaunchFailed;
  }
  return kSuccess;
}

}  // namespace

// Every entry point: one at a time, after cuInit (ADQ_LOCKED), and the injected failure if it is
// this call's turn (ADQ_ENTRY).
#define ADQ_LOCKED()                                     \
  State& s = S();                                        \
  std::lock_guard<std::mutex> lock(s.mutex);             \
  if (!s.initialized) return kNotInitialized
#define ADQ_ENTRY(name) \
  ADQ_LOCKED();         \
  if (Fails(s, name)) return InjectedError(name)

ADQ_EXPORT void adq_host_gpu_counts(AdqHostGpuCounts* out) {
  State& s = S();
  std::lock_guard<std::mutex> lock(s.mutex);
  *out = s.counts;
  out->device_allocations = (long long)s.device.size();
  out->host_allocations = (long long)s.host.size();
  out->modules = (long long)s.modules.size();
  out->streams = (long long)s.streams.size();
  out->events = (long long)s.events.size();
  out->graphs = (long long)s.graphs.size();
  out->graph_execs = (long long)s.graph_execs.size();
  out->context_refs = s.context_refs;
}

ADQ_EXPORT void adq_host_gpu_set_device_memory(size_t total_bytes) {
  State& s = S();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.device_total = std::max(total_bytes, s.device_used);
}

ADQ_EXPORT void adq_host_gpu_fail(const char* call, int nth) {
  State& s = S();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.fail_call = call ? call : "";
  s.fail_countdown = nth;
}

ADQ_EXPORT int cuInit(unsigned flags) {
  State& s = S();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (flags != 0) return kInvalidValue;
  if (!s.initialized) {
    s.initialized = true;
    if (const char* m = std::getenv("ADQ_HOST_GPU_MEMORY")) s.device_total = size_t(std::strtoull(m, nullptr, 10));
    if (const char* f = std::getenv("ADQ_HOST_GPU_FAIL")) {  // "call:nth"
      const std::string spec = f;
      const size_t colon = spec.find(':');
      if (colon != std::string::npos) {
        s.fail_call = spec.substr(0, colon);
        s.fail_countdown = std::atoi(spec.c_str() + colon + 1);
      }
    }
  }
  return kSuccess;
}

ADQ_EXPORT int cuDriverGetVersion(int* v) {
  if (!v) return kInvalidValue;
  *v = 13000;
  return kSuccess;
}

ADQ_EXPORT int cuDeviceGetCount(int* n) {
  ADQ_ENTRY("cuDeviceGetCount");
  *n = 1;
  return kSuccess;
}

ADQ_EXPORT int cuDeviceGet(int* d, int ordinal) {
  ADQ_ENTRY("cuDeviceGet");
  if (ordinal != 0) return kInvalidValue;
  *d = 0;
  return kSuccess;
}

ADQ_EXPORT int cuDeviceGetName(char* name, int len, int dev) {
  ADQ_ENTRY("cuDeviceGetName");
  if (dev != 0 || len <= 0) return kInvalidValue;
  std::snprintf(name, size_t(len), "%s", "adderq host GPU (emulation)");
  return kSuccess;
}

ADQ_EXPORT int cuDeviceGetAttribute(int* v, int attribute, int dev) {
  ADQ_ENTRY("cuDeviceGetAttribute");
  if (dev != 0) return kInvalidValue;
  switch (attribute) {
    case 16: *v = 4; return kSuccess;              // multiprocessors
    case 75: *v = kArch / 10; return kSuccess;     // compute capability major
    case 76: *v = kArch % 10; return kSuccess;     // minor
    default: return kInvalidValue;
  }
}

ADQ_EXPORT int cuDevicePrimaryCtxRetain(void** ctx, int dev) {
  ADQ_ENTRY("cuDevicePrimaryCtxRetain");
  if (dev != 0) return kInvalidValue;
  s.context_refs++;
  *ctx = &primary_context;
  return kSuccess;
}

ADQ_EXPORT int cuDevicePrimaryCtxRelease_v2(int dev) {
  ADQ_ENTRY("cuDevicePrimaryCtxRelease_v2");
  if (dev != 0 || s.context_refs == 0) return kInvalidContext;
  s.context_refs--;
  return kSuccess;
}

ADQ_EXPORT int cuCtxSetCurrent(void* ctx) {
  ADQ_ENTRY("cuCtxSetCurrent");
  return ctx == nullptr || (ctx == &primary_context && s.context_refs > 0) ? kSuccess : kInvalidContext;
}

ADQ_EXPORT int cuModuleLoadData(void** module, const void* image) {
  ADQ_ENTRY("cuModuleLoadData");
  if (int r = ForbiddenDuringCapture(s)) return r;
  if (!module || !image) return kInvalidValue;
  adderq::testing::HostCubin cubin;
  if (!adderq::testing::ParseHostCubin(static_cast<const char*>(image), cubin)) return kInvalidImage;
  if (cubin.arch != kArch) return kNoBinaryForGpu;
  auto kernel = HostKernel::Compile(cubin.source, cubin.name);
  if (!kernel.ok()) {
    std::fprintf(stderr, "host GPU: %s\n", kernel.status().message().c_str());
    return kInvalidImage;
  }
  return Register(s.modules, module, std::make_unique<Module>(Module{std::move(kernel).value()}));
}

ADQ_EXPORT int cuModuleUnload(void* module) {
  ADQ_ENTRY("cuModuleUnload");
  FlushAll(s);
  return s.modules.erase(module) ? kSuccess : kInvalidHandle;
}

// The function handle is the module's (one kernel per module, named adq_kernel).
ADQ_EXPORT int cuModuleGetFunction(void** f, void* module, const char* name) {
  ADQ_ENTRY("cuModuleGetFunction");
  if (!Find(s.modules, module)) return kInvalidHandle;
  if (!name || std::strcmp(name, "adq_kernel") != 0) return kNotFound;
  *f = module;
  return kSuccess;
}

// As a device would for a kernel of 32 registers per thread: 65536 registers per multiprocessor,
// at most 32 blocks.
ADQ_EXPORT int cuOccupancyMaxActiveBlocksPerMultiprocessor(int* blocks, void* f, int block_size, size_t dynamic_shared) {
  ADQ_ENTRY("cuOccupancyMaxActiveBlocksPerMultiprocessor");
  if (!Find(s.modules, f)) return kInvalidHandle;
  if (!blocks || block_size <= 0 || block_size > 1024 || dynamic_shared != 0) return kInvalidValue;
  *blocks = std::min(32, 65536 / (32 * block_size));
  return kSuccess;
}

ADQ_EXPORT int cuFuncGetAttribute(int* v, int attribute, void* f) {
  ADQ_ENTRY("cuFuncGetAttribute");
  if (!Find(s.modules, f)) return kInvalidHandle;
  if (attribute != 4) return kInvalidValue;  // CU_FUNC_ATTRIBUTE_NUM_REGS only
  *v = 32;
  return kSuccess;
}

ADQ_EXPORT int cuLaunchKernel(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                              unsigned shared_bytes, void* stream, void** params, void** extra) {
  ADQ_ENTRY("cuLaunchKernel");
  Module* m = Find(s.modules, f);
  if (!m) return kInvalidHandle;
  Stream* st = nullptr;
  if (stream && !(st = Find(s.streams, stream))) return kInvalidHandle;
  if (gx == 0 || gy == 0 || gz != 1 || bx == 0 || bx > 1024 || by != 1 || bz != 1 || shared_bytes != 0 || extra)
    return kInvalidValue;  // adderq launches 1-D blocks on a 2-D grid with static shared memory only
  if (gx > 0x7fffffffu || gy > 65535) return kInvalidValue;  // the device's grid limits
  KernelNode node{&m->kernel, gx, gy, bx, {}};
  const std::vector<unsigned>& sizes = m->kernel.param_sizes();
  if (!sizes.empty() && !params) return kInvalidValue;
  for (size_t i = 0; i < sizes.size(); ++i) {
    const auto* p = static_cast<const unsigned char*>(params[i]);
    node.params.emplace_back(p, p + sizes[i]);
  }
  if (st && st->capture) {
    st->capture->nodes.push_back(std::move(node));
    s.counts.captured_kernels++;
    return kSuccess;
  }
  return Enqueue(st, [&s, node = std::move(node)] { return Run(s, node); });
}

ADQ_EXPORT int cuMemAlloc_v2(unsigned long long* p, size_t bytes) {
  ADQ_ENTRY("cuMemAlloc_v2");
  if (int r = ForbiddenDuringCapture(s)) return r;
  if (!p || bytes == 0) return kInvalidValue;
  if (bytes > s.device_total - s.device_used) return kOutOfMemory;
  void* m = AllocateWithGuard(bytes);
  if (!m) return kOutOfMemory;
  s.device.emplace(reinterpret_cast<uintptr_t>(m), bytes);
  s.device_used += bytes;
  *p = reinterpret_cast<uintptr_t>(m);
  return kSuccess;
}

ADQ_EXPORT int cuMemFree_v2(unsigned long long p) {
  ADQ_ENTRY("cuMemFree_v2");
  if (int r = ForbiddenDuringCapture(s)) return r;
  FlushAll(s);
  auto it = s.device.find(uintptr_t(p));
  if (it == s.device.end()) return kInvalidValue;
  FreeWithGuard(s, reinterpret_cast<void*>(uintptr_t(p)), it->second);
  s.device_used -= it->second;
  s.device.erase(it);
  return kSuccess;
}

ADQ_EXPORT int cuMemGetInfo_v2(size_t* free_bytes, size_t* total_bytes) {
  ADQ_ENTRY("cuMemGetInfo_v2");
  if (!free_bytes || !total_bytes) return kInvalidValue;
  *free_bytes = s.device_total - s.device_used;
  *total_bytes = s.device_total;
  return kSuccess;
}

ADQ_EXPORT int cuMemAllocHost_v2(void** p, size_t bytes) {
  ADQ_ENTRY("cuMemAllocHost_v2");
  if (int r = ForbiddenDuringCapture(s)) return r;
  if (!p || bytes == 0) return kInvalidValue;
  void* m = AllocateWithGuard(bytes);
  if (!m) return kOutOfMemory;
  s.host.emplace(m, bytes);
  *p = m;
  return kSuccess;
}

ADQ_EXPORT int cuMemFreeHost(void* p) {
  ADQ_ENTRY("cuMemFreeHost");
  if (int r = ForbiddenDuringCapture(s)) return r;
  FlushAll(s);
  auto it = s.host.find(p);
  if (it == s.host.end()) return kInvalidValue;
  FreeWithGuard(s, p, it->second);
  s.host.erase(it);
  return kSuccess;
}

namespace {

// The range is checked when the copy is asked for; an async copy reads its source when it runs.
int Copy(State& s, void* dst, const void* src, size_t n, bool to_device, void* stream, bool async) {
  Stream* st = nullptr;
  if (async) {
    if (stream && !(st = Find(s.streams, stream))) return kInvalidHandle;
    if (st && st->capture) return kNotSupported;  // memcpy nodes are not emulated (adderq copies outside graphs)
  } else if (int r = ForbiddenDuringCapture(s)) {
    return r;
  }
  const uintptr_t device = reinterpret_cast<uintptr_t>(to_device ? dst : src);
  if (!InDevice(s, device, n)) return kInvalidValue;
  return Enqueue(st, [dst, src, n]() -> int {
    if (n > 0) std::memcpy(dst, src, n);
    return kSuccess;
  });
}

}  // namespace

ADQ_EXPORT int cuMemcpyHtoD_v2(unsigned long long dst, const void* src, size_t n) {
  ADQ_ENTRY("cuMemcpyHtoD_v2");
  return Copy(s, reinterpret_cast<void*>(uintptr_t(dst)), src, n, true, nullptr, false);
}

ADQ_EXPORT int cuMemcpyDtoH_v2(void* dst, unsigned long long src, size_t n) {
  ADQ_ENTRY("cuMemcpyDtoH_v2");
  return Copy(s, dst, reinterpret_cast<const void*>(uintptr_t(src)), n, false, nullptr, false);
}

ADQ_EXPORT int cuMemcpyHtoDAsync_v2(unsigned long long dst, const void* src, size_t n, void* stream) {
  ADQ_ENTRY("cuMemcpyHtoDAsync_v2");
  return Copy(s, reinterpret_cast<void*>(uintptr_t(dst)), src, n, true, stream, true);
}

ADQ_EXPORT int cuMemcpyDtoHAsync_v2(void* dst, unsigned long long src, size_t n, void* stream) {
  ADQ_ENTRY("cuMemcpyDtoHAsync_v2");
  return Copy(s, dst, reinterpret_cast<const void*>(uintptr_t(src)), n, false, stream, true);
}

ADQ_EXPORT int cuStreamCreate(void** stream, unsigned flags) {
  ADQ_ENTRY("cuStreamCreate");
  if (!stream || flags > 1) return kInvalidValue;
  return Register(s.streams, stream, std::make_unique<Stream>());
}

ADQ_EXPORT int cuStreamDestroy_v2(void* stream) {
  ADQ_ENTRY("cuStreamDestroy_v2");
  Stream* st = Find(s.streams, stream);
  if (!st) return kInvalidHandle;
  if (st->capture) captures_on_this_thread--;
  FlushAll(s);  // its work still completes, as on a device
  s.streams.erase(stream);
  return kSuccess;
}

ADQ_EXPORT int cuStreamSynchronize(void* stream) {
  ADQ_ENTRY("cuStreamSynchronize");
  Stream* st = nullptr;
  if (stream && !(st = Find(s.streams, stream))) return kInvalidHandle;
  if (int r = ForbiddenDuringCapture(s)) return r;
  return stream ? Flush(st) : FlushAll(s);  // the legacy stream waits for the others (no non-blocking flag here)
}

ADQ_EXPORT int cuStreamWaitEvent(void* stream, void* event, unsigned) {
  ADQ_ENTRY("cuStreamWaitEvent");
  Stream* st = nullptr;
  Event* e = Find(s.events, event);
  if ((stream && !(st = Find(s.streams, stream))) || !e) return kInvalidHandle;
  if (st && st->capture) return kNotSupported;
  return FlushThrough(e);  // what the event marks has run before anything queued after this
}

ADQ_EXPORT int cuStreamBeginCapture_v2(void* stream, int mode) {
  ADQ_ENTRY("cuStreamBeginCapture_v2");
  if (!stream) return kCaptureUnsupported;  // the legacy stream cannot be captured
  Stream* st = Find(s.streams, stream);
  if (!st) return kInvalidHandle;
  if (mode < 0 || mode > 2) return kInvalidValue;
  if (st->capture) return kIllegalState;
  st->capture = std::make_unique<Graph>();
  st->capture_invalidated = false;
  captures_on_this_thread++;
  return kSuccess;
}

ADQ_EXPORT int cuStreamEndCapture(void* stream, void** graph) {
  ADQ_LOCKED();
  Stream* st = Find(s.streams, stream);
  if (!st || !graph) return kInvalidHandle;
  if (!st->capture) return kIllegalState;
  // An injected failure here is an invalidated capture: the stream still leaves capture mode.
  if (Fails(s, "cuStreamEndCapture")) st->capture_invalidated = true;
  captures_on_this_thread--;
  std::unique_ptr<Graph> g = std::move(st->capture);
  if (st->capture_invalidated) {
    *graph = nullptr;
    return kCaptureInvalidated;
  }
  return Register(s.graphs, graph, std::move(g));
}

ADQ_EXPORT int cuGraphInstantiateWithFlags(void** exec, void* graph, unsigned long long flags) {
  ADQ_ENTRY("cuGraphInstantiateWithFlags");
  Graph* g = Find(s.graphs, graph);
  if (!g || !exec) return kInvalidValue;
  if (flags != 0) return kNotSupported;
  return Register(s.graph_execs, exec, std::make_unique<GraphExec>(GraphExec{g->nodes}));
}

ADQ_EXPORT int cuGraphLaunch(void* exec, void* stream) {
  ADQ_ENTRY("cuGraphLaunch");
  GraphExec* e = Find(s.graph_execs, exec);
  Stream* st = nullptr;
  if (!e || (stream && !(st = Find(s.streams, stream)))) return kInvalidHandle;
  if (st && st->capture) return kNotSupported;
  s.counts.graph_launches++;
  return Enqueue(st, [&s, e]() -> int {
    for (const KernelNode& node : e->nodes)
      if (int r = Run(s, node)) return r;
    return kSuccess;
  });
}

ADQ_EXPORT int cuGraphExecDestroy(void* exec) {
  ADQ_ENTRY("cuGraphExecDestroy");
  FlushAll(s);
  return s.graph_execs.erase(exec) ? kSuccess : kInvalidHandle;
}

ADQ_EXPORT int cuGraphDestroy(void* graph) {
  ADQ_ENTRY("cuGraphDestroy");
  return s.graphs.erase(graph) ? kSuccess : kInvalidHandle;
}

ADQ_EXPORT int cuEventCreate(void** event, unsigned flags) {
  ADQ_ENTRY("cuEventCreate");
  if (!event || flags > 15) return kInvalidValue;
  return Register(s.events, event, std::make_unique<Event>());
}

ADQ_EXPORT int cuEventDestroy_v2(void* event) {
  ADQ_ENTRY("cuEventDestroy_v2");
  FlushAll(s);
  return s.events.erase(event) ? kSuccess : kInvalidHandle;
}

ADQ_EXPORT int cuEventRecord(void* event, void* stream) {
  ADQ_ENTRY("cuEventRecord");
  Event* e = Find(s.events, event);
  Stream* st = nullptr;
  if (!e || (stream && !(st = Find(s.streams, stream)))) return kInvalidHandle;
  if (st && st->capture) return kNotSupported;  // event nodes are not emulated
  e->stream = st;
  e->records_queued++;
  return Enqueue(st, [e]() -> int {
    e->records_queued--;
    e->recorded = true;
    e->at = std::chrono::steady_clock::now();
    return kSuccess;
  });
}

ADQ_EXPORT int cuEventSynchronize(void* event) {
  ADQ_ENTRY("cuEventSynchronize");
  Event* e = Find(s.events, event);
  if (!e) return kInvalidHandle;
  if (int r = ForbiddenDuringCapture(s)) return r;
  return FlushThrough(e);
}

ADQ_EXPORT int cuEventElapsedTime_v2(float* ms, void* start, void* end) {
  ADQ_ENTRY("cuEventElapsedTime_v2");
  Event* a = Find(s.events, start);
  Event* b = Find(s.events, end);
  if (!ms || !a || !b || (!a->recorded && !a->records_queued) || (!b->recorded && !b->records_queued)) return kInvalidHandle;
  if (a->records_queued || b->records_queued) return kNotReady;  // recorded, but nobody waited for it
  *ms = std::chrono::duration<float, std::milli>(b->at - a->at).count();
  return kSuccess;
}

ADQ_EXPORT int cuGetErrorString(int error, const char** text) {
  static const std::map<int, const char*> names = {
      {kSuccess, "no error"},
      {kInvalidValue, "invalid argument"},
      {kOutOfMemory, "out of memory"},
      {kNotInitialized, "initialization error"},
      {kInvalidImage, "device kernel image is invalid"},
      {kInvalidContext, "invalid device context"},
      {kNoBinaryForGpu, "no kernel image is available for execution on the device"},
      {kInvalidHandle, "invalid resource handle"},
      {kIllegalState, "the operation cannot be performed in the present state"},
      {kNotFound, "named symbol not found"},
      {kNotReady, "device not ready"},
      {kLaunchFailed, "unspecified launch failure"},
      {kNotSupported, "operation not supported (by the host GPU emulation)"},
      {kCaptureUnsupported, "operation not permitted when stream is capturing"},
      {kCaptureInvalidated, "operation failed due to a previous error during capture"},
      {kUnknown, "unknown error"},
  };
  auto it = names.find(error);
  if (!text) return kInvalidValue;
  *text = it == names.end() ? nullptr : it->second;
  return it == names.end() ? kInvalidValue : kSuccess;
}
