// The C++ API's thread-safety promise, on libadderq.so alone (so tools/test-tsan.sh can build just
// this under ThreadSanitizer): one immutable Model shared by several threads, each with its own
// Session, gives every thread the single-threaded logits bit for bit; sessions are created,
// run and destroyed concurrently, and Model copies share the loaded graph across threads.
// The model is the committed ResNet-20 fixture (5 bits), the images deterministic pseudo-random.
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "adderq/adderq.hpp"

namespace {

std::vector<uint8_t> ReadFixture(const std::string& name) {
  std::ifstream f(std::string(ADDERQ_FIXTURES_DIR) + "/" + name, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

std::vector<uint8_t> Pixels(size_t images, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> p(images * 32 * 32 * 3);
  for (auto& v : p) v = uint8_t(rng() & 0xFF);
  return p;
}

TEST(ApiThreads, SharedModelOwnSessionsGiveTheSingleThreadedLogits) {
  const std::vector<uint8_t> bytes = ReadFixture("resnet20_w5_schema_v1.adq");
  ASSERT_FALSE(bytes.empty());
  const adderq::Model model = adderq::Model::FromMemory(bytes);
  constexpr int kThreads = 4, kImages = 6, kRounds = 3;
  std::vector<std::vector<uint8_t>> inputs;
  std::vector<std::vector<float>> expected;
  for (int t = 0; t < kThreads; ++t) {
    inputs.push_back(Pixels(kImages, uint32_t(t + 1)));
    adderq::Session alone(model, {adderq::Device::kCpu, 1});
    expected.push_back(alone.RunPixels(inputs.back(), kImages));
  }
  ASSERT_NE(expected[0], expected[1]);  // different images, different logits
  std::vector<std::vector<float>> got(kThreads);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        const adderq::Model mine = model;  // a copy: shares the loaded graph
        adderq::Session session(mine, {adderq::Device::kCpu, 2});  // its own worker threads too
        for (int r = 0; r < kRounds; ++r) got[size_t(t)] = session.RunPixels(inputs[size_t(t)], kImages);
      });
  }
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(got[size_t(t)].size(), expected[size_t(t)].size());
    EXPECT_EQ(std::memcmp(got[size_t(t)].data(), expected[size_t(t)].data(), expected[size_t(t)].size() * sizeof(float)), 0)
        << "thread " << t;
  }
}

TEST(ApiThreads, ModelsLoadedInParallelAreIndependent) {
  const std::vector<uint8_t> bytes = ReadFixture("resnet20_w5_schema_v1.adq");
  const std::vector<uint8_t> images = Pixels(2, 99);
  std::vector<std::vector<float>> got(3);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 3; ++t)
      threads.emplace_back([&, t] {
        adderq::Session s(adderq::Model::FromMemory(bytes), {adderq::Device::kCpu, 1});  // outlives its handle
        got[size_t(t)] = s.RunPixels(images, 2);
      });
  }
  EXPECT_EQ(got[0], got[1]);
  EXPECT_EQ(got[1], got[2]);
}

}  // namespace
