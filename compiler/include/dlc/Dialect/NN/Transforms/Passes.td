//===- Passes.td - Passes of the nn dialect ----------------*- tablegen -*-===//
//
// Declares the passes that transform nn-dialect IR. Each is runnable alone in
// dlc-opt under its flag and has a lit test named after it in test/Transforms.
// One debugging pass that only reports, nn-print-op-info, tests the ops'
// fusion classes and FLOP counts (test/Dialect/NN/op-info.mlir).
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_NN_TRANSFORMS_PASSES_TD
#define DLC_DIALECT_NN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def NNAutodiff : Pass<"nn-autodiff", "::mlir::ModuleOp"> {
  let summary = "Build reverse-mode gradient functions of nn functions";
  let description = [{
    For every `func.func @f` (or those named by `funcs`) whose first result
    is a 0-d loss, adds a function `@f_grad` with the same arguments that
    returns the results of `@f` followed by the gradient of the loss with
    respect to each differentiated argument, in argument order. By default
    the differentiated arguments are those with the `nn.param` argument
    attribute; `wrt-inputs` adds the other float arguments (saliency maps)
    except non-trainable state marked `nn.buffer`; `wrt-all` is the same. Each gradient result carries
    `nn.grad_of = "<param name>"` (or `"arg<N>"` for an unnamed argument).

    If the first result of `@f` is not a 0-d tensor, `@f_grad` takes one more
    argument, the cotangent (seed) of that result.

    The forward ops are cloned into `@f_grad`, then the backward code is
    built by walking them in reverse and calling each op's
    `VJPOpInterface::computeVJP`; cotangents reaching one value from several
    uses are summed with `nn.add`. Backward code that does not reach a
    returned gradient is removed. An op without the interface on the path
    from a differentiated argument to the loss is an error.

    Before:
    ```mlir
    func.func @f(%x: tensor<4x3xf32>, %w: tensor<3x2xf32> {nn.param = "w"})
        -> tensor<f32> {
      %y = nn.matmul %x, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
      %l = nn.sum %y : (tensor<4x2xf32>) -> tensor<f32>
      return %l : tensor<f32>
    }
    ```
    After (added next to `@f`):
    ```mlir
    func.func @f_grad(%x: tensor<4x3xf32>, %w: tensor<3x2xf32> {nn.param = "w"})
        -> (tensor<f32>, tensor<3x2xf32> {nn.grad_of = "w"}) {
      %y = nn.matmul %x, %w ...
      %l = nn.sum %y ...
      %one = nn.constant dense<1.0> : tensor<f32>
      %gy = nn.broadcast_like %one, %y ...
      %xt = nn.transpose %x {perm = array<i64: 1, 0>} ...
      %gw = nn.matmul %xt, %gy ...
      return %l, %gw : tensor<f32>, tensor<3x2xf32>
    }
    ```
  }];
  let options = [
    ListOption<"funcs", "funcs", "std::string",
               "Names of the functions to differentiate (default: all "
               "functions that do not already have a gradient)">,
    Option<"wrtInputs", "wrt-inputs", "bool", /*default=*/"false",
           "Also differentiate with respect to float arguments without "
           "nn.param (e.g. the input, for saliency)">,
    Option<"wrtAll", "wrt-all", "bool", /*default=*/"false",
           "Differentiate with respect to every float argument">,
    Option<"suffix", "suffix", "std::string", /*default=*/"\"_grad\"",
           "Suffix of the name of the gradient function">
  ];
  let dependentDialects = ["::dlc::nn::NNDialect", "::mlir::func::FuncDialect"];
}

def NNBuildTrainStep : Pass<"nn-build-train-step", "::mlir::ModuleOp"> {
  let summary = "Build the train and eval step functions of each model";
  let description = [{
    For every model `M` whose module holds `@M_loss` (MLIRGen) and
    `@M_loss_grad` (nn-autodiff), adds two functions:

    `@M_train_step`: forward, loss, backward and the optimiser update in one
    function. Arguments, in this order:
      1. the model inputs, then the labels (`nn.labels`);
      2. every parameter and buffer, with the attributes of `@M_loss`
         (`nn.param = "fc1.w"`, `nn.buffer = "bn.running_mean"`);
      3. the optimiser state: for each slot of the optimiser (below), one
         tensor per trainable parameter in parameter order (slot-major, the
         layout of `dlrt_step_args::opt_state`), shaped like the parameter,
         with `nn.opt_state = "<slot>.<param>"`, e.g. `"m.fc1.w"`; zero
         before the first step;
      4. the dropout seeds (`nn.seed`), as in `@M_loss`;
      5. `lr`, a 0-d f32 with `nn.lr`: the learning rate of this step;
      6. `step`, a 0-d f32 with `nn.step`: the number of updates done before
         this one (0 for the first).
    Results, in this order: the loss (`nn.loss`), the model output
    (`nn.logits`, computed before the update), the new value of every
    parameter and buffer in argument order (`nn.new_param = "fc1.w"` for a
    trainable parameter; `nn.new_buffer = "bn.running_mean"` for a buffer,
    its `nn.buffer_update` value or the argument itself when it has none),
    and the new optimiser state in argument order
    (`nn.new_opt_state = "m.fc1.w"`).

    `@M_eval_step`: the inputs, the labels and the parameters and buffers
    (same attributes) to the loss (`nn.loss`) and the output (`nn.logits`) of
    the inference form `@M_eval` (dropout off, batch norm with running
    statistics); the loss ops are those of `@M_loss`.

    The update is written in nn ops (PyTorch semantics; constants are
    computed in double and rounded once to the parameter type). With `g` the
    gradient: first `g += l1 * sign(p)` (the gradient of the penalty
    `l1 * sum |p|`, which, like weight decay, is not part of the returned
    loss), then global-norm clipping `g *= min(1, grad_clip / (||g||_2 +
    1e-6))` over all trainable gradients (`clip_grad_norm_`), then the
    optimiser, whose hyperparameters other than the learning rate are baked
    in from the `nn.optimizer` dictionary attribute of `@M_loss` (which
    MLIRGen attaches from the train block):
    ```mlir
    nn.optimizer = {kind = "sgd", lr = 5.0e-02 : f64, momentum = 9.0e-01 : f64,
                    dampening = 0.0 : f64, nesterov = false,
                    weight_decay = 5.0e-04 : f64, grad_clip = 0.0 : f64,
                    l1 = 0.0 : f64}
    ```
    Kinds, their slots and keys (missing keys take PyTorch's defaults;
    `lr` is informative only, the step reads its `lr` argument):
      - `sgd` (slot `m` when momentum > 0): momentum, dampening, nesterov,
        weight_decay (L2, added to the gradient); the first step (`step` =
        0) stores the gradient undamped, as PyTorch does; the kinds
        `momentum` and `nesterov` are sgd with momentum 0.9 (and Nesterov);
      - `adam` (slots `m`, `v`): beta1, beta2, eps, weight_decay (L2); bias
        correction with `step + 1`;
      - `adamw` (slots `m`, `v`): as adam with decoupled weight decay
        `p *= 1 - lr * weight_decay` before the update (default 0.01);
      - `rmsprop` (slot `v`, and `m` when momentum > 0): alpha, eps,
        momentum, weight_decay;
      - `adagrad` (slot `sum`): eps, weight_decay.
    A function without `nn.optimizer` is trained with plain SGD.

    Before (abridged):
    ```mlir
    func.func @M_loss(%x: tensor<?x3xf32>, %y: tensor<?xi64> {nn.labels},
                      %w: tensor<3x2xf32> {nn.param = "w"})
        -> (tensor<f32>, tensor<?x2xf32>)
        attributes {nn.optimizer = {kind = "sgd", momentum = 0.9 : f64}}
    func.func @M_loss_grad(...) -> (tensor<f32>, tensor<?x2xf32>,
                                    tensor<3x2xf32> {nn.grad_of = "w"})
    func.func @M_eval(%x: tensor<?x3xf32>, %w: tensor<3x2xf32> {nn.param = "w"})
        -> tensor<?x2xf32>
    ```
    After (added):
    ```mlir
    func.func @M_train_step(%x: tensor<?x3xf32>, %y: tensor<?xi64> {nn.labels},
        %w: tensor<3x2xf32> {nn.param = "w"},
        %m: tensor<3x2xf32> {nn.opt_state = "m.w"},
        %lr: tensor<f32> {nn.lr}, %step: tensor<f32> {nn.step})
        -> (tensor<f32> {nn.loss}, tensor<?x2xf32> {nn.logits},
            tensor<3x2xf32> {nn.new_param = "w"},
            tensor<3x2xf32> {nn.new_opt_state = "m.w"}) {
      ... forward, loss and backward of @M_loss_grad, giving %loss, %out, %g
      %mu = nn.constant dense<0.9> : tensor<f32>
      %m0 = nn.mul %m, %mu ...
      %m1 = nn.add %m0, %g ...
      %d = nn.mul %m1, %lr ...
      %w1 = nn.sub %w, %d ...
      return %loss, %out, %w1, %m1 : ...
    }
    func.func @M_eval_step(%x: tensor<?x3xf32>, %y: tensor<?xi64> {nn.labels},
        %w: tensor<3x2xf32> {nn.param = "w"})
        -> (tensor<f32> {nn.loss}, tensor<?x2xf32> {nn.logits})
    ```
  }];
  let options = [
    ListOption<"models", "models", "std::string",
               "Names of the models to build steps for (default: every M "
               "with @M_loss and @M_loss_grad)">,
    Option<"splitUpdate", "split-update", "bool", /*default=*/"false",
           "Also build @M_train_grad_step (forward, loss and backward in "
           "training mode: the loss, the output, the gradients as "
           "nn.grad_of and the buffers as nn.new_buffer) and @M_update_step "
           "(the trainable parameters, their gradients as nn.grad_in, the "
           "optimiser state, lr and step to the new parameters and state), "
           "which together are @M_train_step with a gap between the "
           "gradients and the update: data-parallel training (dlc --mpi) "
           "sums the gradients of the ranks there. Not for explicit steps.">
  ];
  let dependentDialects = ["::dlc::nn::NNDialect", "::mlir::func::FuncDialect"];
}

def NNMergeSlices : Pass<"nn-merge-slices", "::mlir::func::FuncOp"> {
  let summary = "Turn the slices of one tensor along one axis into an nn.split";
  let description = [{
    Finds, for each tensor `x`, the `nn.slice` ops that cut `x` along one
    static axis only (every other dimension whole, stride 1), and when there
    are at least two of them and their ranges do not overlap, replaces them
    by one `nn.split` of `x` whose pieces are those ranges plus the gaps
    between them (pieces no slice used are left unused).

    A loop over a sequence (`for t in range(T) { x_t = slice(x, 1, t, t+1)
    ... }`) slices its input at T offsets: T distinct kernels, and T more
    for their gradients, each of which writes a tensor the size of `x`.
    After this pass it is one kernel forward and one (a concat) backward,
    whatever T. It runs before nn-autodiff, so the gradient and the train
    step are built from the split.

    Before:
    ```mlir
    %a = nn.slice %x {starts = array<i64: 0, 0>, limits = array<i64: -1, 1>,
                      strides = array<i64: 1, 1>} : (tensor<?x3xf32>) -> tensor<?x1xf32>
    %b = nn.slice %x {starts = array<i64: 0, 2>, limits = array<i64: -1, 3>,
                      strides = array<i64: 1, 1>} : (tensor<?x3xf32>) -> tensor<?x1xf32>
    ```
    After:
    ```mlir
    %p:3 = nn.split %x {axis = 1 : i64}
        : (tensor<?x3xf32>) -> (tensor<?x1xf32>, tensor<?x1xf32>, tensor<?x1xf32>)
    ```
    with the uses of `%a` and `%b` replaced by `%p#0` and `%p#2`.
  }];
  let dependentDialects = ["::dlc::nn::NNDialect"];
}

def NNFuse : Pass<"nn-fuse", "::mlir::func::FuncOp"> {
  let summary = "Show the fusion plan as nn.fusion_group regions";
  let description = [{
    Asks the fusion planner (dlc/Dialect/NN/Transforms/Fusion.h) for the
    groups of the function and wraps each group of two or more ops in an
    `nn.fusion_group`, placed where the group's last op was, whose results
    are the group's values used after it. The planner's rules (one root per
    group: a contraction, window, reduction or injective op; elementwise and
    broadcast ops join the groups of their operands; a root joins the
    root-less groups of its operands; no join that would make an outside op
    read a value before the group computes it) are in Fusion.cpp.

    Before:
    ```mlir
    %1 = nn.matmul %0, %w : (tensor<?x784xf32>, tensor<784x512xf32>) -> tensor<?x512xf32>
    %2 = nn.add %1, %b : (tensor<?x512xf32>, tensor<512xf32>) -> tensor<?x512xf32>
    %3 = nn.relu %2 : tensor<?x512xf32>
    ```
    After:
    ```mlir
    %3 = nn.fusion_group -> tensor<?x512xf32> {
      %1 = nn.matmul ...
      %2 = nn.add %1, %b ...
      %r = nn.relu %2 : tensor<?x512xf32>
      nn.yield %r : tensor<?x512xf32>
    }
    ```
    The back end does not read the regions: nn-to-halide's `fused` grouping
    (`dlc --kernels=fused`) asks the planner for the same groups.
  }];
  let dependentDialects = ["::dlc::nn::NNDialect"];
}

def NNPrintOpInfo : Pass<"nn-print-op-info"> {
  let summary = "Report the fusion class and FLOP count of every nn op";
  let description = [{
    A debugging pass that changes nothing. For every op nested in the one it
    runs on that has FusionOpInterface (every nn op), emits a remark with its
    fusion class (`FusionOpInterface::getOpClass`, from the op-class trait of
    its ODS entry) and, where it has CostOpInterface (not the `*_grad`
    helpers), its FLOPs per sample (`CostOpInterface::getFlopsPerSample`;
    dynamic dimensions not counted):
    ```
    remark: op class: contraction, FLOPs per sample: 12
    remark: op class: elementwise, no FLOP count
    ```
    Test it with `-verify-diagnostics` and `expected-remark`.
  }];
}

#endif // DLC_DIALECT_NN_TRANSFORMS_PASSES_TD
