// Geometry of one convolution-like layer (Conv2d or Adder2d) on one image, and the packed layouts
// the kernels share: im2col rows of K = C*KH*KW values per output pixel, and weights transposed to
// [K][O_padded] so the innermost loop runs over output channels (vectorised across channels).
#pragma once

#include <cstddef>

#include "core/graph.h"

namespace adderq::kernels {

// Output channels are processed in tiles of this many (the padded weight layout's unit).
inline constexpr int kChannelTile = 16;
// Output pixels are processed in tiles of this many (im2col rows are padded to a multiple).
inline constexpr int kPixelTile = 4;

struct ConvGeometry {
  int in_c = 0, in_h = 0, in_w = 0;
  int out_c = 0, out_h = 0, out_w = 0;
  int kernel_h = 1, kernel_w = 1, stride = 1, padding = 0;

  static ConvGeometry FromNode(const Node& node, const Shape3& input, const Shape3& output) {
    return {input.c, input.h, input.w, output.c, output.h, output.w,
            node.kernel_h, node.kernel_w, node.stride, node.padding};
  }
  int K() const { return in_c * kernel_h * kernel_w; }
  int P() const { return out_h * out_w; }
  int PaddedP() const { return (P() + kPixelTile - 1) / kPixelTile * kPixelTile; }
  static int PaddedChannels(int channels) { return (channels + kChannelTile - 1) / kChannelTile * kChannelTile; }
  size_t InputSize() const { return size_t(in_c) * size_t(in_h) * size_t(in_w); }
  size_t OutputSize() const { return size_t(out_c) * size_t(P()); }
};

}  // namespace adderq::kernels
