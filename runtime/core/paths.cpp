#include "core/paths.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

namespace adderq {
namespace fs = std::filesystem;

std::string FindShared(const std::string& rel) {
  std::error_code ec;
  std::vector<fs::path> roots = {fs::current_path(ec) / ".." / "shared"};
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) roots.push_back(exe.parent_path() / ".." / ".." / ".." / "shared");  // <repo>/build/bin/x
  for (const fs::path& root : roots) {
    const fs::path p = root / rel;
    if (fs::exists(p, ec)) return fs::weakly_canonical(p, ec).string();
  }
  return {};
}

namespace {
Result<std::string> Resolve(const std::string& flag, const char* env, const std::string& shared_rel, const char* what,
                            const char* option) {
  if (!flag.empty()) return flag;
  if (const char* v = std::getenv(env); v && *v) return std::string(v);
  std::string found = FindShared(shared_rel);
  if (!found.empty()) return found;
  return InvalidArgument("no {} given: pass {}, set {}, or place it at ../shared/{}", what, option, env, shared_rel);
}
}  // namespace

Result<std::string> ResolveDataDir(const std::string& flag, const char* option) {
  return Resolve(flag, "ADDERQ_DATA", "data/cifar-10-batches-bin", "CIFAR-10 directory", option);
}

Result<std::string> ResolveCheckpoint(const std::string& flag) {
  return Resolve(flag, "ADDERQ_CHECKPOINT", "checkpoints/resnet20_adder_cifar10.pth", "checkpoint", "the checkpoint path");
}

}  // namespace adderq
