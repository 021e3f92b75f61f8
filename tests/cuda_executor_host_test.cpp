// The CUDA executor itself (driver calls, pipelines, chunking, CUDA graphs, error paths) on the
// host GPU (host_gpu/host_gpu.h), against the CPU backend bit for bit, on a machine without a GPU.
// The kernels are checked by cuda_emulation_test; here it is everything around them.
#include <dlfcn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "compile.h"
#include "adderq/adderq.hpp"
#include "core/artifact_loader.h"
#include "cpu/executor.h"
#include "core/file_io.h"
#include "data/cifar10.h"
#include "cuda/cuda_executor.h"
#include "host_gpu/host_gpu.h"
#include "test_support.h"
#include "writer/artifact_writer.h"

namespace adderq::cuda {
namespace {

namespace fs = std::filesystem;

// Before anything loads a driver: this process's CUDA driver and NVRTC are the host GPU.
const bool kHostGpuSelected = [] {
  ::setenv("ADDERQ_CUDA_DRIVER", ADQ_HOST_GPU_LIBRARY, 1);
  ::setenv("ADDERQ_NVRTC_LIBRARY", ADQ_HOST_GPU_LIBRARY, 1);
  return true;
}();

// The host GPU's own functions, from the copy the driver loader opened.
struct HostGpu {
  void (*counts)(AdqHostGpuCounts*) = nullptr;
  void (*fail)(const char*, int) = nullptr;
  void (*set_device_memory)(size_t) = nullptr;
};

const HostGpu& Gpu() {
  static const HostGpu gpu = [] {
    HostGpu g;
    if (!LoadCudaDriver().ok()) return g;
    void* h = ::dlopen(ADQ_HOST_GPU_LIBRARY, RTLD_NOW | RTLD_NOLOAD);
    if (!h) return g;
    g.counts = reinterpret_cast<void (*)(AdqHostGpuCounts*)>(::dlsym(h, "adq_host_gpu_counts"));
    g.fail = reinterpret_cast<void (*)(const char*, int)>(::dlsym(h, "adq_host_gpu_fail"));
    g.set_device_memory = reinterpret_cast<void (*)(size_t)>(::dlsym(h, "adq_host_gpu_set_device_memory"));
    return g;
  }();
  return gpu;
}

AdqHostGpuCounts Counts() {
  AdqHostGpuCounts c{};
  Gpu().counts(&c);
  return c;
}

#define REQUIRE_HOST_GPU()                                                                       \
  do {                                                                                           \
    ASSERT_TRUE(kHostGpuSelected);                                                               \
    auto d = LoadCudaDriver();                                                                   \
    ASSERT_TRUE(d.ok()) << d.status().message();                                                 \
    ASSERT_TRUE(Gpu().counts && Gpu().fail && Gpu().set_device_memory) << ADQ_HOST_GPU_LIBRARY << " is not the host GPU";   \
  } while (0)

// Every object the executor made is gone and nothing was written past an allocation.
void ExpectNothingLive(const std::string& what) {
  const AdqHostGpuCounts c = Counts();
  EXPECT_EQ(c.device_allocations, 0) << what;
  EXPECT_EQ(c.host_allocations, 0) << what;
  EXPECT_EQ(c.modules, 0) << what;
  EXPECT_EQ(c.streams, 0) << what;
  EXPECT_EQ(c.events, 0) << what;
  EXPECT_EQ(c.graphs, 0) << what;
  EXPECT_EQ(c.graph_execs, 0) << what;
  EXPECT_EQ(c.context_refs, 0) << what;
  EXPECT_EQ(c.guard_violations, 0) << what;
}

// `count` CIFAR-10 test images from `first` on, normalized for `g`; random values where ../shared is absent.
std::vector<float> Images(const Graph& g, int first, int count) {
  std::vector<float> v(size_t(count) * data::kCifarPixels);
  const std::string dir = testing::SharedPath("data/cifar-10-batches-bin");
  if (auto test = dir.empty() ? Result<data::ImageSet>(BadInput("absent")) : data::LoadCifar10Test(dir); test.ok()) {
    data::Normalize(test->image(size_t(first)), size_t(count), g.meta.mean, g.meta.std, v.data());
    return v;
  }
  std::mt19937 rng{uint32_t(first)};
  std::uniform_real_distribution<float> u(-2.f, 2.f);
  for (float& x : v) x = u(rng);
  return v;
}

// `count` CIFAR-10 test images' bytes from `first` on (planar, as the records hold them); random
// bytes where ../shared is absent.
std::vector<uint8_t> Pixels(int first, int count) {
  const std::string dir = testing::SharedPath("data/cifar-10-batches-bin");
  if (auto test = dir.empty() ? Result<data::ImageSet>(BadInput("absent")) : data::LoadCifar10Test(dir); test.ok())
    return std::vector<uint8_t>(test->image(size_t(first)), test->image(size_t(first + count)));
  std::mt19937 rng{uint32_t(first)};
  std::vector<uint8_t> v(size_t(count) * data::kCifarPixels);
  for (uint8_t& b : v) b = uint8_t(rng());
  return v;
}

// The same images with each pixel's channels together ([image][pixel][channel]).
std::vector<uint8_t> Interleaved(const std::vector<uint8_t>& planar) { return testing::Interleave(planar, 3, 32 * 32); }

std::string CacheDir() { return (fs::temp_directory_path() / "adderq_host_gpu_kernel_cache").string(); }

CudaOptions Options(int chunk, bool graphs, bool fuse_codes) {
  CudaOptions o;
  o.cache_dir = CacheDir();
  o.chunk_images = chunk;
  o.graphs = graphs;
  o.plan.fuse_codes = fuse_codes;
  return o;
}

std::vector<float> CpuLogits(const Graph& g, const std::vector<float>& input, int batch) {
  auto cpu = Executor::Create(g, 0);
  EXPECT_TRUE(cpu.ok()) << cpu.status().message();
  std::vector<float> out;
  EXPECT_TRUE((*cpu)->Run(input, batch, out).ok());
  return out;
}

void ExpectSameBytes(const std::vector<float>& got, const std::vector<float>& expected, const std::string& what) {
  ASSERT_EQ(got.size(), expected.size()) << what;
  EXPECT_EQ(std::memcmp(got.data(), expected.data(), got.size() * sizeof(float)), 0) << what;
}

// ResNet-20 at `bits` (0: full precision): the official checkpoint with a quick calibration, whose
// logits differ from image to image (random-weight ResNets saturate to the same logits for every
// image, which would hide a chunk fed the wrong input); the random-weight one where ../shared is
// absent. Either compiles with one quantizer group per layer, so codes can be fused.
const Graph& Net(int bits = 4) {
  static std::map<int, Graph> nets;
  if (auto it = nets.find(bits); it != nets.end()) return it->second;
  const std::string ckpt = testing::SharedPath("checkpoints/resnet20_adder_cifar10.pth");
  const std::string data = testing::SharedPath("data/cifar-10-batches-bin");
  Graph g = testing::WithOneQuantizerGroup(testing::SyntheticResNet(20, bits, 11));
  if (!ckpt.empty() && !data.empty()) {
    auto compiled = compiler::Compile(testing::QuickCompileOptions(ckpt, data, bits));
    EXPECT_TRUE(compiled.ok()) << compiled.status().message();
    auto loaded = compiled.ok() ? LoadArtifactFromMemory(compiled->artifact) : Result<Graph>(compiled.status());
    EXPECT_TRUE(loaded.ok()) << loaded.status().message();
    if (loaded.ok()) g = std::move(loaded).value();
  }
  return nets.emplace(bits, std::move(g)).first->second;
}

bool RealNet() { return !testing::SharedPath("checkpoints/resnet20_adder_cifar10.pth").empty(); }

constexpr int kImages = 5, kChunk = 2;  // chunks of 2, 2, 1 on pipelines 0, 1, 0

TEST(HostGpu, ExecutorMatchesCpuOverChunksPipelinesAndOptions) {
  REQUIRE_HOST_GPU();
  const auto input = Images(Net(), 0, kImages);
  const auto expected = CpuLogits(Net(), input, kImages);
  // Images get different logits (a network whose outputs saturate would hide a wrong input).
  for (int i = 1; i < kImages && RealNet(); ++i)
    ASSERT_NE(std::memcmp(expected.data(), expected.data() + 10 * i, 10 * sizeof(float)), 0) << "image " << i;
  for (bool graphs : {false, true})
    for (bool fuse : {false, true}) {
      const std::string what = fmt::format("graphs {}, fused codes {}", graphs, fuse);
      auto gpu = CudaExecutor::Create(Net(), Options(kChunk, graphs, fuse));
      ASSERT_TRUE(gpu.ok()) << what << ": " << gpu.status().message();
      EXPECT_NE((*gpu)->Describe().find(graphs ? ", CUDA graphs" : "variants"), std::string::npos) << (*gpu)->Describe();
      EXPECT_EQ((*gpu)->plan().fused_codes > 0, fuse) << what;
      const long long steps = (long long)(*gpu)->plan().steps.size();
      const AdqHostGpuCounts before = Counts();
      std::vector<float> got;
      ASSERT_TRUE((*gpu)->Run(input, kImages, got).ok()) << what;
      ExpectSameBytes(got, expected, what);
      const AdqHostGpuCounts after = Counts();
      EXPECT_EQ(after.kernel_launches - before.kernel_launches, 3 * steps) << what;
      EXPECT_EQ(after.graph_launches - before.graph_launches, graphs ? 3 : 0) << what;
      EXPECT_EQ(after.captured_kernels - before.captured_kernels, graphs ? 3 * steps : 0) << what;
      EXPECT_EQ((*gpu)->stats().graphs_captured, graphs ? 3 : 0) << what;  // (pipeline, size): (0, 2), (1, 2), (0, 1)
      EXPECT_EQ((*gpu)->stats().images, size_t(kImages));
      // Again: the graphs are reused. Then 3 images: chunks of 2 and 1 on pipelines 0 and 1, one new size.
      ASSERT_TRUE((*gpu)->Run(input, kImages, got).ok()) << what;
      ExpectSameBytes(got, expected, what + ", second run");
      EXPECT_EQ((*gpu)->stats().graphs_captured, graphs ? 3 : 0) << what;
      ASSERT_TRUE((*gpu)->Run(std::span(input).first(size_t(3) * 3 * 32 * 32), 3, got).ok()) << what;
      ExpectSameBytes(got, std::vector<float>(expected.begin(), expected.begin() + 30), what + ", 3 images");
      EXPECT_EQ((*gpu)->stats().graphs_captured, graphs ? 4 : 0) << what;
      EXPECT_EQ(Counts().graph_launches - after.graph_launches, graphs ? 5 : 0) << what;
      gpu->reset();
      ExpectNothingLive(what);
    }
}

// RunPixels: the chunks cross as bytes and the pixel_input kernel normalises them; the logits are
// the CPU's for the floats data::NormalizePixels gives, in both layouts, over chunks, pipelines
// and options; one more kernel launch per chunk.
TEST(HostGpu, RunPixelsGivesTheCpuLogitsOfTheNormalizedImages) {
  REQUIRE_HOST_GPU();
  const std::vector<uint8_t> planar = Pixels(60, kImages), interleaved = Interleaved(planar);
  std::vector<float> floats(planar.size());
  data::Normalize(planar.data(), kImages, Net().meta.mean, Net().meta.std, floats.data());
  const auto expected = CpuLogits(Net(), floats, kImages);
  for (bool graphs : {false, true})
    for (bool fuse : {false, true}) {
      auto gpu = CudaExecutor::Create(Net(), Options(kChunk, graphs, fuse));
      ASSERT_TRUE(gpu.ok()) << gpu.status().message();
      const long long steps = (long long)(*gpu)->plan().steps.size();
      for (data::PixelLayout layout : {data::PixelLayout::kPlanar, data::PixelLayout::kInterleaved}) {
        const bool inter = layout == data::PixelLayout::kInterleaved;
        const std::string what = fmt::format("graphs {}, fused codes {}, {}", graphs, fuse, inter ? "interleaved" : "planar");
        const AdqHostGpuCounts before = Counts();
        std::vector<float> got;
        ASSERT_TRUE((*gpu)->RunPixels(inter ? interleaved : planar, layout, kImages, got).ok()) << what;
        ExpectSameBytes(got, expected, what);
        const AdqHostGpuCounts after = Counts();
        // Three chunks: the pixel kernel each, then the steps (launched, or replayed by one graph launch).
        EXPECT_EQ(after.kernel_launches - before.kernel_launches, 3 * (steps + 1)) << what;
        EXPECT_EQ(after.graph_launches - before.graph_launches, graphs ? 3 : 0) << what;
      }
      // Floats again after pixels, and a wrong size.
      std::vector<float> got;
      ASSERT_TRUE((*gpu)->Run(floats, kImages, got).ok());
      ExpectSameBytes(got, expected, "floats after pixels");
      const Status wrong = (*gpu)->RunPixels(std::span(planar).first(planar.size() - 1), data::PixelLayout::kPlanar, kImages, got);
      EXPECT_FALSE(wrong.ok());
      EXPECT_NE(wrong.message().find("bytes for a batch of 5"), std::string::npos) << wrong.message();
    }
  ExpectNothingLive("after the pixel runs");
}

TEST(HostGpu, FullPrecisionAndEightBitsMatchCpu) {
  REQUIRE_HOST_GPU();
  for (int bits : {0, 8}) {
    const Graph& g = Net(bits);
    const auto input = Images(g, 10, 3);
    auto gpu = CudaExecutor::Create(g, Options(2, true, false));
    ASSERT_TRUE(gpu.ok()) << gpu.status().message();
    std::vector<float> got;
    ASSERT_TRUE((*gpu)->Run(input, 3, got).ok());
    ExpectSameBytes(got, CpuLogits(g, input, 3), fmt::format("{} bits", bits));
  }
  ExpectNothingLive("after the executors");
}

// --cuda-chunk auto: the chunk the card's size gives (4 multiprocessors, 16 blocks each by the host
// GPU's occupancy, 2 blocks an image in the 8x8 layers: 128 images, one quantum of 256), then what
// the device memory allows (the host GPU's cuMemAlloc enforces it): fewer images, several chunks,
// the same logits; and where not one image fits, a one-line error before anything is allocated
// for the chunks.
TEST(HostGpu, AutoChunkFollowsTheCardAndItsFreeMemory) {
  REQUIRE_HOST_GPU();
  const auto input = Images(Net(), 50, kImages);
  const auto expected = CpuLogits(Net(), input, kImages);
  {
    auto gpu = CudaExecutor::Create(Net(), Options(0, false, false));
    ASSERT_TRUE(gpu.ok()) << gpu.status().message();
    EXPECT_EQ((*gpu)->stats().chunk_images, 256);
    std::vector<float> got;
    ASSERT_TRUE((*gpu)->Run(input, kImages, got).ok());
    ExpectSameBytes(got, expected, "auto chunk, 8 GiB");
  }
  int previous = 256;
  for (size_t mib : {64, 4, 1}) {
    Gpu().set_device_memory(mib << 20);
    const std::string what = fmt::format("{} MiB", mib);
    auto gpu = CudaExecutor::Create(Net(), Options(0, true, false));
    ASSERT_TRUE(gpu.ok()) << what << ": " << gpu.status().message();
    const int chunk = (*gpu)->stats().chunk_images;
    EXPECT_GE(chunk, 1) << what;
    EXPECT_LT(chunk, previous) << what;
    previous = chunk;
    const AdqHostGpuCounts before = Counts();
    std::vector<float> got;
    ASSERT_TRUE((*gpu)->Run(input, kImages, got).ok()) << what;
    ExpectSameBytes(got, expected, what);
    EXPECT_EQ(Counts().graph_launches - before.graph_launches, (kImages + chunk - 1) / chunk) << what;
  }
  EXPECT_LT(previous, kImages) << "1 MiB: several chunks";
  Gpu().set_device_memory(512 << 10);  // the weights fit, one image does not
  auto none = CudaExecutor::Create(Net(), Options(0, false, false));
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("one image of a chunk needs"), std::string::npos) << none.status().message();
  EXPECT_EQ(none.status().message().find('\n'), std::string::npos);
  Gpu().set_device_memory(size_t(8) << 30);
  ExpectNothingLive("after the auto-chunk executors");
}

// The host GPU hands out memory no code has written as 0xFF bytes (NaN as floats), small
// allocations and large ones (which a fresh mmap would give as zeros) alike: the device promises no
// contents, so a kernel or copy that reads bytes nobody wrote must change the logits here too.
TEST(HostGpu, FreshMemoryIsNotZeros) {
  REQUIRE_HOST_GPU();
  auto loaded = LoadCudaDriver();
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const CudaDriver& d = **loaded;
  CUdevice device = 0;
  CUcontext context = nullptr;
  ASSERT_EQ(d.DeviceGet(&device, 0), kCudaSuccess);
  ASSERT_EQ(d.DevicePrimaryCtxRetain(&context, device), kCudaSuccess);
  ASSERT_EQ(d.CtxSetCurrent(context), kCudaSuccess);
  for (size_t bytes : {size_t(40), size_t(4) << 20}) {
    auto device_memory = AllocateDevice(d, bytes);
    auto pinned = AllocatePinned(d, bytes);
    ASSERT_TRUE(device_memory.ok() && pinned.ok());
    std::vector<uint8_t> back(bytes, 0);
    ASSERT_EQ(d.MemcpyDtoH(back.data(), device_memory->get(), bytes), kCudaSuccess);
    EXPECT_EQ(std::count(back.begin(), back.end(), uint8_t(0xFF)), ptrdiff_t(bytes)) << bytes << " bytes of device memory";
    const auto* p = static_cast<const uint8_t*>(pinned->get());
    EXPECT_EQ(std::count(p, p + bytes, uint8_t(0xFF)), ptrdiff_t(bytes)) << bytes << " bytes of pinned memory";
  }
  ASSERT_EQ(d.DevicePrimaryCtxRelease(device), kCudaSuccess);
  ExpectNothingLive("fresh memory");
}

TEST(HostGpu, ProfileLayersTimesEveryNodeInPlanOrder) {
  REQUIRE_HOST_GPU();
  auto gpu = CudaExecutor::Create(Net(), Options(kChunk, false, false));
  ASSERT_TRUE(gpu.ok()) << gpu.status().message();
  const auto input = Images(Net(), 20, 2);
  auto times = (*gpu)->ProfileLayers(input, 2);
  ASSERT_TRUE(times.ok()) << times.status().message();
  std::vector<std::string> nodes;
  for (const PlanStep& s : (*gpu)->plan().steps)
    if (nodes.empty() || nodes.back() != Net().nodes[s.node].name) nodes.push_back(Net().nodes[s.node].name);
  ASSERT_EQ(times->size(), nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    EXPECT_EQ((*times)[i].node, nodes[i]);
    EXPECT_GE((*times)[i].ms, 0.0);
  }
  EXPECT_FALSE((*gpu)->ProfileLayers(input, 3).ok()) << "more images than a chunk";
}

// One driver call fails (the host GPU returns an error for its nth call): Create or Run returns a
// one-line error naming the call, nothing is left allocated, and a Run after a failed Run is right.
TEST(HostGpu, AFailedDriverCallIsAOneLineErrorAndLeaksNothing) {
  REQUIRE_HOST_GPU();
  const auto input = Images(Net(), 30, kImages);
  const auto expected = CpuLogits(Net(), input, kImages);
  size_t steps = 0;
  {
    auto probe = CudaExecutor::Create(Net(), Options(kChunk, false, false));
    ASSERT_TRUE(probe.ok()) << probe.status().message();
    steps = probe->get()->plan().steps.size();
  }
  struct Failure {
    const char* call;
    int nth;
    bool graphs;
    const char* expect;  // in the message
  };
  const Failure failures[] = {
      {"cuMemAlloc_v2", 3, false, "MemAlloc"},
      {"cuModuleLoadData", 2, false, "ModuleLoadData"},
      {"cuStreamCreate", 2, false, "StreamCreate"},
      {"cuMemAllocHost_v2", 1, false, "MemAllocHost"},
      // The second chunk's third kernel: the first chunk is still pending on the other pipeline.
      {"cuLaunchKernel", int(steps) + 3, false, "LaunchKernel"},
      {"cuMemcpyHtoDAsync_v2", 2, false, "MemcpyHtoDAsync"},
      {"cuMemcpyDtoHAsync_v2", 2, false, "MemcpyDtoHAsync"},
      {"cuEventElapsedTime_v2", 1, false, "EventElapsedTime"},
      {"cuStreamBeginCapture_v2", 2, true, "StreamBeginCapture"},
      {"cuLaunchKernel", 4, true, "LaunchKernel"},  // while capturing: the capture is ended and dropped
      {"cuStreamEndCapture", 1, true, "cuStreamEndCapture"},
      {"cuGraphInstantiateWithFlags", 2, true, "GraphInstantiate"},
      {"cuGraphLaunch", 2, true, "GraphLaunch"},
  };
  for (const Failure& f : failures) {
    const std::string what = fmt::format("{} #{}{}", f.call, f.nth, f.graphs ? " (graphs)" : "");
    Gpu().fail(f.call, f.nth);
    if (auto gpu = CudaExecutor::Create(Net(), Options(kChunk, f.graphs, false)); gpu.ok()) {
      std::vector<float> got;
      const Status st = (*gpu)->Run(input, kImages, got);
      ASSERT_FALSE(st.ok()) << what << ": the failure was not reported";
      EXPECT_NE(st.message().find(f.expect), std::string::npos) << what << ": " << st.message();
      EXPECT_EQ(st.message().find('\n'), std::string::npos) << what << ": " << st.message();
      // The executor still works: the other pipeline's pending chunk is dropped, not copied (into
      // a fresh vector of one image's logits, it would overflow it: AddressSanitizer sees that).
      Gpu().fail("", 0);
      std::vector<float> one;
      ASSERT_TRUE((*gpu)->Run(std::span(input).first(size_t(3) * 32 * 32), 1, one).ok()) << what;
      ExpectSameBytes(one, std::vector<float>(expected.begin(), expected.begin() + 10), what + ", the Run after");
      ASSERT_TRUE((*gpu)->Run(input, kImages, got).ok()) << what;
      ExpectSameBytes(got, expected, what + ", a whole Run after");
    } else {
      EXPECT_NE(gpu.status().message().find(f.expect), std::string::npos) << what << ": " << gpu.status().message();
      EXPECT_EQ(gpu.status().message().find('\n'), std::string::npos) << what;
    }
    Gpu().fail("", 0);
    ExpectNothingLive(what);
  }
}

// The public C++ API: a CUDA session (Device::kCuda and kAuto, which finds the "GPU") gives the
// CPU session's logits for the same images.
TEST(HostGpu, PublicApiCudaSessionGivesTheCpuLogits) {
  REQUIRE_HOST_GPU();
  auto artifact = writer::SerializeArtifact(Net());
  ASSERT_TRUE(artifact.ok()) << artifact.status().message();
  const adderq::Model model = adderq::Model::FromMemory(*artifact);
  const auto input = Images(Net(), 40, 3);
  adderq::Session cpu(model, {adderq::Device::kCpu, 0});
  const std::vector<float> expected = cpu.Run(input, 3);
  for (adderq::Device device : {adderq::Device::kCuda, adderq::Device::kAuto}) {
    adderq::Session gpu(model, {device, 0});
    EXPECT_NE(gpu.backend().find("adderq host GPU"), std::string::npos) << gpu.backend();
    EXPECT_EQ(gpu.fallback_reason(), "");
    ExpectSameBytes(gpu.Run(input, 3), expected, gpu.backend());
  }
  // RunPixels (interleaved RGB, normalised on the GPU) gives the CPU session's RunPixels logits.
  const std::vector<uint8_t> rgb = Interleaved(Pixels(40, 3));
  const std::vector<float> cpu_pixels = cpu.RunPixels(rgb, 3);
  for (adderq::Device device : {adderq::Device::kCuda, adderq::Device::kAuto}) {
    adderq::Session gpu(model, {device, 0});
    ExpectSameBytes(gpu.RunPixels(rgb, 3), cpu_pixels, gpu.backend() + ", RunPixels");
  }
  if (!testing::SharedPath("data/cifar-10-batches-bin").empty())
    ExpectSameBytes(cpu_pixels, expected, "RunPixels of the test images = Run of their normalised floats");
  ExpectNothingLive("after the sessions");
}

// adderq-run with the host GPU as its driver and NVRTC, over a 4-bit ResNet-20 artifact written
// to a directory of its own; stdout and stderr of each run go to out.txt and err.txt there.
class AdderqRunOnHostGpu {
 public:
  explicit AdderqRunOnHostGpu(const std::string& what)
      : dir_(fs::temp_directory_path() / fmt::format("adderq_host_gpu_{}_{}", what, ::getpid())) {
    fs::create_directories(dir_);
    auto artifact = writer::SerializeArtifact(Net());
    EXPECT_TRUE(artifact.ok()) << artifact.status().message();
    if (artifact.ok()) {
      EXPECT_TRUE(WriteFileAtomic(model(), *artifact).ok());
    }
  }
  ~AdderqRunOnHostGpu() { fs::remove_all(dir_); }

  std::string model() const { return Path("w4.adq"); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  int Run(const std::string& args, const std::string& env = "") const {
    const std::string cmd = fmt::format("{} ADDERQ_CUDA_DRIVER='{}' ADDERQ_NVRTC_LIBRARY='{}' ADDERQ_CACHE_DIR='{}' '{}' {} "
                                        "> '{}' 2> '{}'",
                                        env, ADQ_HOST_GPU_LIBRARY, ADQ_HOST_GPU_LIBRARY, CacheDir(), ADQ_ADDERQ_RUN, args,
                                        Path("out.txt"), Path("err.txt"));
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }
  // eval of the first 6 test images, logits to `logits` in the directory.
  int Eval(const std::string& flags, const std::string& logits, const std::string& env = "") const {
    return Run(fmt::format("eval '{}' --data '{}' --limit 6 --json --save-logits '{}' {}", model(), Data(), Path(logits), flags),
               env);
  }
  std::vector<uint8_t> File(const std::string& name) const { return testing::ReadAll(Path(name)); }
  std::string Text(const std::string& name) const {
    const std::vector<uint8_t> b = File(name);
    return std::string(b.begin(), b.end());
  }
  static std::string Data() { return testing::SharedPath("data/cifar-10-batches-bin"); }

 private:
  fs::path dir_;
};

// adderq-run itself with --device cuda on the host GPU: the same logits file as --device cpu, with
// and without graphs and fused codes; bench's GPU fields; a failing launch is one line on stderr
// and exit status 3.
TEST(HostGpu, AdderqRunEvalOnCudaWritesTheCpuLogits) {
  REQUIRE_HOST_GPU();
  if (!RealNet() || AdderqRunOnHostGpu::Data().empty()) GTEST_SKIP() << "../shared data not present";
  const AdderqRunOnHostGpu run("eval");
  ASSERT_EQ(run.Eval("--device cpu", "cpu.bin"), 0) << run.Text("err.txt");
  const std::vector<uint8_t> cpu = run.File("cpu.bin");
  ASSERT_EQ(cpu.size(), size_t(6 * 10 * sizeof(float)));
  for (const std::string flags : {"--device cuda --cuda-chunk 4", "--device cuda --cuda-chunk 4 --cuda-graphs on",
                                  "--device cuda --cuda-chunk 2 --cuda-graphs on --cuda-fuse-codes on"}) {
    ASSERT_EQ(run.Eval(flags, "gpu.bin"), 0) << flags << ": " << run.Text("err.txt");
    const std::string json = run.Text("out.txt");
    EXPECT_NE(json.find("adderq host GPU"), std::string::npos) << flags << ": " << json;
    EXPECT_EQ(run.File("gpu.bin"), cpu) << flags;
  }
  // bench: a warm-up and one timed run of 3 images, one chunk: one graph, reused; per-layer GPU times.
  ASSERT_EQ(run.Run(fmt::format("bench '{}' --data '{}' --images 3 --repeat 1 --json --device cuda --cuda-graphs on", run.model(),
                                AdderqRunOnHostGpu::Data())),
            0)
      << run.Text("err.txt");
  const std::string bench_json = run.Text("out.txt");
  for (const char* key : {"\"gpu_kernel_ms\":", "\"cuda_graphs_captured\":1,", "\"layers\":[{\"node\":"})
    EXPECT_NE(bench_json.find(key), std::string::npos) << key << " in " << bench_json;
  EXPECT_EQ(run.Eval("--device cuda --cuda-chunk 4", "fail.bin", "ADQ_HOST_GPU_FAIL=cuLaunchKernel:5"), 3);  // a runtime error
  const std::string text = run.Text("err.txt");
  EXPECT_NE(text.find("LaunchKernel"), std::string::npos) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
}

// adderq-run tune on the host GPU (its times are the CPU emulation's and mean nothing; what is
// checked is everything else): every quantized adder layer gets a kernel and the times of each
// kernel that ran it, the file says the tuned logits equalled the default ones and whether fused
// codes won, and eval with the file, or with a hand-edited one that mixes all three kinds of
// kernel with fused codes on, gives the CPU's logits.
// A file for another architecture or another model is one line and exit 2, also with --device auto
// (no quiet fall-back to the CPU).
TEST(HostGpu, TuneWritesPerLayerKernelsThatEvalRuns) {
  REQUIRE_HOST_GPU();
  if (!RealNet() || AdderqRunOnHostGpu::Data().empty()) GTEST_SKIP() << "../shared data not present";
  const AdderqRunOnHostGpu run("tune");
  const std::string tuning = run.Path("tuning.json");
  ASSERT_EQ(run.Run(fmt::format("tune '{}' --data '{}' --images 2 --repeat 1 --quick -o '{}'", run.model(), AdderqRunOnHostGpu::Data(),
                                tuning)),
            0)
      << run.Text("err.txt");
  EXPECT_NE(run.Text("out.txt").find("logits identical"), std::string::npos) << run.Text("out.txt");
  const nlohmann::json j = nlohmann::json::parse(run.Text("tuning.json"));
  EXPECT_EQ(j["format"], "adderq-kernel-tuning");
  EXPECT_EQ(j["arch"], 90);  // the host GPU's
  EXPECT_EQ(j["logits_identical_to_default"], true);
  // Fused codes timed with the chosen kernels and decided. With packed-SIMD kernels only, all 20
  // quantize kernels go; a layer the (noisy, emulated) timing gave to the tensor cores keeps its
  // own quantize step, so then fewer go.
  EXPECT_TRUE(j["fuse_codes"].is_boolean()) << j.dump();
  EXPECT_GT(j["network_ms"]["unfused"].get<double>(), 0.0) << j.dump();
  EXPECT_GT(j["network_ms"]["fused_codes"].get<double>(), 0.0) << j.dump();
  ASSERT_TRUE(j["fused_quantize_kernels"].is_number_integer()) << j.dump();
  const int fused_kernels = j["fused_quantize_kernels"].get<int>();
  ASSERT_EQ(j["layers"].size(), 20u);
  const bool any_tensor_core = std::any_of(j["layers"].begin(), j["layers"].end(),
                                           [](const nlohmann::json& c) { return c["adder"] == "tensor-core"; });
  if (any_tensor_core) {
    EXPECT_GE(fused_kernels, 1) << j.dump();
    EXPECT_LT(fused_kernels, 20) << j.dump();
  } else {
    EXPECT_EQ(fused_kernels, 20) << j.dump();
  }
  EXPECT_NE(run.Text("out.txt").find(fmt::format("with fused codes ({} quantize kernels fewer)", fused_kernels)), std::string::npos)
      << run.Text("out.txt");
  for (const auto& [layer, choice] : j["layers"].items()) {
    const std::string adder = choice["adder"];
    EXPECT_TRUE(adder == "simd" || adder == "tensor-core") << layer << ": " << choice.dump();
    if (adder == "simd") {
      EXPECT_GE(choice["simd_pixels"].get<int>(), 1) << layer;
    }
    // 4 bits on sm_90: every kernel ran every layer.
    EXPECT_EQ(j["measured_ms"][layer].size(), 4u) << layer << ": " << j["measured_ms"][layer].dump();
  }
  ASSERT_EQ(run.Eval("--device cpu", "cpu.bin"), 0) << run.Text("err.txt");
  ASSERT_EQ(run.Eval(fmt::format("--device cuda --cuda-tuning '{}'", tuning), "tuned.bin"), 0) << run.Text("err.txt");
  EXPECT_EQ(run.File("tuned.bin"), run.File("cpu.bin"));

  nlohmann::json mixed = j;
  mixed["layers"]["layer1.0.conv1"] = {{"adder", "simd"}, {"simd_pixels", 2}};
  mixed["layers"]["layer2.0.conv1"] = {{"adder", "tensor-core"}};
  mixed["layers"]["layer3.0.conv1"] = {{"adder", "tensor-core"}, {"tc_tiles", {4, 4}}};
  mixed["layers"]["layer3.2.conv2"] = {{"adder", "simd"}, {"simd_pixels", 1}};
  auto write = [&](const std::string& name, const nlohmann::json& value) {
    const std::string text = value.dump();
    EXPECT_TRUE(WriteFileAtomic(run.Path(name), {reinterpret_cast<const uint8_t*>(text.data()), text.size()}).ok());
    return run.Path(name);
  };
  mixed["fuse_codes"] = true;  // as tune writes it where fused codes won
  ASSERT_EQ(run.Eval(fmt::format("--device cuda --cuda-tuning '{}'", write("mixed.json", mixed)), "mixed.bin"), 0)
      << run.Text("err.txt");
  EXPECT_EQ(run.File("mixed.bin"), run.File("cpu.bin"));
  EXPECT_NE(run.Text("out.txt").find("tensor-core"), std::string::npos) << run.Text("out.txt");  // the backend line

  nlohmann::json other_arch = j, other_model = j;
  other_arch["arch"] = 80;
  other_model["layers"]["layer4.0.conv1"] = {{"adder", "simd"}};
  for (const auto& [name, bad] : {std::pair{"arch.json", other_arch}, {"model.json", other_model}})
    for (const char* device : {"cuda", "auto"}) {
      EXPECT_EQ(run.Eval(fmt::format("--device {} --cuda-tuning '{}'", device, write(name, bad)), "bad.bin"), 2) << name << " " << device;
      const std::string err = run.Text("err.txt");
      EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
      EXPECT_NE(err.find(name == std::string("arch.json") ? "sm_80" : "layer4.0.conv1"), std::string::npos) << err;
    }
}

}  // namespace
}  // namespace adderq::cuda
