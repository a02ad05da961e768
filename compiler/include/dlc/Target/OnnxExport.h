//===- OnnxExport.h - The inference graph as an ONNX model ------*- C++ -*-===//
//
// `dlc model.dl --emit=onnx --weights CKPT.safetensors -o model.onnx`: the
// model's inference function `@M_eval` of the nn dialect (dropout off, batch
// norm with running statistics) as an ONNX model, opset 17, standard ops
// only, with the parameters and buffers of a checkpoint as initializers.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_TARGET_ONNXEXPORT_H
#define DLC_TARGET_ONNXEXPORT_H

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace dlc::target {

struct OnnxExportOptions {
  /// The safetensors checkpoint whose tensors become the initializers.
  std::string weights;
  /// The .onnx file to write.
  std::string output;
};

/// Writes the ONNX model of the module's trained model (the `model` of its
/// `nn.train` recipe, else its only `@M_eval`). Reports every problem (an op
/// without an ONNX form, at its location; missing or mismatched checkpoint
/// tensors, all of them) as an MLIR error and returns false.
bool exportOnnx(mlir::ModuleOp module, const OnnxExportOptions &options);

} // namespace dlc::target

#endif // DLC_TARGET_ONNXEXPORT_H
