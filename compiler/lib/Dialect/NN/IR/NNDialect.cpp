//===- NNDialect.cpp - The nn dialect and its shape rules -----------------===//
//
// Registers the nn dialect, its interface and constant materializer, and
// defines the shape rules (broadcasting, reductions, window sizes) and result
// type inference that the op verifiers (NNOps.cpp), the VJP rules and the
// evaluator share.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/NN/IR/NNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"

using namespace mlir;
using namespace dlc::nn;

#include "dlc/Dialect/NN/IR/NNDialect.cpp.inc"
#include "dlc/Dialect/NN/IR/NNInterfaces.cpp.inc"

void NNDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dlc/Dialect/NN/IR/NNOps.cpp.inc"
      >();
}

/// Folded values become nn.constant ops.
Operation *NNDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                          Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return builder.create<ConstantOp>(loc, elements);
}

//===----------------------------------------------------------------------===//
// Shape rules
//===----------------------------------------------------------------------===//

std::optional<SmallVector<int64_t>>
dlc::nn::broadcastShapes(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
    int64_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
    int64_t d;
    if (da == 1)
      d = db;
    else if (db == 1)
      d = da;
    else if (ShapedType::isDynamic(da))
      d = db;
    else if (ShapedType::isDynamic(db) || da == db)
      d = da;
    else
      return std::nullopt;
    out[rank - 1 - i] = d;
  }
  return out;
}

SmallVector<int64_t> dlc::nn::reducedShape(ArrayRef<int64_t> shape,
                                           ArrayRef<int64_t> axes,
                                           bool keepdims) {
  SmallVector<int64_t> out;
  for (auto [i, d] : llvm::enumerate(shape)) {
    bool reduced = axes.empty() || llvm::is_contained(axes, (int64_t)i);
    if (!reduced)
      out.push_back(d);
    else if (keepdims)
      out.push_back(1);
  }
  return out;
}

int64_t dlc::nn::windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                                  int64_t padding, int64_t dilation) {
  if (ShapedType::isDynamic(in))
    return ShapedType::kDynamic;
  return (in + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;
}

//===----------------------------------------------------------------------===//
// Result type inference
//===----------------------------------------------------------------------===//

static RankedTensorType rankedOrScalar(Type t) {
  if (auto ranked = dyn_cast<RankedTensorType>(t))
    return ranked;
  return RankedTensorType::get({}, t);
}

/// A type of `shape` with the element type of `like`.
static RankedTensorType withShape(Type like, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, rankedOrScalar(like).getElementType());
}

RankedTensorType dlc::nn::inferScalarType(Type like) {
  return withShape(like, {});
}

RankedTensorType dlc::nn::inferBroadcastResultType(Type lhs, Type rhs) {
  ArrayRef<int64_t> a = rankedOrScalar(lhs).getShape();
  ArrayRef<int64_t> b = rankedOrScalar(rhs).getShape();
  if (auto shape = broadcastShapes(a, b))
    return withShape(lhs, *shape);
  return withShape(lhs, SmallVector<int64_t>(std::max(a.size(), b.size()),
                                             ShapedType::kDynamic));
}

RankedTensorType dlc::nn::inferMatmulResultType(Type lhs, Type rhs) {
  ArrayRef<int64_t> a = rankedOrScalar(lhs).getShape();
  ArrayRef<int64_t> b = rankedOrScalar(rhs).getShape();
  if (a.size() < 2 || b.size() < 2)
    return withShape(lhs, {ShapedType::kDynamic, ShapedType::kDynamic});
  SmallVector<int64_t> shape;
  if (auto batch = broadcastShapes(a.drop_back(2), b.drop_back(2)))
    shape = *batch;
  else
    shape.assign(std::max(a.size(), b.size()) - 2, ShapedType::kDynamic);
  shape.push_back(a[a.size() - 2]);
  shape.push_back(b.back());
  return withShape(lhs, shape);
}

RankedTensorType dlc::nn::inferReduceResultType(Type x, ArrayRef<int64_t> axes,
                                                bool keepdims) {
  return withShape(x,
                   reducedShape(rankedOrScalar(x).getShape(), axes, keepdims));
}

RankedTensorType dlc::nn::inferTransposeResultType(Type x,
                                                   ArrayRef<int64_t> perm) {
  ArrayRef<int64_t> in = rankedOrScalar(x).getShape();
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(p >= 0 && p < (int64_t)in.size() ? in[p]
                                                     : ShapedType::kDynamic);
  return withShape(x, shape);
}

RankedTensorType dlc::nn::inferConv2DResultType(Type input, Type weight,
                                                ArrayRef<int64_t> stride,
                                                ArrayRef<int64_t> padding,
                                                ArrayRef<int64_t> dilation) {
  ArrayRef<int64_t> x = rankedOrScalar(input).getShape();
  ArrayRef<int64_t> w = rankedOrScalar(weight).getShape();
  int64_t dyn = ShapedType::kDynamic;
  if (x.size() != 4 || w.size() != 4 || stride.size() != 2 ||
      padding.size() != 2 || dilation.size() != 2 || stride[0] < 1 ||
      stride[1] < 1)
    return withShape(input, {dyn, dyn, dyn, dyn});
  auto size = [&](int i) {
    if (ShapedType::isDynamic(w[2 + i]))
      return dyn;
    return windowOutputSize(x[2 + i], w[2 + i], stride[i], padding[i],
                            dilation[i]);
  };
  return withShape(input, {x[0], w[0], size(0), size(1)});
}

RankedTensorType dlc::nn::inferPool2DResultType(Type input,
                                                ArrayRef<int64_t> kernel,
                                                ArrayRef<int64_t> stride,
                                                ArrayRef<int64_t> padding) {
  ArrayRef<int64_t> x = rankedOrScalar(input).getShape();
  int64_t dyn = ShapedType::kDynamic;
  if (x.size() != 4 || kernel.size() != 2 || stride.size() != 2 ||
      padding.size() != 2 || stride[0] < 1 || stride[1] < 1)
    return withShape(input, {dyn, dyn, dyn, dyn});
  return withShape(
      input,
      {x[0], x[1], windowOutputSize(x[2], kernel[0], stride[0], padding[0], 1),
       windowOutputSize(x[3], kernel[1], stride[1], padding[1], 1)});
}
