// The host GPU: a stand-in for libcuda and libnvrtc (one shared library exporting the entry points
// adderq binds), so the CUDA executor and `adderq-run --device cuda` run unchanged on a machine
// without a GPU. Point ADDERQ_CUDA_DRIVER and ADDERQ_NVRTC_LIBRARY at it.
//
// "NVRTC" emits a cubin that is the kernel's source text; "cuModuleLoadData" compiles that for the
// host (HostKernel) and runs it there, copying the parameters at cuLaunchKernel as the driver
// does. Device memory is host memory with guard bytes after every allocation; copies are
// bounds-checked against their allocation; a stream's work waits, in order, until something waits
// for it (the latest schedule a device may choose: reading a copy's destination or overwriting its
// source too early gives wrong bytes here); stream capture records kernel launches into graphs that
// cuGraphLaunch replays, and the calls a real capture forbids fail here too. What it cannot show:
// two streams' work overlapping in time, timing, and anything about real hardware (the GPU tests
// do that).
//
// The functions below let a test look inside (live objects, counts) and make one call fail.
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct AdqHostGpuCounts {
  long long device_allocations, host_allocations, modules, streams, events, graphs, graph_execs, context_refs;  // live
  long long kernel_launches;   // kernels run (directly or from a graph)
  long long captured_kernels;  // launches recorded by stream capture
  long long graph_launches;
  long long guard_violations;  // allocations whose guard bytes were overwritten (checked at free)
};

// The current counts.
void adq_host_gpu_counts(struct AdqHostGpuCounts* out);
// The device memory cuMemGetInfo reports and cuMemAlloc enforces (8 GiB at start, or
// $ADQ_HOST_GPU_MEMORY bytes at cuInit; never below what is allocated now).
void adq_host_gpu_set_device_memory(size_t total_bytes);
// Makes the `nth` (1 = the next) call of the driver entry point `call` (e.g. "cuLaunchKernel")
// from now return an error; nth = 0 clears it. $ADQ_HOST_GPU_FAIL="call:nth" does the same at cuInit.
void adq_host_gpu_fail(const char* call, int nth);

#ifdef __cplusplus
}
#endif
