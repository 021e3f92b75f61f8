// An ONNX model to adderq's graph: the operators of convolutional AdderNets (the README's table),
// with the adder layer as the custom operator adderq::Adder2d. Shape computations that exporters
// emit around a flattening Reshape (Shape, Gather, Unsqueeze, Concat, Constant) are evaluated here,
// since every shape is static once the batch dimension is set aside. Anything else is refused with
// the operator and the node that uses it.
#pragma once

#include "core/graph.h"
#include "frontends/onnx/onnx_model.h"

namespace adderq::frontends::onnx {

// The custom domain and operator of an adder layer: Adder2d(X, W[, B]) with kernel_shape, strides,
// pads; Y = -sum |X - W| (+ B).
inline constexpr const char* kAdderDomain = "adderq";
inline constexpr const char* kAdderOp = "Adder2d";

// The graph (BatchNorms unfolded, float weights); metadata other than the input shape is the
// caller's (the compiler's options decide normalisation and class names).
// `initializers` are the model's (ReadCheckpoint moves them out of the model into its state dict).
Result<Graph> BuildGraph(const Model& model, const StateDict& initializers);

}  // namespace adderq::frontends::onnx
