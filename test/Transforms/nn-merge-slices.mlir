// nn-merge-slices: the slices of one tensor along one static axis become one
// nn.split whose pieces tile the axis (gaps included); anything else stays.
// RUN: dlc-opt %s -split-input-file -pass-pipeline='builtin.module(func.func(nn-merge-slices))' | FileCheck %s
// nn.split's gradient and kernels: test/Dialect/NN/gradcheck/shape.mlir,
// test/Conversion/NNToHalide/ops.mlir; on generated programs, the shape
// sweep's slice-loop cases (scripts/fuzz/sweep.py).

// Three steps of a sequence read out of order, with gaps at 1 and 3: one
// split of five pieces, placed before the first slice.
// CHECK-LABEL: func.func @steps(
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x5x3xf32>
// CHECK-NEXT: %[[P:.*]]:5 = nn.split %[[X]] {axis = 1 : i64} : (tensor<?x5x3xf32>) -> (tensor<?x1x3xf32>, tensor<?x1x3xf32>, tensor<?x1x3xf32>, tensor<?x1x3xf32>, tensor<?x1x3xf32>)
// CHECK-NOT: nn.slice
// CHECK: nn.mul %[[P]]#4, %[[P]]#0
// CHECK: nn.add %{{.*}}, %[[P]]#2
func.func @steps(%x: tensor<?x5x3xf32> {nn.param = "x"}) -> tensor<f32> {
  %c = nn.slice %x {starts = array<i64: 0, 4, 0>, limits = array<i64: -1, 5, 3>, strides = array<i64: 1, 1, 1>} : (tensor<?x5x3xf32>) -> tensor<?x1x3xf32>
  %a = nn.slice %x {starts = array<i64: 0, 0, 0>, limits = array<i64: -1, 1, -1>, strides = array<i64: 1, 1, 1>} : (tensor<?x5x3xf32>) -> tensor<?x1x3xf32>
  %b = nn.slice %x {starts = array<i64: 0, 2, 0>, limits = array<i64: -1, 3, 3>, strides = array<i64: 1, 1, 1>} : (tensor<?x5x3xf32>) -> tensor<?x1x3xf32>
  %ca = nn.mul %c, %a : (tensor<?x1x3xf32>, tensor<?x1x3xf32>) -> tensor<?x1x3xf32>
  %s = nn.add %ca, %b : (tensor<?x1x3xf32>, tensor<?x1x3xf32>) -> tensor<?x1x3xf32>
  %l = nn.sum %s : (tensor<?x1x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Pieces of any size that tile the axis exactly (no gap), along the last
// axis of a static tensor.
// CHECK-LABEL: func.func @tiles(
// CHECK: %[[P:.*]]:2 = nn.split %{{.*}} {axis = 1 : i64} : (tensor<2x7xf32>) -> (tensor<2x3xf32>, tensor<2x4xf32>)
// CHECK-NOT: nn.slice
// CHECK: return %[[P]]#1, %[[P]]#0
func.func @tiles(%x: tensor<2x7xf32>) -> (tensor<2x4xf32>, tensor<2x3xf32>) {
  %a = nn.slice %x {starts = array<i64: 0, 0>, limits = array<i64: 2, 3>, strides = array<i64: 1, 1>} : (tensor<2x7xf32>) -> tensor<2x3xf32>
  %b = nn.slice %x {starts = array<i64: 0, 3>, limits = array<i64: -1, 7>, strides = array<i64: 1, 1>} : (tensor<2x7xf32>) -> tensor<2x4xf32>
  return %b, %a : tensor<2x4xf32>, tensor<2x3xf32>
}

// -----

// Left alone: overlapping ranges, a single slice of a value, a strided
// slice, a slice that cuts two axes, and slices of the dynamic dimension.
// CHECK-LABEL: func.func @kept(
// CHECK-NOT: nn.split
// CHECK-COUNT-9: nn.slice
// CHECK-NOT: nn.split
func.func @kept(%x: tensor<?x6xf32>, %y: tensor<4x6xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x2xf32>, tensor<?x3xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<1x6xf32>, tensor<1x6xf32>) {
  %o1 = nn.slice %x {starts = array<i64: 0, 0>, limits = array<i64: -1, 3>, strides = array<i64: 1, 1>} : (tensor<?x6xf32>) -> tensor<?x3xf32>
  %o2 = nn.slice %x {starts = array<i64: 0, 2>, limits = array<i64: -1, 5>, strides = array<i64: 1, 1>} : (tensor<?x6xf32>) -> tensor<?x3xf32>
  %one = nn.slice %y {starts = array<i64: 0, 0>, limits = array<i64: 4, 2>, strides = array<i64: 1, 1>} : (tensor<4x6xf32>) -> tensor<4x2xf32>
  %st = nn.slice %x {starts = array<i64: 0, 1>, limits = array<i64: -1, 6>, strides = array<i64: 1, 2>} : (tensor<?x6xf32>) -> tensor<?x3xf32>
  %sh = nn.slice %x {starts = array<i64: 0, 0>, limits = array<i64: -1, 2>, strides = array<i64: 1, 1>} : (tensor<?x6xf32>) -> tensor<?x2xf32>
  %two1 = nn.slice %y {starts = array<i64: 0, 2>, limits = array<i64: 2, 4>, strides = array<i64: 1, 1>} : (tensor<4x6xf32>) -> tensor<2x2xf32>
  %two2 = nn.slice %y {starts = array<i64: 2, 4>, limits = array<i64: 4, 6>, strides = array<i64: 1, 1>} : (tensor<4x6xf32>) -> tensor<2x2xf32>
  %d1 = nn.slice %x {starts = array<i64: 0, 0>, limits = array<i64: 1, -1>, strides = array<i64: 1, 1>} : (tensor<?x6xf32>) -> tensor<1x6xf32>
  %d2 = nn.slice %x {starts = array<i64: 1, 0>, limits = array<i64: 2, -1>, strides = array<i64: 1, 1>} : (tensor<?x6xf32>) -> tensor<1x6xf32>
  return %o1, %o2, %sh, %st, %two1, %two2, %d1, %d2 : tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x2xf32>, tensor<?x3xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<1x6xf32>, tensor<1x6xf32>
}
