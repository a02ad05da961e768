//===- Tensor.cpp - Values of the reference evaluator ---------------------===//

#include "dlc/Dialect/NN/Eval/Tensor.h"

using namespace dlc::nn;

int64_t dlc::nn::numElements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

Tensor::Tensor(std::vector<int64_t> shape, double fill)
    : shape(std::move(shape)) {
  data.assign(numElements(this->shape), fill);
}

std::string Tensor::shapeString() const {
  if (shape.empty())
    return "scalar";
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}
