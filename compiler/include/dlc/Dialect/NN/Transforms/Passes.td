//===- Passes.td - Passes of the nn dialect ----------------*- tablegen -*-===//
//
// Declares the passes that transform nn-dialect IR. Each is runnable alone in
// dlc-opt under its flag and has a lit test named after it in test/Transforms.
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
    attribute; `wrt-inputs` adds the other float arguments (saliency maps),
    `wrt-all` is the same as both. Each gradient result carries
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
      %gw0 = nn.matmul %xt, %gy ...
      %gw = nn.sum_to %gw0, %w ...
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

#endif // DLC_DIALECT_NN_TRANSFORMS_PASSES_TD
