#include "cuda/cuda_driver.h"

#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace adderq::cuda {

Status CudaDriver::Check(CUresult r, const char* what) const {
  if (r == kCudaSuccess) return Status::Ok();
  const char* text = nullptr;
  if (GetErrorString) GetErrorString(r, &text);
  return RuntimeError("CUDA driver: {} failed with error {} ({})", what, r, text ? text : "unknown");
}

namespace {

Result<std::unique_ptr<CudaDriver>> Load() {
  auto d = std::make_unique<CudaDriver>();
  // $ADDERQ_CUDA_DRIVER, when set, is the only candidate (tests use it to simulate a machine without one).
  const char* env = std::getenv("ADDERQ_CUDA_DRIVER");
  const std::vector<std::string> candidates =
      env ? std::vector<std::string>{env} : std::vector<std::string>{"libcuda.so.1", "libcuda.so"};
  ADQ_ASSIGN_OR_RETURN(d->library, DynamicLibrary::OpenFirst(candidates, "the CUDA driver (libcuda)"));
  const DynamicLibrary& l = d->library;
  ADQ_RETURN_IF_ERROR(Bind(l, d->Init, {"cuInit"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->DriverGetVersion, {"cuDriverGetVersion"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->DeviceGetCount, {"cuDeviceGetCount"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->DeviceGet, {"cuDeviceGet"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->DeviceGetName, {"cuDeviceGetName"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->DeviceGetAttribute, {"cuDeviceGetAttribute"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->DevicePrimaryCtxRetain, {"cuDevicePrimaryCtxRetain"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->DevicePrimaryCtxRelease, {"cuDevicePrimaryCtxRelease_v2", "cuDevicePrimaryCtxRelease"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->CtxSetCurrent, {"cuCtxSetCurrent"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->ModuleLoadData, {"cuModuleLoadData"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->ModuleUnload, {"cuModuleUnload"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->ModuleGetFunction, {"cuModuleGetFunction"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->FuncGetAttribute, {"cuFuncGetAttribute"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->OccupancyMaxActiveBlocksPerMultiprocessor, {"cuOccupancyMaxActiveBlocksPerMultiprocessor"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->LaunchKernel, {"cuLaunchKernel"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->MemAlloc, {"cuMemAlloc_v2"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->MemFree, {"cuMemFree_v2"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->MemGetInfo, {"cuMemGetInfo_v2"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->MemAllocHost, {"cuMemAllocHost_v2"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->MemFreeHost, {"cuMemFreeHost"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->MemcpyHtoD, {"cuMemcpyHtoD_v2"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->MemcpyDtoH, {"cuMemcpyDtoH_v2"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->MemcpyHtoDAsync, {"cuMemcpyHtoDAsync_v2"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->MemcpyDtoHAsync, {"cuMemcpyDtoHAsync_v2"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->StreamCreate, {"cuStreamCreate"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->StreamDestroy, {"cuStreamDestroy_v2"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->StreamSynchronize, {"cuStreamSynchronize"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->StreamWaitEvent, {"cuStreamWaitEvent"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->EventCreate, {"cuEventCreate"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->EventDestroy, {"cuEventDestroy_v2"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->EventRecord, {"cuEventRecord"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->EventSynchronize, {"cuEventSynchronize"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->EventElapsedTime, {"cuEventElapsedTime_v2", "cuEventElapsedTime"}));
  ADQ_RETURN_IF_ERROR(Bind(l, d->GetErrorString, {"cuGetErrorString"}));
  // Optional: only --cuda-graphs needs them (an older driver still runs everything else).
  (void)Bind(l, d->StreamBeginCapture, {"cuStreamBeginCapture_v2"});
  (void)Bind(l, d->StreamEndCapture, {"cuStreamEndCapture"});
  (void)Bind(l, d->GraphInstantiate, {"cuGraphInstantiateWithFlags"});
  (void)Bind(l, d->GraphLaunch, {"cuGraphLaunch"});
  (void)Bind(l, d->GraphExecDestroy, {"cuGraphExecDestroy"});
  (void)Bind(l, d->GraphDestroy, {"cuGraphDestroy"});
  ADQ_RETURN_IF_ERROR(d->Check(d->Init(0), "cuInit").WithContext("no usable CUDA driver or GPU"));
  int count = 0;
  ADQ_RETURN_IF_ERROR(d->Check(d->DeviceGetCount(&count), "cuDeviceGetCount"));
  if (count <= 0) return Unsupported("the CUDA driver reports no GPU");
  return d;
}

}  // namespace

Result<const CudaDriver*> LoadCudaDriver() {
  // Loaded once per process; a failure is remembered too (it will not change while we run).
  static std::once_flag once;
  static std::unique_ptr<CudaDriver> driver;
  static Status error;
  std::call_once(once, [] {
    auto r = Load();
    if (r.ok()) driver = std::move(r).value();
    else error = r.status();
  });
  if (!driver) return error;
  return static_cast<const CudaDriver*>(driver.get());
}

}  // namespace adderq::cuda
