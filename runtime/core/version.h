// Versions stamped into artifacts and kernel-cache keys.
#pragma once

#include <cstdint>

namespace adderq {

// Artifact schema versions (schema/adderq.fbs). Bump when existing data changes meaning or an old
// runtime would misread a new field; the loader accepts exactly IsSupportedSchemaVersion().
// The writer stamps the lowest version that describes the artifact (1 for signed weight codes
// only), so artifacts an older runtime can read stay readable by it, byte for byte.
inline constexpr uint32_t kSchemaVersion = 3;
inline constexpr uint32_t kSchemaVersionUnsignedCodes = 2;  // AdderQuant.weight_codes = Unsigned
inline constexpr uint32_t kSchemaVersionGeneralGraphs = 3;  // MaxPool, pool_padding, resize_shorter
inline constexpr bool IsSupportedSchemaVersion(uint32_t v) { return v >= 1 && v <= 3; }

inline constexpr const char* kAdderqVersion = "0.1.0";

}  // namespace adderq
