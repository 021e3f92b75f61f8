// What the API implementation files share: the loaded model behind adderq::Model, and turning an
// internal Status into the public exception.
#pragma once

#include "adderq/adderq.hpp"
#include "core/graph.h"
#include "core/status.h"

namespace adderq {

struct Model::Impl {
  Graph graph;
  ModelInfo info;
};

namespace api {

ErrorCode ToErrorCode(StatusCode code);
[[noreturn]] void Throw(const Status& status);

// Class indices by decreasing logit; ties keep the lower index first.
std::vector<int> RankByLogit(std::span<const float> logits);

template <typename T>
T ValueOrThrow(Result<T> result) {
  if (!result.ok()) Throw(result.status());
  return std::move(result).value();
}

}  // namespace api
}  // namespace adderq
