// Fuzz target: the MindSpore checkpoint reader (protobuf wire format, split tensors, CRC trailer).
#include <cstddef>
#include <cstdint>

#include "frontends/mindspore/mindspore_checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)adderq::frontends::ReadMindSporeCheckpoint({data, size});
  return 0;
}
