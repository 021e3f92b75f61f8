// From a read checkpoint to the float graph the passes work on, whatever its front end: an ONNX
// graph (any AdderNet), or a state dict of the ResNet-CIFAR family (the official checkpoints, by
// their tensor names). Then the metadata a user can set: normalisation, class names, how an image
// file is fitted to the input.
#pragma once

#include <string>
#include <vector>

#include "core/graph.h"
#include "frontends/checkpoint.h"

namespace adderq::compiler {

struct InputOptions {
  std::vector<float> mean, std;  // per input channel, on pixel/255; empty = by the input (below)
  std::string labels_file;       // one class name per line; empty = by the model (below)
  int resize_shorter = -1;       // -1 = by the input: 0 (fit) up to 64x64, else 256/224 of its side
};

// CIFAR-10's normalisation for 3x32x32 inputs (every AdderNet CIFAR model), ImageNet's otherwise.
std::vector<float> DefaultMean(const Shape3& input);
std::vector<float> DefaultStd(const Shape3& input);

Result<Graph> BuildModelGraph(const frontends::LoadedCheckpoint& checkpoint, const std::string& path,
                              const InputOptions& options);

}  // namespace adderq::compiler
