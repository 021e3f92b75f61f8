// JPEG decoding (libjpeg-turbo), ImageNet's resize-and-crop, and labelled data sets: ImageFolder
// listing (sorted classes and files), reading in a model's input form, bad folders and files as
// one-line errors, CIFAR-10 fitted to a larger input.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "core/file_io.h"
#include "data/labeled_images.h"
#include "image/image_codecs.h"
#include "test_support.h"

namespace adderq {
namespace {

namespace fs = std::filesystem;

Image Smooth(int w, int h) {
  Image im;
  im.width = w;
  im.height = h;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      im.rgb.insert(im.rgb.end(), {uint8_t(x * 255 / std::max(1, w - 1)), uint8_t(y * 255 / std::max(1, h - 1)), 128});
  return im;
}

TEST(Jpeg, DecodesWhatItEncodedWithinJpegError) {
  const Image im = Smooth(40, 24);
  auto jpg = image::EncodeJpeg(im, 95);
  ASSERT_TRUE(jpg.ok()) << jpg.status().message();
  auto back = image::Decode(jpg.value(), "x.jpg");
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_EQ(back->width, 40);
  ASSERT_EQ(back->height, 24);
  double err = 0;
  for (size_t i = 0; i < im.rgb.size(); ++i) err += std::abs(int(im.rgb[i]) - int(back->rgb[i]));
  EXPECT_LT(err / double(im.rgb.size()), 3.0);  // a smooth gradient at quality 95
}

TEST(Jpeg, CorruptAndTruncatedFilesAreOneLineErrors) {
  auto jpg = image::EncodeJpeg(Smooth(64, 64), 90);
  ASSERT_TRUE(jpg.ok());
  for (size_t cut : {size_t(3), size_t(20), jpg->size() / 2}) {
    auto r = image::Decode({jpg->data(), cut}, "cut.jpg");
    if (r.ok()) continue;  // a JPEG cut in its scan data may decode with grey rows, as libjpeg allows
    EXPECT_EQ(r.status().message().find('\n'), std::string::npos);
    EXPECT_NE(r.status().message().find("cut.jpg"), std::string::npos);
  }
  auto header_only = image::Decode({jpg->data(), 3}, "h.jpg");
  ASSERT_FALSE(header_only.ok());
  EXPECT_NE(header_only.status().message().find("h.jpg: corrupt JPEG"), std::string::npos) << header_only.status().message();
}

TEST(Resize, ShorterSideThenCentreCropAsTorchvision) {
  // 300x200 -> shorter side 256: 384x256, then the centred 224x224 crop at (80, 16).
  const Image im = Smooth(300, 200);
  auto out = image::ResizeShorterCentreCrop(im, 256, 224, 224);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->width, 224);
  EXPECT_EQ(out->height, 224);
  // The gradient's red runs 0..255 over 300 columns; the crop's first column is column 80 of 384,
  // the source's (80 + 0.5) * 300 / 384 - 0.5 = 62.4, red 62.4 * 255 / 299 = 53.
  EXPECT_NEAR(out->rgb[0], 53, 2);
  auto fit = image::FitToInput(im, 0, 32, 32);
  ASSERT_TRUE(fit.ok());
  EXPECT_EQ(fit->width, 32);
  EXPECT_FALSE(image::ResizeShorterCentreCrop(im, 200, 224, 224).ok());  // smaller than the crop
}

class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("adderq_folder_" + std::to_string(::getpid()))) { fs::create_directories(path_); }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void Write(const fs::path& p, const std::vector<uint8_t>& bytes) {
  fs::create_directories(p.parent_path());
  ASSERT_TRUE(WriteFileAtomic(p.string(), bytes).ok());
}

TEST(ImageFolder, ClassesAndFilesInSortedOrderReadInTheInputForm) {
  TempDir dir;
  Write(dir.path() / "zebra" / "b.png", image::EncodePng(Smooth(50, 40)).value());
  Write(dir.path() / "zebra" / "a.JPG", image::EncodeJpeg(Smooth(30, 60)).value());
  Write(dir.path() / "apple" / "x.ppm", image::EncodePpm(Smooth(8, 8)));
  Write(dir.path() / "apple" / "notes.txt", {'h', 'i'});  // not an image: ignored
  fs::create_directories(dir.path() / "empty_class");
  auto set = data::OpenLabeledImages(dir.path().string(), data::Split::kTest, {{3, 24, 24}, 28});
  ASSERT_TRUE(set.ok()) << set.status().message();
  const data::LabeledImages& s = **set;
  EXPECT_EQ(s.class_names(), (std::vector<std::string>{"apple", "empty_class", "zebra"}));
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s.label(0), 0);
  EXPECT_EQ(s.label(1), 2);  // zebra/a.JPG before zebra/b.png
  EXPECT_EQ(s.label(2), 2);
  std::vector<uint8_t> pixels(3 * 3 * 24 * 24);
  ASSERT_TRUE(data::ReadImages(s, 0, 3, pixels, 2).ok());
  // Image 2 (b.png, 50x40): resized to 35x28, the centred 24x24: planar red rises left to right.
  const uint8_t* red = pixels.data() + 2 * 3 * 576;
  EXPECT_LT(red[0], red[23]);
  EXPECT_EQ(s.Describe().find("ImageFolder"), 0u);
}

TEST(ImageFolder, BadFoldersAndFilesAreOneLineErrors) {
  TempDir dir;
  EXPECT_NE(data::OpenLabeledImages((dir.path() / "missing").string(), data::Split::kTest, {}).status().message().find("no such directory"),
            std::string::npos);
  EXPECT_NE(data::OpenLabeledImages(dir.path().string(), data::Split::kTest, {}).status().message().find("neither CIFAR-10"),
            std::string::npos);
  fs::create_directories(dir.path() / "cls");
  EXPECT_NE(data::OpenLabeledImages(dir.path().string(), data::Split::kTest, {}).status().message().find("no JPEG, PNG"),
            std::string::npos);
  Write(dir.path() / "cls" / "broken.png", {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0});
  auto set = data::OpenLabeledImages(dir.path().string(), data::Split::kTest, {});
  ASSERT_TRUE(set.ok());
  std::vector<uint8_t> pixels(3 * 32 * 32);
  const Status st = data::ReadImages(**set, 0, 1, pixels, 1);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("broken.png"), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find('\n'), std::string::npos);
}

TEST(CifarImages, NativeRecordsAsStoredAndFittedForLargerInputs) {
  const std::string dir = testing::SharedPath("data/cifar-10-batches-bin");
  if (dir.empty()) GTEST_SKIP() << "../shared data not present";
  auto native = data::OpenLabeledImages(dir, data::Split::kTest, {});
  ASSERT_TRUE(native.ok()) << native.status().message();
  ASSERT_NE((*native)->native_cifar(), nullptr);
  std::vector<uint8_t> a(3072);
  ASSERT_TRUE((*native)->Read(0, a).ok());
  EXPECT_TRUE(std::equal(a.begin(), a.end(), (*native)->native_cifar()->image(0)));
  EXPECT_EQ((*native)->label(0), 3);  // the test set starts 3 8 8 0
  auto big = data::OpenLabeledImages(dir, data::Split::kTest, {{3, 64, 64}, 0});
  ASSERT_TRUE(big.ok());
  EXPECT_EQ((*big)->native_cifar(), nullptr);
  std::vector<uint8_t> b(3 * 64 * 64);
  ASSERT_TRUE((*big)->Read(0, b).ok());
  // Upscaled 2x: each source pixel's value is near its 2x2 block's.
  EXPECT_NEAR(int(b[64 * 10 + 10]), int(a[32 * 5 + 5]), 24);
}

}  // namespace
}  // namespace adderq
