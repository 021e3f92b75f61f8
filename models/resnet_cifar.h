// The CIFAR ResNet adder family (ResNet-20/32/44/56 of the AdderNet paper) as data: the graph is
// inferred from a state dict's names and shapes, in canonical (PyTorch AdderNet repository) naming:
//   conv1.weight, bn1.*                                stem: multiplying 3x3 conv + BN + ReLU
//   layer{1,2,3}.{b}.conv{1,2}.adder, ...bn{1,2}.*      basic blocks of two 3x3 adder layers
//   layer{2,3}.0.downsample.{0.adder,1.*}              1x1 stride-2 adder shortcut + BN
//   fc.weight [K,C,1,1] (1x1 conv) or [K,C] (+fc.bias), optional bn2.* over the logits
// BatchNorms stay separate nodes here; the compiler folds them after quantization.
#pragma once

#include "core/graph.h"
#include "state_dict.h"

namespace adderq::models {

// Adds the CIFAR-10 preprocessing and class names to the metadata.
Result<Graph> BuildCifarResNetAdder(const frontends::StateDict& state);

}  // namespace adderq::models
