#include "core/backend.h"

#include <fmt/format.h>

#include "kernels/tile_kernels.h"

namespace adderq {

std::string CpuBackend::Describe() const {
  return fmt::format("cpu ({}, {} threads)", kernels::SimdLevel(), executor_.threads());
}

}  // namespace adderq
