// 8-bit pixels as a model's input: their two layouts, the normalisation to floats and the table of
// every normalised value, which lets a GPU normalise and still match the CPU bit for bit.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/pixel_layout.h"

namespace adderq::data {

using PixelLayout = adderq::PixelLayout;

// Writes `images` normalised images (CHW floats, data::NormalizePixel per value) into `out`;
// `pixels` holds images x channels x plane values in `layout`, mean and std one value per channel.
void NormalizePixels(std::span<const uint8_t> pixels, PixelLayout layout, int images, int channels, int plane,
                     std::span<const float> mean, std::span<const float> std, float* out);

// [channels][256]: NormalizePixel(v, mean[c], 1 / std[c]) for every byte value v, the very floats
// NormalizePixels writes (a kernel that looks them up computes nothing of its own).
std::vector<float> NormalizationTable(std::span<const float> mean, std::span<const float> std);

}  // namespace adderq::data
