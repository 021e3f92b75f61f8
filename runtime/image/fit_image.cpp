// Fitting an image to the model's input: centre crop to the target aspect ratio, then a separable
// triangle-filter resample. Downscaling widens the filter by the reduction factor so that every
// source pixel contributes (no aliasing when a photo is reduced to 32x32); upscaling is plain
// bilinear interpolation. Pixel centres are at +0.5, as in Pillow and OpenCV's INTER_AREA/LINEAR.
#include <algorithm>
#include <cmath>

#include "image/image_codecs.h"

namespace adderq::image {
namespace {

struct Taps {
  int first = 0;
  std::vector<float> weights;
};

// For each output coordinate, the contributing input range and normalised weights.
std::vector<Taps> MakeTaps(int in, int out) {
  const double scale = double(in) / double(out), support = std::max(1.0, scale);
  std::vector<Taps> taps(static_cast<size_t>(out));
  for (int o = 0; o < out; ++o) {
    const double center = (o + 0.5) * scale;
    const int lo = std::max(0, int(std::floor(center - support))), hi = std::min(in, int(std::ceil(center + support)));
    Taps& t = taps[size_t(o)];
    t.first = lo;
    double total = 0;
    std::vector<double> w;
    for (int i = lo; i < hi; ++i) {
      const double d = std::abs((i + 0.5 - center) / support);
      w.push_back(d < 1.0 ? 1.0 - d : 0.0);
      total += w.back();
    }
    for (double v : w) t.weights.push_back(float(total > 0 ? v / total : 0.0));
  }
  return taps;
}

// The region (x0, y0, cw, ch) of `image` resampled to width x height.
Image Resample(const Image& image, int x0, int y0, int cw, int ch, int width, int height) {
  const std::vector<Taps> tx = MakeTaps(cw, width), ty = MakeTaps(ch, height);
  // Horizontal pass over the region's rows, then vertical.
  std::vector<float> rows(size_t(ch) * size_t(width) * 3);
  for (int y = 0; y < ch; ++y) {
    const uint8_t* src = image.rgb.data() + (size_t(y0 + y) * size_t(image.width) + size_t(x0)) * 3;
    for (int x = 0; x < width; ++x) {
      const Taps& t = tx[size_t(x)];
      float acc[3] = {0, 0, 0};
      for (size_t k = 0; k < t.weights.size(); ++k)
        for (int c = 0; c < 3; ++c) acc[c] += t.weights[k] * float(src[(size_t(t.first) + k) * 3 + size_t(c)]);
      for (int c = 0; c < 3; ++c) rows[(size_t(y) * size_t(width) + size_t(x)) * 3 + size_t(c)] = acc[c];
    }
  }
  Image out;
  out.width = width;
  out.height = height;
  out.rgb.resize(size_t(width) * size_t(height) * 3);
  for (int y = 0; y < height; ++y) {
    const Taps& t = ty[size_t(y)];
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < 3; ++c) {
        float acc = 0;
        for (size_t k = 0; k < t.weights.size(); ++k)
          acc += t.weights[k] * rows[((size_t(t.first) + k) * size_t(width) + size_t(x)) * 3 + size_t(c)];
        out.rgb[(size_t(y) * size_t(width) + size_t(x)) * 3 + size_t(c)] = uint8_t(std::clamp(std::lround(acc), 0L, 255L));
      }
  }
  return out;
}

Status CheckSizes(const Image& image, int width, int height) {
  if (width <= 0 || height <= 0 || width > kMaxSide || height > kMaxSide)
    return InvalidArgument("FitImage: target size {}x{}", width, height);
  if (image.width <= 0 || image.height <= 0 || image.rgb.size() != size_t(image.width) * size_t(image.height) * 3)
    return InvalidArgument("FitImage: {}x{} image with {} bytes of pixels", image.width, image.height, image.rgb.size());
  return Status::Ok();
}

}  // namespace

Result<Image> Fit(const Image& image, int width, int height) {
  ADQ_RETURN_IF_ERROR(CheckSizes(image, width, height));
  if (image.width == width && image.height == height) return image;
  // Largest centred crop with the target's aspect ratio.
  int cw = image.width, ch = image.height;
  if (int64_t(image.width) * height > int64_t(image.height) * width)
    cw = std::max(1, int(std::lround(double(image.height) * width / height)));
  else
    ch = std::max(1, int(std::lround(double(image.width) * height / width)));
  return Resample(image, (image.width - cw) / 2, (image.height - ch) / 2, cw, ch, width, height);
}

Result<Image> ResizeShorterCentreCrop(const Image& image, int shorter, int width, int height) {
  ADQ_RETURN_IF_ERROR(CheckSizes(image, width, height));
  if (shorter < std::max(width, height) || shorter > kMaxSide)
    return InvalidArgument("resize to {} is smaller than the {}x{} crop", shorter, width, height);
  int rw = shorter, rh = shorter;
  if (image.width < image.height) rh = int(int64_t(shorter) * image.height / image.width);
  else rw = int(int64_t(shorter) * image.width / image.height);
  if (rw > kMaxSide || rh > kMaxSide) return Unsupported("{}x{} image resized to {}x{} is too large", image.width, image.height, rw, rh);
  const Image resized = (rw == image.width && rh == image.height) ? image : Resample(image, 0, 0, image.width, image.height, rw, rh);
  const int x0 = int(std::lround((rw - width) / 2.0)), y0 = int(std::lround((rh - height) / 2.0));
  Image out;
  out.width = width;
  out.height = height;
  out.rgb.resize(size_t(width) * size_t(height) * 3);
  for (int y = 0; y < height; ++y)
    std::copy_n(resized.rgb.data() + (size_t(y0 + y) * size_t(rw) + size_t(x0)) * 3, size_t(width) * 3,
                out.rgb.data() + size_t(y) * size_t(width) * 3);
  return out;
}

Result<Image> FitToInput(const Image& image, int resize_shorter, int width, int height) {
  if (resize_shorter == 0) return Fit(image, width, height);
  return ResizeShorterCentreCrop(image, resize_shorter, width, height);
}

}  // namespace adderq::image
