//===- NNDialect.td - The nn dialect -----------------------*- tablegen -*-===//
//
// Declares the `nn` dialect: tensor-level neural-network operations with value
// semantics on ranked tensors. It is the target of MLIRGen, the input of
// nn-autodiff and of the later fusion, memory-planning and Halide stages, and
// what the reference evaluator interprets.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_NN_IR_NNDIALECT_TD
#define DLC_DIALECT_NN_IR_NNDIALECT_TD

include "mlir/IR/OpBase.td"

def NN_Dialect : Dialect {
  let name = "nn";
  let cppNamespace = "::dlc::nn";
  let summary = "Neural-network operations on ranked tensors";
  let description = [{
    The `nn` dialect holds the operations of a neural network and of its
    training: layers (matmul, conv2d, pooling, normalisation), activations,
    reductions, shape manipulation, losses, random initialisers, and the
    helper operations the reverse-mode rules (VJPs) are written with.

    All operations have value semantics on ranked tensors of floats (labels
    and seeds are integer tensors). Dimensions may be dynamic (`?`), which is
    how the batch dimension is usually written, e.g. `tensor<?x784xf32>`.
    Broadcasting follows numpy: shapes are aligned on the right, and a
    dimension of size 1 stretches. A dynamic dimension is never assumed to be
    1 at run time: it is only ever matched with an equal dimension.

    Function arguments that are trainable parameters carry the argument
    attribute `nn.param = "<checkpoint key>"` (e.g. `"fc1.w"`); nn-autodiff
    differentiates with respect to those by default, and marks each gradient
    result with `nn.grad_of = "<checkpoint key>"`.

    A module whose models are trained carries the attribute `nn.train`: an
    array with one recipe per train block, everything the back end needs
    besides the functions, so that a trainer can be built from the IR alone
    (`dlc model.mlir -o train`). A recipe is a dictionary with

      - `at`: the location of the train block (for diagnostics);
      - `model`: the model's name (the prefix of its functions `@M_loss`,
        `@M_eval_loss`, ...);
      - `data`, `loss`, `schedule` and, if any, `early_stop`: calls, each a
        dictionary with the callee's name under `kind` and its normalised
        keyword arguments (e.g. `{kind = "one_cycle", max_lr = 0.1 : f64,
        ...}`); `data` also has `classes`, the number of classes of its
        labels (0 when the source does not fix it);
      - `epochs`, `batch`, `seed` (integers), `validation` (a float in
        [0, 1)), `metrics` (an array of names);
      - `params`: the initialiser of every parameter and buffer, a call
        dictionary under its checkpoint key;
      - `frozen` (optional): the checkpoint keys of the parameters that the
        train block's `freeze` keeps fixed; the functions take them as
        `nn.buffer` (no gradient, no optimiser state), and `./train info`
        shows them as frozen;
      - `layers`: the layer table of `./train info`, an array of
        `{name, op, shape, flops}` (flops per sample of the ops the layer's
        result depends on);
      - `updates` (only for a train block with an explicit `step`): one
        `{model, loss, optimizer}` per `update` statement, in order: the
        model updated, the name its loss is logged under and the optimiser
        call. The functions are then `@M_u<k>_loss` (one per update, each
        with its own `nn.optimizer`) and `@M_eval_step`, and parameter keys
        are qualified by their model (`G.linear_0.w`).

    The optimiser, gradient clipping and the L1 penalty are in the function
    attribute `nn.optimizer` of `@M_loss`, which nn-build-train-step reads.
    The dialect verifies the presence and the type of every `nn.train`
    entry.
  }];
  let extraClassDeclaration = [{
    /// Argument attribute naming a trainable parameter (`nn.param`).
    static constexpr ::llvm::StringLiteral kParamAttrName = "nn.param";
    /// Result attribute of a gradient function naming the parameter (or
    /// argument) a result is the gradient of (`nn.grad_of`).
    static constexpr ::llvm::StringLiteral kGradOfAttrName = "nn.grad_of";
    /// Module attribute with the train recipes (`nn.train`).
    static constexpr ::llvm::StringLiteral kTrainAttrName = "nn.train";
  }];
  let hasOperationAttrVerify = 1;
  let hasConstantMaterializer = 1;
  let usePropertiesForAttributes = 1;
}

#endif // DLC_DIALECT_NN_IR_NNDIALECT_TD
