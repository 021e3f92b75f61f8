// PyTorch checkpoint import: the legacy serialization (pickles followed by raw storages, PyTorch
// < 1.6, as the official AdderNet file) and the zip serialization (archive/data.pkl +
// archive/data/<key>). No Python is involved.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "state_dict.h"

namespace adderq::frontends {

bool LooksLikeTorchLegacy(std::span<const uint8_t> bytes);
// Reads either serialization (decided from the content). Errors do not carry the path; callers add it.
Result<StateDict> ReadTorchCheckpoint(std::span<const uint8_t> bytes);

}  // namespace adderq::frontends
