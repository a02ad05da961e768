// nn-to-halide on gather and its gradient (a scatter-add) against the
// reference evaluator: indices drawn in [0, axis + 2), so repeated and
// out-of-range indices both occur; a table read by batched indices (axis 0),
// a batched tensor read along a middle axis, the last axis, i32 indices; both
// groupings, a dynamic batch of 1, 4 and 9; the gradient kernels (the
// scatter, gather_grad) on the losses of the gradient-check file.
// RUN: dlc-halide-check %s --groups=op | FileCheck %s
// RUN: dlc-halide-check %s --groups=function --dynamic-size=9 --seed=3 | FileCheck %s
// RUN: dlc-halide-check %s --groups=op --dynamic-size=1 --seed=5 | FileCheck %s
// RUN: dlc-halide-check %S/../../Dialect/NN/gradcheck/gather.mlir --grad --groups=op | FileCheck %s
// RUN: dlc-halide-check %S/../../Dialect/NN/gradcheck/gather.mlir --grad --groups=function --dynamic-size=9 --seed=3 | FileCheck %s
// RUN: dlc-halide-check %S/../../Dialect/NN/gradcheck/gather.mlir --grad --groups=op --dynamic-size=1 --seed=5 | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: ALL PASS

func.func @table(%ids: tensor<?x5xi64>, %e: tensor<13x17xf32> {nn.param = "e"}) -> tensor<?x5x17xf32> {
  %v = nn.gather %e, %ids {axis = 0 : i64} : (tensor<13x17xf32>, tensor<?x5xi64>) -> tensor<?x5x17xf32>
  return %v : tensor<?x5x17xf32>
}

func.func @middle(%x: tensor<?x6x3xf32> {nn.param = "x"}, %ids: tensor<2x5xi32>) -> tensor<?x2x5x3xf32> {
  %v = nn.gather %x, %ids {axis = 1 : i64} : (tensor<?x6x3xf32>, tensor<2x5xi32>) -> tensor<?x2x5x3xf32>
  return %v : tensor<?x2x5x3xf32>
}

func.func @last(%x: tensor<?x7xf32> {nn.param = "x"}, %ids: tensor<29xi64>) -> tensor<?x29xf32> {
  %v = nn.gather %x, %ids {axis = 1 : i64} : (tensor<?x7xf32>, tensor<29xi64>) -> tensor<?x29xf32>
  return %v : tensor<?x29xf32>
}

func.func @scalar_ids(%x: tensor<4x3xf32> {nn.param = "x"}, %ids: tensor<i64>) -> tensor<3xf32> {
  %v = nn.gather %x, %ids {axis = 0 : i64} : (tensor<4x3xf32>, tensor<i64>) -> tensor<3xf32>
  return %v : tensor<3xf32>
}
