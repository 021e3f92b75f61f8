// The C API (adderq.h) through C calls only: handles, status codes, messages, NULL arguments,
// capacities, and a real classification matching the C++ API.
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "adderq/adderq.h"
#include "adderq/adderq.hpp"
#include "image/image_codecs.h"
#include "test_support.h"
#include "writer/artifact_writer.h"

namespace adderq {
namespace {

std::vector<uint8_t> SyntheticArtifact() {
  auto bytes = writer::SerializeArtifact(testing::SyntheticResNet(20, 4, 11));
  EXPECT_TRUE(bytes.ok());
  return bytes.value();
}

TEST(CApi, LoadRunAndMatchTheCppApi) {
  const std::vector<uint8_t> bytes = SyntheticArtifact();
  adderq_model* model = nullptr;
  ASSERT_EQ(adderq_model_load_memory(bytes.data(), bytes.size(), &model), ADDERQ_OK) << adderq_last_error();
  EXPECT_EQ(adderq_model_num_classes(model), 10);
  EXPECT_EQ(adderq_model_bits(model), 4);
  EXPECT_STREQ(adderq_model_architecture(model), "resnet20_adder_cifar");
  EXPECT_EQ(adderq_model_class_name(model, 10), nullptr);
  EXPECT_NE(adderq_model_class_name(model, 0), nullptr);
  int c = 0, h = 0, w = 0;
  adderq_model_input_shape(model, &c, &h, &w);
  EXPECT_EQ(c * h * w, 3 * 32 * 32);

  adderq_session_options options{ADDERQ_DEVICE_CPU, 1};
  adderq_session* session = nullptr;
  ASSERT_EQ(adderq_session_create(model, &options, &session), ADDERQ_OK) << adderq_last_error();
  EXPECT_EQ(std::string(adderq_session_backend(session)).rfind("cpu", 0), 0u);

  std::vector<uint8_t> pixels(2 * 32 * 32 * 3);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = uint8_t(i * 7 + i / 97);
  std::vector<float> logits(20);
  ASSERT_EQ(adderq_session_run_pixels(session, pixels.data(), 2, logits.data(), logits.size()), ADDERQ_OK);
  Session cpp(Model::FromMemory(bytes), {Device::kCpu, 1});
  const std::vector<float> want = cpp.RunPixels(pixels, 2);
  EXPECT_EQ(0, std::memcmp(logits.data(), want.data(), want.size() * sizeof(float)));

  int classes[3];
  float probabilities[3];
  ASSERT_EQ(adderq_top_k(logits.data(), 10, 3, classes, probabilities), ADDERQ_OK);
  const auto top = TopK(Model::FromMemory(bytes), {want.data(), 10}, 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(classes[i], top[size_t(i)].index);
    EXPECT_FLOAT_EQ(probabilities[i], top[size_t(i)].probability);
  }
  // The model may go before the session.
  adderq_model_free(model);
  ASSERT_EQ(adderq_session_run_pixels(session, pixels.data(), 1, logits.data(), 10), ADDERQ_OK);
  adderq_session_free(session);
}

TEST(CApi, FailuresReturnCodesAndOneLineMessages) {
  adderq_model* model = reinterpret_cast<adderq_model*>(0x1);
  EXPECT_EQ(adderq_model_load("/nonexistent.adq", &model), ADDERQ_BAD_INPUT);
  EXPECT_EQ(model, nullptr);
  EXPECT_NE(std::string(adderq_last_error()).find("/nonexistent.adq"), std::string::npos);
  EXPECT_EQ(adderq_model_load(nullptr, &model), ADDERQ_INVALID_ARGUMENT);
  EXPECT_EQ(adderq_model_load("x", nullptr), ADDERQ_INVALID_ARGUMENT);
  const char junk[] = "not an artifact at all";
  EXPECT_EQ(adderq_model_load_memory(junk, sizeof junk, &model), ADDERQ_BAD_INPUT);
  EXPECT_EQ(std::string(adderq_last_error()).find('\n'), std::string::npos);

  const std::vector<uint8_t> bytes = SyntheticArtifact();
  ASSERT_EQ(adderq_model_load_memory(bytes.data(), bytes.size(), &model), ADDERQ_OK);
  adderq_session_options bad{ADDERQ_DEVICE_AUTO, 0};
  const int seven = 7;  // what a C caller can store in the enum
  std::memcpy(&bad.device, &seven, sizeof seven);
  adderq_session* session = nullptr;
  EXPECT_EQ(adderq_session_create(model, &bad, &session), ADDERQ_INVALID_ARGUMENT);
  EXPECT_EQ(adderq_session_create(nullptr, nullptr, &session), ADDERQ_INVALID_ARGUMENT);
  adderq_session_options cpu{ADDERQ_DEVICE_CPU, 1};
  ASSERT_EQ(adderq_session_create(model, &cpu, &session), ADDERQ_OK);
  std::vector<uint8_t> pixels(32 * 32 * 3);
  std::vector<float> logits(10);
  EXPECT_EQ(adderq_session_run_pixels(session, pixels.data(), 2, logits.data(), 10), ADDERQ_INVALID_ARGUMENT);
  EXPECT_NE(std::string(adderq_last_error()).find("logits_capacity"), std::string::npos);
  EXPECT_EQ(adderq_session_run_pixels(session, nullptr, 1, logits.data(), 10), ADDERQ_INVALID_ARGUMENT);
  EXPECT_EQ(adderq_session_run_pixels(session, pixels.data(), 0, logits.data(), 10), ADDERQ_INVALID_ARGUMENT);
  EXPECT_EQ(adderq_session_run(nullptr, nullptr, 1, logits.data(), 10), ADDERQ_INVALID_ARGUMENT);
  EXPECT_EQ(adderq_image_load_fitted("/nonexistent.png", 32, 32, pixels.data()), ADDERQ_BAD_INPUT);
  EXPECT_EQ(adderq_top_k(logits.data(), 10, 11, nullptr, nullptr), ADDERQ_INVALID_ARGUMENT);
  const float inf[2] = {1.f, INFINITY};
  float p[2];
  EXPECT_EQ(adderq_softmax(inf, 2, p), ADDERQ_INVALID_ARGUMENT);
  adderq_session_free(session);
  adderq_model_free(model);
  adderq_session_free(nullptr);
  adderq_model_free(nullptr);
}

}  // namespace
}  // namespace adderq

namespace adderq {
namespace {

// adderq_image_load_for_model fits an image as the artifact says: the CIFAR crop-and-resize for a
// model without resize_shorter (the same bytes as adderq_image_load_fitted at its size), ImageNet's
// shorter-side resize and centre crop for one with it (as RunImages does).
TEST(CApi, ImagesAreFittedAsTheArtifactSays) {
  Image im;
  im.width = 90;
  im.height = 50;
  for (int i = 0; i < 90 * 50; ++i) im.rgb.insert(im.rgb.end(), {uint8_t(i % 90 * 2), uint8_t(i / 90 * 5), 7});
  const std::string path = ::testing::TempDir() + "/adderq_c_api_fit.png";
  auto png = image::EncodePng(im);
  ASSERT_TRUE(png.ok());
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fwrite(png->data(), 1, png->size(), f);
  std::fclose(f);
  for (int resize_shorter : {0, 28}) {
    Graph g = testing::SingleLayerGraph(OpKind::kAdder2d, {3, 24, 24}, 4, 3, 1, 1, std::vector<float>(4 * 27, 0.5f));
    g.meta.resize_shorter = resize_shorter;
    auto bytes = writer::SerializeArtifact(g);
    ASSERT_TRUE(bytes.ok()) << bytes.status().message();
    adderq_model* model = nullptr;
    ASSERT_EQ(adderq_model_load_memory(bytes->data(), bytes->size(), &model), ADDERQ_OK) << adderq_last_error();
    std::vector<uint8_t> got(24 * 24 * 3), want;
    ASSERT_EQ(adderq_image_load_for_model(model, path.c_str(), got.data()), ADDERQ_OK) << adderq_last_error();
    want = (resize_shorter ? image::ResizeShorterCentreCrop(im, 28, 24, 24) : image::Fit(im, 24, 24)).value().rgb;
    EXPECT_EQ(got, want) << "resize_shorter " << resize_shorter;
    EXPECT_EQ(adderq_image_load_for_model(nullptr, path.c_str(), got.data()), ADDERQ_INVALID_ARGUMENT);
    adderq_model_free(model);
  }
  std::remove(path.c_str());
}

}  // namespace
}  // namespace adderq
