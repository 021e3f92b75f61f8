// Image files: PNG and Netpbm decoding (every variant, against known pixels), bad files as one-line
// errors, and the fit-to-model resize.
#include <gtest/gtest.h>
#include <zlib.h>

#include "image/image_codecs.h"

namespace adderq::image {
namespace {

Image Gradient(int w, int h) {
  Image im;
  im.width = w;
  im.height = h;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) im.rgb.insert(im.rgb.end(), {uint8_t(x * 7), uint8_t(y * 5), uint8_t(x + y)});
  return im;
}

std::vector<uint8_t> Bytes(const std::string& s) { return {s.begin(), s.end()}; }

TEST(Image, PngAndPpmRoundTrip) {
  const Image im = Gradient(13, 7);
  auto png = EncodePng(im);
  ASSERT_TRUE(png.ok());
  auto back = Decode(png.value(), "x.png");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->width, 13);
  EXPECT_EQ(back->height, 7);
  EXPECT_EQ(back->rgb, im.rgb);
  auto ppm = Decode(EncodePpm(im), "x.ppm");
  ASSERT_TRUE(ppm.ok());
  EXPECT_EQ(ppm->rgb, im.rgb);
}

TEST(Image, NetpbmVariants) {
  // ASCII colour with a comment, maxval 15 (scaled to 0..255 with rounding).
  auto p3 = Decode(Bytes("P3\n# two pixels\n2 1\n15\n15 0 7  1 2 3\n"), "a.ppm");
  ASSERT_TRUE(p3.ok()) << p3.status().message();
  EXPECT_EQ(p3->rgb, (std::vector<uint8_t>{255, 0, 119, 17, 34, 51}));
  // Binary grey: replicated into R, G and B.
  std::string p5 = "P5 2 1 255\n";
  p5 += char(9);
  p5 += char(200);
  auto grey = Decode(Bytes(p5), "g.pgm");
  ASSERT_TRUE(grey.ok());
  EXPECT_EQ(grey->rgb, (std::vector<uint8_t>{9, 9, 9, 200, 200, 200}));
  // 16-bit binary colour, big-endian samples.
  std::string p6 = "P6 1 1 65535\n";
  for (uint8_t b : {0xff, 0xff, 0x00, 0x00, 0x80, 0x00}) p6 += char(b);
  auto deep = Decode(Bytes(p6), "d.ppm");
  ASSERT_TRUE(deep.ok());
  EXPECT_EQ(deep->rgb, (std::vector<uint8_t>{255, 0, 128}));
  auto p2 = Decode(Bytes("P2 1 2 255 0 255"), "a.pgm");
  ASSERT_TRUE(p2.ok());
  EXPECT_EQ(p2->rgb, (std::vector<uint8_t>{0, 0, 0, 255, 255, 255}));
}

TEST(Image, BadFilesAreOneLineErrors) {
  const auto png = EncodePng(Gradient(8, 8)).value();
  const std::vector<std::pair<std::vector<uint8_t>, std::string>> cases = {
      {Bytes(""), "empty"},
      {Bytes("GIF89a"), "other format"},
      {Bytes("P6 2 2 255\nabc"), "truncated raster"},
      {Bytes("P6 0 2 255\n"), "zero width"},
      {Bytes("P6 99999 2 255\n"), "huge"},
      {Bytes("P6 16000 16000 255\n"), "too many pixels"},
      {Bytes("P3 4000 4000 255\n1 2 3"), "ascii far too short"},
      {Bytes("P3 1 1 255 1 2"), "truncated ascii"},
      {Bytes("P3 1 1 10 1 2 11"), "sample above maxval"},
      {Bytes("P6 1 1 70000\n"), "bad maxval"},
      {Bytes("P4 1 1\n"), "bitmap"},
      {std::vector<uint8_t>(png.begin(), png.begin() + long(png.size() / 2)), "truncated png"},
  };
  for (const auto& [bytes, what] : cases) {
    auto r = Decode(bytes, "f");
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.status().code(), StatusCode::kBadInput) << what;
    EXPECT_EQ(r.status().message().find('\n'), std::string::npos) << what;
    EXPECT_EQ(r.status().message().rfind("f: ", 0), 0u) << what << ": " << r.status().message();
  }
  std::vector<uint8_t> corrupt = png;
  corrupt[corrupt.size() / 2] ^= 0xff;  // the zlib stream or its CRC breaks
  EXPECT_FALSE(Decode(corrupt, "c.png").ok());
}

// A valid PNG header that declares far more pixels than its data can hold is refused before the
// decoder allocates its output (16000 x 16000 RGBA would be 1 GB).
TEST(Image, PngDeclaringAHugeImageIsRefusedBeforeAllocating) {
  std::vector<uint8_t> png = EncodePng(Gradient(4, 4)).value();
  auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) png[at + size_t(i)] = uint8_t(v >> (24 - 8 * i));
  };
  put32(16, 5000);  // IHDR width
  put32(20, 5000);  // IHDR height
  put32(29, uint32_t(crc32(0, png.data() + 12, 17)));  // IHDR CRC over type + data
  auto r = Decode(png, "huge.png");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("truncated PNG"), std::string::npos) << r.status().message();
  put32(16, 16000);
  put32(20, 16000);
  put32(29, uint32_t(crc32(0, png.data() + 12, 17)));
  r = Decode(png, "huger.png");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("in all"), std::string::npos) << r.status().message();
}

TEST(Image, FitKeepsTheModelSizeAndCropsTheCentre) {
  const Image same = Gradient(32, 32);
  auto same_fit = Fit(same, 32, 32);
  ASSERT_TRUE(same_fit.ok());
  EXPECT_EQ(same_fit.value().rgb, same.rgb);
  // A 64x32 image of which only the middle 32x32 is white: the centre crop sees only white.
  Image wide;
  wide.width = 64;
  wide.height = 32;
  for (int y = 0; y < 32; ++y)
    for (int x = 0; x < 64; ++x) {
      const uint8_t v = x >= 16 && x < 48 ? 255 : 0;
      wide.rgb.insert(wide.rgb.end(), {v, v, v});
    }
  auto fit = Fit(wide, 32, 32);
  ASSERT_TRUE(fit.ok());
  for (uint8_t v : fit->rgb) EXPECT_EQ(v, 255);
  // Downscaling by 2 averages: a fine checkerboard becomes mid grey everywhere (antialiased).
  Image checker;
  checker.width = checker.height = 64;
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 64; ++x) {
      const uint8_t v = (x + y) % 2 ? 200 : 0;
      checker.rgb.insert(checker.rgb.end(), {v, v, v});
    }
  auto small = Fit(checker, 32, 32);
  ASSERT_TRUE(small.ok());
  for (int y = 1; y < 31; ++y)
    for (int x = 1; x < 31; ++x) EXPECT_NEAR(small->rgb[size_t(y * 32 + x) * 3], 100, 1) << x << "," << y;
  // Upscaling a constant image stays constant.
  Image flat;
  flat.width = 3;
  flat.height = 5;
  flat.rgb.assign(45, 77);
  auto big = Fit(flat, 32, 32);
  ASSERT_TRUE(big.ok());
  for (uint8_t v : big.value().rgb) EXPECT_EQ(v, 77);
  EXPECT_FALSE(Fit(flat, 0, 32).ok());
}

}  // namespace
}  // namespace adderq::image
