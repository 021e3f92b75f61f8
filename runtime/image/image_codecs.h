// Image files for inference and data sets: PNG (libpng), JPEG (libjpeg-turbo) and Netpbm (PPM/PGM,
// binary and ASCII), decoded to 8-bit RGB; writers for all three (tests and tools export CIFAR-10
// images with them); the two ways an image is fitted to a model's input.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "adderq/adderq.hpp"
#include "core/status.h"

namespace adderq::image {

// Errors name `name` (the file) and what is wrong with it.
Result<Image> DecodePng(std::span<const uint8_t> bytes, const std::string& name);
Result<Image> DecodeNetpbm(std::span<const uint8_t> bytes, const std::string& name);
Result<Image> DecodeJpeg(std::span<const uint8_t> bytes, const std::string& name);
// Dispatches on the leading bytes (PNG signature, JPEG's SOI marker, or "P2".."P6").
Result<Image> Decode(std::span<const uint8_t> bytes, const std::string& name);
Result<Image> LoadFile(const std::string& path);

Result<std::vector<uint8_t>> EncodePng(const Image& image);
std::vector<uint8_t> EncodePpm(const Image& image);  // binary P6
Result<std::vector<uint8_t>> EncodeJpeg(const Image& image, int quality = 90);

// See adderq::FitImage in adderq.hpp.
Result<Image> Fit(const Image& image, int width, int height);
// ImageNet's evaluation transform: the shorter side resized to `shorter` (the same triangle filter,
// the longer side in proportion, truncated as torchvision's Resize), then the centred
// width x height crop (offsets rounded as torchvision's CenterCrop).
Result<Image> ResizeShorterCentreCrop(const Image& image, int shorter, int width, int height);
// One of the two, as a model's metadata says: resize_shorter 0 = Fit, else ResizeShorterCentreCrop.
Result<Image> FitToInput(const Image& image, int resize_shorter, int width, int height);

// Images larger than this (either side, or in total) are refused before any allocation: a few
// bytes of header must not make us allocate gigabytes. 32 Mpx is a large photo; models take 32x32.
inline constexpr int kMaxSide = 1 << 14;
inline constexpr uint64_t kMaxPixels = uint64_t(1) << 25;

}  // namespace adderq::image
