// nn-to-halide on pad and flip and their gradients (a slice, a flip),
// against the reference evaluator, with both groupings, odd sizes, a
// non-zero pad value and a dynamic batch (not padded, flipped).
// RUN: dlc-halide-check %s --groups=op | FileCheck %s
// RUN: dlc-halide-check %s --groups=function | FileCheck %s
// RUN: dlc-halide-check %s --grad --groups=op | FileCheck %s
// RUN: dlc-halide-check %s --grad --groups=function --dynamic-size=7 --seed=3 | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: ALL PASS

func.func @pad(%x: tensor<?x3x5x7xf32> {nn.param = "x"}, %w: tensor<?x3x8x8xf32>) -> tensor<f32> {
  %y = nn.pad %x {before = array<i64: 0, 0, 2, 0>, after = array<i64: 0, 0, 1, 1>, value = 0.5 : f64} : (tensor<?x3x5x7xf32>) -> tensor<?x3x8x8xf32>
  %p = nn.mul %y, %w : (tensor<?x3x8x8xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  %l = nn.sum %p : (tensor<?x3x8x8xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @flip(%x: tensor<?x2x3x5xf32> {nn.param = "x"}, %w: tensor<?x2x3x5xf32>) -> tensor<f32> {
  %y = nn.flip %x {axes = array<i64: 0, 3>} : (tensor<?x2x3x5xf32>) -> tensor<?x2x3x5xf32>
  %p = nn.mul %y, %w : (tensor<?x2x3x5xf32>, tensor<?x2x3x5xf32>) -> tensor<?x2x3x5xf32>
  %l = nn.sum %p : (tensor<?x2x3x5xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
