// nn-to-halide as a pass of dlc-opt: the pipelines of every function (or of
// those named by `funcs`), cut per op or as a whole function, printed as
// `dlc --emit=halide` prints them; the IR is left as it is.
// RUN: dlc-opt %s -nn-to-halide -o %t.mlir | FileCheck %s --check-prefix=OP
// RUN: FileCheck %s --check-prefix=IR < %t.mlir
// RUN: dlc-opt %s -nn-to-halide="grouping=whole-function funcs=linear" -o /dev/null | FileCheck %s --check-prefix=FN
// RUN: dlc-opt %s -nn-to-halide="output=%t.halide" -o /dev/null && FileCheck %s --check-prefix=OP < %t.halide
// RUN: not dlc-opt %s -nn-to-halide="grouping=tiles" 2>&1 | FileCheck %s --check-prefix=BADGROUP
// RUN: not dlc-opt %s -nn-to-halide="funcs=nope" 2>&1 | FileCheck %s --check-prefix=NOFUNC

func.func @linear(%x: tensor<?x6xf32>, %w: tensor<6x5xf32>, %b: tensor<5xf32>) -> tensor<?x5xf32> {
  %0 = nn.matmul %x, %w : (tensor<?x6xf32>, tensor<6x5xf32>) -> tensor<?x5xf32>
  %1 = nn.add %0, %b : (tensor<?x5xf32>, tensor<5xf32>) -> tensor<?x5xf32>
  %2 = nn.relu %1 : tensor<?x5xf32>
  return %2 : tensor<?x5xf32>
}

func.func @act(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = nn.tanh %x : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// OP-LABEL: pipeline linear_g0(arg0: ?x6xfloat32, arg1: 6x5xfloat32) -> (val0: ?x5xfloat32 {?0 = arg0.0}) {
// OP:         matmul_acc_0(i1, i0) = 0.000000f  // matmul, nn.matmul
// OP-LABEL: pipeline linear_g1(arg2: 5xfloat32, val0: ?x5xfloat32) -> (val1: ?x5xfloat32 {?0 = val0.0}) {
// OP-LABEL: pipeline linear_g2(val1: ?x5xfloat32) -> (val2: ?x5xfloat32 {?0 = val1.0}) {
// OP:         val2(i1, i0) = max((float32)val1_in(i1, i0), 0.000000f)  // elementwise, nn.relu
// OP-LABEL: pipeline act_g0(

// IR: func.func @linear(
// IR: nn.matmul
// IR: func.func @act(

// FN-LABEL: pipeline linear_g0(arg0: ?x6xfloat32, arg1: 6x5xfloat32, arg2: 5xfloat32) -> (val2: ?x5xfloat32 {?0 = arg0.0}) {
// FN-NOT: pipeline

// BADGROUP: error: nn-to-halide: unknown grouping 'tiles' (expected per-op, fused or whole-function)
// NOFUNC: error: nn-to-halide: no function 'nope'
