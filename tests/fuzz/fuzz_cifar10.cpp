// Fuzz target: the CIFAR-10 binary reader.
#include <cstddef>
#include <cstdint>

#include "data/cifar10.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  adderq::data::ImageSet set;
  (void)adderq::data::ParseCifar10({data, size}, "fuzz", set);
  return 0;
}
