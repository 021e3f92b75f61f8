// On-disk cache of compiled kernels (cubins), after CuPy's: the key is the SHA-256 of everything
// that determines the machine code (kernel source, NVRTC options, target architecture, NVRTC
// version, adderq version); entries are written to a temporary file and renamed (readers never see
// a partial entry); every entry carries the SHA-256 of its payload, checked on read, and a corrupt
// entry counts as a miss (it is recompiled and overwritten).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace adderq::cuda {

// $ADDERQ_CACHE_DIR, else $XDG_CACHE_HOME/adderq, else $HOME/.cache/adderq (empty if none is set).
std::string DefaultKernelCacheDir();

std::string KernelCacheKey(const std::string& source, const std::vector<std::string>& options, int arch,
                           const std::string& nvrtc_version);

class KernelCache {
 public:
  // An empty directory disables the cache (every lookup misses, nothing is stored).
  explicit KernelCache(std::string dir) : dir_(std::move(dir)) {}

  struct Lookup {
    std::optional<std::vector<uint8_t>> payload;  // set on a hit
    bool corrupt = false;                         // an entry existed but failed its check
  };
  Lookup Find(const std::string& key) const;
  Status Store(const std::string& key, const std::vector<uint8_t>& payload) const;

  std::string PathFor(const std::string& key) const;
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

}  // namespace adderq::cuda
