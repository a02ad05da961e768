//===- NNInterfaces.td - Interfaces of the nn dialect ------*- tablegen -*-===//
//
// Declares VJPOpInterface, the reverse-mode differentiation rule of an op: the
// vector-Jacobian product that maps the cotangents of an op's results to the
// cotangents of its operands. nn-autodiff knows no op by name; it only casts
// to this interface.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_NN_IR_NNINTERFACES_TD
#define DLC_DIALECT_NN_IR_NNINTERFACES_TD

include "mlir/IR/OpBase.td"

def NN_VJPOpInterface : OpInterface<"VJPOpInterface"> {
  let cppNamespace = "::dlc::nn";
  let description = [{
    An op that can be differentiated in reverse mode. `computeVJP` is called
    with an OpBuilder whose insertion point is where the backward code goes,
    and one cotangent per result of the op (of the result's type; null for a
    result that does not reach the differentiated output). It returns one
    cotangent per operand, of the operand's type, or null for an operand that
    has no derivative (integer labels, RNG seeds, running statistics). It may
    use the op's operands and results, which dominate the backward code. It
    fails (after emitting a diagnostic on the op) when the rule does not
    apply to this instance, e.g. a dynamic dimension it cannot recover.
  }];
  let methods = [
    InterfaceMethod<
      /*desc=*/[{
        Builds the backward code of this op and returns one cotangent per
        operand (null where there is none).
      }],
      /*retTy=*/"::mlir::FailureOr<::llvm::SmallVector<::mlir::Value>>",
      /*methodName=*/"computeVJP",
      /*args=*/(ins "::mlir::OpBuilder &":$builder,
                    "::mlir::ArrayRef<::mlir::Value>":$resultCotangents)>
  ];
}

#endif // DLC_DIALECT_NN_IR_NNINTERFACES_TD
