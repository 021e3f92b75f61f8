#include "name_maps.h"

#include <string>

namespace adderq::models {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

frontends::StateDict MindSporeToCanonical(const frontends::StateDict& state) {
  static const std::pair<const char*, const char*> kSuffixes[] = {
      {".gamma", ".weight"}, {".beta", ".bias"}, {".moving_mean", ".running_mean"}, {".moving_variance", ".running_var"}};
  frontends::StateDict out;
  for (const auto& [name, tensor] : state.entries()) {
    if (EndsWith(name, ".adder_new") || EndsWith(name, ".scale_para")) continue;
    if (StartsWith(name, "moments.") || StartsWith(name, "accum.") || StartsWith(name, "momentum") ||
        name == "learning_rate" || name == "global_step" || StartsWith(name, "beta1_power") ||
        StartsWith(name, "beta2_power"))
      continue;
    std::string canonical = name;
    for (const auto& [from, to] : kSuffixes)
      if (EndsWith(canonical, from)) {
        canonical = canonical.substr(0, canonical.size() - std::string(from).size()) + to;
        break;
      }
    out.Add(canonical, tensor);
  }
  return out;
}

}  // namespace adderq::models
