// Fuzz target: the PyTorch checkpoint reader (zip + legacy pickle streams, restricted unpickler,
// tensor materialisation).
#include <cstddef>
#include <cstdint>

#include "frontends/torch/torch_checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)adderq::frontends::ReadTorchCheckpoint({data, size});
  return 0;
}
