// Fuzz target: the ONNX reader (protobuf wire format, tensors, attributes) and the graph builder
// behind it (operators, attributes, shape arithmetic, shapes).
#include <cstddef>
#include <cstdint>

#include "frontends/onnx/onnx_graph.h"
#include "frontends/onnx/onnx_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto model = adderq::frontends::onnx::ParseModel({data, size});
  if (!model.ok()) return 0;
  adderq::frontends::StateDict init = std::move(model.value().initializers);
  (void)adderq::frontends::onnx::BuildGraph(model.value(), init);
  return 0;
}
