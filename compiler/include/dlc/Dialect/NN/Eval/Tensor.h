//===- Tensor.h - Values of the reference evaluator -------------*- C++ -*-===//
//
// The value type of the reference evaluator (Evaluator.h) and of the ops'
// evaluator rules (EvaluableOpInterface): a dense row-major tensor of
// doubles. Plain C++, no MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_NN_EVAL_TENSOR_H
#define DLC_DIALECT_NN_EVAL_TENSOR_H

#include <cstdint>
#include <string>
#include <vector>

namespace dlc::nn {

/// A dense row-major tensor of doubles. Integer tensors (labels, seeds) hold
/// their values as doubles too.
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<double> data;

  Tensor() = default;
  Tensor(std::vector<int64_t> shape, double fill = 0.0);
  Tensor(std::vector<int64_t> shape, std::vector<double> data)
      : shape(std::move(shape)), data(std::move(data)) {}

  /// Number of elements (1 for a 0-d tensor).
  int64_t size() const { return static_cast<int64_t>(data.size()); }
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  /// "4x3" ("scalar" for a 0-d tensor).
  std::string shapeString() const;
};

/// Number of elements of a shape.
int64_t numElements(const std::vector<int64_t> &shape);

} // namespace dlc::nn

#endif // DLC_DIALECT_NN_EVAL_TENSOR_H
