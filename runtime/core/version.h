// Versions stamped into artifacts and kernel-cache keys.
#pragma once

#include <cstdint>

namespace adderq {

// Artifact schema version (schema/adderq.fbs). Bump when existing data changes meaning; the loader
// accepts exactly the versions listed in IsSupportedSchemaVersion().
inline constexpr uint32_t kSchemaVersion = 1;
inline constexpr bool IsSupportedSchemaVersion(uint32_t v) { return v == 1; }

inline constexpr const char* kAdderqVersion = "0.1.0";

}  // namespace adderq
