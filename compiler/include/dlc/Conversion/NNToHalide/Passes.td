//===- Passes.td - The nn-to-halide pass -------------------*- tablegen -*-===//
//
// Declares nn-to-halide as a pass, so that the lowering of nn functions to
// Halide pipelines runs alone in dlc-opt under its flag, with its lit tests
// named after it in test/Conversion/NNToHalide.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_CONVERSION_NNTOHALIDE_PASSES_TD
#define DLC_CONVERSION_NNTOHALIDE_PASSES_TD

include "mlir/Pass/PassBase.td"

def NNToHalide : Pass<"nn-to-halide", "::mlir::ModuleOp"> {
  let summary = "Lower nn functions to Halide pipelines and print them";
  let description = [{
    Cuts the body of every `func.func` (or those named by `funcs`) into
    groups (`grouping=per-op`, one pipeline per op; `grouping=fused`, the
    groups of the fusion planner that nn-fuse shows; or
    `grouping=whole-function`), lowers each group through its ops'
    `HalideOpInterface::lowerToHalide` rules and prints the pipelines'
    definitions to `output` (default: stdout), in the format of
    `dlc --emit=halide`. The IR is left unchanged: Halide pipelines are not
    MLIR, and the back end compiles them from the same lowering. An op
    without a Halide rule, or one whose rule fails, is an error at the op.

    ```mlir
    func.func @f(%x: tensor<?x6xf32>, %w: tensor<6x5xf32>) -> tensor<?x5xf32> {
      %0 = nn.matmul %x, %w : (tensor<?x6xf32>, tensor<6x5xf32>) -> tensor<?x5xf32>
      return %0 : tensor<?x5xf32>
    }
    ```
    prints `pipeline f_g0(arg0: ?x6xfloat32, arg1: 6x5xfloat32) -> ...`
    with the Funcs of the matmul.
  }];
  let options = [
    ListOption<"funcs", "funcs", "std::string",
               "The functions to lower (default: every function)">,
    Option<"grouping", "grouping", "std::string", /*default=*/"\"per-op\"",
           "How ops are cut into pipelines: per-op, fused or whole-function">,
    Option<"output", "output", "std::string", /*default=*/"\"-\"",
           "Where the pipelines are printed (- for stdout)">
  ];
}

#endif // DLC_CONVERSION_NNTOHALIDE_PASSES_TD
