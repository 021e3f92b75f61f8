// The two layouts of 8-bit pixels a backend takes as input (InferenceBackend::RunPixels).
#pragma once

namespace adderq {

enum class PixelLayout {
  kPlanar,       // [images][channels][height * width]: CIFAR-10's records
  kInterleaved,  // [images][height * width][channels]: decoded RGB images (the API's RunPixels)
};

}  // namespace adderq
