// MindSpore checkpoint import (mindspore.save_checkpoint's protobuf, checkpoint.proto):
//   Checkpoint { repeated Value value = 1; }
//   Value { required string tag = 1; oneof { TensorProto tensor = 2; MapTensorProto maptensor = 3; } }
//   TensorProto { repeated int64 dims = 1; required string tensor_type = 2; required bytes tensor_content = 3; }
// Consecutive values with one tag are the slices of a split tensor; scalars have dims [0] or none;
// an optional trailer "crc_num" + 10-byte big-endian CRC-32 of everything before it is verified.
// Non-numeric values (strings, the random-op state) and map tensors are skipped.
#pragma once

#include <cstdint>
#include <span>

#include "state_dict.h"

namespace adderq::frontends {

// True when the bytes start like a MindSpore checkpoint (a length-delimited field 1).
bool LooksLikeMindSpore(std::span<const uint8_t> bytes);
// Names are returned as stored (MindSpore naming); see models/name_maps.h for canonical names.
Result<StateDict> ReadMindSporeCheckpoint(std::span<const uint8_t> bytes);

}  // namespace adderq::frontends
