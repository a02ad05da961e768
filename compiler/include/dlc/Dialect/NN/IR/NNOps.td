//===- NNOps.td - Operations of the nn dialect -------------*- tablegen -*-===//
//
// Defines every operation of the nn dialect: the forward ops MLIRGen emits
// (layers, activations, reductions, shape ops, losses, initialisers) and the
// helper ops their reverse-mode rules are written with. Differentiable ops
// derive from NN_DifferentiableOp, which attaches VJPOpInterface, so an op
// whose rule is missing fails to link.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_NN_IR_NNOPS_TD
#define DLC_DIALECT_NN_IR_NNOPS_TD

include "dlc/Dialect/NN/IR/NNDialect.td"
include "dlc/Dialect/NN/IR/NNInterfaces.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def NN_FloatTensor : RankedTensorOf<[AnyFloat]>;
def NN_IntTensor : RankedTensorOf<[AnySignlessInteger]>;
/// Constants may also be labels or seeds.
def NN_FloatOrIntTensor : RankedTensorOf<[AnyFloat, AnySignlessInteger]>;
/// A 0-d float tensor: what losses return.
def NN_Scalar : 0DTensorOf<[AnyFloat]>;
/// A 0-d integer tensor holding the seed of a counter-based RNG.
def NN_Seed : 0DTensorOf<[AnySignlessInteger]>;

/// A pair of non-negative integers (height, width).
def NN_Pair : ConfinedAttr<DenseI64ArrayAttr, [DenseArrayCount<2>]>;

//===----------------------------------------------------------------------===//
// Base classes
//===----------------------------------------------------------------------===//

/// Every nn op is free of side effects: randomness is a pure function of an
/// explicit seed operand. Every op has an evaluator rule
/// (EvaluableOpInterface), a Halide algorithm (HalideOpInterface) and a
/// fusion class (FusionOpInterface); deriving from this class declares
/// `evaluate` and `lowerToHalide`, and leaving one undefined is a link
/// error. The definitions live in the op's family file under
/// compiler/lib/Dialect/NN/Ops/ (see NN/README.md). The fusion class is not
/// defined in C++: `traits` (of the op or of a base class below) holds
/// exactly one op-class trait (NN_Elementwise, NN_Broadcast, NN_Injective,
/// NN_Reduction, NN_Contraction, NN_Window, NN_Opaque; NNInterfaces.td),
/// which `getOpClass` returns; none or two is a compile error. `costTraits`
/// is the FLOP-count interface (CostOpInterface; none for gradient helpers).
class NN_BaseOp<string mnemonic, list<Trait> traits = [],
                list<Trait> costTraits = []>
    : Op<NN_Dialect, mnemonic, !listconcat([Pure], traits, costTraits,
          [DeclareOpInterfaceMethods<NN_EvaluableOpInterface>,
           DeclareOpInterfaceMethods<NN_HalideOpInterface>,
           NN_FusionOpInterface])>;

/// An op of the model (not a gradient helper): it has a FLOP count, by
/// default one per element of result 0.
class NN_Op<string mnemonic, list<Trait> traits = []>
    : NN_BaseOp<mnemonic, traits, [NN_CostOpInterface]>;

/// A gradient helper (`*_grad`): the backward code of one op; no VJP (no
/// second derivatives) and no FLOP count.
class NN_GradOp<string mnemonic, list<Trait> traits = []>
    : NN_BaseOp<mnemonic, traits>;

/// An op with a reverse-mode rule. Deriving from this class declares
/// `computeVJP`; leaving it undefined is a link error.
class NN_DifferentiableOp<string mnemonic, list<Trait> traits = []>
    : NN_Op<mnemonic, !listconcat(traits,
                                  [DeclareOpInterfaceMethods<NN_VJPOpInterface>])>;

/// A differentiable multiply-add op (matmul, convolution), which defines its
/// own FLOP count (`getFlopsPerSample`). Op class: contraction.
class NN_ContractionOp<string mnemonic, list<Trait> traits = []>
    : NN_BaseOp<mnemonic, !listconcat([NN_Contraction], traits,
          [DeclareOpInterfaceMethods<NN_VJPOpInterface>]),
          [DeclareOpInterfaceMethods<NN_CostOpInterface, ["getFlopsPerSample"]>]>;

/// Elementwise op with one float operand and a result of the same type. Op
/// class: elementwise.
class NN_UnaryOp<string mnemonic, list<Trait> traits = []>
    : NN_DifferentiableOp<mnemonic,
                          !listconcat([NN_Elementwise,
                                       SameOperandsAndResultType], traits)> {
  let arguments = (ins NN_FloatTensor:$x);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($result)";
}

/// Elementwise op with two float operands broadcast against each other
/// (numpy rules). The verifier checks the result shape. Op class: broadcast.
class NN_BroadcastBinaryOp<string mnemonic, list<Trait> traits = []>
    : NN_DifferentiableOp<mnemonic,
                          !listconcat([NN_Broadcast,
                                       SameOperandsAndResultElementType],
                                      traits)> {
  let arguments = (ins NN_FloatTensor:$lhs, NN_FloatTensor:$rhs);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$lhs, "::mlir::Value":$rhs), [{
      build($_builder, $_state,
            ::dlc::nn::inferBroadcastResultType(lhs.getType(), rhs.getType()),
            lhs, rhs);
    }]>
  ];
}

/// Reduction over `axes` (all axes when empty), optionally keeping the
/// reduced dimensions as size 1. Op class: reduction.
class NN_ReduceOp<string mnemonic, list<Trait> traits = []>
    : NN_DifferentiableOp<mnemonic,
                          !listconcat([NN_Reduction,
                                       SameOperandsAndResultElementType],
                                      traits)> {
  let arguments = (ins NN_FloatTensor:$x,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$axes,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdims);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$x, "::llvm::ArrayRef<int64_t>":$axes,
                   CArg<"bool", "false">:$keepdims), [{
      build($_builder, $_state,
            ::dlc::nn::inferReduceResultType(x.getType(), axes, keepdims), x,
            $_builder.getDenseI64ArrayAttr(axes),
            $_builder.getBoolAttr(keepdims));
    }]>
  ];
  /// Sample-wise under FusionOpInterface::isSampleWise's conditions.
  let extraClassDeclaration = [{ bool sampleWise(); }];
}

/// A loss comparing a prediction with a target of the same shape, averaged
/// over all elements into a 0-d tensor. Op class: reduction.
class NN_PairwiseLossOp<string mnemonic, list<Trait> traits = []>
    : NN_DifferentiableOp<mnemonic,
                          !listconcat([NN_Reduction, SameOperandsElementType,
                                       SameOperandsShape], traits)> {
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$target);
  let results = (outs NN_Scalar:$result);
  let assemblyFormat =
      "$input `,` $target attr-dict `:` functional-type(operands, results)";
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::mlir::Value":$target), [{
      build($_builder, $_state, ::dlc::nn::inferScalarType(input.getType()),
            input, target);
    }]>
  ];
}

/// 2-D pooling over the last two dimensions of an NCHW tensor. Op class:
/// window.
class NN_Pool2DOp<string mnemonic, list<Trait> traits = []>
    : NN_DifferentiableOp<mnemonic,
                          !listconcat([NN_Window,
                                       SameOperandsAndResultElementType],
                                      traits)> {
  let arguments = (ins NN_FloatTensor:$input,
                       NN_Pair:$kernel,
                       NN_Pair:$stride,
                       DefaultValuedAttr<NN_Pair, "{0, 0}">:$padding);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::llvm::ArrayRef<int64_t>":$kernel,
                   "::llvm::ArrayRef<int64_t>":$stride,
                   "::llvm::ArrayRef<int64_t>":$padding), [{
      build($_builder, $_state,
            ::dlc::nn::inferPool2DResultType(input.getType(), kernel, stride,
                                             padding),
            input, $_builder.getDenseI64ArrayAttr(kernel),
            $_builder.getDenseI64ArrayAttr(stride),
            $_builder.getDenseI64ArrayAttr(padding));
    }]>
  ];
}

//===----------------------------------------------------------------------===//
// Constants and random initialisers
//===----------------------------------------------------------------------===//

def NN_ConstantOp : NN_Op<"constant", [NN_Elementwise, ConstantLike,
                                       AllTypesMatch<["value", "result"]>]> {
  let summary = "Dense constant tensor";
  let description = [{
    A tensor whose elements are given by a dense elements attribute: floats,
    or integers (labels, seeds).

    ```mlir
    %c = nn.constant dense<1.0> : tensor<f32>
    %z = nn.constant dense<0.0> : tensor<10xf32>
    %seed = nn.constant dense<42> : tensor<i64>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs NN_FloatOrIntTensor:$result);
  let assemblyFormat = "$value attr-dict";
  let hasFolder = 1;
}

def NN_ZerosLikeOp : NN_DifferentiableOp<"zeros_like",
                                         [NN_Elementwise,
                                          SameOperandsAndResultType]> {
  let summary = "Tensor of zeros with the shape of its operand";
  let description = [{
    Zeros of the (possibly dynamic) shape and type of `x`; only the shape of
    `x` is read. Its derivative is zero.

    ```mlir
    %z = nn.zeros_like %x : tensor<?x10xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($result)";
}

def NN_InitUniformOp : NN_DifferentiableOp<"init_uniform", [NN_Elementwise]> {
  let summary = "Tensor of uniform random numbers";
  let description = [{
    Fills a statically shaped tensor with independent samples of the uniform
    distribution on [`low`, `high`). The samples are a pure function of the
    0-d integer `seed` and of the element index (counter-based RNG, see
    `dlc/Dialect/NN/Eval/Random.h`), so every back end produces the same
    numbers. Glorot/He initialisers are uniform/normal with computed bounds.
    The language's `uniform([B, 64])` is this op with the optional `like`
    operand: every dynamic dimension of the result has the extent of
    dimension 0 (the batch) of `like`, whose values are not read.

    ```mlir
    %w = nn.init_uniform %seed {low = -0.1 : f64, high = 0.1 : f64}
         : (tensor<i64>) -> tensor<784x512xf32>
    %z = nn.init_uniform %seed, %x {low = 0.0 : f64, high = 1.0 : f64}
         : (tensor<i64>, tensor<?x784xf32>) -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins NN_Seed:$seed, Optional<AnyRankedTensor>:$like,
                       F64Attr:$low, F64Attr:$high);
  let results = (outs RankedTensorOf<[AnyFloat]>:$result);
  let assemblyFormat = [{
    $seed (`,` $like^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  /// Randomness: never cached per sample (FusionOpInterface::isSampleWise).
  let extraClassDeclaration = [{ bool sampleWise() { return false; } }];
}

def NN_InitNormalOp : NN_DifferentiableOp<"init_normal", [NN_Elementwise]> {
  let summary = "Tensor of normally distributed random numbers";
  let description = [{
    Fills a statically shaped tensor with independent samples of the normal
    distribution N(`mean`, `std`^2), as a pure function of `seed` and the
    element index (Box-Muller on the counter-based uniform generator). With
    `like`, dynamic dimensions as in `nn.init_uniform` (the language's
    `normal([B, 64])`).

    ```mlir
    %w = nn.init_normal %seed {mean = 0.0 : f64, std = 0.05 : f64}
         : (tensor<i64>) -> tensor<512x10xf32>
    ```
  }];
  let arguments = (ins NN_Seed:$seed, Optional<AnyRankedTensor>:$like,
                       DefaultValuedAttr<F64Attr, "0.0">:$mean, F64Attr:$std);
  let results = (outs RankedTensorOf<[AnyFloat]>:$result);
  let assemblyFormat = [{
    $seed (`,` $like^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  /// Randomness: never cached per sample (FusionOpInterface::isSampleWise).
  let extraClassDeclaration = [{ bool sampleWise() { return false; } }];
}

//===----------------------------------------------------------------------===//
// Elementwise arithmetic
//===----------------------------------------------------------------------===//

def NN_AddOp : NN_BroadcastBinaryOp<"add", [Commutative]> {
  let summary = "Elementwise addition with broadcasting";
  let description = [{
    ```mlir
    %y = nn.add %xw, %b : (tensor<?x512xf32>, tensor<512xf32>) -> tensor<?x512xf32>
    ```
  }];
}

def NN_SubOp : NN_BroadcastBinaryOp<"sub"> {
  let summary = "Elementwise subtraction with broadcasting";
  let description = [{
    ```mlir
    %y = nn.sub %a, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
    ```
  }];
}

def NN_MulOp : NN_BroadcastBinaryOp<"mul", [Commutative]> {
  let summary = "Elementwise multiplication with broadcasting";
  let description = [{
    ```mlir
    %y = nn.mul %a, %s : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
    ```
  }];
}

def NN_DivOp : NN_BroadcastBinaryOp<"div"> {
  let summary = "Elementwise division with broadcasting";
  let description = [{
    ```mlir
    %y = nn.div %a, %n : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
    ```
  }];
}

def NN_NegOp : NN_UnaryOp<"neg"> {
  let summary = "Elementwise negation";
  let description = [{
    ```mlir
    %y = nn.neg %x : tensor<4x3xf32>
    ```
  }];
}

def NN_ExpOp : NN_UnaryOp<"exp"> {
  let summary = "Elementwise exponential";
  let description = [{
    ```mlir
    %y = nn.exp %x : tensor<4x3xf32>
    ```
  }];
}

def NN_LogOp : NN_UnaryOp<"log"> {
  let summary = "Elementwise natural logarithm";
  let description = [{
    ```mlir
    %y = nn.log %x : tensor<4x3xf32>
    ```
  }];
}

def NN_SqrtOp : NN_UnaryOp<"sqrt"> {
  let summary = "Elementwise square root";
  let description = [{
    ```mlir
    %y = nn.sqrt %x : tensor<4x3xf32>
    ```
  }];
}

def NN_SignOp : NN_UnaryOp<"sign"> {
  let summary = "Elementwise sign (-1, 0 or 1)";
  let description = [{
    Piecewise constant: its derivative is zero. Used by the L1 rules.

    ```mlir
    %y = nn.sign %x : tensor<4x3xf32>
    ```
  }];
}

def NN_PowOp : NN_DifferentiableOp<"pow", [NN_Elementwise,
                                           SameOperandsAndResultType]> {
  let summary = "Elementwise power with a constant exponent";
  let description = [{
    Raises every element of `x` to the constant `exponent` (`x^2`, `x^0.5`,
    `x^-1`...). For a non-integer exponent `x` must be positive.

    ```mlir
    %y = nn.pow %x {exponent = 2.0 : f64} : tensor<4x3xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, F64Attr:$exponent);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($result)";
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

def NN_ReluOp : NN_UnaryOp<"relu"> {
  let summary = "Rectified linear unit max(x, 0)";
  let description = [{
    ```mlir
    %y = nn.relu %x : tensor<?x512xf32>
    ```
  }];
}

def NN_LeakyReluOp : NN_DifferentiableOp<"leaky_relu",
                                         [NN_Elementwise,
                                          SameOperandsAndResultType]> {
  let summary = "Leaky rectified linear unit";
  let description = [{
    `x` where `x > 0`, `slope * x` elsewhere.

    ```mlir
    %y = nn.leaky_relu %x {slope = 0.01 : f64} : tensor<?x512xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x,
                       DefaultValuedAttr<F64Attr, "0.01">:$slope);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($result)";
}

def NN_SigmoidOp : NN_UnaryOp<"sigmoid"> {
  let summary = "Logistic sigmoid 1 / (1 + exp(-x))";
  let description = [{
    ```mlir
    %y = nn.sigmoid %x : tensor<?x1xf32>
    ```
  }];
}

def NN_TanhOp : NN_UnaryOp<"tanh"> {
  let summary = "Hyperbolic tangent";
  let description = [{
    ```mlir
    %y = nn.tanh %x : tensor<?x128xf32>
    ```
  }];
}

def NN_GeluOp : NN_UnaryOp<"gelu"> {
  let summary = "Gaussian error linear unit x * Phi(x) (exact, erf form)";
  let description = [{
    ```mlir
    %y = nn.gelu %x : tensor<?x128xf32>
    ```
  }];
}

def NN_HardswishOp : NN_UnaryOp<"hardswish"> {
  let summary = "Hard swish x * relu6(x + 3) / 6";
  let description = [{
    As PyTorch's `hardswish`: `x * min(max(x + 3, 0), 6) / 6`, that is 0 for
    `x <= -3`, `x` for `x >= 3` and `x * (x + 3) / 6` in between. Its
    gradient is `hardswish_grad`.

    ```mlir
    %y = nn.hardswish %x : tensor<?x512xf32>
    ```
  }];
}

def NN_EluOp : NN_DifferentiableOp<"elu", [NN_Elementwise,
                                           SameOperandsAndResultType]> {
  let summary = "Exponential linear unit";
  let description = [{
    As PyTorch's `elu`: `x` where `x > 0`, `alpha * (exp(x) - 1)` elsewhere.
    Its gradient is `elu_grad`.

    ```mlir
    %y = nn.elu %x : tensor<?x512xf32>
    %z = nn.elu %x {alpha = 0.5 : f64} : tensor<?x512xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x,
                       DefaultValuedAttr<F64Attr, "1.0">:$alpha);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($result)";
}

def NN_SoftplusOp : NN_DifferentiableOp<"softplus",
                                        [NN_Elementwise,
                                         SameOperandsAndResultType]> {
  let summary = "Smooth relu log(1 + exp(beta * x)) / beta";
  let description = [{
    As PyTorch's `softplus`: `log(1 + exp(beta * x)) / beta`, and `x` itself
    where `beta * x > threshold` (for numerical stability).

    ```mlir
    %y = nn.softplus %x : tensor<?x512xf32>
    %z = nn.softplus %x {beta = 2.0 : f64, threshold = 10.0 : f64} : tensor<?x512xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x,
                       DefaultValuedAttr<F64Attr, "1.0">:$beta,
                       DefaultValuedAttr<F64Attr, "20.0">:$threshold);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($result)";
}

def NN_SoftmaxOp : NN_DifferentiableOp<"softmax", [NN_Reduction,
                                                   SameOperandsAndResultType]> {
  let summary = "Softmax along one axis";
  let description = [{
    `exp(x - max) / sum(exp(x - max))` along `axis` (in `[0, rank)`).

    ```mlir
    %p = nn.softmax %logits {axis = 1 : i64} : tensor<?x10xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, I64Attr:$axis);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($result)";
  let hasVerifier = 1;
  /// Sample-wise under FusionOpInterface::isSampleWise's conditions.
  let extraClassDeclaration = [{ bool sampleWise(); }];
}

def NN_LogSoftmaxOp : NN_DifferentiableOp<"log_softmax",
                                          [NN_Reduction,
                                           SameOperandsAndResultType]> {
  let summary = "Logarithm of the softmax along one axis";
  let description = [{
    `x - max - log(sum(exp(x - max)))` along `axis` (in `[0, rank)`).

    ```mlir
    %lp = nn.log_softmax %logits {axis = 1 : i64} : tensor<?x10xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, I64Attr:$axis);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($result)";
  let hasVerifier = 1;
  /// Sample-wise under FusionOpInterface::isSampleWise's conditions.
  let extraClassDeclaration = [{ bool sampleWise(); }];
}

//===----------------------------------------------------------------------===//
// Linear algebra and reductions
//===----------------------------------------------------------------------===//

def NN_MatmulOp : NN_ContractionOp<"matmul",
                                      [SameOperandsAndResultElementType]> {
  let summary = "Matrix product with broadcast batch dimensions";
  let description = [{
    `[..., M, K] x [..., K, N] -> [..., M, N]`. Both operands have rank >= 2;
    the leading (batch) dimensions broadcast against each other with numpy
    rules, so `[B, M, K] x [K, N]` multiplies every batch by one matrix.

    ```mlir
    %h = nn.matmul %x, %w : (tensor<?x784xf32>, tensor<784x512xf32>) -> tensor<?x512xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$lhs, NN_FloatTensor:$rhs);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$lhs, "::mlir::Value":$rhs), [{
      build($_builder, $_state,
            ::dlc::nn::inferMatmulResultType(lhs.getType(), rhs.getType()),
            lhs, rhs);
    }]>
  ];
}

def NN_SumOp : NN_ReduceOp<"sum"> {
  let summary = "Sum over axes";
  let description = [{
    Sums over `axes` (all axes when omitted); `keepdims` keeps them as 1.

    ```mlir
    %s = nn.sum %x {axes = array<i64: 1>} : (tensor<?x10xf32>) -> tensor<?xf32>
    %t = nn.sum %x : (tensor<?x10xf32>) -> tensor<f32>
    ```
  }];
}

def NN_MeanOp : NN_ReduceOp<"mean"> {
  let summary = "Arithmetic mean over axes";
  let description = [{
    ```mlir
    %m = nn.mean %x {axes = array<i64: 0>, keepdims = true}
         : (tensor<?x10xf32>) -> tensor<1x10xf32>
    ```
  }];
}

def NN_MaxOp : NN_ReduceOp<"max"> {
  let summary = "Maximum over axes";
  let description = [{
    The gradient goes to the first maximal element of each reduced slice.

    ```mlir
    %m = nn.max %x {axes = array<i64: 1>} : (tensor<?x10xf32>) -> tensor<?xf32>
    ```
  }];
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

def NN_ReshapeOp : NN_DifferentiableOp<"reshape",
                                       [NN_Injective,
                                        SameOperandsAndResultElementType]> {
  let summary = "Reshape to the result type";
  let description = [{
    Reinterprets the elements (row-major) with the shape of the result. The
    result has at most one dynamic dimension, whose size is computed from the
    element count (like `-1` in numpy). Flatten is a reshape.

    ```mlir
    %f = nn.reshape %x : (tensor<?x1x28x28xf32>) -> tensor<?x784xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  /// Sample-wise under FusionOpInterface::isSampleWise's conditions.
  let extraClassDeclaration = [{ bool sampleWise(); }];
}

def NN_TransposeOp : NN_DifferentiableOp<"transpose",
                                         [NN_Injective,
                                          SameOperandsAndResultElementType]> {
  let summary = "Permutation of the dimensions";
  let description = [{
    Result dimension `i` is operand dimension `perm[i]`.

    ```mlir
    %t = nn.transpose %w {perm = array<i64: 1, 0>}
         : (tensor<784x512xf32>) -> tensor<512x784xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, DenseI64ArrayAttr:$perm);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$x, "::llvm::ArrayRef<int64_t>":$perm), [{
      build($_builder, $_state,
            ::dlc::nn::inferTransposeResultType(x.getType(), perm), x,
            $_builder.getDenseI64ArrayAttr(perm));
    }]>
  ];
  /// Sample-wise under FusionOpInterface::isSampleWise's conditions.
  let extraClassDeclaration = [{ bool sampleWise(); }];
}

def NN_BroadcastToOp : NN_DifferentiableOp<"broadcast_to",
                                           [NN_Broadcast,
                                            SameOperandsAndResultElementType]> {
  let summary = "Broadcast to the result type (numpy rules)";
  let description = [{
    Broadcasts `x` to the shape of the result. A dynamic result dimension
    takes the size of the aligned operand dimension, which must then exist
    and not be a static 1 (use `nn.broadcast_like` for dynamic targets).

    ```mlir
    %b = nn.broadcast_to %x : (tensor<10xf32>) -> tensor<4x10xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  /// Sample-wise under FusionOpInterface::isSampleWise's conditions.
  let extraClassDeclaration = [{ bool sampleWise(); }];
}

def NN_ConcatOp : NN_DifferentiableOp<"concat",
                                      [NN_Injective,
                                       SameOperandsAndResultElementType]> {
  let summary = "Concatenation along one axis";
  let description = [{
    All operands have the same rank and agree on every dimension but `axis`.

    ```mlir
    %c = nn.concat %a, %b {axis = 1 : i64}
         : (tensor<?x3xf32>, tensor<?x5xf32>) -> tensor<?x8xf32>
    ```
  }];
  let arguments = (ins Variadic<NN_FloatTensor>:$inputs, I64Attr:$axis);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat =
      "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  /// Sample-wise under FusionOpInterface::isSampleWise's conditions.
  let extraClassDeclaration = [{ bool sampleWise(); }];
}

def NN_SplitOp : NN_DifferentiableOp<"split",
                                     [NN_Injective, SameOperandsAndResultElementType]> {
  let summary = "Consecutive pieces along one axis";
  let description = [{
    The inverse of `nn.concat`: result `k` is the slice
    `[offset_k, offset_k + size_k)` of `x` along `axis`, where `size_k` is
    the (static) size of result `k` along the axis and `offset_k` the sum of
    the sizes before it. The sizes add up to the axis's (static) extent;
    every other dimension is the operand's. One op (and so one kernel) for
    all pieces, where a slice per piece is one kernel per offset: a loop
    that reads a sequence one step at a time compiles in linear time.
    Its gradient is the concatenation of the result cotangents (zeros for
    pieces that are not used).

    ```mlir
    %a, %b = nn.split %x {axis = 1 : i64}
         : (tensor<?x5xf32>) -> (tensor<?x2xf32>, tensor<?x3xf32>)
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, I64Attr:$axis);
  let results = (outs Variadic<NN_FloatTensor>:$pieces);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  /// Sample-wise under FusionOpInterface::isSampleWise's conditions.
  let extraClassDeclaration = [{ bool sampleWise(); }];
}

def NN_PadOp : NN_DifferentiableOp<"pad", [NN_Injective,
                                          SameOperandsAndResultElementType]> {
  let summary = "Constant padding";
  let description = [{
    Adds `before[d]` elements before and `after[d]` after dimension `d`,
    all equal to `value`; a dynamic dimension is not padded. Its gradient
    is the slice of the cotangent that drops the padding.

    ```mlir
    %p = nn.pad %x {before = array<i64: 0, 0, 1, 2>,
                    after = array<i64: 0, 0, 1, 2>, value = 0.0 : f64}
         : (tensor<?x3x28x28xf32>) -> tensor<?x3x30x32xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, DenseI64ArrayAttr:$before,
                       DenseI64ArrayAttr:$after,
                       DefaultValuedAttr<F64Attr, "0.0">:$value);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  /// Sample-wise under FusionOpInterface::isSampleWise's conditions.
  let extraClassDeclaration = [{ bool sampleWise(); }];
}

def NN_FlipOp : NN_DifferentiableOp<"flip", [NN_Injective,
                                            SameOperandsAndResultType]> {
  let summary = "Reverses the order of the elements along some axes";
  let description = [{
    `out[..., i, ...] = x[..., n - 1 - i, ...]` along each axis of `axes`
    (sorted, distinct); its own gradient.

    ```mlir
    %f = nn.flip %x {axes = array<i64: 3>}
         : (tensor<?x1x28x28xf32>) -> tensor<?x1x28x28xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, DenseI64ArrayAttr:$axes);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  /// Sample-wise under FusionOpInterface::isSampleWise's conditions.
  let extraClassDeclaration = [{ bool sampleWise(); }];
}

def NN_OneHotOp : NN_Op<"one_hot", [NN_Injective]> {
  let summary = "One-hot encoding of integer class indices";
  let description = [{
    `out[..., k] = (y[...] == k) ? 1 : 0` for `0 <= k < classes`: the
    result has the shape of `y` with `classes` appended. An index outside
    `[0, classes)` (negative, or too large) gives a row of zeros (as
    TensorFlow's `tf.one_hot`; PyTorch's `F.one_hot` raises an error). Not
    differentiable: its operand is integer, so never active in autodiff.

    ```mlir
    %h = nn.one_hot %y {classes = 10 : i64}
         : (tensor<?xi64>) -> tensor<?x10xf32>
    ```
  }];
  let arguments = (ins NN_IntTensor:$y, I64Attr:$classes);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$y attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  /// Sample-wise under FusionOpInterface::isSampleWise's conditions.
  let extraClassDeclaration = [{ bool sampleWise(); }];
}

def NN_GatherOp : NN_DifferentiableOp<"gather", [NN_Injective]> {
  let summary = "Indexing by an integer tensor along one axis";
  let description = [{
    As `numpy.take(x, ids, axis)` (and PyTorch's `index_select` for 1-D
    `ids`): the result's shape is `x`'s with dimension `axis` replaced by the
    shape of `ids`, and
    `out[i..., j..., k...] = x[i..., ids[j...], k...]`. An index outside
    `[0, x.shape[axis])` (negative, or too large) gives zeros (as `one_hot`;
    PyTorch raises an error). The gathered axis is static. Differentiable
    in `x` (the gradient scatters the cotangent back, adding where an index
    repeats: `nn.gather_grad`); `ids` is integer, never active.

    ```mlir
    %e = nn.gather %w, %ids {axis = 0 : i64}
         : (tensor<70x96xf32>, tensor<?x64xi64>) -> tensor<?x64x96xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, NN_IntTensor:$ids, I64Attr:$axis);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x `,` $ids attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  /// Sample-wise under FusionOpInterface::isSampleWise's conditions.
  let extraClassDeclaration = [{ bool sampleWise(); }];
}

def NN_SliceOp : NN_DifferentiableOp<"slice",
                                     [NN_Injective,
                                      SameOperandsAndResultElementType]> {
  let summary = "Strided slice";
  let description = [{
    Takes, in every dimension `d`, the elements `starts[d]`,
    `starts[d] + strides[d]`, ... below `limits[d]`. A limit of -1 means the
    full extent (so a dynamic dimension can be kept whole). Strides are
    positive.

    ```mlir
    %s = nn.slice %x {starts = array<i64: 0, 2>, limits = array<i64: -1, 6>,
                      strides = array<i64: 1, 1>}
         : (tensor<?x8xf32>) -> tensor<?x4xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$limits, DenseI64ArrayAttr:$strides);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  /// Sample-wise under FusionOpInterface::isSampleWise's conditions.
  let extraClassDeclaration = [{ bool sampleWise(); }];
}

//===----------------------------------------------------------------------===//
// Convolution, pooling, normalisation, dropout
//===----------------------------------------------------------------------===//

def NN_Conv2DOp : NN_ContractionOp<"conv2d",
                                      [SameOperandsAndResultElementType]> {
  let summary = "2-D convolution (NCHW input, OIHW weight, optional bias)";
  let description = [{
    Cross-correlation as in PyTorch's `conv2d`: input `[N, C, H, W]`, weight
    `[O, C/groups, KH, KW]`, optional bias `[O]`, result `[N, O, OH, OW]`
    with `OH = (H + 2*padding[0] - dilation[0]*(KH-1) - 1) / stride[0] + 1`.

    ```mlir
    %y = nn.conv2d %x, %w, %b {padding = array<i64: 1, 1>}
         : (tensor<?x1x28x28xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>)
         -> tensor<?x8x28x28xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$weight,
                       Optional<NN_FloatTensor>:$bias,
                       DefaultValuedAttr<NN_Pair, "{1, 1}">:$stride,
                       DefaultValuedAttr<NN_Pair, "{0, 0}">:$padding,
                       DefaultValuedAttr<NN_Pair, "{1, 1}">:$dilation,
                       DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::mlir::Value":$weight,
                   "::mlir::Value":$bias, "::llvm::ArrayRef<int64_t>":$stride,
                   "::llvm::ArrayRef<int64_t>":$padding,
                   "::llvm::ArrayRef<int64_t>":$dilation, "int64_t":$groups), [{
      build($_builder, $_state,
            ::dlc::nn::inferConv2DResultType(input.getType(), weight.getType(),
                                             stride, padding, dilation),
            input, weight, bias, $_builder.getDenseI64ArrayAttr(stride),
            $_builder.getDenseI64ArrayAttr(padding),
            $_builder.getDenseI64ArrayAttr(dilation),
            $_builder.getI64IntegerAttr(groups));
    }]>
  ];
}

def NN_ConvTranspose2DOp : NN_ContractionOp<"conv_transpose2d",
                                            [SameOperandsAndResultElementType]> {
  let summary = "2-D transposed convolution (NCHW input, IOHW weight)";
  let description = [{
    As PyTorch's `conv_transpose2d` without bias: input `[N, C, H, W]`,
    weight `[C, O/groups, KH, KW]`, result `[N, O, OH, OW]` with
    `OH = (H - 1)*stride[0] - 2*padding[0] + dilation[0]*(KH-1) +
    output_padding[0] + 1`, `output_padding < stride` (PyTorch also allows
    `output_padding < dilation` at stride 1, where the result is no longer
    the input size of the conv2d that is its gradient). It is
    the gradient of `conv2d` with respect to its input (and is computed by
    the same kernel); its own gradients are a `conv2d` (input) and a
    `conv2d_grad_weight` (weight).

    ```mlir
    %y = nn.conv_transpose2d %x, %w {stride = array<i64: 2, 2>,
                                     padding = array<i64: 1, 1>,
                                     output_padding = array<i64: 1, 1>}
         : (tensor<?x8x7x7xf32>, tensor<8x4x3x3xf32>) -> tensor<?x4x14x14xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$weight,
                       DefaultValuedAttr<NN_Pair, "{1, 1}">:$stride,
                       DefaultValuedAttr<NN_Pair, "{0, 0}">:$padding,
                       DefaultValuedAttr<NN_Pair, "{0, 0}">:$output_padding,
                       DefaultValuedAttr<NN_Pair, "{1, 1}">:$dilation,
                       DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def NN_MaxPool2DOp : NN_Pool2DOp<"max_pool2d"> {
  let summary = "2-D max pooling over NCHW";
  let description = [{
    Padding is -infinity. `OH = (H + 2*padding[0] - kernel[0]) / stride[0] + 1`.
    The gradient goes to the first maximal element of each window.

    ```mlir
    %p = nn.max_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>}
         : (tensor<?x8x28x28xf32>) -> tensor<?x8x14x14xf32>
    ```
  }];
}

def NN_AvgPool2DOp : NN_Pool2DOp<"avg_pool2d"> {
  let summary = "2-D average pooling over NCHW";
  let description = [{
    Padding is zero and counted in the divisor, which is always
    `kernel[0] * kernel[1]` (PyTorch's `count_include_pad=True`).

    ```mlir
    %p = nn.avg_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>}
         : (tensor<?x8x28x28xf32>) -> tensor<?x8x14x14xf32>
    ```
  }];
}

def NN_UpsampleNearest2DOp : NN_DifferentiableOp<"upsample_nearest2d",
    [NN_Injective, SameOperandsAndResultElementType]> {
  let summary = "Nearest-neighbour 2-D upsampling over NCHW by an integer scale";
  let description = [{
    As PyTorch's `nn.Upsample(scale_factor=scale, mode='nearest')` for an
    integer `scale >= 1`: `out[n, c, h, w] = x[n, c, h / scale, w / scale]`
    (integer division), so the result is `[N, C, H * scale, W * scale]`. Its
    gradient `upsample_nearest2d_grad` sums each `scale x scale` block.

    ```mlir
    %y = nn.upsample_nearest2d %x {scale = 2 : i64}
         : (tensor<?x8x7x7xf32>) -> tensor<?x8x14x14xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x,
                       DefaultValuedAttr<I64Attr, "2">:$scale);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def NN_UpsampleBilinear2DOp : NN_DifferentiableOp<"upsample_bilinear2d",
    [NN_Injective, SameOperandsAndResultElementType]> {
  let summary = "Bilinear 2-D upsampling over NCHW by an integer scale";
  let description = [{
    As PyTorch's `F.interpolate(x, scale_factor=scale, mode='bilinear',
    align_corners=False)` for an integer `scale >= 1`: output row `h` reads
    the source coordinate `src = max((h + 0.5) / scale - 0.5, 0)` and
    interpolates rows `floor(src)` and `min(floor(src) + 1, H - 1)` with
    weights `1 - frac(src)` and `frac(src)`; the same along `w`. The result
    is `[N, C, H * scale, W * scale]`. Its gradient
    `upsample_bilinear2d_grad` is the transposed interpolation.

    ```mlir
    %y = nn.upsample_bilinear2d %x {scale = 2 : i64}
         : (tensor<?x8x7x7xf32>) -> tensor<?x8x14x14xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x,
                       DefaultValuedAttr<I64Attr, "2">:$scale);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def NN_BatchNormTrainOp : NN_DifferentiableOp<"batch_norm_train",
    [NN_Reduction, SameOperandsElementType]> {
  let summary = "Batch normalisation with batch statistics";
  let description = [{
    Normalises `x` (`[N, C]` or `[N, C, H, W]`) per channel `C` with the mean
    and the biased variance over all other dimensions, then scales by `gamma`
    and shifts by `beta` (both `[C]`). Also returns the batch mean and the
    biased batch variance (`[C]`) so that the running statistics can be
    updated outside (the unbiased correction `M/(M-1)` is the caller's).

    ```mlir
    %y, %mean, %var = nn.batch_norm_train %x, %gamma, %beta {epsilon = 1.0e-5 : f64}
         : (tensor<?x8x28x28xf32>, tensor<8xf32>, tensor<8xf32>)
         -> (tensor<?x8x28x28xf32>, tensor<8xf32>, tensor<8xf32>)
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, NN_FloatTensor:$gamma,
                       NN_FloatTensor:$beta,
                       DefaultValuedAttr<F64Attr, "1e-5">:$epsilon);
  let results = (outs NN_FloatTensor:$y, NN_FloatTensor:$mean,
                      NN_FloatTensor:$var);
  let assemblyFormat = [{
    $x `,` $gamma `,` $beta attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def NN_BatchNormInferOp : NN_DifferentiableOp<"batch_norm_infer",
    [NN_Broadcast, SameOperandsAndResultElementType]> {
  let summary = "Batch normalisation with running statistics";
  let description = [{
    `(x - running_mean) / sqrt(running_var + epsilon) * gamma + beta` per
    channel (dimension 1). The running statistics get no gradient.

    ```mlir
    %y = nn.batch_norm_infer %x, %gamma, %beta, %rmean, %rvar
         : (tensor<?x8x28x28xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>,
            tensor<8xf32>) -> tensor<?x8x28x28xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, NN_FloatTensor:$gamma,
                       NN_FloatTensor:$beta, NN_FloatTensor:$running_mean,
                       NN_FloatTensor:$running_var,
                       DefaultValuedAttr<F64Attr, "1e-5">:$epsilon);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $x `,` $gamma `,` $beta `,` $running_mean `,` $running_var attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
  /// Sample-wise under FusionOpInterface::isSampleWise's conditions.
  let extraClassDeclaration = [{ bool sampleWise(); }];
}

def NN_DropoutOp : NN_DifferentiableOp<"dropout",
                                       [NN_Elementwise,
                                        AllTypesMatch<["x", "result"]>]> {
  let summary = "Inverted dropout with an explicit seed";
  let description = [{
    Zeroes each element with probability `p` and scales the others by
    `1 / (1 - p)`. Element `i` is kept iff `uniform(seed, i) >= p` (the
    counter-based generator of `dlc/Dialect/NN/Eval/Random.h`), so the mask is
    a pure function of the seed and the shape; the backward pass is the same
    dropout applied to the cotangent.

    ```mlir
    %y = nn.dropout %x, %seed {p = 0.2 : f64}
         : (tensor<?x256xf32>, tensor<i64>) -> tensor<?x256xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, NN_Seed:$seed, F64Attr:$p);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat =
      "$x `,` $seed attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  /// Randomness: never cached per sample (FusionOpInterface::isSampleWise).
  let extraClassDeclaration = [{ bool sampleWise() { return false; } }];
}

//===----------------------------------------------------------------------===//
// Losses (all return a 0-d mean)
//===----------------------------------------------------------------------===//

def NN_MSEOp : NN_PairwiseLossOp<"mse"> {
  let summary = "Mean squared error";
  let description = [{
    ```mlir
    %l = nn.mse %pred, %target : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
    ```
  }];
}

def NN_L1Op : NN_PairwiseLossOp<"l1"> {
  let summary = "Mean absolute error";
  let description = [{
    ```mlir
    %l = nn.l1 %pred, %target : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
    ```
  }];
}

def NN_BCEOp : NN_PairwiseLossOp<"bce"> {
  let summary = "Binary cross-entropy of probabilities";
  let description = [{
    `mean(-(t * log(p) + (1 - t) * log(1 - p)))`, with `p` in (0, 1).

    ```mlir
    %l = nn.bce %p, %t : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
    ```
  }];
}

def NN_BCEWithLogitsOp : NN_PairwiseLossOp<"bce_with_logits"> {
  let summary = "Binary cross-entropy of logits (numerically stable)";
  let description = [{
    `mean(max(z, 0) - z * t + log(1 + exp(-|z|)))`.

    ```mlir
    %l = nn.bce_with_logits %z, %t : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
    ```
  }];
}

def NN_CrossEntropyOp : NN_DifferentiableOp<"cross_entropy", [NN_Reduction]> {
  let summary = "Softmax cross-entropy of logits and integer labels";
  let description = [{
    `logits` is `[N, C]`, `labels` `[N]` integers in `[0, C)`, the optional
    class `weight` `[C]`. With `s = label_smoothing` and `lp =
    log_softmax(logits)`, the loss of sample `n` is
    `-sum_c w_c * q_nc * lp_nc` with `q = (1 - s) * onehot(label) + s / C`,
    and the result is `sum_n loss_n / sum_n w_{label_n}` (PyTorch's weighted
    mean; `w = 1` without weights). Labels and weights get no gradient.
    Sequences: `logits` `[N, T, C]` (or more leading dimensions) and
    `labels` `[N, T]`; every position is a row `n` of the mean above (the
    mean over `N * T` tokens of a language model, as PyTorch's
    `F.cross_entropy` of the logits reshaped to `[N * T, C]`).

    ```mlir
    %l = nn.cross_entropy %logits, %labels
         : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<f32>
    %m = nn.cross_entropy %logits, %labels, %w {label_smoothing = 0.1 : f64}
         : (tensor<?x10xf32>, tensor<?xi64>, tensor<10xf32>) -> tensor<f32>
    %s = nn.cross_entropy %scores, %tokens
         : (tensor<?x16x70xf32>, tensor<?x16xi64>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$logits, NN_IntTensor:$labels,
                       Optional<NN_FloatTensor>:$weight,
                       DefaultValuedAttr<F64Attr, "0.0">:$label_smoothing);
  let results = (outs NN_Scalar:$result);
  let assemblyFormat = [{
    $logits `,` $labels (`,` $weight^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$logits, "::mlir::Value":$labels,
                   CArg<"::mlir::Value", "{}">:$weight,
                   CArg<"double", "0.0">:$label_smoothing), [{
      build($_builder, $_state, ::dlc::nn::inferScalarType(logits.getType()),
            logits, labels, weight,
            $_builder.getF64FloatAttr(label_smoothing));
    }]>
  ];
}

def NN_NLLOp : NN_DifferentiableOp<"nll", [NN_Reduction]> {
  let summary = "Negative log-likelihood of log-probabilities";
  let description = [{
    `-sum_n w_{y_n} * logp[n, y_n] / sum_n w_{y_n}` for `logp` `[N, C]`,
    labels `[N]` and optional class weights `[C]`.

    ```mlir
    %l = nn.nll %logp, %labels : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$logp, NN_IntTensor:$labels,
                       Optional<NN_FloatTensor>:$weight);
  let results = (outs NN_Scalar:$result);
  let assemblyFormat = [{
    $logp `,` $labels (`,` $weight^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$logp, "::mlir::Value":$labels,
                   CArg<"::mlir::Value", "{}">:$weight), [{
      build($_builder, $_state, ::dlc::nn::inferScalarType(logp.getType()),
            logp, labels, weight);
    }]>
  ];
}

//===----------------------------------------------------------------------===//
// Fusion groups (nn-fuse)
//===----------------------------------------------------------------------===//

def NN_FusionGroupOp : Op<NN_Dialect, "fusion_group",
                          [RecursiveMemoryEffects]> {
  let summary = "Ops that run as one kernel";
  let description = [{
    What `nn-fuse` makes of each group of the fusion plan (Fusion.cpp): the
    group's ops, in order, in one block ending in `nn.yield` of the values
    used after the group, which are the results. Values from outside are
    used directly (the region is not isolated), as in IREE's dispatch
    regions. The back end does not read these regions: nn-to-halide's
    `fused` grouping asks the same planner for the same groups on the flat
    function; `--emit=mlir-fused` and the lit tests show them.

    ```mlir
    %r = nn.fusion_group -> tensor<?x512xf32> {
      %1 = nn.matmul %0, %w : (tensor<?x784xf32>, tensor<784x512xf32>) -> tensor<?x512xf32>
      %2 = nn.add %1, %b : (tensor<?x512xf32>, tensor<512xf32>) -> tensor<?x512xf32>
      %3 = nn.relu %2 : tensor<?x512xf32>
      nn.yield %3 : tensor<?x512xf32>
    }
    ```
  }];
  let results = (outs Variadic<AnyType>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "(`->` type($results)^)? $body attr-dict";
}

def NN_YieldOp : Op<NN_Dialect, "yield",
                    [Pure, Terminator, ReturnLike,
                     HasParent<"FusionGroupOp">]> {
  let summary = "The values a fusion group gives to the ops after it";
  let arguments = (ins Variadic<AnyType>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

include "dlc/Dialect/NN/IR/NNGradOps.td"

#endif // DLC_DIALECT_NN_IR_NNOPS_TD
