// The on-disk kernel cache: keys, hits, and what happens to damaged entries (no NVRTC needed).
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "core/file_io.h"
#include "cuda/kernel_cache.h"

namespace adderq::cuda {
namespace {

namespace fs = std::filesystem;

class KernelCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / fs::path("adderq_cache_test_" + std::to_string(::getpid()) + "_" +
                                                ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST(KernelCacheKey, DependsOnEveryInput) {
  const std::string base = KernelCacheKey("src", {"--fmad=false"}, 90, "13.0");
  EXPECT_EQ(base.size(), 64u);
  EXPECT_EQ(base, KernelCacheKey("src", {"--fmad=false"}, 90, "13.0"));
  EXPECT_NE(base, KernelCacheKey("src2", {"--fmad=false"}, 90, "13.0"));
  EXPECT_NE(base, KernelCacheKey("src", {"--fmad=true"}, 90, "13.0"));
  EXPECT_NE(base, KernelCacheKey("src", {"--fmad=false"}, 80, "13.0"));
  EXPECT_NE(base, KernelCacheKey("src", {"--fmad=false"}, 90, "12.8"));
  // Field boundaries matter: moving a character between fields changes the key.
  EXPECT_NE(KernelCacheKey("ab", {"c"}, 90, "13.0"), KernelCacheKey("a", {"bc"}, 90, "13.0"));
}

TEST_F(KernelCacheTest, MissThenHit) {
  KernelCache cache(dir_.string());
  const std::string key(64, 'a');
  EXPECT_FALSE(cache.Find(key).payload);
  EXPECT_FALSE(cache.Find(key).corrupt);
  const std::vector<uint8_t> payload = {0x7f, 'E', 'L', 'F', 1, 2, 3};
  ASSERT_TRUE(cache.Store(key, payload).ok());
  auto found = cache.Find(key);
  ASSERT_TRUE(found.payload);
  EXPECT_EQ(*found.payload, payload);
  // Only the entry itself is left: the temporary file of the atomic write was renamed.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(KernelCacheTest, DamagedEntriesAreMissesMarkedCorrupt) {
  KernelCache cache(dir_.string());
  const std::string key(64, 'b');
  std::vector<uint8_t> payload(1000);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = uint8_t(i * 7);
  ASSERT_TRUE(cache.Store(key, payload).ok());
  auto bytes = ReadFileBytes(cache.PathFor(key));
  ASSERT_TRUE(bytes.ok());
  const std::vector<uint8_t> good = *bytes;

  auto write = [&](const std::vector<uint8_t>& b) { ASSERT_TRUE(WriteFileAtomic(cache.PathFor(key), b).ok()); };
  for (size_t pos : {size_t(0), size_t(9), size_t(20), size_t(60), good.size() - 1}) {
    std::vector<uint8_t> flipped = good;
    flipped[pos] ^= 0x10;
    write(flipped);
    auto found = cache.Find(key);
    EXPECT_FALSE(found.payload) << "flip at " << pos;
    EXPECT_TRUE(found.corrupt) << "flip at " << pos;
  }
  write({good.begin(), good.begin() + 100});  // truncated
  EXPECT_TRUE(cache.Find(key).corrupt);
  write({});  // empty
  EXPECT_TRUE(cache.Find(key).corrupt);
  // Storing again repairs it.
  ASSERT_TRUE(cache.Store(key, payload).ok());
  EXPECT_EQ(*cache.Find(key).payload, payload);
}

TEST(KernelCacheDisabled, EmptyDirectoryNeverHits) {
  KernelCache cache("");
  EXPECT_TRUE(cache.Store(std::string(64, 'c'), {1, 2, 3}).ok());
  EXPECT_FALSE(cache.Find(std::string(64, 'c')).payload);
}

TEST(KernelCacheDir, EnvironmentOrder) {
  ::setenv("ADDERQ_CACHE_DIR", "/x/adq", 1);
  ::setenv("XDG_CACHE_HOME", "/y", 1);
  EXPECT_EQ(DefaultKernelCacheDir(), "/x/adq");
  ::unsetenv("ADDERQ_CACHE_DIR");
  EXPECT_EQ(DefaultKernelCacheDir(), "/y/adderq");
  ::unsetenv("XDG_CACHE_HOME");
  ::setenv("HOME", "/home/u", 1);
  EXPECT_EQ(DefaultKernelCacheDir(), "/home/u/.cache/adderq");
}

}  // namespace
}  // namespace adderq::cuda
