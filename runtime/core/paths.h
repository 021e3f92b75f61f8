// Where inputs come from when the user does not say: the flag, else an environment variable, else
// the project's shared folder (../shared/... from the working directory or from the repository that
// holds the executable).
#pragma once

#include <string>

#include "core/status.h"

namespace adderq {

// ADDERQ_DATA, then ../shared/data/cifar-10-batches-bin.
// `option` names the command's flag in the error (adderq-run: --data; adderq-compile: --calib-data).
Result<std::string> ResolveDataDir(const std::string& flag, const char* option = "--data");
// ADDERQ_CHECKPOINT, then ../shared/checkpoints/resnet20_adder_cifar10.pth.
Result<std::string> ResolveCheckpoint(const std::string& flag);
// The first existing of ./../shared/<rel> and <exe dir>/../../../shared/<rel>; empty when none.
std::string FindShared(const std::string& rel);

}  // namespace adderq
