// RAII owners of CUDA driver resources (device memory, pinned host memory, modules, streams,
// events, graphs). Each frees its resource with the driver that created it; all are move-only.
#pragma once

#include <string>
#include <utility>

#include <fmt/format.h>

#include "cuda/cuda_driver.h"

namespace adderq::cuda {

template <typename Handle, typename Traits>
class DriverHandle {
 public:
  DriverHandle() = default;
  DriverHandle(const CudaDriver* d, Handle h) : d_(d), h_(h) {}
  ~DriverHandle() { Reset(); }
  DriverHandle(DriverHandle&& o) noexcept : d_(o.d_), h_(std::exchange(o.h_, Handle{})) {}
  DriverHandle& operator=(DriverHandle&& o) noexcept {
    if (this != &o) {
      Reset();
      d_ = o.d_;
      h_ = std::exchange(o.h_, Handle{});
    }
    return *this;
  }
  DriverHandle(const DriverHandle&) = delete;
  DriverHandle& operator=(const DriverHandle&) = delete;
  Handle get() const { return h_; }
  void Reset() {
    if (h_ != Handle{}) Traits::Free(*d_, h_);
    h_ = Handle{};
  }

 private:
  const CudaDriver* d_ = nullptr;
  Handle h_{};
};

struct DeviceMemoryTraits {
  static void Free(const CudaDriver& d, CUdeviceptr p) { d.MemFree(p); }
};
struct HostMemoryTraits {
  static void Free(const CudaDriver& d, void* p) { d.MemFreeHost(p); }
};
struct ModuleTraits {
  static void Free(const CudaDriver& d, CUmodule m) { d.ModuleUnload(m); }
};
struct StreamTraits {
  static void Free(const CudaDriver& d, CUstream s) { d.StreamDestroy(s); }
};
struct EventTraits {
  static void Free(const CudaDriver& d, CUevent e) { d.EventDestroy(e); }
};

struct GraphTraits {
  static void Free(const CudaDriver& d, CUgraph g) { d.GraphDestroy(g); }
};
struct GraphExecTraits {
  static void Free(const CudaDriver& d, CUgraphExec g) { d.GraphExecDestroy(g); }
};

using DeviceMemory = DriverHandle<CUdeviceptr, DeviceMemoryTraits>;
using PinnedMemory = DriverHandle<void*, HostMemoryTraits>;
using Module = DriverHandle<CUmodule, ModuleTraits>;
using Stream = DriverHandle<CUstream, StreamTraits>;
using Event = DriverHandle<CUevent, EventTraits>;
using CudaGraph = DriverHandle<CUgraph, GraphTraits>;
using CudaGraphExec = DriverHandle<CUgraphExec, GraphExecTraits>;

// "12 KiB", "512.0 MiB": sizes in allocation errors.
inline std::string ReadableBytes(size_t bytes) {
  if (bytes < (size_t(1) << 20)) return fmt::format("{} KiB", (bytes + 1023) / 1024);
  return fmt::format("{:.1f} MiB", double(bytes) / double(1 << 20));
}

inline Result<DeviceMemory> AllocateDevice(const CudaDriver& d, size_t bytes) {
  CUdeviceptr p = 0;
  const std::string what = "cuMemAlloc of " + ReadableBytes(bytes);
  ADQ_RETURN_IF_ERROR(d.Check(d.MemAlloc(&p, bytes == 0 ? 4 : bytes), what.c_str()));
  return DeviceMemory(&d, p);
}
inline Result<PinnedMemory> AllocatePinned(const CudaDriver& d, size_t bytes) {
  void* p = nullptr;
  const std::string what = "cuMemAllocHost of " + ReadableBytes(bytes);
  ADQ_RETURN_IF_ERROR(d.Check(d.MemAllocHost(&p, bytes == 0 ? 4 : bytes), what.c_str()));
  return PinnedMemory(&d, p);
}
template <typename T>
Result<DeviceMemory> Upload(const CudaDriver& d, const std::vector<T>& host) {
  ADQ_ASSIGN_OR_RETURN(DeviceMemory m, AllocateDevice(d, host.size() * sizeof(T)));
  if (!host.empty()) ADQ_CU(d, MemcpyHtoD(m.get(), host.data(), host.size() * sizeof(T)));
  return m;
}

}  // namespace adderq::cuda
