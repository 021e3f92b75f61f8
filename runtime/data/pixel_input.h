// 8-bit pixels as a model's input: their two layouts, the normalisation to floats and the table of
// every normalised value, which lets a GPU normalise and still match the CPU bit for bit.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace adderq::data {

enum class PixelLayout {
  kPlanar,       // [images][channels][height * width]: CIFAR-10's records
  kInterleaved,  // [images][height * width][channels]: decoded RGB images (the API's RunPixels)
};

// Writes `images` normalised images (CHW floats, data::NormalizePixel per value) into `out`;
// `pixels` holds images x channels x plane values in `layout`, mean and std one value per channel.
void NormalizePixels(std::span<const uint8_t> pixels, PixelLayout layout, int images, int channels, int plane,
                     std::span<const float> mean, std::span<const float> std, float* out);

// [channels][256]: NormalizePixel(v, mean[c], 1 / std[c]) for every byte value v, the very floats
// NormalizePixels writes (a kernel that looks them up computes nothing of its own).
std::vector<float> NormalizationTable(std::span<const float> mean, std::span<const float> std);

}  // namespace adderq::data
