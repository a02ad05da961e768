//===- NNInterfaces.td - Interfaces of the nn dialect ------*- tablegen -*-===//
//
// The per-op rules of the nn dialect. Each stage knows no op by name; it only
// casts to its interface:
//  - VJPOpInterface: the reverse-mode differentiation rule (nn-autodiff);
//  - EvaluableOpInterface: the reference evaluator's rule (Eval/Evaluator.h);
//  - HalideOpInterface: the Halide algorithm (nn-to-halide);
//  - FusionOpInterface: the op's fusion class (OpClass, NNInterfaces.h),
//    read from the op-class trait of its ODS entry (NN_Elementwise, ...);
//  - CostOpInterface: the FLOP count of one sample.
// The ODS base classes of NNOps.td attach them, so an op without a rule does
// not link, and one without exactly one op-class trait does not compile. The
// rules of one op family live together in one file under
// compiler/lib/Dialect/NN/Ops/.
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

def NN_EvaluableOpInterface : OpInterface<"EvaluableOpInterface"> {
  let cppNamespace = "::dlc::nn";
  let description = [{
    An op the reference evaluator can run. `evaluate` receives the run-time
    values of the operands (one Tensor per operand, in operand order, with
    the run-time shapes the interpreter has already checked against the
    operand types) and appends one Tensor per result, in result order, to
    `results`. The interpreter checks the results against the result types.
    It fails, after emitting a diagnostic on the op ("evaluator: ..."), when
    the operands do not fit at run time.
  }];
  let methods = [
    InterfaceMethod<
      /*desc=*/"Computes the results of this op from its operand values.",
      /*retTy=*/"::mlir::LogicalResult",
      /*methodName=*/"evaluate",
      /*args=*/(ins "::llvm::ArrayRef<const ::dlc::nn::Tensor *>":$operands,
                    "::std::vector<::dlc::nn::Tensor> &":$results)>
  ];
}

def NN_HalideOpInterface : OpInterface<"HalideOpInterface"> {
  let cppNamespace = "::dlc::nn";
  let description = [{
    An op nn-to-halide can lower. `lowerToHalide` reads the tensors of the
    operands from the group builder (`builder.get(operand)`), defines new
    Funcs through it (`newFunc`, `newResultFunc`, with their FuncKind for the
    schedule) and binds every result (`builder.set`). It fails after
    emitting a diagnostic on the op. Halide errors it throws are reported by
    the caller.
  }];
  let methods = [
    InterfaceMethod<
      /*desc=*/"Defines the Halide Funcs of this op's results.",
      /*retTy=*/"::mlir::LogicalResult",
      /*methodName=*/"lowerToHalide",
      /*args=*/(ins "::dlc::nn::hl::GroupBuilder &":$builder)>
  ];
}

//===----------------------------------------------------------------------===//
// Op classes (fusion)
//===----------------------------------------------------------------------===//

/// The fusion class of an op is an op trait in its ODS entry, one of the
/// seven below (C++: dlc::nn::OpClassTrait, NNInterfaces.h). Every nn op has
/// exactly one, usually from its ODS base class (NN_UnaryOp: NN_Elementwise,
/// NN_ReduceOp: NN_Reduction, ...); FusionOpInterface::getOpClass reads it.
class NN_OpClassTrait<string name> : NativeOpTrait<name> {
  let cppNamespace = "::dlc::nn::OpClassTrait";
}

/// Result element i depends on operand element i (same shapes).
def NN_Elementwise : NN_OpClassTrait<"Elementwise">;
/// Elementwise under numpy broadcasting (or per-channel operands).
def NN_Broadcast : NN_OpClassTrait<"Broadcast">;
/// One operand element at an index computed from the result index.
def NN_Injective : NN_OpClassTrait<"Injective">;
/// Reduces over some dimensions.
def NN_Reduction : NN_OpClassTrait<"Reduction">;
/// Multiply-adds over a contracted dimension.
def NN_Contraction : NN_OpClassTrait<"Contraction">;
/// A reduction over a sliding window.
def NN_Window : NN_OpClassTrait<"Window">;
/// Anything else.
def NN_Opaque : NN_OpClassTrait<"Opaque">;

def NN_FusionOpInterface : OpInterface<"FusionOpInterface"> {
  let cppNamespace = "::dlc::nn";
  let description = [{
    The fusion class of an op, in the spirit of TVM's OpPatternKind (see
    OpClass in NNInterfaces.h): how each result element depends on the
    operands. It is not written per op: the op's ODS entry carries exactly
    one op-class trait (NN_Elementwise, ..., NN_Opaque), and the default
    `getOpClass` returns its class. An op with no class trait, or with two,
    fails to compile here.
  }];
  let methods = [
    InterfaceMethod<
      /*desc=*/"The fusion class of this op (from its op-class trait).",
      /*retTy=*/"::dlc::nn::OpClass",
      /*methodName=*/"getOpClass",
      /*args=*/(ins),
      /*methodBody=*/[{}],
      /*defaultImplementation=*/[{
        namespace T = ::dlc::nn::OpClassTrait;
        using ::dlc::nn::OpClass;
        constexpr int numClassTraits =
            int(ConcreteOp::template hasTrait<T::Elementwise>()) +
            int(ConcreteOp::template hasTrait<T::Broadcast>()) +
            int(ConcreteOp::template hasTrait<T::Injective>()) +
            int(ConcreteOp::template hasTrait<T::Reduction>()) +
            int(ConcreteOp::template hasTrait<T::Contraction>()) +
            int(ConcreteOp::template hasTrait<T::Window>()) +
            int(ConcreteOp::template hasTrait<T::Opaque>());
        static_assert(numClassTraits == 1,
                      "an nn op needs exactly one op-class trait in its ODS "
                      "entry (NN_Elementwise, NN_Broadcast, NN_Injective, "
                      "NN_Reduction, NN_Contraction, NN_Window or NN_Opaque; "
                      "see NNInterfaces.td)");
        if constexpr (ConcreteOp::template hasTrait<T::Elementwise>())
          return OpClass::Elementwise;
        else if constexpr (ConcreteOp::template hasTrait<T::Broadcast>())
          return OpClass::Broadcast;
        else if constexpr (ConcreteOp::template hasTrait<T::Injective>())
          return OpClass::Injective;
        else if constexpr (ConcreteOp::template hasTrait<T::Reduction>())
          return OpClass::Reduction;
        else if constexpr (ConcreteOp::template hasTrait<T::Contraction>())
          return OpClass::Contraction;
        else if constexpr (ConcreteOp::template hasTrait<T::Window>())
          return OpClass::Window;
        else
          return OpClass::Opaque;
      }]>,
    InterfaceMethod<
      /*desc=*/[{
        Whether sample i of the result depends only on sample i of the
        operands that carry the batch, given that result 0 and those
        operands have the batch as their leading (dynamic) dimension (the
        caller checks that): then a batch can be computed in any split,
        and a result cached per sample (`./train precompute`). True for the
        elementwise, broadcast, contraction and window classes (batch-leading
        layouts: rows, NCHW); for the others only where the op says so by
        defining `bool sampleWise()` (ODS extraClassDeclaration), e.g.
        softmax along another axis than the batch; false otherwise (batch
        statistics, randomness).
      }],
      /*retTy=*/"bool",
      /*methodName=*/"isSampleWise",
      /*args=*/(ins),
      /*methodBody=*/[{}],
      /*defaultImplementation=*/[{
        namespace T = ::dlc::nn::OpClassTrait;
        if constexpr (::dlc::nn::hasSampleWiseMethod<ConcreteOp>)
          return $_op.sampleWise();
        else
          return ConcreteOp::template hasTrait<T::Elementwise>() ||
                 ConcreteOp::template hasTrait<T::Broadcast>() ||
                 ConcreteOp::template hasTrait<T::Contraction>() ||
                 ConcreteOp::template hasTrait<T::Window>();
      }]>
  ];
}

def NN_CostOpInterface : OpInterface<"CostOpInterface"> {
  let cppNamespace = "::dlc::nn";
  let description = [{
    The floating-point operations of one sample of this op: a multiply-add
    counts twice, an elementwise op once per element of its result.
    Dynamic dimensions (the batch) are not counted. The default is the
    product of the static dimensions of result 0; matmul and conv2d count
    their multiply-adds.
  }];
  let methods = [
    InterfaceMethod<
      /*desc=*/"FLOPs per sample (dynamic dimensions not counted).",
      /*retTy=*/"int64_t",
      /*methodName=*/"getFlopsPerSample",
      /*args=*/(ins),
      /*methodBody=*/[{}],
      /*defaultImplementation=*/[{
        return ::dlc::nn::staticElementCount($_op->getResult(0).getType());
      }]>
  ];
}

#endif // DLC_DIALECT_NN_IR_NNINTERFACES_TD
